"""Transport controls under the waveform: play, where we are, speed, volume, who to hear.

The bar only shows state and says what the reviewer asked for; the call view talks
to the Player. Its controls take no keyboard focus, so Space, the arrows and the
other call-view shortcuts always reach the call rather than a combo box.
When there is no sound device, the bar says so in words and the rest of the view
(waveform, transcript, metrics) keeps working.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .waveform import format_time
from .wrap_layout import WrapLayout

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
MAX_VOLUME = 150  # percent: quiet telephone lines need a little boost


class PlayerBar(QWidget):
    play_toggled = Signal()
    speed_changed = Signal(float)
    volume_changed = Signal(float)  # 0..1.5
    listen_changed = Signal(str)  # "both" | "agent" | "customer"
    loop_changed = Signal(bool)
    help_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        style = self.style()
        self._play_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._pause_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPause)
        self._duration = 0.0

        self.play_button = QToolButton()
        self.play_button.setObjectName("playButton")
        self.play_button.setIcon(self._play_icon)
        self.play_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.play_button.setText(self.tr("Play"))
        self.play_button.setToolTip(self.tr("Play or pause (Space)"))
        self.play_button.setMinimumWidth(86)
        self.position_label = QLabel()
        self.position_label.setObjectName("positionLabel")
        font = self.position_label.font()
        font.setFamily("monospace")
        font.setStyleHint(font.StyleHint.Monospace)
        self.position_label.setFont(font)

        self.speed = QComboBox()
        self.speed.setObjectName("speedBox")
        for speed in SPEEDS:
            self.speed.addItem(self.tr("{0}×").format(QLocale().toString(speed, "g", 3)), speed)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.setToolTip(self.tr("Playback speed; the pitch stays natural ([ and ])"))
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setObjectName("volumeSlider")
        self.volume.setRange(0, MAX_VOLUME)
        self.volume.setValue(100)
        self.volume.setFixedWidth(110)
        self.volume.setToolTip(self.tr("Volume"))
        self.listen = QComboBox()
        self.listen.setObjectName("listenBox")
        for text, who in ((self.tr("Both"), "both"), (self.tr("Agent"), "agent"), (self.tr("Customer"), "customer")):
            self.listen.addItem(text, who)
        self.listen.setToolTip(self.tr("Hear both sides, or only the agent or the customer"))
        self.loop = QCheckBox(self.tr("Loop selection"))
        self.loop.setObjectName("loopBox")
        self.loop.setEnabled(False)
        self.loop.setToolTip(self.tr("Drag across the waveform to select a span, then loop it"))
        self.message = QLabel()
        self.message.setObjectName("playerMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(
            "color: #9b2c2c; background: #fff5f5; border: 1px solid #feb2b2; border-radius: 3px; padding: 4px 8px;"
        )
        self.message.hide()
        self.help_button = QToolButton()
        self.help_button.setText(self.tr("Shortcuts"))
        self.help_button.setToolTip(self.tr("Keyboard shortcuts (F1)"))

        for widget in (self.play_button, self.speed, self.volume, self.listen, self.loop, self.help_button):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        # One line on a wide window; on a narrow one (a laptop at 125 % or 150 %) the
        # controls wrap onto a second line, each label staying with its control.
        row = WrapLayout(spacing=14)
        column.addLayout(row)
        column.addWidget(self.message)  # its own line: a sentence, not a squeezed column
        for group in ((self.play_button, self.position_label), (QLabel(self.tr("Speed")), self.speed),
                      (QLabel(self.tr("Volume")), self.volume), (QLabel(self.tr("Listen to")), self.listen)):
            pair = QHBoxLayout()
            pair.setSpacing(10 if group[0] is self.play_button else 6)
            for widget in group:
                pair.addWidget(widget)
            row.addLayout(pair)
        row.addWidget(self.loop)
        row.addStretch(1)
        row.addWidget(self.help_button)

        self.play_button.clicked.connect(self.play_toggled)
        self.speed.currentIndexChanged.connect(lambda i: self.speed_changed.emit(SPEEDS[i]))
        self.volume.valueChanged.connect(lambda v: self.volume_changed.emit(v / 100.0))
        self.listen.currentIndexChanged.connect(lambda i: self.listen_changed.emit(self.listen.itemData(i)))
        self.loop.toggled.connect(self.loop_changed)
        self.help_button.clicked.connect(self.help_requested)
        self.set_position(0.0, 0.0)

    # --- state shown -------------------------------------------------------------------------

    def set_playing(self, playing: bool) -> None:
        self.play_button.setIcon(self._pause_icon if playing else self._play_icon)
        self.play_button.setText(self.tr("Pause") if playing else self.tr("Play"))

    def set_position(self, position: float, duration: float | None = None) -> None:
        if duration is not None:
            self._duration = duration
        decimals = 1
        self.position_label.setText(
            f"{format_time(position, decimals)} / {format_time(self._duration, decimals)}"
        )

    def set_stereo(self, stereo: bool) -> None:
        """Listening to one side needs a side per channel; mono calls hear both."""
        self.listen.setEnabled(stereo)
        if not stereo:
            self.listen.setCurrentIndex(0)

    def set_loop_available(self, available: bool) -> None:
        self.loop.setEnabled(available)
        if not available:
            self.loop.setChecked(False)

    def speed_value(self) -> float:
        return SPEEDS[self.speed.currentIndex()]

    def step_speed(self, steps: int) -> float:
        """One notch slower (-1) or faster (+1); returns the new speed."""
        index = min(max(self.speed.currentIndex() + steps, 0), len(SPEEDS) - 1)
        self.speed.setCurrentIndex(index)
        return SPEEDS[index]

    def show_error(self, text: str, *, can_retry: bool = True) -> None:
        """Playback is unavailable: say why. A missing sound device may be plugged in
        later, so Play stays enabled to try again; an unreadable recording disables it."""
        self.message.setText(text)
        self.message.setToolTip(text)
        self.message.setVisible(bool(text))
        self.play_button.setEnabled(can_retry or not text)

    def show_sound_problem(self, error: object) -> None:
        """Nothing can be heard: an OutputError (its reason picks the words) or the Player's text."""
        reason = getattr(error, "reason", None)
        text = {
            "no-device": self.tr("No audio output device: connect speakers or a headset, then press Play."),
            "unavailable": self.tr("Sound is not available on this computer (the PortAudio library is missing)."),
            "device-lost": self.tr("The audio device stopped (unplugged?). Press Play to carry on."),
        }.get(reason, self.tr("Cannot play: {0}").format(error))
        self.show_error(text + " " + self.tr("The waveform, transcript and metrics still work."))

    def error(self) -> str:
        return "" if self.message.isHidden() else self.message.text()
