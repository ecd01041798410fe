"""Search what was said, across every call: "each call where the customer said 投诉 last week".

Opened from the call library. The reviewer types words, picks who said them (anyone,
the agent, the customer) and a period; the results list each utterance that says
them, newest call first, with the words in bold, and the total. Double-click (or
Enter) opens the call at that moment, with the words highlighted in its transcript.

The search itself is ``store.search.search_transcripts`` (a full-text index), run
in a job: typing waits for a short pause, and an answer to an older question is
dropped when a newer one was asked meanwhile.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..jobs import JobContext
from ..store.database import Database
from .area_page import AreaPage
from .call_filter_bar import PERIODS, date_edit, period_range
from .formatting import moment
from .jobs import JobRunner, run_job
from .waveform import format_time

SEARCH_DELAY_MS = 400
PAGE = 200  # results read at a time ("Show more" reads the next ones)
CONTEXT = 36  # characters kept before the first match of a long utterance
DATE, AGENT, SPEAKER, TIME, SAID = range(5)
HTML_ROLE = Qt.ItemDataRole.UserRole + 1


def snippet_html(text: str, matches, context: int = CONTEXT) -> str:
    """The utterance with its matches in bold, starting a little before the first one."""
    spans = sorted((a, b) for a, b in matches or () if 0 <= a < b <= len(text))
    start = max(0, spans[0][0] - context) if spans else 0
    out, at = ["…" if start else ""], start
    for a, b in spans:
        if b <= at:
            continue
        a = max(a, at)
        out.append(html.escape(text[at:a]))
        out.append(f"<b>{html.escape(text[a:b])}</b>")
        at = b
    out.append(html.escape(text[at:]))
    return "".join(out)


class SearchResultsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._hits: list = []
        self._headers = [self.tr("Date"), self.tr("Agent"), self.tr("Speaker"), self.tr("Time"),
                         self.tr("What was said")]
        self._speakers = {"agent": self.tr("Agent"), "customer": self.tr("Customer"), "mixed": self.tr("Either")}

    def set_hits(self, hits, *, append: bool = False) -> None:
        if append:
            first = len(self._hits)
            self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
            self._hits.extend(hits)
            self.endInsertRows()
        else:
            self.beginResetModel()
            self._hits = list(hits)
            self.endResetModel()

    def hit(self, row: int):
        return self._hits[row]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        hit, column = self._hits[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == DATE:
                return moment(hit.started_at)
            if column == AGENT:
                return hit.agent or ""
            if column == SPEAKER:
                return self._speakers.get(hit.speaker, hit.speaker)
            if column == TIME:
                return format_time(hit.start)
            return hit.snippet
        if role == HTML_ROLE and column == SAID:
            return snippet_html(hit.snippet, hit.matches)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.file_name}\n{hit.snippet}" if column == SAID else hit.file_name
        return None


class SnippetDelegate(QStyledItemDelegate):
    """The utterance as rich text: the searched words in bold."""

    def paint(self, painter, option, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(index.data(HTML_ROLE) or "", option)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = option.state & QStyle.StateFlag.State_Selected
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        painter.save()
        top = option.rect.top() + (option.rect.height() - doc.size().height()) / 2
        painter.translate(option.rect.left() + 4, top)
        painter.setClipRect(QRectF(0, 0, option.rect.width() - 8, doc.size().height()))
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        doc = self._document(index.data(HTML_ROLE) or "", option)
        return QSize(int(doc.idealWidth()) + 8, int(doc.size().height()))

    @staticmethod
    def _document(markup: str, option) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(2)
        doc.setHtml(f"<span style='white-space: pre'>{markup}</span>")
        return doc


class TranscriptSearchDialog(QDialog):
    """Not modal: the reviewer opens a call from the results and comes back for the next."""

    open_requested = Signal(int, float, str)  # call id, the moment (seconds), the words searched

    def __init__(self, db: Database, parent: QWidget | None = None, *, today: Callable[[], date] = date.today):
        super().__init__(parent)
        self.setObjectName("transcriptSearch")
        self.setWindowTitle(self.tr("Search what was said"))
        self._db = db
        self._today = today
        self._job: JobRunner | None = None
        self._asked = 0  # the newest question; older answers are dropped
        self._total = 0
        self._query: tuple | None = None

        self.text = QLineEdit()
        self.text.setObjectName("searchWords")
        self.text.setPlaceholderText(self.tr("Words said in the calls, e.g. 投诉 or refund"))
        self.text.setClearButtonEnabled(True)
        self.text.setMinimumWidth(260)
        self.speaker = QComboBox()
        self.speaker.setObjectName("searchSpeaker")
        for label, key in ((self.tr("Said by anyone"), None), (self.tr("Said by the agent"), "agent"),
                           (self.tr("Said by the customer"), "customer")):
            self.speaker.addItem(label, key)
        self.period = QComboBox()
        self.period.setObjectName("searchPeriod")
        labels = (self.tr("Any time"), self.tr("Today"), self.tr("Last 7 days"), self.tr("Last 30 days"),
                  self.tr("This month"), self.tr("Custom…"))
        for key, label in zip(PERIODS, labels):
            self.period.addItem(label, key)
        self.date_from = date_edit("searchFrom")
        self.date_to = date_edit("searchTo")
        self.dash = QLabel("–")
        self.search_button = QPushButton(self.tr("Search"))
        self.search_button.setObjectName("searchButton")
        self.search_button.setDefault(True)

        self.summary = QLabel()
        self.summary.setObjectName("searchSummary")
        self.more_button = QPushButton(self.tr("Show more"))
        self.more_button.setObjectName("searchMore")
        self.more_button.hide()
        self.model = SearchResultsModel(self)
        self.view = QTableView()
        self.view.setObjectName("searchResults")
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(SAID, SnippetDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.view.setStyleSheet("QTableView::item { padding-left: 6px; padding-right: 6px; }")
        header = self.view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(72)  # short names and times still get air around them
        for column in (DATE, AGENT, SPEAKER, TIME):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SAID, QHeaderView.ResizeMode.Stretch)
        hint = QLabel(self.tr("Double-click a result to open the call at that moment."))
        hint.setStyleSheet("color: palette(placeholder-text);")
        # No result to list: nothing typed yet, no transcript to search, or no utterance says it.
        self.empty = AreaPage("", "", self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView))
        self.empty.setObjectName("searchEmpty")
        self.widen_button = self.empty.add_action(self.tr("Search every call"), primary=True)
        self.widen_button.clicked.connect(self.widen)
        self.widen_button.hide()
        self.results = QStackedWidget()
        self.results.addWidget(self.view)
        self.results.addWidget(self.empty)
        self._transcribed: bool | None = None  # whether any call has a transcript (None: not known yet)
        self._probe: JobRunner | None = None

        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.text, 1)
        for widget in (self.speaker, self.period, self.date_from, self.dash, self.date_to, self.search_button):
            row.addWidget(widget)
        status = QHBoxLayout()
        status.addWidget(self.summary, 1)
        status.addWidget(self.more_button)
        column = QVBoxLayout(self)
        column.addLayout(row)
        column.addLayout(status)
        column.addWidget(self.results, 1)
        column.addWidget(hint)
        self._show_dates()
        self.resize(980, 560)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.search)
        self.text.textChanged.connect(self._debounce.start)
        self.text.returnPressed.connect(self.search)
        self.speaker.currentIndexChanged.connect(self.search)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.date_from.dateChanged.connect(self.search)
        self.date_to.dateChanged.connect(self.search)
        self.search_button.clicked.connect(self.search)
        self.more_button.clicked.connect(self.show_more)
        self.view.activated.connect(self._activated)

    def _show_dates(self) -> None:
        for widget in (self.date_from, self.dash, self.date_to):
            widget.setVisible(self.period.currentData() == "custom")

    def _period_changed(self) -> None:
        self._show_dates()
        self.search()

    def set_database(self, db: Database) -> None:
        self._db = db
        self._asked += 1
        self.model.set_hits([])
        self.summary.clear()
        self.more_button.hide()
        self._transcribed = None
        if self.isVisible():
            self._look_for_transcripts()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self.text.text().strip():
            self._look_for_transcripts()  # calls may have been transcribed since it was last open

    def _look_for_transcripts(self) -> None:
        """Whether there is anything to search: said before the reviewer types in vain."""
        db = self._db
        self._explain(None)
        self._probe = run_job(lambda ctx: _any_transcript(db), on_finished=self._probed,
                              on_failed=lambda _message: None, name="look for transcripts")

    def _probed(self, transcribed: object) -> None:
        self._transcribed = bool(transcribed)
        if not self.text.text().strip():
            self._explain(None)

    def _explain(self, words: str | None) -> None:
        """In place of an empty list: what to type (``words`` None), that no call has a
        transcript yet, or that nobody said ``words`` (and how to look wider)."""
        self.results.setCurrentWidget(self.empty)
        narrowed = self.speaker.currentIndex() > 0 or self.period.currentData() != PERIODS[0]
        self.widen_button.setVisible(words is not None and narrowed and self._transcribed is not False)
        if self._transcribed is False:
            self.empty.set_title(self.tr("No transcripts to search yet"))
            self.empty.set_text(self.tr(
                "This searches what was said in transcribed calls, and no call has been transcribed yet. "
                "Transcribe calls first: select them in Calls and choose Transcribe (a speech model for their "
                "language must be installed: Settings → Speech models)."))
        elif words is None:
            self.empty.set_title(self.tr("Search what was said"))
            self.empty.set_text(self.tr(
                "Type words said in the calls, e.g. 投诉 or refund: every utterance that says them is listed, "
                "newest call first. Pick who said them and when to narrow the search."))
        else:
            self.empty.set_title(self.tr("Nobody said “{0}”").format(words))
            self.empty.set_text(self.tr(
                "No utterance of the transcribed calls says it, with the speaker and period chosen. Try fewer or "
                "other words, or search every call. Calls not transcribed yet are not searched.") if narrowed else
                self.tr("No utterance of the transcribed calls says it. Try fewer or other words; calls not "
                        "transcribed yet are not searched."))

    def widen(self) -> None:
        """Anyone, any time: the same words over every transcribed call."""
        self.speaker.blockSignals(True)
        self.period.blockSignals(True)
        self.speaker.setCurrentIndex(0)
        self.period.setCurrentIndex(0)
        self.speaker.blockSignals(False)
        self.period.blockSignals(False)
        self._show_dates()
        self.search()

    # --- searching ---------------------------------------------------------------------------

    def current_query(self) -> tuple:
        """(words, speaker, since, until) as the store's search takes them."""
        since, until = period_range(self.period.currentData(), self._today(),
                                    self.date_from.date().toPython(), self.date_to.date().toPython())
        return self.text.text().strip(), self.speaker.currentData(), since, until

    def is_searching(self) -> bool:
        return any(job is not None and not job.is_done() for job in (self._job, self._probe))

    def search(self) -> None:
        self._debounce.stop()
        query = self.current_query()
        self._query = query
        self._asked += 1
        if not query[0]:
            self.model.set_hits([])
            self.summary.setText(self.tr("Type the words to look for."))
            self.more_button.hide()
            self._explain(None)
            return
        self.summary.setText(self.tr("Searching…"))
        self._run(query, 0)

    def show_more(self) -> None:
        if self._query is not None and self.model.rowCount() < self._total:
            self._run(self._query, self.model.rowCount())

    def _run(self, query: tuple, offset: int) -> None:
        words, speaker, since, until = query
        db, asked = self._db, self._asked

        def job(ctx: JobContext):
            from ..store.search import search_transcripts

            with db.session() as session:
                found = search_transcripts(session, words, speaker=speaker, since=since, until=until,
                                           limit=PAGE, offset=offset)
                # Nothing found: because nobody said it, or because nothing is transcribed yet?
                return asked, offset, found, found.total > 0 or _has_transcripts(session)

        self._job = run_job(job, on_finished=self._found, on_failed=self._failed, name="search transcripts")

    def _found(self, result: object) -> None:
        asked, offset, found, transcribed = result
        if asked != self._asked:
            return  # the reviewer asked something else meanwhile
        self._transcribed = bool(transcribed)
        self._total = found.total
        self.model.set_hits(found.hits, append=offset > 0)
        shown, total, words = self.model.rowCount(), found.total, self._query[0]
        locale = QLocale()
        if total == 0:
            text = self.tr("Nobody said “{0}” in these calls.").format(words)
        elif total == 1:
            text = self.tr("1 utterance says it.")
        else:
            text = self.tr("{0} utterances say it.").format(locale.toString(total))
        if shown < total:
            text += " " + self.tr("Showing the newest {0}.").format(locale.toString(shown))
        self.summary.setText(text)
        self.more_button.setVisible(shown < total)
        if offset == 0 and shown:
            self.view.scrollToTop()
        if shown:
            self.results.setCurrentWidget(self.view)
        else:
            self._explain(words)

    def _failed(self, message: str) -> None:
        self.summary.setText(self.tr("The search failed: {0}").format(message))

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            hit = self.model.hit(index.row())
            self.open_requested.emit(hit.call_id, float(hit.start), self._query[0] if self._query else "")


def _has_transcripts(session) -> bool:
    """Whether any call has a transcript (asked on a worker thread: one row read)."""
    from sqlalchemy import select

    from ..store.models import Transcript

    return session.execute(select(Transcript.id).limit(1)).first() is not None


def _any_transcript(db: Database) -> bool:
    with db.session() as session:
        return _has_transcripts(session)
