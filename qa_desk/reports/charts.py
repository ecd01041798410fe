"""The native Excel charts of the Charts sheet: score trend per team, and averages.

Charts point at cells (the trend table on the Charts sheet, the Summary's score
column), so they stay charts in Excel and LibreOffice — a reader can restyle them,
and filtering or sorting the Summary re-draws the bars. Lines are never smoothed: a
smoothed line invents scores between periods and overshoots 100 %.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef

from .headers import header

ROW_CM = 0.53  # one worksheet row at the default height, for placing charts under each other
_BAR_CM = 0.45  # per bar, so names stay readable; capped for a centre of 2,000 agents
_MAX_CHART_CM = 150.0


def _text_categories(chart, labels: Reference) -> None:
    """Category labels as text references: openpyxl's set_categories writes a number
    reference, and a program that trusts the type shows 1, 2, 3 for periods and names."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))


def _value_axis(chart, top: float) -> None:
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    # Up to 100 % unless a bonus item pushed a score above it (then Excel's own maximum).
    if top <= 1.0:
        chart.y_axis.scaling.max = 1
    # openpyxl 3.1 writes <c:delete val="1"/> for axes unless told: Excel then hides them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def trend_chart(sheet, periods: int, series: int, top: float) -> LineChart:
    """A line per team over the periods of the trend table at A1 of ``sheet``
    (header row, then one row per period: the period, then one score per team)."""
    chart = LineChart()
    chart.title = header("chart.trend", count=periods)
    chart.y_axis.title = header("average")
    chart.x_axis.title = header("period")
    data = Reference(sheet, min_col=2, min_row=1, max_col=1 + series, max_row=1 + periods)
    chart.add_data(data, titles_from_data=True)
    _text_categories(chart, Reference(sheet, min_col=1, min_row=2, max_row=1 + periods))
    for line in chart.series:
        line.smooth = False
        line.marker.symbol = "circle"
        line.marker.size = 6
    chart.smooth = False
    chart.display_blanks = "gap"  # a period without evaluations is a gap, not a drop to 0 %
    _value_axis(chart, top)
    chart.width, chart.height = 24, 12
    return chart


def averages_chart(summary_sheet, first_row: int, last_row: int, name_col: int, value_col: int,
                   title: str, top: float) -> BarChart:
    """Horizontal bars of the Summary's average-score column, one per row, first row on top."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    values = Reference(summary_sheet, min_col=value_col, min_row=first_row - 1, max_row=last_row)
    chart.add_data(values, titles_from_data=True)  # the column header names the series
    _text_categories(chart, Reference(summary_sheet, min_col=name_col, min_row=first_row, max_row=last_row))
    chart.legend = None
    chart.x_axis.scaling.orientation = "maxMin"  # the Summary's first row at the top
    chart.x_axis.tickLblSkip = 1  # every name, not every other one
    chart.gapWidth = 40
    _value_axis(chart, top)
    bars = last_row - first_row + 1
    chart.width = 24
    chart.height = min(_MAX_CHART_CM, max(8.0, 2.5 + _BAR_CM * bars))
    return chart


def rows_spanned(chart) -> int:
    return int(chart.height / ROW_CM) + 2


__all__ = ["averages_chart", "rows_spanned", "trend_chart"]
