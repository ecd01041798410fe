"""The window on a laptop at 125 % or 150 % scaling: a 1366×768 screen is 1093×614 logical
pixels at 125 % and 910×512 at 150 %. QA Desk must be usable at 1024×640: no area may need
a wider window, no button may fall outside it or be cut narrower than its words, in
English and in Chinese. Every area, tab and the call view is grabbed to
screenshots/narrow/ for a person to look at.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QAbstractButton, QScrollArea, QWidget
from sqlalchemy import select

from qa_desk.demo import build_demo_centre
from qa_desk.store.models import Clip, Evaluation
from qa_desk.ui.translations import install_translators

LAPTOP = QSize(1024, 640)


@pytest.fixture(params=["en", "zh_CN"])
def language(request, qapp):
    """The interface in English, then in Chinese as the app installs it."""
    if request.param != "en":
        install_translators(qapp, request.param)
    yield request.param
    install_translators(qapp, "en")


def _plain(text: str) -> str:
    """A button's words as shown: "&Save" is "Save", "&&" is "&"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _in_window(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def misfits(window: QWidget) -> list[str]:
    """Buttons shown in the window that are (partly) outside it or outside a pane holding
    them, or narrower than their own words. In a scrolled page only left and right count:
    a button scrolled out of sight above or below is there to scroll to."""
    problems = []
    for button in window.findChildren(QAbstractButton):
        if not button.isVisible() or button.window() is not window:
            continue
        name = f"{type(button).__name__} {button.objectName() or ''} {_plain(button.text())!r}"
        rect = _in_window(button, window)
        scrolled = False
        holder = button.parentWidget()
        while holder is not None and holder is not window:
            area = _in_window(holder, window)
            if isinstance(holder.parentWidget(), QScrollArea) and holder is holder.parentWidget().viewport():
                scrolled = True  # above the viewport the page's own place does not matter
            inside = area.left() <= rect.left() and rect.right() <= area.right()
            if not scrolled:
                inside = inside and area.top() <= rect.top() and rect.bottom() <= area.bottom()
            if not inside:
                problems.append(f"{name} at {rect.getCoords()} is cut by {type(holder).__name__} "
                                f"{holder.objectName()} at {area.getCoords()}")
                break
            holder = holder.parentWidget()
        if not window.rect().contains(rect) and not scrolled:
            problems.append(f"{name} at {rect.getCoords()} is outside the window")
        text = _plain(button.text())
        if text and button.width() < button.fontMetrics().horizontalAdvance(text):
            problems.append(f"{name} is {button.width()} px wide for {button.fontMetrics().horizontalAdvance(text)}"
                            " px of text")
    for area in window.findChildren(QScrollArea):
        # A page that scrolls sideways is a window too narrow for it (tables may scroll).
        if area.isVisible() and area.window() is window and area.horizontalScrollBar().isVisible():
            problems.append(f"{type(area).__name__} {area.objectName()} scrolls sideways")
    return problems


class Tour:
    """Shows the window's areas, tabs and a call one after another; each is checked
    and grabbed to screenshots/narrow/<language>_<name>.png."""

    def __init__(self, qtbot, window, folder, language: str):
        self.qtbot, self.window, self.folder, self.language = qtbot, window, folder, language
        self.problems: dict[str, list[str]] = {}
        self.seen: list[str] = []

    def settle(self, ready=lambda: True, timeout: int = 20000) -> None:
        self.qtbot.waitUntil(ready, timeout=timeout)
        self.qtbot.wait(120)

    def look(self, name: str) -> None:
        assert self.window.size() == LAPTOP, f"{name}: the window is {self.window.size()}"
        found = misfits(self.window)
        if found:
            self.problems[name] = found
        self.seen.append(name)
        assert self.window.grab().save(str(self.folder / f"{self.language}_{name}.png"))


def _idle(page) -> bool:
    if hasattr(page, "is_idle"):
        return page.is_idle()
    return not page.is_loading() if hasattr(page, "is_loading") else True


