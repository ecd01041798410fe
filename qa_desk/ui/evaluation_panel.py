"""The evaluation panel of the call view: score the call on a form, beside its flags.

Pick a form (the team's usual one is offered first) and start: the answers the call's
flags suggest are filled in and marked. Answer with the buttons or the keyboard (↑/↓
to move between items, Y / P / N / A for N/A, a digit on a scale); the running total
and each section's subtotal follow every answer, and a banner says when a critical
item has failed. Every answer is saved as it is given (and anything in flight when
the call is closed): a draft is never lost. Comments go on an item or on a moment of the call (at
the playhead, or on the selected span), shown as marks on the waveform. Submit when
every item is answered; after that the agent's acknowledgement, a dispute and a lead's
resolution (which may re-score) are steps here too, each kept in the history.

All reading and writing runs in jobs off the GUI thread (``qa_desk.reviewing`` and
``qa_desk.store.evaluations``); a save refused because someone else saved first says
so and reloads.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .. import reviewing
from ..permissions import Actor, PermissionDenied, can
from ..scoring.score import score_form
from ..store import evaluations as store
from .evaluation_history import HistoryDialog
from .evaluation_items import CRITICAL_STYLE, ItemRow, SectionBox
from .formatting import number, percent
from .jobs import JobRunner, run_job
from .waveform import format_time
from .wrap_layout import WrapLayout

# Answers are written as soon as the event loop is free (one save at a time; answers
# given meanwhile go in the next): a crash right after a click loses nothing.
SAVE_DELAY_MS = 0
# A refusal (PermissionDenied) is an answer for the user too, not a crash.
EXPECTED = (LookupError, ValueError, store.ConcurrentEdit, PermissionDenied)


class EvaluationPanel(QWidget):
    markers_changed = Signal(list)  # [(seconds, "comment", tooltip)] for the waveform
    flag_requested = Signal(int)
    seek_requested = Signal(float)
    message = Signal(str)
    saved = Signal()  # answers reached the database
    step_done = Signal(str)  # submitted, acknowledged, disputed, resolved: the new status

    def __init__(self, db, *, reviewer: Callable[[], Actor | str], language: Callable[[], str] = lambda: "zh",
                 position: Callable[[], float] = lambda: 0.0,
                 selection: Callable[[], tuple[float, float] | None] = lambda: None, parent: QWidget | None = None):
        super().__init__(parent)
        self._db, self._reviewer, self._language = db, reviewer, language
        self._position, self._selection = position, selection
        self._call_id: int | None = None
        self._sheet: reviewing.ReviewSheet | None = None
        self._calibration: int | None = None  # the calibration session of the sheet shown, if any
        self._loads = 0
        self._view: store.EvaluationView | None = None
        self._form = None
        self._answers: dict[str, str | None] = {}
        self._pending: dict[str, store.AnswerEdit] = {}
        self._saving: JobRunner | None = None
        self._jobs: list[JobRunner] = []
        self._built: str | None = None  # content hash of the form version the rows are built for
        self.sections: list[SectionBox] = []
        self.rows: list[ItemRow] = []

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: palette(placeholder-text);")
        # Page 1: choose a form and start.
        self.form_choice = QComboBox()
        self.form_choice.setObjectName("formChoice")
        self.start_button = QPushButton(self.tr("Start evaluation"))
        self.start_button.setObjectName("startEvaluation")
        self.start_button.clicked.connect(self.start)
        start_page = QWidget()
        start = QVBoxLayout(start_page)
        intro = QLabel(self.tr("Score this call on an evaluation form. Answers the call's flags suggest are "
                               "filled in for you to check."))
        intro.setWordWrap(True)
        # Hidden from a role that does not score: the status above says who does.
        self.start_row = QWidget()
        row = QHBoxLayout(self.start_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(self.tr("Form:")))
        row.addWidget(self.form_choice, 1)
        row.addWidget(self.start_button)
        self.start_intro = intro
        start.addWidget(intro)
        start.addWidget(self.start_row)
        start.addStretch(1)
        # Page 2: the sheet.
        self.title = QLabel()
        self.title.setObjectName("evaluationTitle")
        self.title.setWordWrap(True)
        self.banner = QLabel()
        self.banner.setObjectName("criticalBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fed7d7; color: #9b2c2c; padding: 6px; font-weight: bold;")
        self.banner.hide()
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.body)
        self.moments = QListWidget()
        self.moments.setObjectName("timedComments")
        self.moments.setMaximumHeight(52)
        self.moments.itemActivated.connect(self._moment_clicked)
        self.moments.itemClicked.connect(self._moment_clicked)
        self.total = QLabel()
        self.total.setObjectName("evaluationTotal")
        font = self.total.font()
        font.setBold(True)
        self.total.setFont(font)
        self.comment_button = QPushButton(self.tr("Comment at playhead…"))
        self.comment_button.setToolTip(self.tr("A comment on the selected span, or at the playhead"))
        self.comment_button.clicked.connect(self.ask_timed_comment)
        self.submit_button = QPushButton(self.tr("Submit"))
        self.submit_button.setObjectName("submitEvaluation")
        self.submit_button.clicked.connect(self.submit)
        self.ack_button = QPushButton(self.tr("Acknowledge"))
        self.ack_button.clicked.connect(self.acknowledge)
        self.dispute_button = QPushButton(self.tr("Dispute…"))
        self.dispute_button.clicked.connect(self.ask_dispute)
        self.resolve_button = QPushButton(self.tr("Resolve…"))
        self.resolve_button.clicked.connect(self.ask_resolve)
        self.history_button = QPushButton(self.tr("History…"))
        self.history_button.clicked.connect(self.show_history)
        footer = WrapLayout(spacing=6)  # the buttons wrap under the total in a narrow pane
        footer.addWidget(self.total, 1)
        for button in (self.comment_button, self.ack_button, self.dispute_button, self.resolve_button,
                       self.history_button, self.submit_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            footer.addWidget(button)
        sheet_page = QWidget()
        sheet = QVBoxLayout(sheet_page)
        sheet.setContentsMargins(0, 0, 0, 0)
        sheet.addWidget(self.title)
        sheet.addWidget(self.banner)
        sheet.addWidget(self.scroll, 1)
        sheet.addWidget(self.moments)
        sheet.addLayout(footer)
        self.pages = QStackedWidget()
        self.pages.addWidget(start_page)
        self.pages.addWidget(sheet_page)
        # A calibration sheet says so: the others' scores stay hidden until this one is submitted.
        self.calibration_banner = QLabel(self.tr("Calibration sheet, scored blind: the others' scores "
                                                 "appear in the session once you submit."))
        self.calibration_banner.setObjectName("calibrationBanner")
        self.calibration_banner.setWordWrap(True)
        self.calibration_banner.setStyleSheet("background: palette(alternate-base); padding: 4px;")
        self.calibration_banner.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.calibration_banner)
        column.addWidget(self.status)
        column.addWidget(self.pages, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self._save)
        self.clear()

    # --- loading ------------------------------------------------------------------------

    def set_database(self, db) -> None:
        self.flush_now()
        self._db = db

    def load(self, call_id: int, calibration_session: int | None = None) -> None:
        """The call's evaluation for this reviewer; with ``calibration_session``, their blind
        sheet in that calibration session instead (never shown in the normal review)."""
        if call_id != self._call_id:
            self.flush_now()
        self._call_id = call_id
        self._calibration = calibration_session
        self.calibration_banner.setVisible(calibration_session is not None)
        self.status.setText(self.tr("Reading the evaluation…"))
        db, who, language = self._db, self._name(), self._language()
        # Only the newest load's answer is shown: a call opened for calibration first asks for
        # its normal evaluation, and that answer must not replace the calibration sheet.
        self._loads += 1
        mine = self._loads
        shown = lambda sheet: self._opened(sheet) if mine == self._loads else None  # noqa: E731
        if calibration_session is not None:
            actor = self._reviewer()
            self._run(lambda ctx: reviewing.open_calibration_sheet(db, calibration_session, call_id, actor),
                      shown, "open calibration sheet")
        else:
            self._run(lambda ctx: reviewing.open_sheet(db, call_id, who, language), shown, "open evaluation")

    def calibration_session(self) -> int | None:
        return self._calibration

    def _name(self) -> str:
        """The reviewer's name (what their evaluations are found by); ``reviewer`` gives the
        signed-in Actor, or a stored user's name, which the store checks either way."""
        who = self._reviewer()
        return who.name if isinstance(who, Actor) else who

    def clear(self) -> None:
        self.flush_now()
        self._call_id, self._sheet, self._view, self._form = None, None, None, None
        self._answers, self._pending = {}, {}
        self.pages.setCurrentIndex(0)
        self.form_choice.clear()
        self.start_button.setEnabled(False)
        self.status.setText("")

    def _run(self, fn, finished, name: str) -> JobRunner:
        self._jobs = [job for job in self._jobs if not job.is_done()]
        job = run_job(fn, on_finished=finished, on_failed=self._failed, expected=EXPECTED, name=name)
        self._jobs.append(job)
        return job

    def _failed(self, message: str) -> None:
        self.status.setText(message)
        self.message.emit(message)
        if "since you opened it" in message and self._call_id is not None:
            self._pending = {}
            self.load(self._call_id, self._calibration)  # show what the other person saved

    def _opened(self, sheet: object) -> None:
        if not isinstance(sheet, reviewing.ReviewSheet) or sheet.call_id != self._call_id:
            return  # another call was opened meanwhile
        self._sheet = sheet
        self.form_choice.clear()
        for form in sheet.forms:
            self.form_choice.addItem(self.tr("{0} (v{1})").format(form.name, form.version), form.id)
        if sheet.default_form_id is not None:
            self.form_choice.setCurrentIndex(self.form_choice.findData(sheet.default_form_id))
        self.start_button.setEnabled(bool(sheet.forms))
        if sheet.evaluation is None:
            self.pages.setCurrentIndex(0)
            self.status.setText(self._why_not_started(sheet))
            self.markers_changed.emit([])
            return
        self._show(sheet.evaluation, sheet.form)

    def _why_not_started(self, sheet) -> str:
        """No evaluation of the call yet: nothing to add when the user can start one; else why
        not (no form yet, or a role that does not score) and who does. A role that may not
        score is not offered the start button."""
        who = self._reviewer()
        scores = not isinstance(who, Actor) or can(who, "evaluation.score")  # a bare name: the store decides
        self.start_button.setEnabled(bool(sheet.forms) and scores)
        self.start_button.setToolTip("" if scores else self.tr("Only a reviewer, a team lead or an admin scores calls"))
        self.start_intro.setVisible(scores)
        self.start_row.setVisible(scores)
        if not scores:
            return self.tr("No evaluation of this call yet. Reviewers and team leads score calls; once one is "
                           "submitted, it shows here.")
        if not sheet.forms:
            return (self.tr("There is no evaluation form yet: add one in Forms.")
                    if not isinstance(who, Actor) or can(who, "form.edit") else
                    self.tr("There is no evaluation form yet: a team lead adds them in Forms."))
        return ""

    def start(self) -> None:
        form_id = self.form_choice.currentData()
        if self._call_id is None or form_id is None:
            return
        self.start_button.setEnabled(False)
        # The signed-in Actor itself (not their name): the store checks the role it carries.
        call_id, db, who = self._call_id, self._db, self._reviewer()
        self.status.setText(self.tr("Starting…"))
        self._run(lambda ctx: reviewing.start_evaluation(db, call_id, form_id, who), self._opened, "start evaluation")

    # --- the sheet ----------------------------------------------------------------------

    def _show(self, view: store.EvaluationView, form) -> None:
        self._view, self._form = view, form
        self._answers = {key: a.value for key, a in view.answers.items()}
        self.pages.setCurrentIndex(1)
        self.status.setText("")
        if self._built != form.content_hash:  # the same form version keeps its widgets
            self._build(form)
        for row in self.rows:
            answer = view.answers.get(row.item.key)
            row.set_suggestion(answer.suggested_value if answer else None,
                               answer.suggested_by_rule if answer else None,
                               answer.suggested_flag_id if answer else None)
            row.set_value(self._answers.get(row.item.key))
            row.set_comment(answer.comment if answer else None)
        self._show_moments(view.timed_comments)
        self._refresh()

    def _show_moments(self, comments) -> None:
        self.moments.clear()
        for comment in comments:
            span = format_time(comment.start, 1) + (f"–{format_time(comment.end, 1)}" if comment.end else "")
            item = QListWidgetItem(f"{span}  {comment.text}")
            item.setData(Qt.ItemDataRole.UserRole, comment.start)
            self.moments.addItem(item)
        self.moments.setVisible(bool(comments))
        self.markers_changed.emit([(c.start, "comment", c.text) for c in comments])

    def _build(self, form) -> None:
        for box in self.sections:
            box.setParent(None)
            box.deleteLater()
        self.sections, self.rows = [], []
        self._built = form.content_hash
        while self.body_layout.count():
            self.body_layout.takeAt(0)
        for section in form.sections:
            box = SectionBox(section, form.scoring == "weights")
            for row in box.rows:
                row.answered.connect(self._answered)
                row.comment_edited.connect(self._commented)
                row.flag_requested.connect(self.flag_requested)
                self.rows.append(row)
            self.sections.append(box)
            self.body_layout.addWidget(box)
        self.body_layout.addStretch(1)

    def _editable(self) -> bool:
        return self._view is not None and self._view.status in ("draft", "disputed")

    def _refresh(self) -> None:
        view, form = self._view, self._form
        result = score_form(form, self._answers)
        for box, section_score in zip(self.sections, result.sections):
            box.set_score(section_score)
        for row in self.rows:
            row.set_read_only(not self._editable())
        status = {"draft": self.tr("draft"), "submitted": self.tr("submitted"), "acknowledged": self.tr("acknowledged"),
                  "disputed": self.tr("disputed"), "resolved": self.tr("resolved")}[view.status]
        self.title.setText(self.tr("{0} v{1} · {2} · by {3}").format(form.name, view.form_version, status,
                                                                    view.reviewer or "?"))
        if result.percent is None:
            total = self.tr("Total: nothing answered yet")
        elif form.scoring == "weights":
            total = self.tr("Total: {0} of 100").format(number(result.score, 1))
        else:
            total = self.tr("Total: {0} / {1} · {2}").format(f"{result.score:g}", f"{result.max_score:g}",
                                                              percent(result.percent, 1))
        if result.unanswered and view.status == "draft":
            total += " · " + self.tr("{0} to answer").format(len(result.unanswered))
        self.total.setText(total)
        failed = [form.item(key).question for key in result.critical_failures]
        if result.auto_failed:
            self.banner.setText(self.tr("Critical item failed: {0}. The whole evaluation scores 0.").format(
                "; ".join(failed)))
        elif failed:
            self.banner.setText(self.tr("Critical item failed: {0}. Its section scores 0.").format("; ".join(failed)))
        self.banner.setVisible(bool(failed))
        self.submit_button.setVisible(view.status == "draft")
        self.submit_button.setEnabled(result.complete)
        self.submit_button.setToolTip("" if result.complete else self.tr("Answer every item first"))
        self.ack_button.setVisible(view.status == "submitted")
        self.dispute_button.setVisible(view.status in ("submitted", "acknowledged"))
        self.resolve_button.setVisible(view.status == "disputed")
        self._grey_out_what_is_refused()
        self.total.setStyleSheet(CRITICAL_STYLE if result.auto_failed else "")

    def _grey_out_what_is_refused(self) -> None:
        """Buttons the signed-in user's role cannot use, disabled with the reason (the
        store refuses them anyway; a name, not an Actor, leaves the store to decide)."""
        who = self._reviewer()
        if not isinstance(who, Actor):
            return
        reasons = {
            self.ack_button: ("evaluation.acknowledge", self.tr("A reviewer, team lead or manager records this")),
            self.dispute_button: ("evaluation.dispute", self.tr("A reviewer, team lead or manager records this")),
            self.resolve_button: ("evaluation.resolve", self.tr("Only a team lead or an admin resolves a dispute")),
        }
        for button, (action, why) in reasons.items():
            allowed = can(who, action)
            button.setEnabled(allowed)
            button.setToolTip("" if allowed else why)

    def score(self):
        return score_form(self._form, self._answers) if self._form is not None else None

    # --- answering and saving -----------------------------------------------------------

    def answer(self, key: str, value: str | None) -> None:
        """Answer an item as a click would (tests and the keyboard use this too)."""
        row = next(r for r in self.rows if r.item.key == key)
        row.set_value(value)
        self._answered(key, value)

    def _answered(self, key: str, value: object) -> None:
        if not self._editable():
            return
        self._answers[key] = value
        comment = next((r.comment.text() for r in self.rows if r.item.key == key), None)
        self._pending[key] = store.AnswerEdit(value, comment)
        self._refresh()
        if self._view.status == "draft":
            self._timer.start()

    def _commented(self, key: str, text: str) -> None:
        if not self._editable() or self._view is None:
            return
        answer = self._view.answers.get(key)
        if (answer.comment if answer else None) == (text.strip() or None) and key not in self._pending:
            return
        self._pending[key] = store.AnswerEdit(self._answers.get(key), text)
        if self._view.status == "draft":
            self._timer.start()

    def has_unsaved(self) -> bool:
        return bool(self._pending) or (self._saving is not None and not self._saving.is_done())

    def _save(self) -> None:
        if not self._pending or self._view is None or self._view.status != "draft":
            return
        if self._saving is not None and not self._saving.is_done():
            self._timer.start()  # one save at a time; this one follows
            return
        edits, self._pending = self._pending, {}
        db, view, who = self._db, self._view, self._reviewer()

        def work(ctx):
            with db.session() as session:
                saved = store.save_answers(session, view.id, view.row_version, edits, who)
            # Read by _settle() after waiting for this thread: the queued result may not
            # have reached the GUI thread yet when the next save has to start.
            self._last_saved = saved
            return saved

        self._saving = self._run(work, self._saved, "save evaluation")

    def _settle(self) -> None:
        """Wait for a save in flight and take its row version."""
        if self._saving is not None and not self._saving.is_done():
            self._saving.wait()
        saved = getattr(self, "_last_saved", None)
        if saved is not None and self._view is not None and saved.id == self._view.id \
                and saved.row_version > self._view.row_version:
            self._view = saved

    def _saved(self, view: object) -> None:
        if isinstance(view, store.EvaluationView) and self._view is not None and view.id == self._view.id:
            if view.row_version >= self._view.row_version:
                self._view = view
            self.saved.emit()

    def flush_now(self) -> None:
        """Save what is pending here and now (the call is being closed)."""
        self._timer.stop()
        self._settle()
        if not self._pending or self._view is None or self._view.status != "draft":
            return
        edits, self._pending = self._pending, {}
        try:
            with self._db.session() as session:
                self._view = store.save_answers(session, self._view.id, self._view.row_version, edits,
                                                self._reviewer())
        except EXPECTED as exc:
            self.message.emit(self.tr("The last answers could not be saved: {0}").format(exc))

    def submit(self) -> None:
        if self._view is None or self._view.status != "draft":
            return
        self._timer.stop()
        self._settle()
        edits, self._pending = self._pending, {}
        db, view, who = self._db, self._view, self._reviewer()

        def work(ctx):
            with db.session() as session:
                current = store.save_answers(session, view.id, view.row_version, edits, who) if edits else view
                return store.submit(session, view.id, current.row_version, who)

        self._run(work, self._stepped, "submit evaluation")

    def _stepped(self, view: object) -> None:
        if isinstance(view, store.EvaluationView) and self._view is not None and view.id == self._view.id:
            self._show(view, self._form)
            self.step_done.emit(view.status)
            self.message.emit(self.tr("Evaluation {0}: {1}").format(view.id, view.status))

    # --- after submission ---------------------------------------------------------------

    def ask_text(self, title: str, label: str) -> str | None:
        """A line of text from the user (tests replace this)."""
        text, ok = QInputDialog.getText(self, title, label)
        return text if ok else None

    def acknowledge(self) -> None:
        view, db, who = self._view, self._db, self._reviewer()
        self._run(lambda ctx: _in_session(db, lambda s: store.acknowledge(s, view.id, who)), self._stepped,
                  "acknowledge evaluation")

    def ask_dispute(self) -> None:
        reason = self.ask_text(self.tr("Dispute"), self.tr("Why does the agent dispute this evaluation?"))
        if reason and reason.strip():
            view, db, who = self._view, self._db, self._reviewer()
            self._run(lambda ctx: _in_session(db, lambda s: store.dispute(s, view.id, who, reason)), self._stepped,
                      "dispute evaluation")

    def ask_resolve(self) -> None:
        """Resolve the dispute; answers changed since it was disputed are the re-score."""
        note = self.ask_text(self.tr("Resolve"), self.tr("What was decided? (Change answers first to re-score.)"))
        if note and note.strip():
            view, db, who, edits = self._view, self._db, self._reviewer(), dict(self._pending)
            self._pending = {}
            self._run(lambda ctx: _in_session(db, lambda s: store.resolve(s, view.id, view.row_version, who, note,
                                                                           edits)),
                      self._stepped, "resolve evaluation")

    def show_history(self) -> None:
        if self._view is None:
            return
        view, db, who = self._view, self._db, self._reviewer()
        self._run(lambda ctx: _in_session(db, lambda s: store.history(s, view.id, who)), self._history_read,
                  "history")

    def history_lines(self, events) -> list[str]:
        return HistoryDialog.lines(events)

    def _history_read(self, events: object) -> None:
        self.history_dialog = HistoryDialog(events, self)
        self.history_dialog.open()

    # --- comments at moments ------------------------------------------------------------

    def ask_timed_comment(self) -> None:
        span = self._selection()
        start, end = span if span else (self._position(), None)
        where = format_time(start, 1) + (f"–{format_time(end, 1)}" if end is not None else "")
        text = self.ask_text(self.tr("Comment at {0}").format(where), self.tr("Comment:"))
        if text and text.strip():
            self.add_timed_comment(text, start, end)

    def add_timed_comment(self, text: str, start: float, end: float | None = None) -> None:
        if self._view is None:
            return
        view, db, who = self._view, self._db, self._reviewer()

        def work(ctx):
            with db.session() as session:
                store.add_timed_comment(session, view.id, start, end, text, who)
                return store.get_evaluation(session, view.id, who)

        self._run(work, self._comments_read, "comment")

    def _comments_read(self, view: object) -> None:
        """Only the comments at moments change: answers on screen may not be saved yet."""
        if isinstance(view, store.EvaluationView) and self._view is not None and view.id == self._view.id:
            self._show_moments(view.timed_comments)

    def _moment_clicked(self, item: QListWidgetItem) -> None:
        self.seek_requested.emit(float(item.data(Qt.ItemDataRole.UserRole)))

    # --- keyboard -----------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:  # noqa: N802
        focused = next((i for i, r in enumerate(self.rows) if r.hasFocus()), None)
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.rows:
            step = 1 if key == Qt.Key.Key_Down else -1
            index = 0 if focused is None else max(0, min(len(self.rows) - 1, focused + step))
            self.rows[index].setFocus()
            self.scroll.ensureWidgetVisible(self.rows[index])
            return
        if focused is not None and event.text():
            value = self.rows[focused].answer_key(event.text())
            if value is not None and self._editable():
                self.answer(self.rows[focused].item.key, value)
                return
        super().keyPressEvent(event)

    def shutdown(self) -> None:
        self.flush_now()
        for job in self._jobs:
            job.abandon()
        self._jobs = []


def _in_session(db, fn):
    with db.session() as session:
        return fn(session)
