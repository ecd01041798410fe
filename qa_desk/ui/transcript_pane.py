"""The transcript beside the waveform: who said what when, the word being heard, search.

The document is built once per transcript; everything that changes while the call
plays (the current word, the search hits) is drawn as QTextEdit extra selections,
which paint over the text without re-laying it out: a 60-minute call's transcript
follows the playhead at 30 Hz without a stutter.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..store.transcripts import TranscriptView
from ..transcription.formats import SRT, VOSK_JSON, WEBVTT
from .waveform import LANE_COLOURS, format_time

READER_PAUSE = 4.0  # seconds after the reviewer scrolls before the text follows the call again
WORD_COLOUR = QColor("#f6e05e")
UTTERANCE_COLOUR = QColor("#ebf8ff")
MATCH_COLOUR = QColor("#fefcbf")
CURRENT_MATCH_COLOUR = QColor("#f6ad55")


def _cjk(char: str) -> bool:
    code = ord(char)
    return 0x3000 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def join_words(words: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Words as one line of text, and each word's (start, end) in it.

    Chinese runs together as it is written (工号1023为您); other words are spaced,
    and no space goes before punctuation.
    """
    text, spans = "", []
    for word in words:
        if text and not (_cjk(text[-1]) or _cjk(word[0])) and word[0] not in ",.!?;:，。！？；：、）)":
            text += " "
        spans.append((len(text), len(text) + len(word)))
        text += word
    return text, spans


@dataclass(frozen=True)
class _Spot:
    """A stretch of the document with its time in the call: a word, or a whole utterance."""

    first: int  # character positions in the document
    last: int
    start: float  # seconds
    end: float
    utterance: int


