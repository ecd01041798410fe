"""A flag in words, as a card in the call view's list, and the dialogs a reviewer decides on it with.

The words (severity, category, kind, status, history) are shared by the call view's
flag list, these dialogs and the rule tester in Settings, so a flag reads the same
everywhere. Dismissing needs a reason and a note needs text: their OK buttons stay
disabled until something is typed, so an empty decision cannot be sent.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .formatting import moment
from .waveform import format_time

FLAG_ROLE = Qt.ItemDataRole.UserRole + 1  # the FlagRow of a row in the flag list
SEVERITY_COLOURS = {"critical": "#c53030", "major": "#dd6b20", "minor": "#b7791f"}
STATUS_COLOURS = {"open": "#4a5568", "confirmed": "#2f855a", "dismissed": "#718096"}
KIND_COLOURS = {"possible": "#b7791f", "missing": "#6b46c1", "count": "#2b6cb0", "acoustic": "#2c7a7b"}



def severity_name(severity: str) -> str:
    names = {"critical": QCoreApplication.translate("Flags", "Critical"), "major": QCoreApplication.translate("Flags", "Major"), "minor": QCoreApplication.translate("Flags", "Minor")}
    return names.get(severity, severity.capitalize())


def category_name(category: str) -> str:
    names = {
        "forbidden_phrase": QCoreApplication.translate("Flags", "Forbidden phrase"), "required_greeting": QCoreApplication.translate("Flags", "Required greeting"),
        "required_closing": QCoreApplication.translate("Flags", "Required closing"), "hold_courtesy": QCoreApplication.translate("Flags", "Hold courtesy"),
        "filler_words": QCoreApplication.translate("Flags", "Filler words"), "impolite_address": QCoreApplication.translate("Flags", "Impolite address"),
        "rhetorical_question": QCoreApplication.translate("Flags", "Rhetorical question"), "negative_framing": QCoreApplication.translate("Flags", "Negative framing"),
        "dead_air": QCoreApplication.translate("Flags", "Dead air"), "hold_silence": QCoreApplication.translate("Flags", "Long hold"), "overtalk": QCoreApplication.translate("Flags", "Overtalk"),
        "talk_ratio": QCoreApplication.translate("Flags", "Talk ratio"), "speech_rate": QCoreApplication.translate("Flags", "Speech rate"),
        "first_words_latency": QCoreApplication.translate("Flags", "First-words latency"),
    }
    return names.get(category, category.replace("_", " ").capitalize())


def kind_label(kind: str) -> str:
    """What kind of evidence a flag is; empty for a phrase said exactly as the rule has it."""
    labels = {
        "possible": QCoreApplication.translate("Flags", "Possible match: sounds like the phrase (homophone)"),
        "missing": QCoreApplication.translate("Flags", "Missing: required phrase not said"),
        "count": QCoreApplication.translate("Flags", "Said too often"),
        "acoustic": QCoreApplication.translate("Flags", "From the audio"),
    }
    return labels.get(kind, "")


def kind_short(kind: str) -> str:
    labels = {"exact": QCoreApplication.translate("Flags", "Exact"), "possible": QCoreApplication.translate("Flags", "Possible (homophone)"), "missing": QCoreApplication.translate("Flags", "Missing"),
              "count": QCoreApplication.translate("Flags", "Too often"), "acoustic": QCoreApplication.translate("Flags", "Audio")}
    return labels.get(kind, kind)


def speaker_name(speaker: str | None) -> str:
    names = {"agent": QCoreApplication.translate("Flags", "Agent"), "customer": QCoreApplication.translate("Flags", "Customer"), "mixed": QCoreApplication.translate("Flags", "Either speaker")}
    return names.get(speaker or "", speaker or "")


def flag_time(flag) -> str:
    """m:ss; a missing phrase's window as m:ss–m:ss."""
    if flag.start is None:
        return "—"
    if flag.kind == "missing" and flag.end is not None and flag.end > flag.start:
        return f"{format_time(flag.start)}–{format_time(flag.end)}"
    return format_time(flag.start)


