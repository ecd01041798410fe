"""Which column of the call recorder's metadata sheet holds which call detail.

Common English and Chinese headers are recognised by the importer; a recorder
with its own words ("Mitarbeiter", "Agent Login") needs the reviewer to say
which column is which. The editor preselects what would be recognised, shows the
first rows as the import will read them (a start time it cannot read shows its
error right there), and insists on the file-name column: without it no
recording can be matched to its row.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..importing.metadata import MetadataError
from ..importing.sidecar import DEFAULT_COLUMNS, SheetSample, detect_columns, read_sample
from .formatting import moment
from .jobs import JobRunner, run_job
from .pattern_edit import HINT_STYLE, error_style

FIELDS = tuple(DEFAULT_COLUMNS)
PREVIEW_ROWS = 3
# openpyxl parses a workbook's whole shared-strings part before its first row:
# about a second per MB of XLSX. Small sheets are read at once (no flicker),
# larger ones on a worker so the dialog never freezes.
BACKGROUND_BYTES = 64 * 1024
MAX_PREVIEW_COLUMN = 260
ERROR_COLOR = QColor("#b3261e")
FIELD_ROLE = Qt.ItemDataRole.UserRole + 1  # which call detail a preview cell shows


class _PreviewCells(QStyledItemDelegate):
    """A file name elided in the middle keeps its distinctive end (…_0042.wav);
    an error keeps its beginning, which says what is wrong."""

    def initStyleOption(self, option: QStyleOptionViewItem, index) -> None:  # noqa: N802 - Qt naming
        super().initStyleOption(option, index)
        if index.data(FIELD_ROLE) == "file":
            option.textElideMode = Qt.TextElideMode.ElideMiddle


class ColumnMappingEditor(QWidget):
    """One drop-down per call detail, listing the sheet's columns, and a preview."""

    mapping_changed = Signal()  # the user chose another column (or a new sheet was read)
    sheet_read = Signal()  # the columns are known, or the sheet turned out unreadable

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("columnMapping")
        self._path: Path | None = None
        self._sample: SheetSample | None = None
        self._saved: dict[str, str | None] = {}
        self._runner: JobRunner | None = None
        self._error: str | None = None
        self._labels = {
            "file": self.tr("File name"),
            "agent": self.tr("Agent name"),
            "agent_id": self.tr("Agent ID"),
            "team": self.tr("Team"),
            "started_at": self.tr("Start time"),
            "direction": self.tr("Direction"),
            "queue": self.tr("Queue"),
            "customer_ref": self.tr("Customer number"),
        }
        self._directions = {"inbound": self.tr("Inbound"), "outbound": self.tr("Outbound")}

        self.status_label = QLabel()
        self.status_label.setObjectName("columnsStatus")
        self.status_label.setWordWrap(True)

        self.combos: dict[str, QComboBox] = {}
        self.fields_box = QWidget()
        grid = QGridLayout(self.fields_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        # Two pairs of label + drop-down per line: eight details in four lines
        # keep the dialog's list of recordings visible.
        for i, field_name in enumerate(FIELDS):
            combo = QComboBox()
            combo.setObjectName(f"column_{field_name}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
            combo.currentIndexChanged.connect(self._user_changed)
            label = QLabel(self.tr("{0}:").format(self._labels[field_name]))
            label.setBuddy(combo)
            row, pair = divmod(i, 2)
            grid.addWidget(label, row, pair * 3)
            grid.addWidget(combo, row, pair * 3 + 1)
            self.combos[field_name] = combo
        grid.setColumnStretch(1, 1)
        grid.setColumnMinimumWidth(2, 16)  # a gutter between the two pairs
        grid.setColumnStretch(4, 1)

        self.warning_label = QLabel(self.tr("Choose the column that holds the recording's file name."))
        self.warning_label.setObjectName("fileColumnWarning")
        self.warning_label.setStyleSheet(error_style())

        self.preview_caption = QLabel()
        self.preview_caption.setStyleSheet(HINT_STYLE)
        self.preview = QTableWidget(0, 0)
        self.preview.setObjectName("columnsPreview")
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.preview.setWordWrap(False)
        self.preview.setItemDelegate(_PreviewCells(self.preview))
        self.preview.verticalHeader().hide()
        self.preview.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.preview.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        self.preview.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.preview.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.preview.viewport().installEventFilter(self)
        self._column_widths: list[int] = []  # each preview column's width for its whole text

        # Offered only for columns actually read; the dialog saves them as the import starts.
        self.remember = QCheckBox(self.tr("Remember these columns for next time"))
        self.remember.setObjectName("rememberColumns")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for widget in (self.status_label, self.fields_box, self.warning_label, self.preview_caption, self.preview,
                       self.remember):
            layout.addWidget(widget)
        # Never taller than needed: a form with spare height would spread it
        # between the drop-downs and the preview.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._show_state()

    # --- the sheet ------------------------------------------------------------------------------

    def set_sheet(self, path: Path | None, saved_mapping: dict[str, str | None] | None = None) -> None:
        """Read this sheet's columns and preselect them: ``saved_mapping`` (the
        remembered columns) first, then the headers the importer recognises."""
        self._forget_runner()
        self._path = Path(path) if path else None
        self._saved = dict(saved_mapping or {})
        self._sample = None
        self._error = None
        if self._path is None:
            self._show_state()
            return
        path = self._path
        try:
            big = path.stat().st_size > BACKGROUND_BYTES
        except OSError:
            big = False  # read_sample says what is wrong with it, naming the file
        if big:
            self._runner = run_job(
                lambda ctx: read_sample(path),
                on_finished=self._sample_read,
                on_failed=self._sample_failed,
                expected=(MetadataError,),
                name="read metadata sheet",
            )
            self._show_state()
            return
        try:
            sample = read_sample(path)
        except MetadataError as exc:
            self._sample_failed(str(exc))
        else:
            self._sample_read(sample)

    def sheet(self) -> Path | None:
        return self._path

    def headers(self) -> list[str]:
        return list(self._sample.headers) if self._sample else []

    def is_reading(self) -> bool:
        return self._runner is not None

    def error(self) -> str | None:
        """Why the sheet could not be read, if it could not."""
        return self._error

    def mapping(self) -> dict[str, str | None]:
        """The columns chosen, only where they differ from what the importer
        recognises by itself (so the remembered settings stay small).

        While the sheet is unread or unreadable the remembered mapping is kept
        as it was: the importer then explains what is wrong with the sheet.
        """
        if self._sample is None:
            return dict(self._saved)
        automatic = detect_columns(list(self._sample.headers))
        return {f: header for f, header in self.chosen_columns().items() if header != automatic[f]}

    def chosen_columns(self) -> dict[str, str | None]:
        """Every field and the column chosen for it (None: not in the sheet)."""
        return {f: self.combos[f].currentData() for f in FIELDS}

    def problem(self) -> str | None:
        """Why an import cannot start with these columns yet, or None. An unreadable
        sheet is not one: the importer explains it, naming the file."""
        if self._runner is not None:
            return self.tr("The metadata sheet's columns are still being read; try again in a moment.")
        if self._sample is not None and self.combos["file"].currentData() is None:
            return self.tr("Choose which column of the metadata sheet holds the recording's file name.")
        return None

    # --- reading (maybe on a worker) --------------------------------------------------------------

    def _forget_runner(self) -> None:
        # A sheet replaced while it was still being read: its late answer must
        # not overwrite the new sheet's columns.
        if self._runner is not None:
            self._runner.finished.disconnect(self._sample_read)
            self._runner.failed.disconnect(self._sample_failed)
            self._runner = None

    def _sample_read(self, sample: object) -> None:
        self._runner = None
        self._sample = sample  # a SheetSample (a job's result arrives as a plain object)
        detected = detect_columns(self.headers(), self._saved)
        for field_name, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("(not in the sheet)"), None)
            for header in dict.fromkeys(h for h in self.headers() if h):  # blank and repeated headers once
                combo.addItem(header, header)
            combo.setCurrentIndex(max(0, combo.findData(detected[field_name])))
            combo.blockSignals(False)
        self._sample_tooltips()
        self._show_state()
        self.sheet_read.emit()
        self.mapping_changed.emit()

    def _sample_failed(self, message: str) -> None:
        self._runner = None
        self._sample = None
        self._error = message
        self._show_state()
        self.sheet_read.emit()

    def _sample_tooltips(self) -> None:
        """Each column's first value in its drop-down's tooltip: "Mitarbeiter" says
        little, "e.g. Anna Schmidt" says which column it is."""
        first = self._sample.rows[0][1] if self._sample and self._sample.rows else []
        for combo in self.combos.values():
            for index in range(1, combo.count()):
                position = list(self._sample.headers).index(combo.itemData(index))
                value = first[position] if position < len(first) else None
                if value not in (None, ""):
                    combo.setItemData(index, self.tr("e.g. {0}").format(value), Qt.ItemDataRole.ToolTipRole)

    # --- showing --------------------------------------------------------------------------------

    def _user_changed(self) -> None:
        self._show_state()
        self.mapping_changed.emit()

    def _show_state(self) -> None:
        ready = self._sample is not None
        if self._runner is not None:
            self._say(self.tr("Reading the sheet's columns…"), HINT_STYLE)
        elif self._error:
            self._say(self._error, error_style())
        elif ready:
            self._say(self.tr("Which column holds each call detail? Recognised columns are chosen already."),
                      HINT_STYLE)
        else:
            self.status_label.clear()
        self.fields_box.setVisible(ready)
        self.warning_label.setVisible(ready and self.combos["file"].currentData() is None)
        self.remember.setVisible(ready)
        self.preview_caption.setVisible(ready)
        self.preview.setVisible(ready)
        if ready:
            self._fill_preview()

    def _say(self, text: str, style: str) -> None:
        # Only an error may be long; a wrapped label asks the form for more
        # height than its one line needs, which would leave a gap.
        self.status_label.setWordWrap(style == error_style())
        self.status_label.setText(text)
        self.status_label.setStyleSheet(style)

    def _fill_preview(self) -> None:
        chosen = self.chosen_columns()
        fields = [f for f in FIELDS if chosen[f] is not None]
        try:
            rows = self._sample.preview({f: chosen[f] for f in FIELDS}, PREVIEW_ROWS)
        except MetadataError as exc:  # cannot happen with the sheet's own headers; say so if it does
            rows = []
            self.preview_caption.setText(str(exc))
        else:
            self.preview_caption.setText(
                self.tr("The first rows, as the import will read them:") if rows
                else self.tr("The sheet has no rows to import under its header."))
        # Nothing chosen, nothing to preview: the warning above says what to do.
        self.preview_caption.setVisible(bool(fields))
        self.preview.setVisible(bool(rows and fields))
        table = self.preview
        table.clear()
        table.setColumnCount(len(fields))
        table.setRowCount(len(rows))
        table.setHorizontalHeaderLabels([self._labels[f] for f in fields])
        for column, field_name in enumerate(fields):
            table.horizontalHeaderItem(column).setToolTip(self.tr("Column “{0}”").format(chosen[field_name]))
            for row, found in enumerate(rows):
                table.setItem(row, column, self._preview_item(found, field_name))
        table.resizeColumnsToContents()
        header = table.horizontalHeader()
        self._column_widths = [min(header.sectionSize(c) + 8, MAX_PREVIEW_COLUMN) for c in range(len(fields))]
        self._fit_columns()
        # Exactly the rows shown: the preview never scrolls and never leaves a gap.
        height = header.sizeHint().height() + max(1, len(rows)) * table.verticalHeader().defaultSectionSize()
        table.setFixedHeight(height + 2 * table.frameWidth())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        if watched is self.preview.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Every chosen detail visible at once, without a scroll bar: short columns
        keep their width, the long ones share what is left (their cells' tooltips
        have the whole text)."""
        widths, available = self._column_widths, self.preview.viewport().width()
        if not widths or available <= 0:
            return
        cap = max(widths)
        remaining = available
        for i, width in enumerate(sorted(widths)):
            share = remaining // (len(widths) - i)
            if width > share:
                cap = share
                break
            remaining -= width
        header = self.preview.horizontalHeader()
        for column, width in enumerate(widths):
            header.resizeSection(column, min(width, cap))

    def _preview_item(self, found, field_name: str) -> QTableWidgetItem:
        problem = found.problems.get(field_name)
        if problem:
            item = QTableWidgetItem(problem)
            item.setForeground(ERROR_COLOR)
            item.setToolTip(self.tr("Row {0}: {1}").format(found.number, problem))
            return item
        value = found.values.get(field_name)
        if isinstance(value, datetime):
            text = moment(value, seconds=True)
        elif field_name == "direction" and value:
            text = self._directions.get(value, value)
        else:
            text = "" if value is None else str(value)
        item = QTableWidgetItem(text)
        item.setToolTip(text)
        item.setData(FIELD_ROLE, field_name)
        return item
