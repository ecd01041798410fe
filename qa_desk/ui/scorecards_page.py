"""The Scorecards area: agents' (or teams') figures for a period, and the way into them.

The filter bar picks the period, team, form and whether rows are agents or teams.
Below it, the centre's figures in one line, notes on how to read them, then the
scorecard as a table or as charts (the team view). A team's row drills down to its
agents; an agent's row opens the agent's detail (evaluations and trends), and an
evaluation there opens its call (``call_requested``).

The scorecard is computed off the GUI thread, and only when the area is on screen:
a lead working in the Calls area does not pay for it. It is computed again each time
the area is shown, since evaluations are submitted meanwhile. The charts (pyqtgraph,
slow to import) are built the first time they are needed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QStyle,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..scoring.scorecards import Scorecard
from .acting import gate, permitted
from .area_page import AreaPage
from .jobs import JobRunner, run_job
from .scorecard_export import ExportBar, ExportRequest
from .scorecard_filters import ScorecardFilterBar, period_text
from .scorecards_model import ScorecardModel

MAX_COLUMN_WIDTH = 200


def load_scorecard(db, period, level, team, form_key, quota, with_lists: bool):
    """Runs on a worker thread, with its own session: the scorecard, and the team and form
    lists for the filters when they are needed (first load, another database)."""
    from ..store.scorecards import form_keys, scorecard, teams

    with db.session() as session:
        lists = (teams(session), form_keys(session)) if with_lists else None
        card = scorecard(session, period, level=level, team=team, form_key=form_key, quota_per_month=quota)
        history = started(session) if card.centre.current.evaluations == 0 else None
    return lists, card, history


def started(session) -> tuple[bool, bool]:
    """Whether the database holds calls, and submitted evaluations (of any period): what an
    empty scorecard's next step depends on."""
    from sqlalchemy import select

    from ..store.models import Call, Evaluation

    calls = session.execute(select(Call.id).limit(1)).first() is not None
    submitted = session.execute(select(Evaluation.id).where(
        Evaluation.status != "draft", Evaluation.calibration_session_id.is_(None)).limit(1)).first() is not None
    return calls, submitted