def status_text(flag) -> str:
    """Open, or the last decision and who made it."""
    if flag.status == "confirmed":
        return QCoreApplication.translate("Flags", "Confirmed · {0}").format(flag.decided_by or "?")
    if flag.status == "dismissed":
        return QCoreApplication.translate("Flags", "Dismissed · {0}").format(flag.decided_by or "?")
    return QCoreApplication.translate("Flags", "Open")


def action_name(action: str) -> str:
    names = {"confirmed": QCoreApplication.translate("Flags", "Confirmed"), "dismissed": QCoreApplication.translate("Flags", "Dismissed"), "reopened": QCoreApplication.translate("Flags", "Reopened"),
             "noted": QCoreApplication.translate("Flags", "Note")}
    return names.get(action, action)


def when(at) -> str:
    return moment(at)


def flag_summary(flag) -> str:
    """One line: severity · time · category · “what was said” · rule."""
    said = f"“{flag.matched_text}”" if flag.matched_text else ""
    parts = [severity_name(flag.severity), flag_time(flag), category_name(flag.category), said, flag.rule_title]
    return " · ".join(p for p in parts if p)


def flag_tooltip(flag, history: list) -> str:
    """Rich text: the rule, why it fired, and every decision so far."""
    lines = [f"<b>{html.escape(flag.rule_title or flag.rule_key)}</b>"]
    if kind_label(flag.kind):
        lines.append(f"<i>{html.escape(kind_label(flag.kind))}</i>")
    if flag.reason:
        lines.append(html.escape(flag.reason))
    if flag.stale:
        lines.append(f"<i>{html.escape(QCoreApplication.translate('Flags', 'No longer found by the current rulebook; kept for its decision.'))}</i>")
    if history:
        lines.append(f"<br><b>{html.escape(QCoreApplication.translate('Flags', 'History'))}</b>")
        for event in history:
            text = f" — {html.escape(event.text)}" if event.text else ""
            lines.append(f"{when(event.at)} · {html.escape(event.by)} · {html.escape(action_name(event.action))}{text}")
    else:
        lines.append(f"<br><i>{html.escape(QCoreApplication.translate('Flags', 'No decision yet.'))}</i>")
    return "<br>".join(lines)


DISMISSED_COLOUR = "#a0aec0"


def flag_marks(flags: list) -> tuple[list, list]:
    """The flags as the call view marks them: bars on the waveform (start, end, colour,
    tooltip, id) and words to tint in the transcript (id, speaker, word times, colour).
    A dismissed flag keeps a grey bar and leaves the transcript alone."""
    bars, words = [], []
    for flag in flags:
        colour = SEVERITY_COLOURS.get(flag.severity, "#718096")
        if flag.start is not None and flag.kind != "missing":  # a phrase not said has a window, not a place
            end = flag.end if flag.end is not None else flag.start
            tip = f"{flag_summary(flag)}\n{status_text(flag)}"
            bars.append((flag.start, end, DISMISSED_COLOUR if flag.status == "dismissed" else colour, tip, flag.id))
        if flag.status == "dismissed":
            continue
        times = [(w["start"], w["end"]) for w in flag.words if w.get("start") is not None and w.get("end") is not None]
        if not times and flag.kind in ("exact", "possible") and flag.start is not None:
            times = [(flag.start, flag.end if flag.end is not None else flag.start)]
        if times:
            words.append((flag.id, flag.speaker, times, colour))
    return bars, words



def _third_line(flag) -> str:
    """A reason or note worth reading without hovering, if the flag has one."""
    parts = []
    if flag.status == "dismissed" and flag.dismiss_reason:
        parts.append(QCoreApplication.translate("FlagsPane", "Reason: {0}").format(flag.dismiss_reason))
    if flag.note:
        parts.append(QCoreApplication.translate("FlagsPane", "Note: {0}").format(flag.note))
    if flag.stale:
        parts.append(QCoreApplication.translate("FlagsPane", "No longer found by the current rulebook"))
    if not parts and flag.kind in ("missing", "count", "acoustic") and flag.reason:
        parts.append(flag.reason)
    return " · ".join(parts)


