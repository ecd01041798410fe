"""A clip played in place: the waveform of its own audio, its words lit as they are heard,
and handles to move its start and end.

A clip's audio lives in the database (FLAC). To play it with the call view's Player and
draw it with the call view's waveform, a job writes it to a WAV file in this widget's
own temporary folder and builds its envelope; the folder goes when the widget closes.
The waveform counts in the clip's own seconds, its axis is labelled in call time (as the
transcript lines and the start/end boxes are), so "0:17" means the same everywhere.

The clip's span is the selection on its waveform: drag its edges (or type a start and an
end, which may also reach past the audio kept for the clip) and Apply cuts the clip
again from the call (``adjust_clip``, a job), snapped to words when asked. A playlist
plays straight through: when one clip ends, the next one is loaded and played.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from functools import partial
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QStackedWidget, QStyle, QToolButton, QVBoxLayout, QWidget

from ..clips import MAX_ROLL, adjust_clip, excerpt_utterances
from ..store.clips import ClipError, ClipView
from ..store.database import Database
from ..store.transcripts import TranscriptView
from .clip_span import SpanEditor
from .clip_header import ClipHeader
from .clip_loading import LoadedClip, load_clip
from .clip_words import clip_time, span_text
from .jobs import JobRunner, run_job
from .transcript_pane import TranscriptPane
from .waveform import WaveformView

TICK_MS = 33
WORDS_SHARE = 0.26  # of the split's height: a clip is a few lines; its waveform gets the rest
WORDS_MIN_HEIGHT = 100  # the title and two lines of words: one utterance
CLIP_TINT = "#38a169"  # the clip's own words, against the roll's context around them
AUDIO_ERRORS = (OSError, RuntimeError, ValueError, EOFError, ClipError)


class ClipPlayer(QWidget):
    clip_changed = Signal(object)  # the ClipView after its start and end were moved
    message = Signal(str)

    def __init__(self, db: Callable[[], Database], *, output_factory: Callable[[], object] | None = None,
                 actor: Callable[[], object] = lambda: None, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self._actor = actor  # who moves a clip's span (the store refuses anyone but a trainer/admin)
        self._output_factory = output_factory
        self._folder = Path(tempfile.mkdtemp(prefix="qa-desk-clips-"))
        self._loaded: LoadedClip | None = None
        self._player = None
        self._jobs: list[JobRunner] = []
        self._autoplay = False
        self._queue: list[int] = []  # the playlist played straight through
        self._queue_index = -1
        self._queue_name = ""
        self._syncing = False
        # The clips' WAV files go with the folder when the player goes (or at exit).
        weakref.finalize(self, shutil.rmtree, str(self._folder), True)

        style = self.style()
        self._play_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._pause_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPause)
        self.header = ClipHeader()
        self.waveform = WaveformView()
        self.waveform.setMinimumHeight(120)
        self._label_axis_in_call_time()
        # A clip is seconds long: its scrollbar only shows when the trainer zooms in.
        self.waveform.range_changed.connect(lambda left, right: self.waveform.scrollbar.setVisible(
            self._loaded is not None and right - left < self._loaded.duration - 1e-3))
        self.transcript = TranscriptPane()
        self.transcript.title.setText(self.tr("What is said"))
        # Under the waveform's controls, already framed by the area: the words keep their
        # height for lines rather than for margins.
        self.transcript.layout().setContentsMargins(0, 6, 0, 0)
        self.transcript.text.document().setDocumentMargin(6)

        self.play_button = QToolButton()
        self.play_button.setObjectName("clipPlay")
        self.play_button.setIcon(self._play_icon)
        self.play_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.play_button.setText(self.tr("Play"))
        self.position_label = QLabel()
        self.position_label.setObjectName("clipPosition")
        self.playlist_label = QLabel()
        self.playlist_label.setObjectName("playlistProgress")
        self.next_button = QToolButton()
        self.next_button.setText(self.tr("Next clip"))
        self.next_button.hide()
        self.status = QLabel()
        self.status.setObjectName("clipPlayerStatus")
        self.status.setStyleSheet("color: #b3261e;")
        self.status.setWordWrap(True)
        self.status.hide()

        self.span_editor = SpanEditor()

        transport = QHBoxLayout()
        transport.setSpacing(8)
        for widget in (self.play_button, self.position_label):
            transport.addWidget(widget)
        transport.addStretch(1)
        transport.addWidget(self.playlist_label)
        transport.addWidget(self.next_button)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addWidget(self.header)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setObjectName("clipPlayerSplitter")
        wave_box = QWidget()
        wave_column = QVBoxLayout(wave_box)
        wave_column.setContentsMargins(0, 0, 0, 0)
        wave_column.addWidget(self.waveform, 1)
        wave_column.addLayout(transport)
        wave_column.addWidget(self.span_editor)
        wave_column.addWidget(self.status)
        self.split.addWidget(wave_box)
        self.split.addWidget(self.transcript)
        self.split.setChildrenCollapsible(False)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        # The pane's own minimum counts its empty state's margins; two lines of words are enough.
        self.transcript.setMinimumHeight(WORDS_MIN_HEIGHT)
        # The default split is set whenever the splitter gets a size, until the trainer moves
        # it (or the layout memory restores a moved one: it says so with splitterMoved).
        self._split_moved = False
        self.split.splitterMoved.connect(self._trainer_split)
        self.split.installEventFilter(self)
        column.addWidget(self.split, 1)
        self.empty = QLabel(self.tr("Choose a clip to hear it here."))
        self.empty.setObjectName("clipPlayerEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text);")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self.play_button.clicked.connect(self.toggle_play)
        self.next_button.clicked.connect(self._next_in_playlist)
        self.waveform.seek_requested.connect(self.seek)
        self.waveform.selection_changed.connect(self._span_dragged)
        self.transcript.seek_requested.connect(lambda t: self.seek(t - self.offset()))
        self.span_editor.typed.connect(self._span_typed)
        self.span_editor.apply_requested.connect(self.apply_span)
        self.span_editor.reset_requested.connect(self._show_span)

    def _label_axis_in_call_time(self) -> None:
        # The plot counts from the clip's first frame; ticks fall on round call times and
        # are labelled with them (pyqtgraph asks the axis instance for both).
        axis = self.waveform.plot.getAxis("bottom")
        values, strings = axis.tickValues, axis.tickStrings
        axis.tickValues = lambda low, high, size: [
            (spacing, [v - self.offset() for v in ticks]) for spacing, ticks in values(low + self.offset(),
                                                                                       high + self.offset(), size)]
        axis.tickStrings = lambda ticks, scale, spacing: strings([v + self.offset() for v in ticks], scale, spacing)

    # --- loading --------------------------------------------------------------------------

    def clip(self) -> ClipView | None:
        return self._loaded.clip if self._loaded else None

    def offset(self) -> float:
        return self._loaded.offset if self._loaded else 0.0

    def is_ready(self) -> bool:
        return self._loaded is not None and not any(not j.is_done() for j in self._jobs)

    def _start(self, fn, finished, failed, name: str) -> None:
        self._jobs = [job for job in self._jobs if not job.is_done()]
        self._jobs.append(run_job(fn, on_finished=finished, on_failed=failed, expected=AUDIO_ERRORS, name=name))

    def show_clip(self, clip_id: int, *, autoplay: bool = False) -> None:
        """Load a clip's audio and words (a job) and show it; play it once loaded if asked."""
        self._stop_queue_unless_in_it(clip_id)
        self.close_clip()
        self._autoplay = autoplay
        self.pages.setCurrentIndex(1)
        self.header.show_text(self.tr("Loading clip…"))
        self.waveform.show_message(self.tr("Drawing waveform…"))
        db, folder = self._db(), self._folder
        self._start(lambda ctx: load_clip(db, clip_id, folder, ctx), self._loaded_clip, self._load_failed, "load clip")

    def _loaded_clip(self, loaded: object) -> None:
        from ..audio.decode import channel_lanes, read_span

        self._loaded = loaded
        clip = loaded.clip
        self.header.show_clip(clip)
        self.waveform.set_call(loaded.duration, loaded.sample_rate, channel_lanes(loaded.channel_map),
                               partial(read_span, loaded.path))
        self.waveform.set_envelope(loaded.envelope)
        lines = tuple(excerpt_utterances(clip))
        self.transcript.set_transcript(TranscriptView(0, clip.call_id or 0, "", "", "", None, lines))
        self.transcript.search_row.hide()  # a few lines: nothing to search
        self.transcript.source.setText(self.tr("from the call") if lines else "")
        self.transcript.set_flag_words([("clip", None, [(clip.start, clip.end)], CLIP_TINT)])
        if not lines:
            self.transcript.empty.show_state(self.tr("No words were recognised in this clip."))
        movable = loaded.call_duration is not None
        self.span_editor.setEnabled(movable)
        if not movable:
            self.span_editor.setToolTip(self.tr("The call of this clip was deleted: the clip plays, "
                                               "but its start and end can no longer move"))
        self._show_span()
        self._open_player(loaded)
        self._tick()
        if self._autoplay:
            self.toggle_play()

    def _load_failed(self, message: str) -> None:
        self.header.show_text(self.tr("This clip could not be opened"))
        self.waveform.show_message(message)
        self.message.emit(message)

    def _open_player(self, loaded: LoadedClip) -> None:
        from ..audio.outputs import OutputError
        from ..audio.playback import Player

        try:
            output = self._output_factory() if self._output_factory else None
            self._player = Player(loaded.path, loaded.channel_map, output=output)
        except (OutputError, *AUDIO_ERRORS) as exc:
            self._show_status(self.tr("This clip cannot be played here: {0}").format(exc))

    def close_clip(self) -> None:
        """Stop playing, let go of the clip's file and of jobs still working for it."""
        self._timer.stop()
        for job in self._jobs:
            job.abandon()
        self._jobs = []
        if self._player is not None:
            self._player.close()
            self._player = None
        if self._loaded is not None:
            self._loaded.path.unlink(missing_ok=True)
            self._loaded = None
        self.status.hide()
        self._set_playing(False)

    def clear(self) -> None:
        self.stop_playlist()
        self.close_clip()
        self.pages.setCurrentIndex(0)

    # --- playing ---------------------------------------------------------------------------

    def player(self):
        return self._player

    def toggle_play(self) -> None:
        if self._player is None:
            return
        from ..audio.outputs import OutputError

        try:
            self._player.toggle()
        except OutputError as exc:
            self._show_status(str(exc))
        if self._player.state == "playing":
            self.status.hide()
            self._timer.start()
        self._tick()

    def seek(self, seconds: float) -> None:
        if self._player is not None:
            self._player.seek(min(max(seconds, 0.0), self._player.duration))
        self._tick()

    def _tick(self) -> None:
        player, loaded = self._player, self._loaded
        if loaded is None:
            return
        playing = player is not None and player.state == "playing"
        here = player.position() if player is not None else 0.0
        self.waveform.set_position(here, follow=playing)
        self.transcript.set_position(here + loaded.offset, follow=playing)
        self.position_label.setText(f"{clip_time(here + loaded.offset)} / {clip_time(loaded.offset + loaded.duration)}")
        self._set_playing(playing)
        if not playing:
            self._timer.stop()
            error = player.last_error if player is not None else None
            if error:
                self._show_status(error)
            elif player is not None and here >= player.duration - 1e-3 and self._queue:
                QTimer.singleShot(0, self._next_in_playlist)  # not from inside the tick

    def _set_playing(self, playing: bool) -> None:
        self.play_button.setIcon(self._pause_icon if playing else self._play_icon)
        self.play_button.setText(self.tr("Pause") if playing else self.tr("Play"))

    def _show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    # --- playlists -------------------------------------------------------------------------

    def play_playlist(self, clip_ids: list[int], name: str = "") -> None:
        """Play clips one after the other, from the first."""
        if not clip_ids:
            return
        self._queue, self._queue_index, self._queue_name = list(clip_ids), 0, name
        self._show_queue()
        self.show_clip(self._queue[0], autoplay=True)

    def playlist_position(self) -> tuple[int, int] | None:
        """(clip number from 0, clips) while a playlist plays through; None otherwise."""
        return (self._queue_index, len(self._queue)) if self._queue else None

    def stop_playlist(self) -> None:
        self._queue, self._queue_index = [], -1
        self._show_queue()

    def _stop_queue_unless_in_it(self, clip_id: int) -> None:
        if self._queue and self._queue[self._queue_index] != clip_id:
            self.stop_playlist()  # the trainer picked another clip: the playlist stops there

    def _next_in_playlist(self) -> None:
        if not self._queue:
            return
        if self._queue_index + 1 >= len(self._queue):
            self.stop_playlist()
            self.message.emit(self.tr("The playlist has been played through."))
            return
        self._queue_index += 1
        self._show_queue()
        self.show_clip(self._queue[self._queue_index], autoplay=True)

    def _show_queue(self) -> None:
        on = bool(self._queue)
        self.playlist_label.setText(self.tr("{0}: clip {1} of {2}").format(
            self._queue_name or self.tr("Playlist"), self._queue_index + 1, len(self._queue)) if on else "")
        self.next_button.setVisible(on)

    # --- moving the start and end ---------------------------------------------------------

    def pending_span(self) -> tuple[float, float] | None:
        """The start and end (call time) shown, when they differ from the clip's."""
        return self.span_editor.pending() if self._loaded else None

    def _show_span(self) -> None:
        """The clip's own span on the waveform and in the boxes."""
        loaded = self._loaded
        if loaded is None:
            return
        limit = loaded.call_duration if loaded.call_duration is not None else loaded.offset + loaded.duration
        self.span_editor.set_saved(loaded.clip.start, loaded.clip.end, limit)
        self._span_typed(loaded.clip.start, loaded.clip.end)

    def _span_dragged(self, span: object) -> None:
        if self._syncing or self._loaded is None:
            return
        if span is None:  # a click beside the span: the span stays, the click only seeks
            QTimer.singleShot(0, lambda: self._span_typed(*self.span_editor.span()))
            return
        self.span_editor.show_span(span[0] + self.offset(), span[1] + self.offset())

    def _span_typed(self, start: float, end: float) -> None:
        if self._loaded is None:
            return
        self._syncing = True  # the waveform's selection_changed is not a drag
        self.waveform.set_selection(start - self.offset(), end - self.offset())
        self._syncing = False

    def apply_span(self) -> None:
        """Cut the clip again from its call with the start and end shown (a job)."""
        pending, loaded = self.pending_span(), self._loaded
        if pending is None or loaded is None or not self.span_editor.apply_button.isEnabled():
            return
        clip = loaded.clip
        # The roll the clip was saved with stays: only the span moves.
        pre = min(max(clip.start - loaded.offset, 0.0), MAX_ROLL)
        post = min(max(loaded.offset + loaded.duration - clip.end, 0.0), MAX_ROLL)
        db, snap, actor = self._db(), self.span_editor.snap.isChecked(), self._actor()
        self.span_editor.set_busy(True)
        self._start(lambda ctx: adjust_clip(db, clip.id, *pending, snap=snap, pre_roll=pre, post_roll=post,
                                            actor=actor),
                    self._adjusted, self._adjust_failed, "adjust clip")

    def _adjusted(self, clip: object) -> None:
        self.span_editor.set_busy(False)
        self.message.emit(self.tr("The clip now runs {0}.").format(span_text(clip.start, clip.end)))
        self.clip_changed.emit(clip)
        self.show_clip(clip.id)

    def _adjust_failed(self, message: str) -> None:
        self.span_editor.set_busy(False)
        self._show_status(self.tr("The clip was not moved: {0}").format(message))

    def _trainer_split(self, *_args) -> None:
        self._split_moved = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # The splitter's own Resize, not the player's: it sits on a page of a stack and is
        # sized only once that page shows (a split made from the hidden page's stale size
        # left both panes at their minimums).
        if watched is self.split and event.type() in (QEvent.Type.Resize, QEvent.Type.Show) \
                and not self._split_moved and self.split.isVisible():
            self._size_split()
        return False

    def _size_split(self) -> None:
        """The default split: the words get about a quarter (never under their minimum), the
        waveform with its controls the rest."""
        room = self.split.height() - self.split.handleWidth()
        words = max(round(room * WORDS_SHARE), self.transcript.minimumHeight())
        self.split.setSizes([room - words, words])

    def hideEvent(self, event) -> None:  # noqa: N802 - leaving the area pauses, as the call view does
        if not event.spontaneous() and self._player is not None and self._player.state == "playing":
            self._player.pause()
            self._tick()
        super().hideEvent(event)

    def shutdown(self) -> None:
        """Stop for good (the window closes): the player, the jobs and the clips' files."""
        self.clear()
        shutil.rmtree(self._folder, ignore_errors=True)
