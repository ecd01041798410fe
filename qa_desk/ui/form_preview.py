"""A form as the reviewer will see it: sections, questions, the answers they may give, points.

Shown for a stored version in the Forms area and live while a lead builds a form, so
the lead sees the form being scored rather than a tree of fields. The maxima come
from ``score_form`` on a sheet where every item gets its best answer: the preview
shows exactly what scoring will count (bonus items add no maximum, N/A and critical
rules are the scorer's), never a second sum kept by the window.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLayout, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from ..scoring.forms import Form, Item
from ..scoring.score import score_form

CHIP_STYLE = ("QLabel { border: 1px solid palette(mid); border-radius: 4px; padding: 2px 8px;"
              " background: palette(base); }")
BADGE_STYLES = {
    "critical": "QLabel { color: white; background: #b3261e; border-radius: 4px; padding: 2px 6px; }",
    "bonus": "QLabel { color: white; background: #1e6b34; border-radius: 4px; padding: 2px 6px; }",
}
SECTION_STYLE = "QFrame#previewSection { border: 1px solid palette(mid); border-radius: 6px; }"
HINT_STYLE = "color: palette(placeholder-text);"
MIN_WIDTH = 200  # a preview narrower than this is no preview (it is never narrower than its page either)


def _number(value: float) -> str:
    return f"{value:g}"


class FlowLayout(QLayout):
    """Widgets left to right, wrapping onto the next line: a 0–10 scale's eleven answers
    and a critical badge still fit a narrow preview."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6):
        super().__init__(parent)
        self._items: list = []
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(spacing)

    def addItem(self, item) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and line > 0:
                x, y, line = rect.x(), y + line + self.spacing(), 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self.spacing()
            line = max(line, hint.height())
        return y + line - rect.y()


