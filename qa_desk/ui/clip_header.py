"""A clip's title, then its kind, agent, call date, span and tags on one line, then its notes."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..store.clips import ClipView
from .clip_words import KIND_COLOURS, kind_name, span_text
from .formatting import moment


class ClipHeader(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("clipPlayerTitle")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.meta = QLabel()
        self.meta.setObjectName("clipPlayerMeta")
        self.meta.setWordWrap(True)
        self.meta.setTextFormat(Qt.TextFormat.RichText)
        self.tags = QLabel()
        self.tags.setObjectName("clipPlayerTags")
        self.tags.setStyleSheet("color: #2b6cb0;")
        self.notes = QLabel()
        self.notes.setObjectName("clipPlayerNotes")
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.setStyleSheet("color: palette(placeholder-text);")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        for label in (self.title, self.meta, self.tags, self.notes):
            column.addWidget(label)

    def show_text(self, text: str) -> None:
        """A line in place of a clip (loading, or why it could not be opened)."""
        self.title.setText(text)
        self.meta.clear()
        self.tags.hide()
        self.notes.hide()

    def show_clip(self, clip: ClipView) -> None:
        self.title.setText(clip.title)
        colour = KIND_COLOURS.get(clip.kind, KIND_COLOURS["other"])
        when = moment(clip.call_started_at)
        parts = [" · ".join(p for p in (clip.agent_name, clip.team_name) if p), when, span_text(clip.start, clip.end)]
        kind = f'<b style="color:{colour}">{html.escape(kind_name(clip.kind))}</b>'
        self.meta.setText(" &nbsp;·&nbsp; ".join([kind] + [html.escape(p) for p in parts if p]))
        self.tags.setText("   ".join("#" + tag for tag in clip.tags))  # a line of their own: CJK wraps anywhere
        self.tags.setVisible(bool(clip.tags))
        self.notes.setText(clip.notes)
        self.notes.setVisible(bool(clip.notes))
