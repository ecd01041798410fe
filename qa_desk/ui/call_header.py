"""The call view's header: whose call it is, when, how it was recorded, and its metrics.

The metrics line reads like a reviewer's notes: who talked how long, the
talk-to-listen ratio, the longest dead air, holds, overtalk and who started it, and
how long the customer waited for the agent's first words. The swatches before
silence, hold and overtalk are the colours those spans have on the waveform.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .formatting import moment, number
from .waveform import format_time
from .wrap_layout import WrapLayout

NBSP = "\u00a0"
SWATCHES = {"silence": "#a0aec0", "hold": "#805ad5", "overtalk": "#dd6b20"}


def _seconds(value: float) -> str:
    """Short spans in seconds with a decimal, longer ones as m:ss."""
    return f"{number(value, 1)} s" if value < 60 else format_time(value)


def _field(metrics: object, name: str, default=None):
    if isinstance(metrics, dict):
        return metrics.get(name, default)
    return getattr(metrics, name, default)


def _span(item: object) -> tuple[float, float]:
    if isinstance(item, dict):
        return float(item["start"]), float(item["end"])
    if hasattr(item, "start"):
        return float(item.start), float(item.end)
    return float(item[0]), float(item[1])


class CallHeader(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._values: dict[str, QLabel] = {}
        self.agent = QLabel()
        self.agent.setObjectName("headerAgent")
        font = self.agent.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.agent.setFont(font)
        self.details = QLabel()
        self.details.setObjectName("headerDetails")
        self.details.setStyleSheet("color: palette(placeholder-text);")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Team · start · length · format · queue · customer: on a narrow window the line
        # wraps rather than making the call view wider than the screen.
        self.details.setWordWrap(True)

        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(self.agent)
        top.addWidget(self.details, 1)

        # Each metric is its caption over its value; on a narrow window the metrics wrap
        # onto a second line instead of widening the window.
        self.metrics_grid = WrapLayout(spacing=22, line_spacing=4)
        keys = (
            ("talk", self.tr("Talk time")),
            ("ratio", self.tr("Talk-to-listen")),
            ("silence", self.tr("Longest silence")),
            ("holds", self.tr("Holds")),
            ("overtalk", self.tr("Overtalk")),
            ("first_words", self.tr("Agent's first words")),
        )
        for key, title in keys:
            swatch = SWATCHES.get(key)
            caption = QLabel(f'<span style="color:{swatch}">■</span> {title}' if swatch else title)
            caption.setStyleSheet("color: palette(placeholder-text);")
            value = QLabel("–")
            value.setObjectName(f"metric_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._values[key] = value
            cell = QVBoxLayout()
            cell.setSpacing(2)
            cell.addWidget(caption)
            cell.addWidget(value)
            self.metrics_grid.addLayout(cell)
        self.metrics_note = QLabel()
        self.metrics_note.setObjectName("metricsNote")
        self.metrics_note.setStyleSheet("color: palette(placeholder-text);")
        self.metrics_note.setWordWrap(True)  # "Metrics unavailable: <why>" may be long
        self.metrics_grid.addWidget(self.metrics_note, 1)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addLayout(top)
        column.addLayout(self.metrics_grid)

    # --- what the call view tells it --------------------------------------------------------

    def set_call(self, call) -> None:
        """A store.calls.CallDetail: agent, team, start, duration, recording format."""
        agent = call.agent or self.tr("Unknown agent")
        if call.agent_external_id:
            agent = self.tr("{0} ({1})").format(agent, call.agent_external_id)
        self.agent.setText(agent)
        self.agent.setToolTip(call.file_path)
        started = (
            moment(call.started_at, seconds=True) if call.started_at else self.tr("start unknown")
        )
        channels = {1: self.tr("mono"), 2: self.tr("stereo")}.get(
            call.channels, self.tr("{0} channels").format(call.channels)
        )
        rate = self.tr("{0} kHz").format(QLocale().toString(call.sample_rate / 1000, "g", 3))
        parts = [call.team or self.tr("No team"), started, format_time(call.duration), self.tr("{0}, {1}").format(channels, rate)]
        if call.direction:
            parts.append({"inbound": self.tr("inbound"), "outbound": self.tr("outbound")}.get(
                call.direction, call.direction))
        if call.queue:
            parts.append(call.queue)
        if call.customer_ref:
            parts.append(self.tr("customer {0}").format(call.customer_ref))
        # A narrow header wraps between the parts, never inside one ("8 kHz", "customer 2125…").
        self.details.setText("  ·  ".join(part.replace(" ", NBSP) for part in parts))
        self.details.setToolTip(call.file_name)
        self.set_metrics_pending()

    def set_metrics_pending(self) -> None:
        for value in self._values.values():
            value.setText("–")
        self.metrics_note.setText(self.tr("Measuring talk, silence and overtalk…"))

    def set_metrics_failed(self, message: str) -> None:
        self.metrics_note.setText(self.tr("Metrics unavailable: {0}").format(message))

    def set_metrics(self, metrics) -> None:
        """An audio.metrics.CallMetrics (or its as_dict())."""
        self.metrics_note.clear()
        talk = _field(metrics, "talk", {}) or {}
        names = {"agent": self.tr("agent"), "customer": self.tr("customer"), "mixed": self.tr("speech")}
        order = sorted(talk, key=lambda who: ("agent", "customer", "mixed").index(who)
                       if who in names else 9)
        self._values["talk"].setText("  ".join(
            self.tr("{0} {1}").format(names.get(who, who), format_time(talk[who])) for who in order
        ) or "–")
        ratio = _field(metrics, "talk_ratio")
        self._values["ratio"].setText(
            number(float(ratio), 2) if ratio is not None else self.tr("n/a (mono)")
        )
        self._values["silence"].setText(_seconds(float(_field(metrics, "longest_silence", 0.0) or 0.0)))
        holds = [_span(h) for h in _field(metrics, "holds", []) or []]
        self._values["holds"].setText(
            self.tr("{0} ({1} in total)").format(len(holds), _seconds(sum(b - a for a, b in holds)))
            if holds else self.tr("none")
        )
        self._values["overtalk"].setText(self._overtalk_text(_field(metrics, "overtalk", []), names))
        first = _field(metrics, "first_agent_words")
        self._values["first_words"].setText(_seconds(float(first)) if first is not None else "–")

    def _overtalk_text(self, overtalk, names: dict[str, str]) -> str:
        if overtalk is None:  # one mixed channel: who talked over whom cannot be told
            return self.tr("n/a (mono)")
        if not overtalk:
            return self.tr("none")
        starters: dict[str, int] = {}
        for event in overtalk:
            who = _field(event, "started_by", "") or ""
            starters[who] = starters.get(who, 0) + 1
        by = ", ".join(self.tr("{0} started {1}").format(names.get(who, who), n) for who, n in sorted(starters.items()))
        return self.tr("{0} ({1})").format(len(overtalk), by)

    def values(self) -> dict[str, str]:
        """Everything the header shows, by name (for tests and screen readers)."""
        shown = {"agent": self.agent.text(), "details": self.details.text().replace(NBSP, " ")}
        shown.update({key: label.text() for key, label in self._values.items()})
        return shown
