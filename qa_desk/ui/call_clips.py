"""Clips and transcript files from the call view, kept out of call_view.py.

Three ways into "Save as clip…", as a trainer finds a moment:

* a span dragged on the waveform: the button beside the selection's times;
* a flag: its context menu (the flag's words are the moment);
* transcript lines: select them and use the text's context menu (whole lines are kept).

Each opens the clip dialog with the span, the call's length and its transcript lines,
so the dialog can show the snapped span before anything is cut. "Export transcript"
writes the whole call's transcript as TXT, SRT, WebVTT or JSON (anonymised if asked)
in a job.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QPushButton

from ..jobs import JobContext
from ..permissions import Actor, can
from .clip_export_dialog import default_folder
from .clip_words import export_language
from .jobs import JobRunner, run_job

if TYPE_CHECKING:
    from .call_view import CallView
    from .clip_dialog import ClipDialog

SUFFIXES = (".txt", ".srt", ".vtt", ".webvtt", ".json")


class CallClips(QObject):
    """The call view's clip and transcript-export actions; built by the view with itself."""

    clip_saved = Signal(object)  # the ClipView stored

    def __init__(self, view: CallView):
        super().__init__(view)
        self._view = view
        self._jobs: list[JobRunner] = []
        self.dialog: ClipDialog | None = None

        self.save_button = QPushButton(self.tr("Save as clip…"))
        self.save_button.setObjectName("saveAsClip")
        self.save_button.setToolTip(self.tr("Keep the selected span as a training clip"))
        self.save_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.save_button.hide()
        self.save_button.clicked.connect(self.save_selection)
        view.waveform.selection_changed.connect(
            lambda span: self.save_button.setVisible(span is not None and self.may_save_clips()))

        # A push button with a menu: the style draws its arrow beside the text and sizes the
        # button for both (a tool button's InstantPopup arrow is drawn over the text's end).
        # "Export", not "Export…": the arrow says a menu opens, its entries say a dialog does.
        self.export_button = QPushButton(self.tr("Export"))
        self.export_button.setObjectName("exportTranscript")
        self.export_button.setToolTip(self.tr("Save this call's transcript as TXT, SRT, WebVTT or JSON"))
        self.export_button.setAutoDefault(False)
        self.export_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        menu = QMenu(self.export_button)
        menu.addAction(self.tr("Export transcript…"), lambda: self.ask_export(anonymise=False))
        menu.addAction(self.tr("Export transcript, anonymised…"), lambda: self.ask_export(anonymise=True))
        self.export_button.setMenu(menu)
        view.transcript.heading.insertWidget(2, self.export_button)

        text = view.transcript.text
        text.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        text.customContextMenuRequested.connect(self._transcript_menu)
        flags = view.flags.list
        flags.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        flags.customContextMenuRequested.connect(self._flag_menu)

    # --- save as clip ----------------------------------------------------------------------

    def save_selection(self):
        span = self._view.waveform.selection()
        return self.save_span(*span) if span else None

    def save_lines(self):
        span = self._view.transcript.selected_span()
        return self.save_span(*span) if span else None

    def save_flag(self, flag):
        if flag is None or flag.start is None:
            return None
        end = flag.end if flag.end is not None and flag.end > flag.start else flag.start + 0.5
        return self.save_span(flag.start, end, title=flag.rule_title, kind="needs_improvement")

    def save_span(self, start: float, end: float, *, title: str = "", kind: str = "other"):
        """Open the Save as clip dialog for a span of the call shown."""
        from .clip_dialog import ClipDialog

        view, call = self._view, self._view.call()
        if call is None:
            return None
        transcript = view.transcript.transcript()
        self.dialog = ClipDialog(view._db, by=view.reviewer(), call_id=call.id, span=(start, end),
                                 duration=call.duration, utterances=transcript.utterances if transcript else (),
                                 title=title, kind=kind, parent=view)
        self.dialog.saved.connect(self._saved)
        self.dialog.open()
        return self.dialog

    def _saved(self, clip: object) -> None:
        from .clip_words import span_text

        self._view.message.emit(self.tr("Saved the clip \u201c{0}\u201d ({1}); find it in Clips.").format(
            clip.title, span_text(clip.start, clip.end)))
        self.clip_saved.emit(clip)

    def may_save_clips(self) -> bool:
        """Trainers and admins keep clips (the store refuses others); a view without a
        window acts by a name, which only the store can judge."""
        who = self._view.reviewer()
        return can(who, "clip.manage") if not isinstance(who, str) else True

    def _transcript_menu(self, pos: QPoint) -> None:
        text = self._view.transcript.text
        menu = text.createStandardContextMenu(pos)
        menu.addSeparator()
        action = menu.addAction(self.tr("Save selected lines as clip…"), self.save_lines)
        action.setEnabled(self._view.transcript.selected_span() is not None and self.may_save_clips())
        menu.addAction(self.tr("Export transcript…"), lambda: self.ask_export(anonymise=False))
        menu.popup(text.viewport().mapToGlobal(pos))
        self.menu = menu

    def _flag_menu(self, pos: QPoint) -> None:
        flags = self._view.flags
        index = flags.list.indexAt(pos)
        if not index.isValid():
            return
        flags.list.setCurrentIndex(index)
        flag = flags.selected_flag()
        menu = QMenu(flags.list)
        action = QAction(self.tr("Save as clip…"), menu)
        action.setEnabled(flag is not None and flag.start is not None and self.may_save_clips())
        action.triggered.connect(lambda: self.save_flag(flag))
        menu.addAction(action)
        menu.popup(flags.list.viewport().mapToGlobal(pos))
        self.menu = menu

    # --- export transcript ------------------------------------------------------------------

    def ask_export(self, *, anonymise: bool) -> None:
        call = self._view.call()
        if call is None:
            return
        stem = f"call-{call.id}" if anonymise else Path(call.file_path).stem
        filters = {self.tr("Text (*.txt)"): "txt", self.tr("SubRip subtitles (*.srt)"): "srt",
                   self.tr("WebVTT subtitles (*.vtt)"): "vtt", self.tr("JSON (*.json)"): "json"}
        path, chosen = QFileDialog.getSaveFileName(self._view, self.tr("Export transcript"),
                                                   str(default_folder() / f"{stem}.txt"), ";;".join(filters))
        if path:
            # A suffix typed wins over the list's choice; without one, the list's format.
            fmt = None if Path(path).suffix.lower() in SUFFIXES else filters.get(chosen, "txt")
            self.export_transcript(path, fmt=fmt, anonymise=anonymise)

    def export_transcript(self, path, *, fmt: str | None = None, anonymise: bool = False) -> JobRunner | None:
        """Write the call's transcript to ``path`` (a job); the status bar says how it went."""
        from ..reports.call_transcript import CallTranscriptError, export_call_transcript

        call = self._view.call()
        if call is None:
            return None
        db, language = self._view._db, export_language(self._view._settings)
        if fmt is None and Path(path).suffix.lower() not in SUFFIXES:
            fmt = "txt"

        who = self._view.reviewer()
        actor = who if isinstance(who, Actor) else None  # a view without a window: no one to log

        def job(ctx: JobContext):
            return export_call_transcript(db, call.id, path, format=fmt, anonymise=anonymise, language=language,
                                          actor=actor)

        self._jobs = [j for j in self._jobs if not j.is_done()]
        self._jobs.append(run_job(job, on_finished=self._exported, on_failed=self._export_failed,
                                  expected=(CallTranscriptError, ValueError, OSError), name="export transcript"))
        return self._jobs[-1]

    def _exported(self, path: object) -> None:
        self._view.message.emit(self.tr("Transcript saved to {0}").format(path))

    def _export_failed(self, message: str) -> None:
        self._view.message.emit(self.tr("The transcript was not saved: {0}").format(message))