def test_every_area_fits_a_laptop_at_125_percent(qtbot, services, language, screenshots_dir):
    from ui_data import make_window

    build_demo_centre(services.db, agents=3, months=1)
    with services.db.session() as session:
        call_id = session.scalar(select(Evaluation.call_id).where(Evaluation.status == "submitted").limit(1))
        clip_id = session.scalar(select(Clip.id).limit(1))
    window = make_window(qtbot, services)
    assert window.minimumSizeHint().width() <= LAPTOP.width(), window.minimumSizeHint()
    window.resize(LAPTOP)
    qtbot.waitUntil(lambda: window.size() == LAPTOP)
    folder = screenshots_dir / "narrow"
    folder.mkdir(exist_ok=True)
    tour = Tour(qtbot, window, folder, language)

    # The navigation shows every area's name whole, beside its icon.
    nav = window.nav
    for row in range(nav.count()):
        item = nav.item(row)
        needed = nav.iconSize().width() + nav.fontMetrics().horizontalAdvance(item.text())
        assert nav.visualItemRect(item).width() >= needed, item.text()

    for key in ("calls", "review", "scorecards", "clips", "forms", "settings"):
        window.show_area(key)
        page = window.stack.currentWidget()
        tour.settle(lambda p=page: _idle(p))
        if key == "review":
            tabs = window.review_page.tabs
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                tour.settle(lambda w=tabs.currentWidget(): _idle(w))
                tour.look(f"review_{index}")
            tabs.setCurrentIndex(0)
        elif key == "scorecards":
            cards = window.scorecards_page
            if cards.showing() == "empty":  # the month has just begun: the one before it
                cards.previous_button.click()
                tour.settle(lambda: not cards.is_loading())
            tour.look("scorecards")
            cards.open_row(0)
            tour.settle(lambda: not cards.detail.is_loading())
            tour.look("agent_detail")
            cards.show_overview()
            cards.tabs.setCurrentIndex(1)
            tour.settle(lambda: cards.team_view is not None and not cards.team_view.is_loading())
            tour.look("team_view")
            cards.tabs.setCurrentIndex(0)
        elif key == "clips":
            clips = window.clips_area
            assert clips.select_clip(clip_id)
            tour.settle(lambda: clips.player is not None and clips.player.is_ready())
            tour.look("clips")
        elif key == "forms":
            forms = window.forms_page
            tour.look("forms")
            builder = forms.edit()
            assert builder is not None
            tour.settle()
            builder.tree.setCurrentItem(builder.tree.topLevelItem(0).child(0))  # an item's editor
            tour.settle()
            tour.look("form_builder")
            forms.show_list()
        elif key == "settings":
            settings = window.settings_page
            groups = [settings.speech_models, settings.rulebook]
            tour.look("settings")
            for number, group in enumerate(groups, start=1):
                settings.scroll.ensureWidgetVisible(group, 0, 0)
                tour.settle()
                tour.look(f"settings_{number}")
        else:
            tour.look(key)

    view = window.open_call(call_id)
    tour.settle(view.is_ready)
    for index in range(view.review_tabs.count()):
        view.review_tabs.setCurrentIndex(index)
        tour.settle()
        tour.look(f"call_view_{index}")

    assert len(tour.seen) >= 16
    assert not tour.problems, "\n".join(f"{name}: {line}" for name, lines in tour.problems.items() for line in lines)


def test_a_misfit_is_seen(qtbot):
    """The check itself: a button pushed out of its window, one squeezed under its words."""
    from PySide6.QtWidgets import QPushButton

    window = QWidget()
    qtbot.addWidget(window)
    window.resize(200, 100)
    outside = QPushButton("Outside", window)
    outside.setGeometry(150, 10, 120, 30)
    squeezed = QPushButton("A long button text", window)
    squeezed.setGeometry(10, 50, 40, 30)
    fine = QPushButton("Fine", window)
    fine.setGeometry(10, 10, 80, 30)
    window.show()
    qtbot.waitExposed(window)
    found = misfits(window)
    assert any("'Outside'" in line and "outside the window" in line for line in found), found
    assert any("'A long button text'" in line and "px of text" in line for line in found), found
    assert not any("'Fine'" in line for line in found), found


