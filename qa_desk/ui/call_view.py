"""The call view: one call's header, waveform, transcript and player, where a reviewer spends the day.

Opening a call reads its details and transcript in one job, then builds the
waveform envelope and the call's metrics in two more (neither may block the
window: a 60-minute call's first envelope takes a second or two). The Player
plays on its own thread; a 30 Hz timer asks it where it is and moves the
playhead, the current word and the clock.

When there is no sound device, the player bar says so and everything else works:
a reviewer can still read the transcript, look at the metrics and select spans.
The domain modules are imported where they are used, so a missing or broken
part shows as a message on the screen rather than a window that will not start.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..jobs import JobContext
from ..permissions import Actor
from ..settings import Settings, login_name
from ..store.database import Database
from ..store.transcripts import latest_transcript
from .call_header import CallHeader
from .call_clips import CallClips
from .evaluation_panel import EvaluationPanel
from .flag_dialogs import flag_marks
from .flags_pane import FlagsPane
from .formatting import number
from .jobs import JobRunner, run_job
from .player_bar import PlayerBar
from .shortcuts_help import ShortcutsHelp, bind_shortcuts
from .transcript_pane import TranscriptPane
from .waveform import WaveformView, format_time

SIDE_WIDTH = 420  # what the transcript, flags and form beside the waveform get at least, room allowing
TICK_MS = 33  # ~30 Hz: the playhead moves smoothly, the GUI thread stays idle
AUDIO_ERRORS = (OSError, RuntimeError, ValueError, EOFError)  # soundfile's errors are RuntimeErrors


class CallView(QWidget):
    """One call, opened from the library; `back_requested` returns to it."""

    back_requested = Signal()
    selection_changed = Signal(object)  # (start, end) in seconds, or None
    message = Signal(str)  # for the status bar
    call_loaded = Signal(int)
    transcribe_requested = Signal(int)  # the call's id: "Transcribe" in the transcript pane
    # The call's id: "Check now" / "Check again" in the flags pane. Whoever scans calls
    # connects it, calls set_checking(True) while scanning and reload_flags() after.
    rescan_requested = Signal(int)

    def __init__(self, db: Database, *, output_factory: Callable[[], object] | None = None,
                 settings: Settings | None = None, user: Callable[[], Actor | None] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self._settings = settings  # the reviewer's name on flag decisions; None: the OS login
        self._user = user  # the signed-in user (the window's services.user); the store checks their role
        self._moment: tuple[float, str] | None = None  # where to go once the call is open
        self._output_factory = output_factory  # None: the real sound device
        self._call = None
        self._call_id: int | None = None
        self._player = None
        self._jobs: list[JobRunner] = []
        self._envelope_ready = False
        self._envelope_job: JobRunner | None = None  # the waveform's first drawing (its progress is shown)
        self._metrics = None
        self._help: ShortcutsHelp | None = None
        self._shown_error: str | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.back_button = QPushButton(self.tr("← Back to calls"))
        self.back_button.setObjectName("backToCalls")
        self.back_button.setToolTip(self.tr("Back to the call library (Alt+Left)"))
        self.back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.header = CallHeader()
        self.waveform = WaveformView()
        self.waveform.plot.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.transcript = TranscriptPane()
        self.flags = FlagsPane(db, reviewer=self.reviewer)
        self.flags.setObjectName("flagsPane")
        self.evaluation = EvaluationPanel(
            db, reviewer=self.reviewer, language=lambda: settings.call_language if settings is not None else "zh",
            position=self.position, selection=lambda: self.waveform.selection(),
        )
        self.evaluation.setObjectName("evaluationPanel")
        # Flags and the form share the space under the transcript: a reviewer reads the
        # flags, then scores; a suggested answer's link jumps to its flag.
        self.review_tabs = QTabWidget()
        self.review_tabs.setObjectName("reviewTabs")
        self.review_tabs.addTab(self.flags, self.tr("Flags"))
        self.review_tabs.addTab(self.evaluation, self.tr("Evaluation"))
        self.player_bar = PlayerBar()

        self.selection_label = QLabel()
        self.selection_label.setObjectName("selectionLabel")
        self.selection_label.hide()
        self.hint = QLabel(self.tr("Click to jump · drag to select · wheel to zoom · Shift+wheel to scroll"))
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        # The hint gives way (it is cut off) rather than widening the waveform's side.
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        zoom_row = QHBoxLayout()
        zoom_row.setSpacing(4)
        zoom_row.addWidget(self.hint, 1)
        zoom_row.addWidget(self.selection_label, 1)
        self.clips = CallClips(self)  # Save as clip… and Export transcript… (call_clips.py)
        zoom_row.addWidget(self.clips.save_button)
        for text, tip, slot in (
            ("−", self.tr("Zoom out (Ctrl+-)"), self.zoom_out),
            ("+", self.tr("Zoom in (Ctrl+=)"), self.zoom_in),
            (self.tr("Whole call"), self.tr("Show the whole call (Ctrl+0)"), self.waveform.zoom_fit),
        ):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            zoom_row.addWidget(button)

        wave_column = QWidget()
        wave_layout = QVBoxLayout(wave_column)
        wave_layout.setContentsMargins(0, 0, 0, 0)
        wave_layout.setSpacing(4)
        wave_layout.addLayout(zoom_row)
        wave_layout.addWidget(self.waveform, 1)
        # Beside the waveform: the transcript over the call's flags, both in sight while
        # a reviewer goes through the flags (a flag's words are tinted in the text).
        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.setObjectName("callSideSplitter")
        self.side.addWidget(self.transcript)
        self.side.addWidget(self.review_tabs)
        self.side.setChildrenCollapsible(False)
        self._side_moved = False  # the reviewer's own split of transcript and flags is kept
        self.side.splitterMoved.connect(lambda *_: setattr(self, "_side_moved", True))
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("callSplitter")
        self.splitter.addWidget(wave_column)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self._split_once = False

        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.header, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 8)  # the waveform and the panes get the height
        column.setSpacing(6)
        column.addLayout(top)
        column.addWidget(line)
        column.addWidget(self.splitter, 1)
        column.addWidget(self.player_bar)

        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

        self.back_button.clicked.connect(self.back_requested)
        self.waveform.seek_requested.connect(self.seek)
        self.waveform.selection_changed.connect(self._selection_changed)
        self.waveform.selection_changed.connect(self.selection_changed)
        self.transcript.seek_requested.connect(self.seek)
        self.transcript.transcribe_requested.connect(self._transcribe_requested)
        self.flags.flags_changed.connect(self._flags_changed)
        self.flags.flag_selected.connect(self._flag_selected)
        self.flags.flag_activated.connect(self._flag_activated)
        self.flags.check_requested.connect(self.request_rescan)
        self.flags.message.connect(self.message)
        self.waveform.flag_clicked.connect(self._flag_clicked)
        self.evaluation.markers_changed.connect(self.set_markers)
        self.waveform.mark_clicked.connect(self.play_from)  # a comment at a moment: hear it
        self.evaluation.flag_requested.connect(self._flag_clicked)
        self.evaluation.seek_requested.connect(lambda t: self.play_from(t))
        self.evaluation.message.connect(self.message)
        self.player_bar.play_toggled.connect(self.toggle_play)
        self.player_bar.speed_changed.connect(lambda s: self._with_player(lambda p: p.set_speed(s)))
        self.player_bar.volume_changed.connect(lambda v: self._with_player(lambda p: p.set_volume(v)))
        self.player_bar.listen_changed.connect(lambda w: self._with_player(lambda p: p.set_listen(w)))
        self.player_bar.loop_changed.connect(self._apply_loop)
        self.player_bar.help_requested.connect(self.show_shortcuts)
        self._bind_shortcuts()

    # --- keyboard --------------------------------------------------------------------------

    def _bind_shortcuts(self) -> None:
        actions = {
            "play_pause": self.toggle_play,
            "back_5": partial(self.skip, -5.0), "forward_5": partial(self.skip, 5.0),
            "back_1": partial(self.skip, -1.0), "forward_1": partial(self.skip, 1.0),
            "back_10": partial(self.skip, -10.0), "forward_10": partial(self.skip, 10.0),
            "slower": partial(self.player_bar.step_speed, -1), "faster": partial(self.player_bar.step_speed, 1),
            "start": lambda: self.seek(0.0), "end": lambda: self.seek(self.duration()),
            "zoom_in": self.zoom_in, "zoom_out": self.zoom_out, "zoom_fit": self.waveform.zoom_fit,
            "escape": self._escape, "search": self._focus_search,
            "back_to_calls": self.back_requested.emit, "help": self.show_shortcuts,
        }
        self.shortcuts, self._typed = bind_shortcuts(self, actions)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        # Only keys no child took arrive here: typing "?" in the search box stays typing.
        plain = not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        action = self._typed.get(event.text()) if plain else None
        if action is None:
            super().keyPressEvent(event)
            return
        event.accept()
        action()

    def _escape(self) -> None:
        if self.transcript.search.hasFocus() and self.transcript.search.text():
            self.transcript.search.clear()
        else:
            self.waveform.clear_selection()

    def _focus_search(self) -> None:
        self.transcript.search.setFocus()
        self.transcript.search.selectAll()

    def show_shortcuts(self) -> ShortcutsHelp:
        if self._help is None:
            self._help = ShortcutsHelp(self)
        self._help.show()
        self._help.raise_()
        return self._help

    # --- opening a call -----------------------------------------------------------------

    def set_database(self, db: Database) -> None:
        self.close_call()
        self._db = db
        self.flags.set_database(db)
        self.evaluation.set_database(db)

    def open_call(self, call_id: int, calibration_session: int | None = None) -> None:
        """Show a call: details and transcript first, then waveform and metrics as they come.
        With ``calibration_session``, the Evaluation tab shows the reviewer's blind sheet in it."""
        self.close_call()
        self._call = None
        self._call_id = call_id
        self.header.agent.setText(self.tr("Opening call…"))
        self.header.details.clear()
        self.header.set_metrics_pending()
        self.transcript.search.clear()  # the last call's search means nothing here
        self.transcript.set_transcription("opening")
        self.transcript.set_transcript(None)
        self.player_bar.show_error("")
        self._shown_error = None
        self.player_bar.set_position(0.0, 0.0)
        self.waveform.show_message(self.tr("Drawing waveform…"))
        self.flags.load(call_id)
        self.evaluation.load(call_id, calibration_session)
        if calibration_session is not None:
            self.review_tabs.setCurrentWidget(self.evaluation)
        db = self._db

        def load(ctx: JobContext):
            from ..store.calls import get_call

            with db.session() as session:
                call = get_call(session, call_id)
                return call, (latest_transcript(session, call_id) if call else None)

        self._start(load, self._loaded, self._load_failed, "open call")

    def _start(self, fn, finished, failed, name: str, expected: tuple = (), progress=None) -> JobRunner:
        self._jobs = [job for job in self._jobs if not job.is_done()]
        self._jobs.append(run_job(fn, on_finished=finished, on_failed=failed, expected=AUDIO_ERRORS + expected,
                                  on_progress=progress, name=name))
        return self._jobs[-1]

    def _loaded(self, result: object) -> None:
        call, transcript = result
        if call is None:
            self.header.agent.setText(self.tr("This call is no longer in the library"))
            self.header.set_metrics_failed(self.tr("no call"))
            self.waveform.show_message("")
            return
        from ..audio.decode import channel_lanes, read_span

        self._call = call
        self.header.set_call(call)
        self.transcript.set_transcription(call.transcript_status)
        lanes = channel_lanes(call.channel_map or {"0": "mixed"})
        self.waveform.set_call(call.duration, call.sample_rate, lanes, partial(read_span, call.file_path))
        self._flags_changed(self.flags.flags())  # read before the call's details, perhaps
        self.transcript.set_transcript(transcript)
        self.player_bar.set_position(0.0, call.duration)
        self.player_bar.set_stereo({s for _, s in lanes} >= {"agent", "customer"})
        self.message.emit(self.tr("Opened call {0}: {1}").format(call.id, call.file_path))
        if not Path(call.file_path).is_file():
            text = self.tr("The recording is missing: {0}").format(call.file_path)
            self.waveform.show_message(text)
            self.player_bar.show_error(text, can_retry=False)
            self.header.set_metrics_failed(self.tr("the recording is missing"))
            self._go_to_moment()
            self.call_loaded.emit(call.id)
            return
        self._open_player(call)
        path, digest = call.file_path, call.content_hash

        def envelope(ctx: JobContext):
            from ..audio.envelope import load_envelope

            return load_envelope(path, digest, ctx=ctx)

        # A long call's first open decodes it all: the overlay counts, and Back (or another
        # call) cancels it; the cache file is written whole or not at all.
        self._envelope_job = self._start(envelope, self._envelope_loaded, self._envelope_failed,
                                         "waveform envelope", progress=self._envelope_progress)
        self._analyse()
        self._go_to_moment()
        self.call_loaded.emit(call.id)
        self.setFocus()

    def _analyse(self) -> None:
        """The call's metrics (speech rate and first words come from its transcript)."""
        from ..audio.analysis import CallNotFound, RecordingError, analyse_call

        call_id, db = self._call.id, self._db
        self._start(lambda ctx: analyse_call(db, call_id, ctx=ctx), self._metrics_loaded,
                    self.header.set_metrics_failed, "call metrics", (CallNotFound, RecordingError))

    # --- transcription --------------------------------------------------------------------

    def call_id(self) -> int | None:
        """The call shown or being opened."""
        return self._call_id

    def set_transcription(self, status: str, progress: float | None = None, error: str | None = None) -> None:
        """Where this call's transcription stands (the window follows the queue)."""
        self.transcript.set_transcription(status, progress, error)

    def reload_transcript(self) -> None:
        """Read the call's newest transcript again (a transcription just finished)."""
        call_id, db = self._call_id, self._db
        if call_id is None or self._call is None:
            return

        def load(ctx: JobContext):
            with db.session() as session:
                return call_id, latest_transcript(session, call_id)

        self._start(load, self._transcript_reloaded, self._reload_failed, "reload transcript")

    def _transcript_reloaded(self, result: object) -> None:
        call_id, transcript = result
        if call_id != self._call_id or self._call is None:
            return
        self.transcript.set_transcript(transcript)
        self.transcript.set_position(self.position())
        self.flags.reload()  # a new transcript is checked again: its flags follow
        if Path(self._call.file_path).is_file():
            self._analyse()  # the metrics that read the words, on the new transcript

    def _reload_failed(self, message: str) -> None:
        self.message.emit(self.tr("Could not read the new transcript: {0}").format(message))

    def _transcribe_requested(self) -> None:
        if self._call_id is not None:
            self.transcribe_requested.emit(self._call_id)

    def _load_failed(self, message: str) -> None:
        self.header.agent.setText(self.tr("The call could not be opened"))
        self.header.details.setText(message)
        self.waveform.show_message("")

    def _envelope_progress(self, done: int, total: int) -> None:
        if self.sender() is self._envelope_job and not self._envelope_ready and 0 < done < total:
            self.waveform.show_message(self.tr("Drawing waveform… {0}%").format(done * 100 // total))

    def _envelope_loaded(self, envelope: object) -> None:
        self._envelope_ready = True
        self.waveform.set_envelope(envelope)

    def _envelope_failed(self, message: str) -> None:
        self.waveform.show_message(self.tr("Could not draw the waveform: {0}").format(message))

    def _metrics_loaded(self, metrics: object) -> None:
        self._metrics = metrics
        self.header.set_metrics(metrics)
        holds = [(h.start, h.end) for h in metrics.holds]
        # A hold is also a silence: shade it once, in the hold's colour.
        silences = [s for s in metrics.silences if not any(a <= s.start and s.end <= b for a, b in holds)]
        self.waveform.set_activity(silences, holds, metrics.overtalk or [])

    def _open_player(self, call) -> None:
        from ..audio.outputs import OutputError
        from ..audio.playback import Player

        try:
            output = self._output_factory() if self._output_factory else None
            self._player = Player(call.file_path, call.channel_map, output=output)
        except OutputError as exc:
            self.player_bar.show_sound_problem(exc)
            return
        except AUDIO_ERRORS as exc:
            self.player_bar.show_error(self.tr("This recording cannot be played: {0}").format(exc), can_retry=False)
            return
        bar = self.player_bar
        self._player.set_speed(bar.speed_value())
        self._player.set_volume(bar.volume.value() / 100.0)
        self._player.set_listen(bar.listen.currentData())
        self._show_error_of(self._player)

    def set_back_target(self, area_name: str | None) -> None:
        """Say where Back goes: the library (None) or the area the call was opened from
        (a scorecard's drill-down, the clips library), already translated."""
        if area_name is None:
            self.back_button.setText(self.tr("← Back to calls"))
            self.back_button.setToolTip(self.tr("Back to the call library (Alt+Left)"))
        else:
            self.back_button.setText(self.tr("← Back to %1").replace("%1", area_name))
            self.back_button.setToolTip(self.tr("Back to %1 (Alt+Left)").replace("%1", area_name))

    def close_call(self) -> None:
        """Stop playing and let go of the file and any job still working for this call."""
        self._timer.stop()
        for runner in self._jobs:
            runner.abandon()
        self._jobs = []
        self._envelope_job = None
        if self._player is not None:
            self._player.close()
            self._player = None
        self._envelope_ready = False
        self._metrics = None
        self._moment = None
        self.flags.clear()
        self.evaluation.clear()  # saves answers not yet written
        self.set_markers([])
        self.player_bar.set_playing(False)

    # --- playing ---------------------------------------------------------------------------

    def call(self):
        return self._call

    def player(self):
        return self._player

    def duration(self) -> float:
        return self._call.duration if self._call else 0.0

    def is_ready(self) -> bool:
        """Details, waveform and metrics are all on screen (what tests and the bench wait for)."""
        return self._call is not None and self._envelope_ready and self._metrics is not None

    def position(self) -> float:
        return self._player.position() if self._player else self.waveform.position()

    def _with_player(self, fn) -> None:
        if self._player is not None:
            fn(self._player)
            self._tick()

    def toggle_play(self) -> None:
        player = self._player
        if player is None:
            return
        from ..audio.outputs import OutputError

        try:
            player.toggle()  # at the end of the call, Play starts it over (the Player's rule)
        except OutputError as exc:
            self._shown_error = str(exc)
            self.player_bar.show_sound_problem(exc)
            self._tick()
            return
        if not self._show_error_of(player) and player.state == "playing":
            self.player_bar.show_error("")
            self._timer.start()
        self._tick()

    def _show_error_of(self, player) -> bool:
        """Show a problem the player met on its own (a device lost while playing)."""
        error = getattr(player, "last_error", None)
        if error and error != self._shown_error:  # not the one already explained
            self._shown_error = error
            self.player_bar.show_sound_problem(error)
            self.player_bar.set_playing(False)
        return bool(error)

    def seek(self, seconds: float) -> None:
        seconds = min(max(seconds, 0.0), self.duration())
        if self._player is not None:
            self._player.seek(seconds)
        self._tick(seconds, reveal=True)

    def skip(self, seconds: float) -> None:
        self.seek(self.position() + seconds)

    def zoom_in(self) -> None:
        self.waveform.zoom_by(2.0, animate=True)

    def zoom_out(self) -> None:
        self.waveform.zoom_by(0.5, animate=True)

    def _tick(self, position: float | None = None, *, reveal: bool = False) -> None:
        player = self._player
        playing = player is not None and player.state == "playing"
        if position is None:
            position = player.position() if player is not None else self.waveform.position()
        self.waveform.set_position(position, follow=playing, reveal=reveal)
        self.transcript.set_position(position, follow=playing or reveal)
        self.player_bar.set_position(position)
        self.player_bar.set_playing(playing)
        if not playing:
            self._timer.stop()
            if player is not None:
                self._show_error_of(player)

    # --- flags and moments -------------------------------------------------------------------

    def reviewer(self) -> Actor | str | None:
        """Who acts: the window's signed-in user (None: nobody, the store refuses). A view
        without a window (a test, an embedding) acts as the settings' name, which the store
        accepts only when it names a stored user, and checks that user's role."""
        if self._user is not None:
            return self._user()
        return self._settings.reviewer() if self._settings is not None else login_name()

    def request_rescan(self) -> None:
        """Ask for this call to be checked against the rulebook (see rescan_requested)."""
        if self._call_id is not None:
            self.rescan_requested.emit(self._call_id)

    def set_checking(self, checking: bool) -> None:
        self.flags.set_checking(checking)

    def reload_flags(self) -> None:
        """Read the call's flags again (a scan of it has finished)."""
        self.flags.set_checking(False)
        self.flags.reload()

    def _flags_changed(self, flags: list) -> None:
        self._fit_side(bool(flags))
        self.review_tabs.setTabText(0, self.tr("Flags ({0})").format(len(flags)) if flags else self.tr("Flags"))
        bars, words = flag_marks(flags)
        self.waveform.set_flags(bars)
        self.transcript.set_flag_words(words)

    def _flag_selected(self, flag) -> None:
        self.waveform.select_flag(flag.id if flag else None)
        self.transcript.select_flag(flag.id if flag else None)

    def _flag_activated(self, flag) -> None:
        if flag.start is None:  # a phrase never said has no place to play
            self.message.emit(self.tr("This flag has no place in the call: {0}").format(flag.reason or flag.rule_title))
        else:
            self.play_from(flag.start - 1.0)

    def _flag_clicked(self, flag_id: int) -> None:
        if self.flags.select_flag(flag_id):
            self._flag_activated(self.flags.selected_flag())

    def play_from(self, seconds: float) -> None:
        self.seek(max(0.0, seconds))
        if self._player is not None and self._player.state != "playing":
            self.toggle_play()

    def show_moment(self, seconds: float, find: str = "") -> None:
        """Go to a moment of the call being opened (a search hit), with the searched words
        highlighted in its transcript; call after open_call."""
        self._moment = (seconds, find)
        if self._call is not None and self._call.id == self._call_id:
            self._go_to_moment()

    def _go_to_moment(self) -> None:
        if self._moment is not None:
            seconds, find = self._moment
            self._moment = None
            if find:
                self.transcript.search.setText(find)
            self.seek(max(0.0, seconds - 1.0))

    # --- selection, loop and marks (later issues turn these into clips, comments, flags) --------

    def selection(self) -> tuple[float, float] | None:
        return self.waveform.selection()

    def set_markers(self, markers: list[tuple[float, str, str]]) -> None:
        """Marks above the waveform: (time in seconds, kind, tooltip)."""
        self.waveform.set_markers(markers)

    def _selection_changed(self, span: object) -> None:
        self.player_bar.set_loop_available(span is not None)
        self.hint.setVisible(span is None)  # the selection's times take the hint's place
        self.selection_label.setVisible(span is not None)
        if span is None:
            self.selection_label.clear()
        else:
            start, end = span
            self.selection_label.setText(self.tr("Selected {0}–{1} ({2} s)").format(
                format_time(start, 1), format_time(end, 1), number(end - start, 1)))
        self._apply_loop(self.player_bar.loop.isChecked())

    def _apply_loop(self, on: bool) -> None:
        span = self.waveform.selection()
        if on and span is not None and span[1] - span[0] >= 0.01:  # shorter is a click, not a loop
            self._with_player(lambda p: p.set_loop(*span))
        else:
            self._with_player(lambda p: p.set_loop(None, None))

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._split_once:  # 60:40 at first sight; the reviewer's own split after that
            self._split_once = True
            width = max(self.splitter.width(), self.width() - 24)
            # On a laptop's narrow window 40 % leaves the flags and the form too little: up to
            # half of it, as long as the side gets SIDE_WIDTH.
            side = max(int(width * 0.4), min(SIDE_WIDTH, width // 2))
            self.splitter.setSizes([width - side, side])
            self._fit_side(bool(self.flags.flags()))

    def _fit_side(self, has_flags: bool) -> None:
        """Room for the flags when there are some; the transcript takes it otherwise."""
        if not self._side_moved:
            height, share = max(self.side.height(), 400), 0.42 if has_flags else 0.72
            self.side.setSizes([int(height * share), height - int(height * share)])

    def hideEvent(self, event) -> None:  # noqa: N802
        # Leaving the call (another area, back to the library) pauses it: audio
        # playing from a page nobody sees is a surprise. Minimising the window (a
        # spontaneous hide) does not: listening while typing notes elsewhere is normal.
        if not event.spontaneous() and self._player is not None and self._player.state == "playing":
            self._player.pause()
            self._tick()
        super().hideEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.close_call()
        super().closeEvent(event)
