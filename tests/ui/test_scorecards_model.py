"""The scorecard table model on hand-made scorecards: columns from the scorecard, sorting by
the figures (missing ones last), formatting, threshold colours on light and dark themes,
tooltips with the previous period, and the agents behind the quota."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from qa_desk.scoring.periods import parse_period
from qa_desk.scoring.scorecards import (
    Figures, MetricFigures, Scorecard, ScorecardRow, SectionFigure, Thresholds,
)
from qa_desk.ui.scorecards_model import (
    BAND_COLOURS, BAND_ROLE, ROW_ROLE, SORT_ROLE, ScorecardModel, band_colour, is_dark,
)

TITLES = {"opening": "开场与结束", "accuracy": "业务准确"}


def figures(evaluations=4, percent=None, sections=None, flags=None, critical=0, scanned=4, metrics=None):
    return Figures(
        evaluations=evaluations, percent=percent, critical_failures=critical,
        sections={k: SectionFigure(k, TITLES.get(k, k), v, evaluations) for k, v in (sections or {}).items()},
        calls=evaluations, scanned_calls=scanned, flags_per_call=flags or {},
        metrics=metrics or MetricFigures(),
    )


def agent(name, team, current, previous=None, quota=4, agent_id=None):
    return ScorecardRow("agent", agent_id or abs(hash(name)) % 1000, name, team, current, previous or Figures(),
                        quota=quota)


def card(rows, level="agent", versions=()):
    period = parse_period("2026-11")
    centre = ScorecardRow("centre", None, "Centre", None, figures(percent=85.0), figures(percent=83.0))
    return Scorecard(period, period.previous(), level, tuple(rows), centre, section_titles=dict(TITLES),
                     form_versions=versions)


@pytest.fixture
def model(qapp):
    rows = [
        agent("张伟", "宽带一组", figures(5, 97.5, {"opening": 100.0, "accuracy": 95.0},
                                          flags={"forbidden_phrase": 0.2},
                                          metrics=MetricFigures(5, 1.31, 7.25, 3.0, 1.5, 1.0, 312.0)),
              figures(4, 92.0, {"opening": 90.0})),
        agent("李娜", "宽带一组", figures(2, 9.5, {"opening": 50.0}, critical=1,
                                          flags={"forbidden_phrase": 1.5, "filler_words": 0.5}), figures(4, 70.0)),
        agent("Dave Wilson", "Care EN", figures(0, None, scanned=0), figures(3, 80.0)),
        agent("Emma Clarke", "Care EN", figures(4, 80.0, {"accuracy": 74.9}), figures(0, None)),
    ]
    m = ScorecardModel()
    m.set_scorecard(card(rows), Thresholds(good=90, poor=75))
    return m


def names(m):
    return [m.row_at(r).name for r in range(m.rowCount())]


def test_columns_follow_the_scorecard(model):
    keys = [c.key for c in model.columns()]
    assert keys[:6] == ["name", "team", "evaluations", "behind", "percent", "change"]
    assert keys[6:8] == ["section:opening", "section:accuracy"]
    # Categories with confirmed flags get a column each, the most frequent first.
    assert keys[8:12] == ["critical", "flags", "flags:forbidden_phrase", "flags:filler_words"]
    assert keys[12:] == ["talk_ratio", "dead_air", "overtalk", "handle_time"]
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert headers[:6] == ["Agent", "Team", "Evaluations", "Behind", "Score", "Change"]
    assert headers[6:8] == ["开场与结束", "业务准确"]
    assert "Forbidden phrase" in headers and "Filler words" in headers


def test_cells_are_formatted(model):
    assert model.text(0, "evaluations") == "5 / 4"
    assert model.text(0, "percent") == "97.5%"
    assert model.text(0, "change") == "▲ 5.5"
    assert model.text(1, "change") == "▼ 60.5"
    assert model.text(0, "section:opening") == "100.0%"
    assert model.text(0, "flags") == "0.20"
    assert model.text(1, "flags") == "2.00"
    assert model.text(0, "talk_ratio") == "1.31"
    assert model.text(0, "dead_air") == "7.3 s"
    assert model.text(0, "handle_time") == "5:12"
    # Nothing to show is a dash, never a misleading 0.
    assert model.text(2, "percent") == "—"
    assert model.text(2, "flags") == "—"  # no call of the agent was checked
    assert model.text(3, "change") == "—"  # no score the period before
    assert model.text(0, "behind") == ""  # quiet when the quota is met
    assert model.text(1, "behind") == "2"


def test_sorting_is_by_the_figures_with_missing_ones_last(model):
    score = model.column_of("percent")
    model.sort(score, Qt.SortOrder.AscendingOrder)
    assert names(model) == ["李娜", "Emma Clarke", "张伟", "Dave Wilson"]  # 9.5 before 80, not after
    model.sort(score, Qt.SortOrder.DescendingOrder)
    assert names(model) == ["张伟", "Emma Clarke", "李娜", "Dave Wilson"]  # no score: still last
    model.sort(model.column_of("behind"), Qt.SortOrder.DescendingOrder)
    assert names(model)[:2] == ["Dave Wilson", "李娜"]  # who is most behind first
    model.sort(model.column_of("change"), Qt.SortOrder.AscendingOrder)
    assert names(model) == ["李娜", "张伟", "Dave Wilson", "Emma Clarke"]
    model.sort(model.column_of("name"), Qt.SortOrder.AscendingOrder)
    assert names(model)[:2] == ["Dave Wilson", "Emma Clarke"]
    assert model.index(0, score).data(SORT_ROLE) is None


def test_a_new_scorecard_keeps_the_lead_s_sort(model):
    model.sort(model.column_of("percent"), Qt.SortOrder.AscendingOrder)
    model.set_scorecard(model.scorecard())
    assert names(model)[0] == "李娜"


def test_bands_and_behind_are_coloured(model):
    def band(row, key):
        return model.index(row, model.column_of(key)).data(BAND_ROLE)

    assert band(0, "percent") == "good"
    assert band(3, "percent") == "watch"
    assert band(1, "percent") == "poor"
    assert band(3, "section:accuracy") == "poor"  # 74.9 < 75
    assert band(2, "percent") is None
    assert band(1, "behind") == "behind" and band(1, "evaluations") == "behind"
    assert band(0, "behind") is None
    background = model.index(0, model.column_of("percent")).data(Qt.ItemDataRole.BackgroundRole)
    assert background.color() == band_colour("good")
    bold = model.index(1, model.column_of("behind")).data(Qt.ItemDataRole.FontRole)
    assert bold.bold()
    assert model.index(0, 0).data(ROW_ROLE).name == "张伟"


def test_colours_read_on_light_and_dark_themes(model, qapp):
    original = QApplication.palette()
    try:
        for dark in (False, True):
            palette = QPalette(original)
            palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e" if dark else "#ffffff"))
            palette.setColor(QPalette.ColorRole.Text, QColor("#eeeeee" if dark else "#111111"))
            QApplication.setPalette(palette)
            assert is_dark() == dark
            for row, key in ((0, "percent"), (1, "percent"), (3, "percent"), (1, "behind")):
                index = model.index(row, model.column_of(key))
                bg = index.data(Qt.ItemDataRole.BackgroundRole).color()
                fg = index.data(Qt.ItemDataRole.ForegroundRole).color()
                assert bg.name() in {pair[1 if dark else 0] for pair in BAND_COLOURS.values()}
                assert _contrast(fg, bg) >= 7.0, (dark, key, fg.name(), bg.name())
            change = model.index(1, model.column_of("change")).data(Qt.ItemDataRole.ForegroundRole).color()
            assert _contrast(change, QColor(palette.color(QPalette.ColorRole.Base))) >= 3.0
    finally:
        QApplication.setPalette(original)


def test_tooltips_show_the_previous_period(model):
    tip = model.index(0, model.column_of("percent")).data(Qt.ItemDataRole.ToolTipRole)
    assert "2026-11: 97.5%" in tip and "2026-10: 92.0%" in tip
    tip = model.index(0, model.column_of("change")).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "2026-10 → 2026-11: 92.0% → 97.5%"
    tip = model.index(1, model.column_of("behind")).data(Qt.ItemDataRole.ToolTipRole)
    assert "2026-11: 2 evaluations" in tip and "2026-10: 4 evaluations" in tip and "2 behind" in tip
    tip = model.index(1, model.column_of("flags")).data(Qt.ItemDataRole.ToolTipRole)
    assert "Forbidden phrase: 1.50" in tip and tip.index("Forbidden") < tip.index("Filler")
    header_tip = model.headerData(model.column_of("behind"), Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "quota" in header_tip


def test_team_rows(qapp):
    rows = [ScorecardRow("team", 1, "宽带一组", None, figures(12, 88.0), figures(10, 86.0), agents=3),
            ScorecardRow("team", None, "No team", None, figures(1, 70.0), Figures(), agents=1)]
    m = ScorecardModel()
    m.set_scorecard(card(rows, level="team"))
    assert [c.key for c in m.columns()][:3] == ["name", "agents", "evaluations"]
    assert m.headerData(0, Qt.Orientation.Horizontal) == "Team"
    assert m.text(0, "agents") == "3"
    assert m.text(0, "evaluations") == "12"  # no quota for a team
    assert m.column_of("behind") == -1  # the quota is per agent
    assert m.text(1, "name") == "No team"


def test_an_empty_model(qapp):
    m = ScorecardModel()
    assert m.rowCount() == 0 and m.columnCount() > 0
    m.set_scorecard(card([]))
    assert m.rowCount() == 0
    m.sort(99)  # a column that is not there: ignored


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
