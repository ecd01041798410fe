"""The scorecard charts: what they draw, what hovering says, clicks on points and bars,
export to PNG, and their empty states (hand-made figures; no database)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPalette
from PySide6.QtWidgets import QApplication, QFileDialog, QToolTip

from qa_desk.scoring.periods import parse_period, periods_back
from qa_desk.scoring.scorecards import Figures, Scorecard, ScorecardRow, SectionFigure, Thresholds
from qa_desk.store.scorecards import ScorePoint
from qa_desk.ui.team_view import DistributionChart, RowBarsChart
from qa_desk.ui.trend_charts import FlagTrendChart, HoverTips, ScoreTrendChart, SectionTrendChart

NOVEMBER = parse_period("2026-11")
PERIODS = periods_back(NOVEMBER, 3)  # September, October, November


def point(n: int, day: int, month: int, percent: float, auto_failed=False) -> ScorePoint:
    return ScorePoint(100 + n, 200 + n, 7, datetime(2026, month, day, 10, 30), percent, "hotline-zh", auto_failed)


POINTS = [point(0, 3, 9, 80.0), point(1, 20, 9, 90.0), point(2, 8, 10, 70.0), point(3, 9, 10, 0.0, True),
          point(4, 2, 11, 95.0), point(5, 25, 11, 100.0)]


def shown(qtbot, widget, size=(700, 420)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def screen_pos(chart, x: float, y: float):
    """Where the data point (x, y) is on the plot's viewport, in pixels."""
    scene = chart.plot.getViewBox().mapViewToScene(QPointF(x, y))
    return chart.plot.mapFromScene(scene)