class FormPreview(QScrollArea):
    """Read-only reviewer's view of one form; ``show_form(None)`` shows ``empty_text``."""

    def __init__(self, empty_text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("formPreview")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._empty_text = empty_text
        self._labels: list[QLabel] = []
        self.form: Form | None = None
        self.note = ""
        # After a rebuild the reader stays where they were: the scroll bar's range is
        # only the new page's once that page has been laid out.
        self._keep = 0
        self._page_width = -1  # the page's minimum width last passed on (see viewportEvent)
        self._restore = QTimer(self)
        self._restore.setSingleShot(True)
        self._restore.setInterval(0)
        self._restore.timeout.connect(lambda: self.verticalScrollBar().setValue(self._keep))
        self.show_form(None)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's virtual
        # Never narrower than the page it shows (it does not scroll sideways): in a narrow
        # builder the splitter then takes the room from the other columns, not from a badge
        # or a section's points cut off at the right edge.
        hint = super().minimumSizeHint()
        page = self.widget()
        if page is not None:
            bar = self.verticalScrollBar().sizeHint().width()
            hint.setWidth(max(hint.width(), page.minimumSizeHint().width() + bar + 2 * self.frameWidth()))
        hint.setWidth(max(hint.width(), MIN_WIDTH))
        return hint

    def viewportEvent(self, event) -> bool:  # noqa: N802 - Qt's virtual
        # The page's minimum is known once it is laid out (after its fonts and styles): pass
        # a change on to the splitter holding the preview.
        if event.type() == QEvent.Type.LayoutRequest and self.widget() is not None:
            width = self.widget().minimumSizeHint().width()
            if width != self._page_width:
                self._page_width = width
                self.updateGeometry()
        return super().viewportEvent(event)

    # --- what tests and callers read ----------------------------------------------------------

    def texts(self) -> list[str]:
        """Every text shown, top to bottom."""
        return [label.text() for label in self._labels]

    def total_text(self) -> str:
        return self._total.text() if self.form is not None else ""

    # --- building ------------------------------------------------------------------------------

    def show_form(self, form: Form | None, note: str = "") -> None:
        """Show ``form`` (None: the empty text); ``note`` is a line above it (e.g. why it is stale)."""
        keep = self.verticalScrollBar().value() if form is not None and self.form is not None else 0
        self.form, self.note = form, note
        self._labels = []
        page = QWidget()
        page.setObjectName("previewPage")
        column = QVBoxLayout(page)
        column.setContentsMargins(12, 12, 12, 12)
        column.setSpacing(10)
        if note:
            column.addWidget(self._label(note, "previewNote", style="color: #8a5300;"))
        if form is None:
            column.addWidget(self._label(self._empty_text, "previewEmpty", style=HINT_STYLE))
        else:
            self._build(form, column)
        column.addStretch(1)
        self.setWidget(page)
        self.updateGeometry()  # the new page's minimum width is the preview's (minimumSizeHint)
        if keep:
            self._keep = keep
            self._restore.start()

    def _build(self, form: Form, column: QVBoxLayout) -> None:
        best = score_form(form, {item.key: item.passing() for item in form.items()})
        title = self._label(form.name, "previewTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        column.addWidget(title)
        if form.description:
            column.addWidget(self._label(form.description, "previewDescription"))
        column.addWidget(self._label(self._how_scored(form, best.max_score), "previewScoring", style=HINT_STYLE))
        number = 0
        for section, scored in zip(form.sections, best.sections):
            column.addWidget(self._section(form, section, scored.max, number))
            number += len(section.items)
        self._total = self._label(self._total_line(form, best.max_score), "previewTotal")
        font = self._total.font()
        font.setBold(True)
        self._total.setFont(font)
        column.addWidget(self._total)

    def _how_scored(self, form: Form, maximum: float) -> str:
        na = (self.tr("N/A answers leave the item out of the maximum.") if form.na == "exclude"
              else self.tr("N/A answers count as full points."))
        if form.scoring == "weights":
            return self.tr("Scored out of 100: each section's percentage counts for its weight. {0}").format(na)
        return self.tr("Scored out of {0} points. {1}").format(_number(maximum), na)

    def _total_line(self, form: Form, maximum: float) -> str:
        if form.scoring == "weights":
            weights = " + ".join(_number(s.weight or 0) for s in form.sections)
            return self.tr("Total: 100 (weights {0} %)").format(weights)
        return self.tr("Total: {0} points").format(_number(maximum))

    def _section(self, form: Form, section, maximum: float, first_number: int) -> QFrame:
        frame = QFrame()
        frame.setObjectName("previewSection")
        frame.setStyleSheet(SECTION_STYLE)
        column = QVBoxLayout(frame)
        column.setContentsMargins(10, 8, 10, 10)
        column.setSpacing(8)
        header = QHBoxLayout()
        title = self._label(section.title, "previewSectionTitle")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self._narrowable(title)
        header.addWidget(title, 1)
        if form.scoring == "weights":
            worth = self.tr("weight {0} % · {1} points").format(_number(section.weight or 0), _number(maximum))
        else:
            worth = self.tr("{0} points").format(_number(maximum))
        if section.bonus_cap:
            worth += " · " + self.tr("bonus up to {0}").format(_number(section.bonus_cap))
        header.addWidget(self._label(worth, "previewSectionPoints", wrap=False), 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(header)
        for offset, item in enumerate(section.items):
            column.addWidget(self._item(item, first_number + offset + 1))
        return frame

    def _item(self, item: Item, number: int) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(self._narrowable(self._label(f"{number}. {item.question}", "previewQuestion")), 1)
        points = (self.tr("+{0} bonus").format(_number(item.points)) if item.bonus
                  else self.tr("{0} points").format(_number(item.points)))
        top.addWidget(self._label(points, "previewItemPoints", wrap=False), 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(top)
        if item.guidance:
            column.addWidget(self._label(item.guidance, "previewGuidance", style=HINT_STYLE))
        answers = FlowLayout()
        for value in item.values():
            chip = self._label(self._answer(value), "previewAnswer", style=CHIP_STYLE, wrap=False)
            chip.setToolTip(self._earns(item, value))
            answers.addWidget(chip)
        if item.critical:
            text = (self.tr("Critical: fails the section") if item.critical == "fail_section"
                    else self.tr("Critical: fails the evaluation"))
            answers.addWidget(self._label(text, "previewCritical", style=BADGE_STYLES["critical"], wrap=False))
        if item.bonus:
            answers.addWidget(self._label(self.tr("Bonus"), "previewBonus", style=BADGE_STYLES["bonus"], wrap=False))
        column.addLayout(answers)
        return box

    def _answer(self, value: str) -> str:
        names = {"yes": self.tr("Yes"), "partial": self.tr("Partial"), "no": self.tr("No"), "na": self.tr("N/A")}
        return names.get(value, value)

    def _earns(self, item: Item, value: str) -> str:
        if value == "na":
            return self.tr("Not applicable to this call")
        if item.answer == "scale":
            earned = item.points * int(value) / (item.scale or 1)
        elif value == "partial":
            earned = item.points * float(item.partial if item.partial is not None else 0.5)
        else:
            earned = item.points if value == "yes" else 0.0
        return self.tr("Earns {0} points").format(f"{earned:.3g}")

    def _narrowable(self, label: QLabel) -> QLabel:
        # A wrapped title beside its points may take more lines in a narrow preview rather
        # than setting the preview's width (Qt's guess for a wrapped label is generous).
        metrics = label.fontMetrics()
        longest = max((metrics.horizontalAdvance(word) for word in label.text().split()), default=0)
        label.setMinimumWidth(max(metrics.averageCharWidth() * 10, longest))  # never cutting a word
        return label

    def _label(self, text: str, name: str, *, style: str = "", wrap: bool = True) -> QLabel:
        label = QLabel(text)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(wrap)
        if wrap:
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        if style:
            label.setStyleSheet(style)
        self._labels.append(label)
        return label