def test_a_row_wraps_when_narrow_and_keeps_its_stretch(qtbot):
    """The layout under the filter rows: one line when wide; on a narrow window a second
    line, as narrow as its widest control; a stretch still pushes what follows it right."""
    from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout

    from qa_desk.ui.wrap_layout import WrapLayout

    window = QWidget()
    qtbot.addWidget(window)
    bar = QWidget()
    row = WrapLayout(bar, spacing=8)
    first, second = QPushButton("First choice"), QPushButton("Second choice")
    search = QLineEdit()
    search.setMinimumWidth(150)
    last = QPushButton("Help")
    row.addWidget(first)
    row.addWidget(second)
    row.addWidget(search, 1)
    row.addStretch()
    row.addWidget(last)
    column = QVBoxLayout(window)
    column.addWidget(bar)
    column.addStretch(1)
    widest = max(w.minimumSizeHint().width() for w in (first, second, last))
    assert bar.minimumSizeHint().width() == max(widest, 150)  # not the sum of them
    assert bar.sizeHint().width() > first.sizeHint().width() + second.sizeHint().width() + 150  # one line

    window.resize(900, 200)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: first.y() == search.y() == last.y())  # one line
    assert search.width() > search.sizeHint().width()  # the stretch item fills the line
    assert last.geometry().right() == bar.width() - 1

    window.resize(first.width() + second.width() + 60, 200)
    qtbot.waitUntil(lambda: search.y() > first.y())  # the search on a line of its own
    assert first.y() == second.y()
    assert search.width() == bar.width()
    assert last.y() > search.y() and last.geometry().right() == bar.width() - 1  # still at the right
    lines = last.geometry().bottom() - first.y()
    assert bar.height() >= lines  # the lines' height is the bar's (nothing drawn over them)
    assert bar.minimumSizeHint().height() >= lines  # also for a splitter, which asks no heightForWidth


def test_period_names_are_thinned_in_a_narrow_chart(qtbot):
    """Six months' names side by side need about 400 pixels: a narrower chart names every
    second (third…) one, so the names never run into each other."""
    from datetime import date

    from qa_desk.scoring.periods import period_of
    from qa_desk.scoring.scorecards import Figures, SectionFigure
    from qa_desk.ui.trend_charts import SectionTrendChart

    periods = [period_of("month", date(2026, month, 1)) for month in range(6, 12)]
    figures = [Figures(3, 90.0, sections={"opening": SectionFigure("opening", "Opening", 90.0, 3)})] * 6
    chart = SectionTrendChart()
    qtbot.addWidget(chart)
    chart.resize(900, 300)
    chart.show()
    qtbot.waitExposed(chart)
    chart.show_periods(periods, figures, {"opening": "Opening"})

    def named():
        return [text for _, text in chart.plot.getAxis("bottom")._tickLevels[0]]

    qtbot.waitUntil(lambda: len(named()) == 6)
    chart.resize(260, 300)
    qtbot.waitUntil(lambda: 1 < len(named()) < 6)
    assert named()[0] == "2026-06"
    marks = chart.plot.getAxis("bottom")._tickLevels
    assert sum(len(level) for level in marks) == 6  # every period keeps its tick


def test_a_long_database_path_does_not_widen_the_window(qtbot):
    from qa_desk.ui.elided_label import ElidedLabel

    path = "Database: sqlite:////home/reviewer/.local/share/qa-desk/a/very/long/folder/qa-desk.sqlite3"
    label = ElidedLabel(path)
    qtbot.addWidget(label)
    assert label.minimumSizeHint().width() < label.fontMetrics().horizontalAdvance(path) // 3
    label.resize(200, 20)
    label.show()
    qtbot.waitExposed(label)
    assert label.text() == path  # what callers read is the whole text
    assert path in label.toolTip()  # and the reader finds it in the tooltip
    label.resize(label.sizeHint().width() + 10, 20)
    qtbot.waitUntil(lambda: label.toolTip() == "")  # all of it shown: no tooltip needed
