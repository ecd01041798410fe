"""Save as clip / Edit clip: what a trainer says about a moment of a call.

Saving shows the span it will save before it is saved: the trainer's rough span
snapped to the words it touches (when the call has a transcript) and the pre/post-roll
around it, worked out with the same ``plan_span`` that ``save_clip`` uses, so what
the dialog says is what the library gets. Cutting the audio and writing the clip run
as a job (a long recording on a network share can take a second to read).

The tag field takes several tags in one line; its completer offers tags already in
the library for the one being typed, most used first, so the library does not end up
with "refund", "Refunds" and "退款 " for one thing. The form picker lists the latest
version of each form: a section, or an item under it.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..clips import MAX_ROLL, plan_span
from ..jobs import JobContext
from ..store.clips import KINDS, ClipDetails, ClipError, ClipView
from ..store.database import Database
from .clip_words import TAG_SEPARATORS, clip_time, kind_name, span_text, split_tags, tags_text
from .form_part_picker import FormPart, FormPartPicker, form_parts
from .jobs import JobRunner, run_job

DEFAULT_ROLL = 0.5  # seconds: a breath before and after, so a clip does not start mid-breath
POPULAR_TAGS = 8


def dialog_choices(db: Database) -> tuple[list[tuple[str, int]], list[FormPart]]:
    from ..store.clips import tag_counts

    with db.session() as session:
        return tag_counts(session), form_parts(session)


class TagCompleter(QCompleter):
    """Completes the tag after the last separator and keeps the tags before it."""

    def __init__(self, edit: QLineEdit):
        super().__init__(edit)
        self._tags = QStringListModel(self)  # kept here: Python would free a model passed inline
        self.setModel(self._tags)
        self._edit = edit
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def set_tags(self, tags: list[str]) -> None:
        self._tags.setStringList(tags)

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 - Qt's name
        return [TAG_SEPARATORS.split(path)[-1].strip()]

    def pathFromIndex(self, index) -> str:  # noqa: N802
        # The text as it was when completing began: browsing the popup with the arrow
        # keys writes each candidate into the line, which must not count as typed tags.
        text = self.completionPrefix()
        separators = list(TAG_SEPARATORS.finditer(text))
        head = text[:separators[-1].end()].rstrip() + " " if separators else ""
        return head + str(index.data()) + ", "


class ClipDialog(QDialog):
    """Save a span of a call as a clip (``call_id`` given) or edit a clip's words (``clip`` given)."""

    saved = Signal(object)  # the ClipView stored

    def __init__(self, db: Database, *, by: object, call_id: int | None = None, span: tuple[float, float] | None = None,
                 duration: float = 0.0, utterances=(), clip: ClipView | None = None, title: str = "",
                 kind: str = "other", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("clipDialog")
        self._db, self._by, self._call_id, self._clip = db, by, call_id, clip
        self._span = span
        self._duration = duration
        self._utterances = tuple(utterances)
        self._has_words = any(u.words for u in self._utterances)
        self._choices_ready = False
        self._jobs: list[JobRunner] = []
        self._plan = None
        self.setWindowTitle(self.tr("Edit clip") if clip else self.tr("Save as clip"))
        self.setMinimumWidth(560)

        self.span_label = QLabel()
        self.span_label.setObjectName("clipSpan")
        self.span_label.setWordWrap(True)
        self.excerpt = QLabel()
        self.excerpt.setObjectName("clipExcerpt")
        self.excerpt.setWordWrap(True)
        self.excerpt.setStyleSheet("color: palette(placeholder-text);")
        self.title = QLineEdit(clip.title if clip else title)
        self.title.setObjectName("clipTitle")
        self.title.setPlaceholderText(self.tr("What the moment shows, e.g. 主动致歉并说明原因"))
        self.kind = QComboBox()
        self.kind.setObjectName("clipKind")
        for each in KINDS:
            self.kind.addItem(kind_name(each), each)
        self.kind.setCurrentIndex(KINDS.index(clip.kind if clip else kind if kind in KINDS else "other"))
        self.tags = QLineEdit(tags_text(clip.tags) + ", " if clip and clip.tags else "")
        self.tags.setObjectName("clipTags")
        self.tags.setPlaceholderText(self.tr("Tags, separated by commas"))
        self.completer = TagCompleter(self.tags)
        self.tags.setCompleter(self.completer)
        self.popular = QLabel()
        self.popular.setObjectName("popularTags")
        self.popular.setWordWrap(True)
        self.popular.linkActivated.connect(self._add_tag)
        self.part = FormPartPicker()
        self.part.setObjectName("clipFormPart")
        self.notes = QPlainTextEdit(clip.notes if clip else "")
        self.notes.setObjectName("clipNotes")
        self.notes.setPlaceholderText(self.tr("What to listen for, what to say instead…"))
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(80)

        self.snap = QCheckBox(self.tr("Snap to word boundaries"))
        self.snap.setObjectName("snapToWords")
        self.snap.setChecked(self._has_words)
        self.snap.setEnabled(self._has_words)
        if not self._has_words:
            self.snap.setToolTip(self.tr("This call has no transcript with word times"))
        self.pre_roll = self._roll_box("preRoll")
        self.post_roll = self._roll_box("postRoll")
        options = QHBoxLayout()
        options.setSpacing(8)
        options.addWidget(self.snap)
        options.addStretch(1)
        options.addWidget(QLabel(self.tr("Pre-roll")))
        options.addWidget(self.pre_roll)
        options.addWidget(QLabel(self.tr("Post-roll")))
        options.addWidget(self.post_roll)
        self.options = QWidget()
        self.options.setLayout(options)
        options.setContentsMargins(0, 0, 0, 0)

        self.error = QLabel()
        self.error.setObjectName("clipError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save changes") if clip else self.tr("Save clip"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        self._form = form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Span"), self.span_label)
        if clip is None:
            form.addRow("", self.options)
        form.addRow(self.tr("Said"), self.excerpt)
        form.addRow(self.tr("Title"), self.title)
        form.addRow(self.tr("Kind"), self.kind)
        tag_field = QWidget()
        tag_column = QVBoxLayout(tag_field)
        tag_column.setContentsMargins(0, 0, 0, 0)
        tag_column.setSpacing(2)
        tag_column.addWidget(self.tags)
        tag_column.addWidget(self.popular)
        form.addRow(self.tr("Tags"), tag_field)
        form.addRow(self.tr("Illustrates"), self.part)
        form.addRow(self.tr("Notes"), self.notes)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addWidget(self.buttons)

        self.title.textChanged.connect(self._check_ready)
        for box in (self.pre_roll, self.post_roll):
            box.valueChanged.connect(self._show_span)
        self.snap.toggled.connect(self._show_span)
        self._show_span()
        self._check_ready()
        self._start(lambda ctx: dialog_choices(db), self._choices_loaded, lambda _m: None, "clip dialog choices")
        self.title.setFocus()

    def _roll_box(self, name: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setObjectName(name)
        box.setRange(0.0, MAX_ROLL)
        box.setSingleStep(0.5)
        box.setDecimals(1)
        box.setSuffix(self.tr(" s"))
        box.setValue(DEFAULT_ROLL)
        box.setToolTip(self.tr("A little of the call before (after) the span, heard but not part of the clip"))
        return box

    def _start(self, fn, finished, failed, name: str) -> None:
        self._jobs = [job for job in self._jobs if not job.is_done()]
        self._jobs.append(run_job(fn, on_finished=finished, on_failed=failed, expected=(ClipError, LookupError, PermissionError),
                                  name=name))

    # --- what will be saved ---------------------------------------------------------------

    def planned_span(self):
        """The ClipSpan that Save would store (None while the span cannot be a clip)."""
        return self._plan

    def _show_span(self) -> None:
        if self._clip is not None:
            self.span_label.setText(span_text(self._clip.start, self._clip.end))
            self._show_excerpt(self._clip.start, self._clip.end)
            return
        start, end = self._span or (0.0, 0.0)
        try:
            self._plan = plan_span(self._duration, self._utterances, start, end, snap=self.snap.isChecked(),
                                   pre_roll=self.pre_roll.value(), post_roll=self.post_roll.value())
        except ClipError as exc:
            self._plan = None
            self.span_label.setText(str(exc))
            self._check_ready()
            return
        plan = self._plan
        text = span_text(plan.start, plan.end)
        if (plan.start, plan.end) != (min(start, end), max(start, end)):
            text = self.tr("{0}, snapped to whole words").format(text) if self.snap.isChecked() else text
        if (plan.audio_start, plan.audio_end) != (plan.start, plan.end):
            text += "\n" + self.tr("Heard with the roll: {0}–{1}").format(clip_time(plan.audio_start),
                                                                            clip_time(plan.audio_end))
        self.span_label.setText(text)
        self._show_excerpt(plan.start, plan.end)
        self._check_ready()

    def _show_excerpt(self, start: float, end: float) -> None:
        if self._clip is not None:
            lines = [line.get("text", "") for line in self._clip.excerpt]
        else:
            lines = [u.text for u in self._utterances if u.end > start and u.start < end]
        text = " / ".join(line for line in lines if line)
        self.excerpt.setText(text if len(text) <= 240 else text[:239] + "…")
        self.excerpt.setVisible(bool(text))
        label = self._form.labelForField(self.excerpt) if hasattr(self, "_form") else None
        if label is not None:
            label.setVisible(bool(text))

    def _check_ready(self) -> None:
        span_ok = self._clip is not None or self._plan is not None
        self.save_button.setEnabled(bool(self.title.text().strip()) and span_ok and not self._busy())

    def _busy(self) -> bool:
        return any(not job.is_done() and job.objectName() == "save" for job in self._jobs)

    # --- choices ------------------------------------------------------------------------------

    def _choices_loaded(self, result: object) -> None:
        counts, parts = result
        self.completer.set_tags([tag for tag, _n in counts])
        links = "&nbsp; ".join(f'<a href="{html.escape(tag)}">{html.escape(tag)}</a>&nbsp;'
                               f'<span style="color:gray">{n}</span>' for tag, n in counts[:POPULAR_TAGS])
        self.popular.setText(self.tr("Used most: {0}").format(links) if links else "")
        self.popular.setVisible(bool(links))
        self.part.set_parts(parts)
        self._choices_ready = True
        if self._clip is not None:
            self.part.choose(self._clip.form_key, self._clip.section_key, self._clip.item_key)

    def tags_typed(self) -> list[str]:
        return split_tags(self.tags.text())

    def _add_tag(self, tag: str) -> None:
        tags = self.tags_typed()
        if tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
        self.tags.setText(tags_text(tags) + ", ")
        self.tags.setFocus()

    def choose_part(self, form_key: str, section_key: str, item_key: str | None = None) -> bool:
        return self.part.choose(form_key, section_key, item_key)

    def choices_ready(self) -> bool:
        """The library's tags and the forms have arrived (tests wait for it)."""
        return self._choices_ready

    def details(self) -> ClipDetails:
        return ClipDetails(self.title.text(), self.kind.currentData(), tuple(self.tags_typed()),
                           self.notes.toPlainText(), *self.part.value())

    # --- saving ---------------------------------------------------------------------------------

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        db, details = self._db, self.details()
        by = self._by  # the signed-in Actor, or a stored user's name: the store checks either
        if self._clip is not None:
            clip_id = self._clip.id

            def job(ctx: JobContext):
                from ..store.clips import update_clip

                with db.session() as session:
                    return update_clip(session, clip_id, details, actor=by)
        else:
            call_id, (start, end) = self._call_id, self._span
            snap, pre, post = self.snap.isChecked(), self.pre_roll.value(), self.post_roll.value()

            def job(ctx: JobContext):
                from ..clips import save_clip

                ctx.status("cutting the clip")
                return save_clip(db, call_id, start, end, details, by=by, snap=snap, pre_roll=pre, post_roll=post)

        self.error.hide()
        self._start(job, self._saved, self._failed, "save clip")
        self._jobs[-1].setObjectName("save")
        self.save_button.setText(self.tr("Saving…"))
        self._check_ready()

    def _saved(self, clip: object) -> None:
        self.saved.emit(clip)
        self.accept()

    def _failed(self, message: str) -> None:
        self.save_button.setText(self.tr("Save changes") if self._clip else self.tr("Save clip"))
        self.error.setText(self.tr("The clip was not saved: {0}").format(message))
        self.error.show()
        self._check_ready()

    def done(self, result: int) -> None:  # noqa: D102 - a late answer must not reach a closed dialog
        for job in self._jobs:
            if job.objectName() != "save":
                job.abandon()
        super().done(result)
