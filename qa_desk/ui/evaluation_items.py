"""One form item and one section as the reviewer answers them in the evaluation panel.

An item is a row: the question (its guidance in the tooltip), one button per answer
(Yes / Partial / No / N/A, or 0..N), the points it earns, a line for a comment, and,
when the call's flags suggested an answer, what they suggested with a link to the
flag (and a note when the reviewer answered otherwise).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .formatting import percent as percent_text

CRITICAL_STYLE = "color: #c53030; font-weight: bold;"
SUGGESTED_STYLE = "color: #6b46c1;"


def _points(value: float) -> str:
    return f"{value:g}"


class ItemRow(QWidget):
    answered = Signal(str, object)  # item key, value (None: cleared)
    comment_edited = Signal(str, str)
    flag_requested = Signal(int)  # the flag behind a suggestion

    def __init__(self, item, parent: QWidget | None = None):
        super().__init__(parent)
        self.item = item
        self.setObjectName(f"item_{item.key}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._value: str | None = None
        self._suggested: str | None = None
        self.question = QLabel(item.question)
        self.question.setWordWrap(True)
        self.question.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        tips = [item.guidance or ""]
        if item.critical == "fail_section":
            tips.append(self.tr("Critical: a failing answer zeroes this section."))
        elif item.critical == "fail_all":
            tips.append(self.tr("Critical: a failing answer zeroes the whole evaluation."))
        if item.bonus:
            tips.append(self.tr("Bonus: adds points, never needed."))
        self.question.setToolTip("\n".join(t for t in tips if t))
        if item.critical:
            self.question.setText(f"{item.question} ⚠")
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # a second click on the chosen answer clears it
        self.buttons: dict[str, QToolButton] = {}
        answers = QHBoxLayout()
        answers.setSpacing(2)
        for value in item.values():
            button = QToolButton()
            button.setText(self._label(value))
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setObjectName(f"answer_{item.key}_{value}")
            button.clicked.connect(lambda checked, v=value: self._clicked(v, checked))
            self.group.addButton(button)
            self.buttons[value] = button
            answers.addWidget(button)
        self.score = QLabel()
        self.score.setMinimumWidth(56)
        self.score.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.suggestion = QLabel()
        self.suggestion.setStyleSheet(SUGGESTED_STYLE)
        self.suggestion.setWordWrap(True)
        self.suggestion.linkActivated.connect(self._link)
        self.suggestion.hide()
        self.comment = QLineEdit()
        self.comment.setPlaceholderText(self.tr("Comment on this item…"))
        self.comment.setClearButtonEnabled(True)
        self.comment.editingFinished.connect(lambda: self.comment_edited.emit(item.key, self.comment.text()))
        # Two lines an item: the question and its points; the answers and a comment.
        answers.addSpacing(8)
        answers.addWidget(self.comment, 1)
        heading = QHBoxLayout()
        heading.addWidget(self.question, 1)
        heading.addWidget(self.score)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 2, 4, 4)
        column.setSpacing(2)
        column.addLayout(heading)
        column.addLayout(answers)
        column.addWidget(self.suggestion)

    def _label(self, value: str) -> str:
        return {"yes": self.tr("Yes"), "partial": self.tr("Partial"), "no": self.tr("No"),
                "na": self.tr("N/A")}.get(value, value)

    def _clicked(self, value: str, checked: bool) -> None:
        self.set_value(value if checked else None)
        self.answered.emit(self.item.key, self._value)

    def _link(self, href: str) -> None:
        if href.startswith("flag:"):
            self.flag_requested.emit(int(href[5:]))

    def value(self) -> str | None:
        return self._value

    def set_value(self, value: str | None) -> None:
        self._value = value
        for key, button in self.buttons.items():
            button.setChecked(key == value)
        self._show_suggestion()

    def set_comment(self, text: str | None) -> None:
        self.comment.setText(text or "")

    def set_suggestion(self, value: str | None, rule: str | None, flag_id: int | None) -> None:
        self._suggested = value
        self._rule, self._flag_id = rule, flag_id
        self._show_suggestion()

    def _show_suggestion(self) -> None:
        if self._suggested is None:
            self.suggestion.hide()
            return
        text = self.tr("Suggested: {0}").format(self._label(self._suggested))
        if self._flag_id is not None:
            text += " · <a href='flag:{0}'>{1}</a>".format(self._flag_id, self.tr("see the flag ({0})").format(self._rule))
        else:
            text += " · " + self.tr("no flag of its rules in this call")
        if self._value is not None and self._value != self._suggested:
            text += " · " + self.tr("you answered {0}").format(self._label(self._value))
        self.suggestion.setText(text)
        self.suggestion.show()

    def set_score(self, earned: float, maximum: float, failed: bool) -> None:
        if self._value is None:
            self.score.setText(self.tr("– / {0}").format(_points(self.item.points)))
        elif self._value == "na" and maximum == 0:
            self.score.setText(self.tr("N/A"))
        else:
            self.score.setText(f"{_points(earned)} / {_points(self.item.points if self.item.bonus else maximum)}")
        self.score.setStyleSheet(CRITICAL_STYLE if failed else "")

    def set_read_only(self, read_only: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(not read_only)
        self.comment.setReadOnly(read_only)

    def answer_key(self, text: str) -> str | None:
        """The answer a key press stands for: Y, P, N, A (N/A) or a digit on a scale."""
        key = {"y": "yes", "p": "partial", "n": "no", "a": "na"}.get(text.lower(), text)
        return key if key in self.buttons else None


class SectionBox(QGroupBox):
    """A section's items under its title, with the section's subtotal."""

    def __init__(self, section, weighted: bool, parent: QWidget | None = None):
        super().__init__(section.title, parent)
        self.section = section
        self.setObjectName(f"section_{section.key}")
        self.subtotal = QLabel()  # the subtotal's text, shown in the box's title
        self._full_title = section.title
        self.weight = section.weight if weighted else None
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(0)
        self.rows = [ItemRow(item) for item in section.items]
        for row in self.rows:
            column.addWidget(row)

    def full_title(self) -> str:
        return self._full_title

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's virtual
        # As narrow as its items allow, not as its title: "Accuracy — 12 / 12 · 100% ·
        # weight 25 %" is shortened (whole in the tooltip) in a narrow pane rather than
        # making the evaluation scroll sideways.
        hint = super().minimumSizeHint()
        return QSize(self.layout().totalMinimumSize().width(), hint.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's virtual
        super().resizeEvent(event)
        self._fit_title()

    def _fit_title(self) -> None:
        room = max(self.width() - 24, 40)  # the style's indent and frame on either side
        font = QFont(self.font())
        font.setBold(True)  # the title is bold (the box's style sheet)
        shown = QFontMetrics(font).elidedText(self._full_title, Qt.TextElideMode.ElideMiddle, room)
        if shown != self.title():
            self.setTitle(shown)
        self.setToolTip(self._full_title if shown != self._full_title else "")

    def set_score(self, score) -> None:
        percent = score.percent
        text = self.tr("{0} / {1}").format(_points(round(score.earned, 2)), _points(score.max))
        if percent is not None:
            text += " · " + percent_text(percent, 0)
        if self.weight is not None:
            text += " · " + self.tr("weight {0} %").format(_points(self.weight))
        if score.failed:
            text = self.tr("Zeroed by a critical item") + " · " + text
        self.subtotal.setText(text)
        self._full_title = f"{self.section.title} — {text}"
        self._fit_title()
        self.setStyleSheet("QGroupBox { color: #c53030; font-weight: bold; }" if score.failed else
                           "QGroupBox { font-weight: bold; }")
        for row, item_score in zip(self.rows, score.items):
            row.set_score(item_score.earned, item_score.max, item_score.critical_failed)