class ScorecardsPage(QWidget):
    call_requested = Signal(int)  # open this call
    message = Signal(str)  # for the status bar
    area_requested = Signal(str)  # another area of the window (no evaluations yet: "calls", to score some)

    def __init__(self, services, parent: QWidget | None = None, *, today: Callable[[], date] = date.today):
        super().__init__(parent)
        self._services = services
        self._job: JobRunner | None = None
        self._lists_db = None  # the database the team and form lists came from
        self._team_ids: dict[str, int | None] = {}
        self.detail = None  # AgentDetail, built on the first drill-down
        self.team_view = None  # TeamView, built when its tab is first shown

        self.filters = ScorecardFilterBar(today=today)
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setObjectName("exportScorecards")
        self.export_button.setEnabled(False)
        self.summary = QLabel()
        self.summary.setObjectName("centreSummary")
        self.summary.setWordWrap(True)
        self.notes = QLabel()
        self.notes.setObjectName("scorecardNotes")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("QLabel { color: palette(placeholder-text); }")
        self.notes.hide()

        self.export_bar = ExportBar()
        self.export_bar.setObjectName("exportBar")

        self.model = ScorecardModel(self)
        self.table = QTableView()
        self.table.setObjectName("scorecardTable")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # No sort until the lead picks one: the store's team-then-name order reads well.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("scorecardTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.table, self.tr("Table"))
        self._team_placeholder = QWidget()
        self.tabs.addTab(self._team_placeholder, self.tr("Team view"))

        self.empty = AreaPage("", "", self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogInfoView))
        self.empty.setObjectName("noEvaluations")
        self.previous_button = self.empty.add_action(self.tr("Show the previous period"), primary=True)
        self.clear_button = self.empty.add_action(self.tr("Clear filters"))
        self.calls_button = self.empty.add_action(self.tr("Go to Calls"))
        self.calls_button.clicked.connect(lambda: self.area_requested.emit("calls"))
        self.calls_button.hide()
        self.results = QStackedWidget()
        self.results.addWidget(self.tabs)
        self.results.addWidget(self.empty)
        # Until the first scorecard arrives: a calm page saying so, not an empty table.
        self._empty_title().setText(self.tr("Scorecards"))
        self.empty.set_text(self.tr("Loading the scorecard…"))
        self.previous_button.hide()
        self.clear_button.hide()
        self.results.setCurrentWidget(self.empty)

        self.overview = QWidget()
        top = QHBoxLayout()
        top.addWidget(self.filters, 1)
        top.addWidget(self.export_button)
        column = QVBoxLayout(self.overview)
        column.setContentsMargins(12, 12, 12, 12)
        column.setSpacing(8)
        column.addLayout(top)
        column.addWidget(self.summary)
        column.addWidget(self.notes)
        column.addWidget(self.export_bar)
        column.addWidget(self.results, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.overview)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        self.filters.changed.connect(self.reload)
        self.table.activated.connect(self._row_activated)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.previous_button.clicked.connect(lambda: self.filters.set_period(self.filters.period().previous()))
        self.clear_button.clicked.connect(self.filters.clear)
        self.export_button.clicked.connect(self.choose_export_file)
        self.export_bar.message.connect(self.message)
        self.export_bar.running_changed.connect(self._export_running)

    # --- loading -----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not event.spontaneous():
            self.reload()  # evaluations may have been submitted since the area was last shown

    def reload(self) -> None:
        db, settings = self._services.db, self._services.settings
        with_lists = db is not self._lists_db
        if with_lists and self._lists_db is not None:
            # Another database (a reconnect): its teams and forms are not these.
            self.filters.blockSignals(True)
            self.filters.clear()
            self.filters.blockSignals(False)
            if self.detail is not None:
                self.show_overview()
        if self._job is not None:
            self._job.abandon()  # its scorecard is for filters no longer on screen
        f = self.filters
        args = (db, f.period(), f.level(), f.team_name(), f.form_key(), settings.monitoring_quota, with_lists)
        self.summary.setText(self.tr("Loading the scorecard of {0}…").format(period_text(f.period())))
        self._job = run_job(lambda ctx: (db, *load_scorecard(*args)), on_finished=self._loaded,
                            on_failed=self._failed, name="scorecard")

    def is_loading(self) -> bool:
        return self._job is not None and not self._job.is_done()

    def scorecard(self) -> Scorecard | None:
        return self.model.scorecard()

    def _loaded(self, result: object) -> None:
        db, lists, card, history = result
        if lists is not None:
            self._lists_db = db
            team_refs, forms = lists
            self._team_ids = {t.name: t.id for t in team_refs}
            self.filters.set_teams(team_refs)
            self.filters.set_forms(forms)
        thresholds = self._services.settings.thresholds()
        self.model.set_scorecard(card, thresholds)
        self.summary.setText(self._centre_line(card))
        self._show_notes(card)
        counted = card.centre.current.evaluations > 0
        self._offer_export()
        if counted:
            self.results.setCurrentWidget(self.tabs)
            self._size_columns()
            if self.team_view is not None:
                self.team_view.set_scorecard(card, thresholds)
        else:
            self._show_empty(card, history or (True, True))

    def _centre_line(self, card: Scorecard) -> str:
        """The figures of everything on screen: "Centre · November 2026: 48 evaluations · 86.2 % …"."""
        fig, model = card.centre.current, self.model
        parts = [self.tr("1 evaluation") if fig.evaluations == 1 else
                 self.tr("{0} evaluations").format(fig.evaluations)]
        if fig.percent is not None:
            score = self.tr("average {0}").format(model.format(fig.percent, "percent"))
            if card.centre.change is not None:
                score += " " + self.tr("({0} against {1})").format(model.format(card.centre.change, "change"),
                                                                   card.previous_period.label)
            parts.append(score)
        if card.level == "agent" and card.rows:
            behind = len(card.behind_quota())
            parts.append(self.tr("{0} of {1} agents behind the quota of {2}").format(
                behind, len(card.rows), card.rows[0].quota) if behind else self.tr("every agent met the quota"))
        if fig.critical_failures:
            parts.append(self.tr("{0} failed on a critical item").format(fig.critical_failures))
        who = card.team or self.tr("Centre")
        return self.tr("{0} · {1}: {2}").format(who, period_text(card.period), " · ".join(parts))

    def _failed(self, message: str) -> None:
        self.summary.setText(self.tr("Could not load the scorecard: {0}").format(message))
        self.message.emit(self.tr("Could not load the scorecard: {0}").format(message))

    def _show_notes(self, card: Scorecard) -> None:
        notes = []
        if len(card.form_versions) > 1:
            names = ", ".join(f"{v.name} v{v.version}" for v in card.form_versions)
            notes.append(self.tr("Evaluations on {0} form versions ({1}) are combined by percentage; section "
                                 "figures combine only sections with the same key.").format(len(card.form_versions),
                                                                                          names))
        # Notes the store adds later are shown as written (English) rather than dropped.
        notes += [n for n in card.notes if not n.startswith("Evaluations on ")]
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))

    def _show_empty(self, card: Scorecard, history: tuple[bool, bool]) -> None:
        """Why there is nothing to count, and the next step the role may take: clear the
        filters, another period, or (a reviewer or lead) score calls in the Calls area."""
        has_calls, has_evaluations = history
        scores = permitted(self._services, "evaluation.score")
        self.results.setCurrentWidget(self.empty)
        self._empty_title().setText(self.tr("No evaluations in {0}").format(period_text(card.period)))
        filtered = self.filters.has_filters()
        if filtered:
            text = self.tr("No submitted evaluation matches this team and form in the period. Drafts count once "
                           "they are submitted.")
        elif not has_calls:
            self._empty_title().setText(self.tr("No evaluations yet"))
            text = self.tr("Scorecards count submitted evaluations, and there are no calls to evaluate yet: "
                           "import recordings (or load the sample calls) in the Calls area first.")
        elif not has_evaluations:
            self._empty_title().setText(self.tr("No evaluations yet"))
            text = self.tr("Scorecards count submitted evaluations. Score a call to start them: open it in Calls, "
                           "choose a form on its Evaluation tab, answer every item and submit.") if scores else \
                self.tr("Scorecards count the evaluations reviewers and team leads submit; none has been "
                        "submitted yet. They appear here as soon as one is.")
        elif scores:
            text = self.tr("Scorecards appear once the period's calls have been evaluated: they count submitted "
                           "evaluations (drafts count once submitted). Pick another period, or score calls from "
                           "the Calls area.")
        else:
            text = self.tr("Scorecards appear once the period's calls have been evaluated: they count submitted "
                           "evaluations (drafts count once submitted). Pick another period.")
        self.empty.set_text(text)
        self.previous_button.setVisible(has_evaluations or filtered)
        self.clear_button.setVisible(filtered)
        self.calls_button.setVisible(not filtered and (not has_calls or scores))

    def _empty_title(self) -> QLabel:
        return self.empty.findChild(QLabel, "areaTitle")

    def _size_columns(self) -> None:
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            header.resizeSection(column, min(header.sectionSize(column) + 12, MAX_COLUMN_WIDTH))

    def showing(self) -> str:
        """'loading' (the first time), 'table', 'team_view', 'empty' or 'agent' (for tests)."""
        if self.model.scorecard() is None:
            return "loading"
        if self.detail is not None and self.pages.currentWidget() is self.detail:
            return "agent"
        if self.results.currentWidget() is self.empty:
            return "empty"
        return "team_view" if self.tabs.currentIndex() == 1 else "table"

    # --- drill-down --------------------------------------------------------------------------

    def _row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_row(index.row())

    def open_row(self, row: int) -> None:
        """A team opens its agents; an agent opens the agent's detail."""
        card, entry = self.model.scorecard(), self.model.row_at(row)
        if entry.level == "team":
            if entry.id is None:
                self.message.emit(self.tr("Agents without a team cannot be listed on their own yet."))
                return
            self.filters.blockSignals(True)
            self.filters.set_team(entry.name)
            self.filters.set_level("agent")
            self.filters.blockSignals(False)
            self.reload()
            return
        if self.detail is None:
            from .agent_detail import AgentDetail  # pyqtgraph: imported when first needed

            self.detail = AgentDetail(self._services)
            self.detail.back_requested.connect(self.show_overview)
            self.detail.call_requested.connect(self.call_requested)
            self.detail.message.connect(self.message)
            self.pages.addWidget(self.detail)
        self.detail.show_agent(entry, card, team_id=self._team_ids.get(entry.team) if entry.team else None,
                               thresholds=self.model.thresholds())
        self.pages.setCurrentWidget(self.detail)

    def show_overview(self) -> None:
        self.pages.setCurrentWidget(self.overview)
        self.table.setFocus()

    def _tab_changed(self, index: int) -> None:
        if index != 1 or self.team_view is not None:
            return
        from .team_view import TeamView  # pyqtgraph: imported when first needed

        self.team_view = TeamView(self._services)
        self.team_view.agent_requested.connect(self._open_agent_by_id)
        self.team_view.message.connect(self.message)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(1)
        self.tabs.insertTab(1, self.team_view, self.tr("Team view"))
        self.tabs.setCurrentIndex(1)
        self.tabs.blockSignals(False)
        self._team_placeholder.deleteLater()
        card = self.model.scorecard()
        if card is not None:
            self.team_view.set_scorecard(card, self.model.thresholds())

    def _open_agent_by_id(self, level: str, row_id: object) -> None:
        for row in range(self.model.rowCount()):
            entry = self.model.row_at(row)
            if entry.level == level and entry.id == row_id:
                self.open_row(row)
                return

    # --- export ------------------------------------------------------------------------------

    def choose_export_file(self) -> None:
        path = self.export_bar.choose_file(self, self.filters.period())
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> JobRunner | None:
        """Export the scorecard on screen (period, team, form, level) to ``path`` as a job."""
        settings, f = self._services.settings, self.filters
        request = ExportRequest(f.period(), f.level(), f.team_name(), f.form_key(), settings.monitoring_quota,
                                settings.thresholds(), self._services.user)
        return self.export_bar.start(self._services.db, Path(path), request)

    def is_exporting(self) -> bool:
        return self.export_bar.is_running()

    def _export_running(self, running: bool) -> None:
        self._offer_export()

    def apply_role(self) -> None:
        self._offer_export()
        if self.showing() == "empty":
            self.reload()  # its next step depends on the role

    def _offer_export(self) -> None:
        """Export when a scorecard with evaluations is shown, no export runs, and the role
        exports (managers, leads, admins: the export refuses others anyway)."""
        card = self.model.scorecard()
        gate(self.export_button, not self.export_bar.is_running() and card is not None
             and card.centre.current.evaluations > 0, permitted(self._services, "scorecard.export"),
             self.tr("Only a manager, a team lead or an admin exports scorecards"),
             self.tr("Save the scorecard of this period, with its evaluations, answers and flags, "
                     "as an Excel workbook or CSV"))
