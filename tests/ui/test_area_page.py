"""An area's explaining page keeps all of its text visible, however often it changes."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from qa_desk.ui.area_page import AreaPage


def test_longer_text_set_while_hidden_is_not_clipped(qtbot):
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    page = AreaPage("Scorecards", "Loading…")
    stack.addWidget(QWidget())
    stack.addWidget(page)
    stack.resize(1000, 700)
    stack.show()
    page.set_text("Scorecards appear once the period's calls have been evaluated: they count submitted "
                  "evaluations (drafts count once submitted). Pick another period, or score calls from "
                  "the Calls area.")
    stack.setCurrentWidget(page)
    qtbot.waitExposed(stack)
    label = page.findChild(QLabel, "areaText")
    assert label.height() >= label.heightForWidth(label.width()) > label.fontMetrics().height() * 2