def double_click(qtbot, widget, pos) -> None:
    """As Qt delivers one: press, release, double-click (in place of the second press), release."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    left, local = Qt.MouseButton.LeftButton, QPointF(pos)
    for kind in (QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseButtonRelease):
        buttons = left if kind == QEvent.Type.MouseButtonDblClick else Qt.MouseButton.NoButton
        QApplication.sendEvent(widget, QMouseEvent(kind, local, widget.mapToGlobal(local), left, buttons,
                                                   Qt.KeyboardModifier.NoModifier))


@pytest.fixture
def score_chart(qtbot):
    chart = shown(qtbot, ScoreTrendChart())
    steps = [(PERIODS[0], 84.0), (PERIODS[1], None), (PERIODS[2], 88.5)]
    chart.show_points(POINTS, steps, Thresholds(90, 75), comparison="宽带客服一组",
                      first=PERIODS[0].first_moment, after=NOVEMBER.after)
    return chart


def test_hover_tips_find_the_nearest_points_and_rectangles():
    tips = HoverTips()
    tips.add_point(10, 50, "a")
    tips.add_point(10.5, 50, "b")
    tips.add_point(40, 50, "c")
    tips.add_rect(0, 0, 5, 5, "box")
    assert tips.text_at(10.2, 50, (1, 1)) == "a\n\nb"  # two points within 10 pixels: both named
    assert tips.text_at(40, 58, (1, 1)) == "c"
    assert tips.text_at(40, 62, (1, 1)) is None
    assert tips.text_at(2, 2, (1, 1)) == "box"
    assert tips.text_at(40, 62, (1, 2)) == "c"  # 12 data units are 6 pixels when a pixel is 2 units


def test_score_chart_draws_points_average_and_team(score_chart):
    chart = score_chart
    assert isinstance(chart.plot.getAxis("bottom"), pg.DateAxisItem)
    assert chart.has_data() and chart.export_button.isEnabled()
    xs, ys = chart.points_item.getData()
    assert list(ys) == [80.0, 90.0, 70.0, 0.0, 95.0, 100.0]
    curves = [i for i in chart.plot.getPlotItem().items if isinstance(i, pg.PlotDataItem)]
    averages = [c for c in curves if len(c.yData) == len(POINTS)]
    assert averages and averages[0].yData[-1] == pytest.approx((90 + 70 + 0 + 95 + 100) / 5)
    assert averages[0].yData[1] == pytest.approx(85.0)  # fewer than 5 so far: the mean of those
    # The team's average: a step per period, broken where the team had no score.
    assert "宽带客服一组 average" in chart.legend_entries
    low, high = chart.plot.getViewBox().viewRange()[1]
    assert low < 0 < 100 < high  # a zeroed evaluation is drawn whole


def test_hovering_a_point_shows_its_value_and_date(score_chart, qtbot):
    chart = score_chart
    x = POINTS[4].at.timestamp()
    text = chart.hover_text(x, 95.0)
    assert "2026-11-02 10:30" in text and "95.0%" in text and "Moving average" in text
    assert "critical" in chart.hover_text(POINTS[3].at.timestamp(), 0.0)
    middle_of_october = (PERIODS[0].first_moment + timedelta(days=15)).timestamp()
    assert chart.hover_text(middle_of_october, 84.0) == "宽带客服一组 average, 2026-09: 84.0%"
    assert chart.hover_text(middle_of_october, 40.0) is None
    # The real pointer: the tooltip appears where the point is.
    qtbot.mouseMove(chart.plot.viewport(), screen_pos(chart, x, 95.0))
    qtbot.waitUntil(lambda: "95.0%" in QToolTip.text(), timeout=3000)
    QToolTip.hideText()


def test_clicking_a_point_selects_it_and_double_click_opens_it(score_chart, qtbot):
    chart = score_chart
    where = screen_pos(chart, POINTS[2].at.timestamp(), 70.0)
    with qtbot.waitSignal(chart.point_clicked, timeout=3000) as clicked:
        qtbot.mouseClick(chart.plot.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert clicked.args[0].evaluation_id == 102
    with qtbot.waitSignal(chart.point_activated, timeout=3000) as activated:
        double_click(qtbot, chart.plot.viewport(), where)
    assert activated.args[0].call_id == 202


def test_export_png(score_chart, tmp_path, monkeypatch, qtbot):
    chart = score_chart
    path = chart.export_png(tmp_path / "张伟-score")
    assert path == tmp_path / "张伟-score.png"
    image = QImage(str(path))
    assert image.width() == chart.width() and image.height() == chart.height()
    assert chart.export_button.isVisible()  # hidden only while grabbing
    # Through the button and the file dialog; the next export starts in the same folder.
    asked = []

    def save_name(parent, caption, start, filters):
        asked.append(start)
        return str(tmp_path / "again.png"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    with qtbot.waitSignal(chart.message) as saved:
        chart.export_button.click()
    assert (tmp_path / "again.png").stat().st_size > 5000
    assert "again.png" in saved.args[0]
    chart.export_button.click()
    assert asked[1].startswith(str(tmp_path))


def test_empty_and_themed(qtbot):
    chart = shown(qtbot, ScoreTrendChart())
    chart.show_points([], [], Thresholds(), comparison="Centre", first=PERIODS[0].first_moment, after=NOVEMBER.after)
    assert not chart.has_data() and not chart.export_button.isEnabled()
    assert "No submitted evaluations" in chart.empty.text()
    dark = QPalette(chart.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#202020"))
    chart.setPalette(dark)
    assert chart.plot.backgroundBrush().color() == QColor("#202020")


def test_section_chart(qtbot):
    chart = shown(qtbot, SectionTrendChart())
    titles = {"opening": "开场与结束", "accuracy": "业务准确"}
    figs = [Figures(3, 85.0, sections={"opening": SectionFigure("opening", "开场与结束", 90.0, 3),
                                       "accuracy": SectionFigure("accuracy", "业务准确", 80.0, 3)}),
            Figures(),
            Figures(4, 88.0, sections={"opening": SectionFigure("opening", "开场与结束", 95.0, 4)})]
    chart.show_periods(PERIODS, figs, titles)
    assert chart.has_data()
    assert chart.hover_text(0, 80.0) == "业务准确 · 2026-09: 80.0% (3 evaluations)"
    assert chart.hover_text(2, 95.0).startswith("开场与结束 · 2026-11: 95.0%")
    assert chart.hover_text(1, 90.0) is None  # no evaluation in October
    assert chart.legend_entries == ["开场与结束", "业务准确"]
    ticks = chart.plot.getAxis("bottom")._tickLevels[0]
    assert [label for _, label in ticks] == ["2026-09", "2026-10", "2026-11"]
    low, high = chart.plot.getViewBox().viewRange()[1]
    assert 60 < low < 80 and high > 100  # scores in the 80s and 90s are not pressed together
    chart.show_periods(PERIODS, [Figures()] * 3, titles)
    assert not chart.has_data()


def test_flag_chart_stacks_categories(qtbot):
    chart = shown(qtbot, FlagTrendChart())
    figs = [Figures(scanned_calls=10, flags_per_call={"forbidden_phrase": 0.4, "filler_words": 0.2}),
            Figures(scanned_calls=0),
            Figures(scanned_calls=8, flags_per_call={"forbidden_phrase": 0.25})]
    chart.show_periods(PERIODS, figs)
    assert chart.hover_text(0, 0.2) == "2026-09 · Forbidden phrase: 0.40 per call"
    assert chart.hover_text(0, 0.5) == "2026-09 · Filler words: 0.20 per call"
    assert "0.60 flags per call over 10 checked calls" in chart.hover_text(0, 0.61)
    assert chart.legend_entries == ["Forbidden phrase", "Filler words"]
    chart.show_periods(PERIODS, [Figures(scanned_calls=0)] * 3)
    assert not chart.has_data() and "checked against the rulebook" in chart.empty.text()


def team_card() -> Scorecard:
    def row(n, name, percent, evaluations=4):
        return ScorecardRow("agent", n, name, "宽带一组", Figures(evaluations, percent), Figures(4, 80.0), quota=4)

    rows = (row(1, "张伟", 97.0), row(2, "李娜", 72.0), row(3, "王芳", None, 0), row(4, "刘洋", 85.0))
    centre = ScorecardRow("centre", None, "Centre", None, Figures(12, 84.7), Figures())
    return Scorecard(NOVEMBER, NOVEMBER.previous(), "agent", rows, centre, team="宽带一组")


def test_agents_side_by_side(qtbot):
    chart = shown(qtbot, RowBarsChart(), (600, 400))
    card = team_card()
    chart.show_rows(card, Thresholds(90, 75))
    assert [r.name for r in chart.rows] == ["张伟", "刘洋", "李娜", "王芳"]  # best first, unscored last
    ticks = chart.plot.getAxis("left")._tickLevels[0]
    assert [label for _, label in sorted(ticks, reverse=True)] == ["张伟", "刘洋", "李娜", "王芳"]
    assert chart.row_at(3.0).name == "张伟" and chart.row_at(0.1).name == "王芳"
    assert "张伟: 97.0% over 4 evaluations" in chart.hover_text(50, 3.0)
    assert "no evaluations" in chart.hover_text(5, 0.0)
    assert "宽带一组 average 84.7%" in chart.legend_entries
    with qtbot.waitSignal(chart.row_activated, timeout=3000) as opened:
        double_click(qtbot, chart.plot.viewport(), screen_pos(chart, 40, 1.0))
    assert opened.args[0].name == "李娜"


def test_distribution_of_scores(qtbot):
    chart = shown(qtbot, DistributionChart(), (500, 360))
    counts = {low: 0 for low in range(0, 101, 10)}
    counts.update({70: 2, 80: 5, 90: 12, 100: 1})
    chart.show_counts(counts, Thresholds(90, 75))
    assert chart.hover_text(95, 6) == "90–100%: 12 evaluations (60%)"
    assert chart.hover_text(102, 0.5) == "100%: 1 evaluations (5%)"
    assert chart.hover_text(55, 0.1) is None or "0 evaluations" in chart.hover_text(55, 0.1)
    chart.show_counts({low: 0 for low in range(0, 101, 10)}, Thresholds())
    assert not chart.has_data()