class FlagDelegate(QStyledItemDelegate):
    """A flag as a card: severity, time, category and status; what was said and the rule;
    then, when there is one, the kind of match and a reason or note."""

    PAD = 6
    GAP = 2

    def sizeHint(self, option, index) -> QSize:
        flag = index.data(FLAG_ROLE)
        lines = 3 if flag is not None and (kind_label(flag.kind) or _third_line(flag)) else 2
        height = option.fontMetrics.height()
        return QSize(240, 2 * self.PAD + lines * height + (lines - 1) * self.GAP + 1)

    def paint(self, painter: QPainter, option, index) -> None:
        flag = index.data(FLAG_ROLE)
        if flag is None:
            return
        painter.save()
        rect, palette = option.rect, option.palette
        if option.state & QStyle.StateFlag.State_Selected:
            tint = QColor(palette.highlight().color())
            tint.setAlpha(55)
            painter.fillRect(rect, tint)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.alternateBase())
        colour = QColor(SEVERITY_COLOURS.get(flag.severity, "#718096"))
        painter.fillRect(rect.x(), rect.y(), 4, rect.height() - 1, colour)
        painter.setPen(QPen(palette.mid().color()))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())

        fm = option.fontMetrics
        line = fm.height()
        left, right = rect.x() + 4 + self.PAD + 4, rect.right() - self.PAD
        top = rect.y() + self.PAD
        dim = flag.status == "dismissed"
        grey = palette.placeholderText().color()
        text_colour = grey if dim else palette.text().color()

        def text(x: float, width: float, value: str, pen, font=None, align=Qt.AlignmentFlag.AlignLeft) -> float:
            painter.setFont(font or option.font)
            painter.setPen(pen)
            shown = painter.fontMetrics().elidedText(value, Qt.TextElideMode.ElideRight, int(max(0, width)))
            painter.drawText(QRectF(x, top, max(0, width), line), align | Qt.AlignmentFlag.AlignVCenter, shown)
            return painter.fontMetrics().horizontalAdvance(shown)

        # Line 1: severity pill, time · category (· speaker when not the agent), status on the right.
        small = QFont(option.font)
        small.setPointSizeF(option.font.pointSizeF() * 0.85)
        small.setBold(True)
        painter.setFont(small)
        pill_text = severity_name(flag.severity)
        pill = QRectF(left, top, painter.fontMetrics().horizontalAdvance(pill_text) + 12, line)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(grey if dim else colour)
        painter.drawRoundedRect(pill, 4, 4)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, pill_text)
        status = {"confirmed": "✓ ", "dismissed": "✕ "}.get(flag.status, "") + status_text(flag)
        status_width = min(fm.horizontalAdvance(status) + 2, (right - left) // 2)
        text(right - status_width, status_width, status, QColor(STATUS_COLOURS.get(flag.status, "#4a5568")),
             align=Qt.AlignmentFlag.AlignRight)
        who = speaker_name(flag.speaker) if flag.speaker not in (None, "agent") else ""
        where = " · ".join(p for p in (flag_time(flag), category_name(flag.category), who) if p)
        text(pill.right() + 8, right - status_width - 10 - pill.right() - 8, where, text_colour)

        # Line 2: “what was said” in bold, then the rule's title.
        top += line + self.GAP
        x = left
        if flag.matched_text:
            bold = QFont(option.font)
            bold.setBold(True)
            bold.setStrikeOut(dim)
            x += text(x, (right - left) * 0.6, f"“{flag.matched_text}”", text_colour, bold) + 10
        text(x, right - x, flag.rule_title or flag.rule_key, grey if flag.matched_text else text_colour)

        # Line 3: what kind of match (a possible homophone, a missing phrase…), and the
        # dismissal's reason, the last note, or why a flag without words fired.
        kind, extra = kind_label(flag.kind), _third_line(flag)
        if kind or extra:
            top += line + self.GAP
            italic = QFont(option.font)
            italic.setItalic(True)
            x = left
            if kind:
                x += text(x, right - x, kind, grey if dim else QColor(KIND_COLOURS.get(flag.kind, "#4a5568")),
                          italic) + 4
                extra = f"· {extra}" if extra else ""
            text(x, right - x, extra, grey, italic)
        painter.restore()


class _TextDialog(QDialog):
    """A flag's summary, a prompt and a text box; OK only once something is typed."""

    def __init__(self, flag, title: str, prompt: str, ok_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.flag = flag
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        summary = QLabel(html.escape(flag_summary(flag)))
        summary.setObjectName("flagSummary")
        summary.setWordWrap(True)
        summary.setTextFormat(Qt.TextFormat.RichText)
        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setObjectName("flagText")
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(self.fontMetrics().height() * 4 + 16)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.column = QVBoxLayout(self)
        self.column.setSpacing(8)
        self.column.addWidget(summary)
        self.column.addWidget(self.prompt)
        self.column.addWidget(self.text)
        self.text.textChanged.connect(self._changed)
        self._changed()

    def value(self) -> str:
        return self.text.toPlainText().strip()

    def _changed(self) -> None:
        self.ok_button.setEnabled(bool(self.value()))

    def accept(self) -> None:
        if self.value():  # Enter on an empty box does nothing either
            super().accept()


class DismissDialog(_TextDialog):
    """Why the flag is wrong; the reason is kept for calibration and the rulebook's authors."""

    def __init__(self, flag, parent: QWidget | None = None):
        super().__init__(flag, self.tr("Dismiss flag"),
                         self.tr("Why is this flag wrong? A reason is required."), self.tr("Dismiss"), parent)
        self.setObjectName("dismissDialog")
        self.reasons = [
            self.tr("The customer said it, not the agent"),
            self.tr("Speech recognition error: not what was said"),
            self.tr("Said politely here, not what the rule means"),
            self.tr("Does not apply to this call"),
        ]
        quick = QHBoxLayout()
        quick.setSpacing(4)
        common = QVBoxLayout()
        common.setSpacing(4)
        label = QLabel(self.tr("Common reasons:"))
        label.setStyleSheet("color: palette(placeholder-text);")
        common.addWidget(label)
        for i, reason in enumerate(self.reasons):
            button = QPushButton(reason)
            button.setObjectName(f"reason{i}")
            button.setAutoDefault(False)
            button.setStyleSheet("text-align: left; padding: 2px 8px;")
            button.clicked.connect(lambda _=False, r=reason: self.text.setPlainText(r))
            common.addWidget(button)
        quick.addLayout(common)
        quick.addStretch(1)
        self.column.addLayout(quick)
        self.column.addWidget(self.buttons)
        self.text.setFocus()


class NoteDialog(_TextDialog):
    def __init__(self, flag, parent: QWidget | None = None):
        super().__init__(flag, self.tr("Note on flag"),
                         self.tr("What should be remembered about this flag?"), self.tr("Add note"), parent)
        self.setObjectName("noteDialog")
        if flag.note:
            self.text.setPlaceholderText(self.tr("Last note: {0}").format(flag.note))
        self.column.addWidget(self.buttons)
        self.text.setFocus()


class FlagHistoryDialog(QDialog):
    """Every decision and note on one flag, oldest first."""

    def __init__(self, flag, history: list, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("flagHistory")
        self.setWindowTitle(self.tr("Flag history"))
        summary = QLabel(flag_summary(flag))
        summary.setWordWrap(True)
        self.table = QTableWidget(len(history), 4)
        self.table.setObjectName("flagHistoryTable")
        self.table.setHorizontalHeaderLabels([self.tr("When"), self.tr("Who"), self.tr("What"), self.tr("Details")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        for row, event in enumerate(history):
            for column, text in enumerate((when(event.at), event.by, action_name(event.action), event.text or "")):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(summary)
        column.addWidget(self.table, 1)
        column.addWidget(buttons)
        self.resize(620, 320)

    def rows(self) -> list[tuple[str, ...]]:
        return [tuple(self.table.item(r, c).text() for c in range(4)) for r in range(self.table.rowCount())]