class EmptyState(QWidget):
    """What the pane shows without a transcript: why, and what can be done about it
    (transcribe the call, follow its progress, try again after a failure)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.message = QLabel()
        self.message.setObjectName("transcriptEmpty")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: palette(placeholder-text);")
        self.detail = QLabel()
        self.detail.setObjectName("transcriptEmptyDetail")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setObjectName("transcriptProgress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(220)
        self.button = QPushButton()
        self.button.setObjectName("transcribeCall")
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 24, 24, 24)
        column.setSpacing(10)
        column.addStretch(1)
        column.addWidget(self.message)
        column.addWidget(self.detail)
        column.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(1)

    def text(self) -> str:
        return self.message.text()

    def show_state(self, message: str, *, detail: str = "", progress: float | None = None,
                   button: str = "") -> None:
        self.message.setText(message)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.progress.setVisible(progress is not None)
        if progress is not None:
            self.progress.setValue(int(round(progress * 1000)))
        self.button.setText(button)
        self.button.setVisible(bool(button))


class TranscriptPane(QWidget):
    seek_requested = Signal(float)
    transcribe_requested = Signal()  # "Transcribe" / "Try again" on a call without a transcript

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._transcript: TranscriptView | None = None
        self._spots: list[_Spot] = []
        self._spot_starts: list[float] = []
        self._utterance_ranges: list[tuple[int, int]] = []
        self._by_place: list[_Spot] = []
        self._place_starts: list[int] = []
        self._current: int | None = None
        self._matches: list[tuple[int, int]] = []
        self._match_index = -1
        self._status: str | None = None  # the call's transcription: none, queued, running, done…
        self._progress = 0.0
        self._error: str | None = None
        # The call's flags: what was given (kept to map again onto a new transcript),
        # and where their words are in the document: (key, first, last, colour).
        self._flag_input: list[tuple[object, str | None, list[tuple[float, float]], str]] = []
        self._flag_ranges: list[tuple[object, int, int, QColor]] = []
        self._selected_flag: object = None

        self.title = QLabel(self.tr("Transcript"))
        self.title.setObjectName("transcriptTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.source = QLabel()
        self.source.setObjectName("transcriptSource")
        self.source.setStyleSheet("color: palette(placeholder-text);")

        self.search = QLineEdit()
        self.search.setObjectName("transcriptSearch")
        self.search.setPlaceholderText(self.tr("Search this call"))
        self.search.setClearButtonEnabled(True)
        self.previous_button = QToolButton()
        self.previous_button.setText("▲")
        self.previous_button.setToolTip(self.tr("Previous match (Shift+Enter)"))
        self.next_button = QToolButton()
        self.next_button.setText("▼")
        self.next_button.setToolTip(self.tr("Next match (Enter)"))
        self.match_label = QLabel()
        self.match_label.setObjectName("matchCount")
        self.match_label.setMinimumWidth(64)
        self.match_label.setStyleSheet("color: palette(placeholder-text);")

        self.text = QTextEdit()
        self.text.setObjectName("transcriptText")
        self.text.setReadOnly(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self.text.viewport().installEventFilter(self)
        self.text.document().setDocumentMargin(10)
        # Following the playback must not fight a reviewer scrolling to read ahead.
        self._scrolling_myself = False
        self._reader_scrolled_at = -READER_PAUSE
        self.text.verticalScrollBar().valueChanged.connect(self._scrolled)

        self.empty = EmptyState()
        self.empty.button.clicked.connect(self.transcribe_requested)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.text)

        self.heading = heading = QHBoxLayout()  # the call view adds its transcript actions here
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.source)
        self.search_row = QWidget()
        row = QHBoxLayout(self.search_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.search, 1)
        row.addWidget(self.match_label)
        row.addWidget(self.previous_button)
        row.addWidget(self.next_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 8, 8, 8)
        column.setSpacing(6)
        column.addLayout(heading)
        column.addWidget(self.search_row)
        column.addWidget(self.pages, 1)

        self.search.textChanged.connect(self.find)
        self.search.returnPressed.connect(self.find_next)
        QShortcut(QKeySequence("Shift+Return"), self.search, self.find_previous,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.next_button.clicked.connect(self.find_next)
        self.previous_button.clicked.connect(self.find_previous)
        self.set_transcript(None)

    # --- content -----------------------------------------------------------------------

    def speaker_name(self, speaker: str) -> str:
        names = {"agent": self.tr("Agent"), "customer": self.tr("Customer"), "mixed": self.tr("Speaker")}
        return names.get(speaker, speaker.capitalize() or self.tr("Speaker"))

    def set_transcript(self, transcript: TranscriptView | None) -> None:
        self._transcript = transcript
        self._spots, self._spot_starts, self._utterance_ranges = [], [], []
        self._by_place, self._place_starts = [], []
        self._current = None
        self.text.clear()
        has_text = bool(transcript and transcript.utterances)
        self.pages.setCurrentWidget(self.text if has_text else self.empty)
        self.search_row.setVisible(has_text)
        self._show_status()
        if has_text:
            self._build(transcript)
        self._map_flags()
        self.find(self.search.text())

    def has_transcript(self) -> bool:
        return bool(self._spots)

    def transcript(self) -> TranscriptView | None:
        return self._transcript

    def selected_span(self) -> tuple[float, float] | None:
        """The lines the reader selected, whole: from the first one's start to the last one's end."""
        cursor = self.text.textCursor()
        if not cursor.hasSelection() or self._transcript is None:
            return None
        first, last = cursor.selectionStart(), cursor.selectionEnd()
        lines = {s.utterance for s in self._by_place if s.last > first and s.first < last}
        if not lines:
            return None
        chosen = [self._transcript.utterances[i] for i in sorted(lines)]
        return min(u.start for u in chosen), max(u.end for u in chosen)

    def set_transcription(self, status: str | None, progress: float | None = None,
                          error: str | None = None) -> None:
        """Where the call's transcription stands (the library's transcript status, and
        the job's progress and error while there is one)."""
        self._status = status
        self._progress = progress or 0.0
        self._error = error
        self._show_status()

    def transcription_text(self) -> str:
        """What the pane says about the transcription (the empty page, or the source line)."""
        return self.empty.text() if self.pages.currentWidget() is self.empty else self.source.text()

    def source_text(self, transcript) -> str:
        """Where the transcript came from: Vosk's model by its name, or an attached file
        by its format (stored as English words: shown in the user's)."""
        engines = {"imported": self.tr("imported"), "vosk": "Vosk"}
        formats = {VOSK_JSON: self.tr("Vosk result JSON"), SRT: self.tr("SRT file"), WEBVTT: self.tr("WebVTT file")}
        engine = engines.get(transcript.engine, transcript.engine)
        return f"{engine} · {formats.get(transcript.model_name, transcript.model_name)}"

    def _show_status(self) -> None:
        status, transcript = self._status, self._transcript
        percent = round(self._progress * 100)
        if transcript is not None and transcript.utterances:
            # A transcript on screen: say in the source line that a new one is on its way.
            if status == "running":
                self.source.setText(self.tr("Transcribing again… {0}%").format(percent))
            elif status == "queued":
                self.source.setText(self.tr("Waiting to be transcribed again"))
            else:
                self.source.setText(self.source_text(transcript))
            return
        self.source.setText(self.source_text(transcript) if transcript else "")
        if status == "opening":
            self.empty.show_state("")  # the call is still being read
        elif status == "running":
            self.empty.show_state(self.tr("Transcribing… {0}%").format(percent), progress=self._progress)
        elif status == "queued":
            self.empty.show_state(self.tr("Waiting to be transcribed…"), progress=0.0)
        elif status == "failed":
            self.empty.show_state(self.tr("The transcription failed."), detail=self._error or "",
                                  button=self.tr("Try again"))
        elif status == "done" or transcript is not None:
            self.empty.show_state(self.tr("No speech was recognised in this call."))
        elif status == "cancelled":
            self.empty.show_state(self.tr("The transcription was cancelled."), button=self.tr("Transcribe"))
        else:
            self.empty.show_state(self.tr("Not transcribed yet"), button=self.tr("Transcribe"))

    def _build(self, transcript: TranscriptView) -> None:
        doc = self.text.document()
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        base = QTextCharFormat()
        time_format = QTextCharFormat()
        time_format.setForeground(QColor("#718096"))
        for index, utterance in enumerate(transcript.utterances):
            if index:
                cursor.insertBlock()
            block = cursor.blockFormat()
            block.setTopMargin(8 if index else 0)
            cursor.setBlockFormat(block)
            speaker = QTextCharFormat()
            speaker.setFontWeight(QFont.Weight.Bold)
            speaker.setForeground(QColor(LANE_COLOURS.get(utterance.speaker, LANE_COLOURS["mixed"])))
            cursor.insertText(self.speaker_name(utterance.speaker), speaker)
            cursor.insertText("  " + format_time(utterance.start), time_format)
            cursor.insertBlock()
            block.setTopMargin(0)  # the words sit right under their speaker
            cursor.setBlockFormat(block)
            origin = cursor.position()
            if utterance.words:
                line, spans = join_words([w.word for w in utterance.words])
                cursor.insertText(line, base)
                for word, (a, b) in zip(utterance.words, spans):
                    self._spots.append(_Spot(origin + a, origin + b, word.start, word.end, index))
            else:  # no word times: the utterance is one spot
                cursor.insertText(utterance.text, base)
                self._spots.append(_Spot(origin, cursor.position(), utterance.start, utterance.end, index))
            self._utterance_ranges.append((origin, cursor.position()))
        cursor.endEditBlock()
        # Spots sorted by time (utterances can overlap: both talking at once).
        self._spots.sort(key=lambda s: (s.start, s.first))
        self._spot_starts = [s.start for s in self._spots]
        self._by_place = sorted(self._spots, key=lambda s: s.first)
        self._place_starts = [s.first for s in self._by_place]
        self.text.verticalScrollBar().setValue(0)

    # --- following the call --------------------------------------------------------------

    def set_position(self, seconds: float, *, follow: bool = False) -> None:
        """Highlight the word being heard; while playing (follow) keep it in sight."""
        index = bisect.bisect_right(self._spot_starts, seconds) - 1
        if index >= 0:
            # The word heard last stays lit through a short pause, not a long one.
            if seconds > self._spots[index].end + 1.5:
                index = -1
        current = index if index >= 0 else None
        if current == self._current:
            return
        self._current = current
        self._paint()
        reading = time.monotonic() - self._reader_scrolled_at < READER_PAUSE
        if follow and current is not None and not reading:
            self._reveal(self._spots[current].first)

    def current_word(self) -> str | None:
        if self._current is None:
            return None
        spot = self._spots[self._current]
        return self.text.document().toPlainText()[spot.first:spot.last]

    def spot_for_word(self, occurrence: str) -> tuple[int, float] | None:
        """The first spot whose text is `occurrence`: (document position, start) — for tests."""
        plain = self.text.document().toPlainText()
        for spot in self._spots:
            if plain[spot.first:spot.last] == occurrence:
                return (spot.first + spot.last) // 2, spot.start
        return None

    def point_for_position(self, position: int):
        """Where a document position is drawn in the text's viewport."""
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(position)
        return self.text.cursorRect(cursor).center()

    def _reveal(self, position: int) -> None:
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(position)
        rect = self.text.cursorRect(cursor)
        view = self.text.viewport().rect()
        if not view.adjusted(0, 20, 0, -20).contains(rect):
            bar = self.text.verticalScrollBar()
            self._scrolling_myself = True
            bar.setValue(bar.value() + rect.center().y() - view.height() // 3)
            self._scrolling_myself = False

    def _scrolled(self) -> None:
        if not self._scrolling_myself:
            self._reader_scrolled_at = time.monotonic()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (watched is self.text.viewport() and event.type() == QEvent.Type.MouseButtonRelease
                and event.button() == Qt.MouseButton.LeftButton
                and not self.text.textCursor().hasSelection()):  # a drag selects text to copy
            position = self.text.cursorForPosition(event.position().toPoint()).position()
            spot = self._spot_at(position)
            if spot is not None:
                self.seek_requested.emit(spot.start)
        return super().eventFilter(watched, event)

    def _spot_at(self, position: int) -> _Spot | None:
        index = bisect.bisect_right(self._place_starts, position) - 1
        if index >= 0 and self._by_place[index].first <= position <= self._by_place[index].last:
            return self._by_place[index]
        # Between words (a space, a speaker's name): the next word.
        return self._by_place[index + 1] if index + 1 < len(self._by_place) else None

    # --- flags ------------------------------------------------------------------------------

    def set_flag_words(self, flags: list[tuple[object, str | None, list[tuple[float, float]], str]]) -> None:
        """Tint the words the call's flags point at: (key, speaker or None, each word's
        (start, end) in seconds, the severity's colour)."""
        self._flag_input = list(flags)
        self._map_flags()
        self._paint()

    def select_flag(self, key: object) -> None:
        """Tint one flag's words more strongly and bring them into view."""
        self._selected_flag = key
        first = next((a for k, a, _b, _c in self._flag_ranges if k == key and key is not None), None)
        if first is not None:
            self._reveal(first)
        self._paint()

    def flag_words(self, key: object = None) -> list[str]:
        """The text tinted for a flag (every flag's when key is None), in document order."""
        plain = self.text.document().toPlainText()
        return [plain[a:b] for k, a, b, _c in sorted(self._flag_ranges, key=lambda r: r[1]) if key in (None, k)]

    def _map_flags(self) -> None:
        self._flag_ranges = []
        utterances = self._transcript.utterances if self._transcript else []
        for key, speaker, spans, colour in self._flag_input:
            per_utterance: dict[int, tuple[int, int]] = {}
            for start, end in spans:
                for spot in self._spots_during(start, end):
                    if speaker and utterances[spot.utterance].speaker not in (speaker, "mixed"):
                        continue
                    a, b = per_utterance.get(spot.utterance, (spot.first, spot.last))
                    per_utterance[spot.utterance] = (min(a, spot.first), max(b, spot.last))
            self._flag_ranges.extend((key, a, b, QColor(colour)) for a, b in per_utterance.values())

    def _spots_during(self, start: float, end: float) -> list[_Spot]:
        """The words said between start and end (the one being said at start, at least)."""
        if not self._spots:
            return []
        found = []
        index = bisect.bisect_left(self._spot_starts, start - 0.05)
        while index < len(self._spots) and self._spots[index].start < max(end - 0.01, start):
            if self._spots[index].end > start + 0.01 or self._spots[index].start >= start - 0.05:
                found.append(self._spots[index])
            index += 1
        if not found:  # no word times: the utterance spot that holds the moment
            last = bisect.bisect_right(self._spot_starts, start)
            found = [s for s in self._spots[max(0, last - 50):last] if s.start <= start <= s.end][-1:]
        return found

    # --- search ---------------------------------------------------------------------------

    def find(self, text: str) -> int:
        """Highlight every occurrence of text (case-insensitive); returns how many."""
        needle = text.strip().casefold()
        self._matches = []
        if needle and self._spots:
            plain = self.text.document().toPlainText().casefold()
            at = plain.find(needle)
            while at >= 0:
                self._matches.append((at, at + len(needle)))
                at = plain.find(needle, at + len(needle))
        self._match_index = 0 if self._matches else -1
        self._show_match()
        return len(self._matches)

    def find_next(self) -> None:
        if self._matches:
            self._match_index = (self._match_index + 1) % len(self._matches)
            self._show_match()

    def find_previous(self) -> None:
        if self._matches:
            self._match_index = (self._match_index - 1) % len(self._matches)
            self._show_match()

    def matches(self) -> list[str]:
        plain = self.text.document().toPlainText()
        return [plain[a:b] for a, b in self._matches]

    def current_match(self) -> int:
        return self._match_index

    def _show_match(self) -> None:
        if not self.search.text().strip():
            self.match_label.clear()
        elif not self._matches:
            self.match_label.setText(self.tr("No match"))
        else:
            self.match_label.setText(self.tr("{0} of {1}").format(self._match_index + 1, len(self._matches)))
            self._reveal(self._matches[self._match_index][0])
        self._paint()

    def _paint(self) -> None:
        selections = []

        def mark(first: int, last: int, colour: QColor) -> None:
            selection = QTextEdit.ExtraSelection()
            selection.cursor = QTextCursor(self.text.document())
            selection.cursor.setPosition(first)
            selection.cursor.setPosition(last, QTextCursor.MoveMode.KeepAnchor)
            selection.format.setBackground(colour)
            selections.append(selection)

        current = self._spots[self._current] if self._current is not None else None
        if current is not None:
            mark(*self._utterance_ranges[current.utterance], UTTERANCE_COLOUR)
        for key, first, last, colour in self._flag_ranges:
            tint = QColor(colour)
            tint.setAlpha(110 if key == self._selected_flag and key is not None else 45)
            mark(first, last, tint)
            selections[-1].format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            selections[-1].format.setUnderlineColor(colour)
        if current is not None:
            mark(current.first, current.last, WORD_COLOUR)
        for i, (first, last) in enumerate(self._matches):
            mark(first, last, CURRENT_MATCH_COLOUR if i == self._match_index else MATCH_COLOUR)
        self.text.setExtraSelections(selections)
