"""The builder's outline of a form: sections, and their items under them, in order.

Each row carries only a number; the section or item it stands for is a plain dict the
builder keeps (``FormTree.nodes``), so moving rows never copies or loses anything.
Rows move by drag and drop or by ``move_up``/``move_down``; both go through ``place``,
which keeps the outline a form: sections at the top, items inside a section.

The outline reads a form's sections (``load``) and gives them back as a form file would
write them (``raw_sections``), for ``check_form`` to check.
"""

from __future__ import annotations

import itertools
import re

from PySide6.QtCore import QByteArray, QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDrag
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem

from ..scoring.form_schema import DEFAULT_PARTIAL
from .form_editors import DEFAULT_SCALE, items_points

MIME = "application/x-qa-desk-form-node"
PROBLEM_COLOUR = QColor("#b3261e")
_ROLE = Qt.ItemDataRole.UserRole
_LABEL = re.compile(r"^(section|item) (#\d+|[^:,\s]+)(?:, item #(\d+))?: ")
_counter = itertools.count(1)


def put(out: dict, key: str, value: object) -> None:
    """Empty fields are left out, as in a file, so a problem says "is missing"."""
    if value not in (None, "", []):
        out[key] = value


def section_node(section: dict) -> dict:
    """The builder's node for a section of a definition. Its points "follow the items" when
    they are their sum; ``explicit``: the points are written (a form that left them out
    keeps leaving them out, so opening and saving it is the same version)."""
    items = section.get("items") or []
    points = section.get("points")
    follow = points is None or abs(float(points) - items_points(items)) < 1e-9
    return {"key": section.get("key") or "", "title": section.get("title") or "", "points": points,
            "follow": follow, "explicit": points is not None or not items, "weight": section.get("weight"),
            "bonus_cap": section.get("bonus_cap") or 0}


def raw_item(node: dict) -> dict:
    out: dict = {}
    for field in ("key", "question", "guidance"):
        put(out, field, node.get(field))
    answer = node.get("answer") or "yes_no"
    out["answer"] = answer
    if answer == "scale":
        out["scale"] = node.get("scale") or DEFAULT_SCALE
    if answer == "yes_partial_no":
        out["partial"] = node["partial"] if node.get("partial") is not None else DEFAULT_PARTIAL
    out["points"] = node.get("points") or 0
    for flag in ("na", "bonus"):
        if node.get(flag):
            out[flag] = True
    put(out, "critical", node.get("critical"))
    put(out, "rules", list(node.get("rules") or ()))
    return out


class FormTree(QTreeWidget):
    """Sections and items; ``moved`` after any reorder (drag or buttons)."""

    moved = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("formTree")
        self.setHeaderHidden(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Not InternalMove: Qt would move rows itself and accept drops it should not
        # (an item beside the sections); drops are checked and done by place() below.
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.nodes: dict[int, dict] = {}
        self._token = str(next(_counter))  # drops from another builder's tree are refused

    # --- rows ------------------------------------------------------------------------------------

    def add_node(self, node: dict, section: QTreeWidgetItem | None = None, row: int | None = None) -> QTreeWidgetItem:
        """A row for ``node``: a section at the top (section None), else an item of ``section``."""
        node_id = next(_counter)
        self.nodes[node_id] = node
        item = QTreeWidgetItem()
        item.setData(0, _ROLE, node_id)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        if section is None:
            flags |= Qt.ItemFlag.ItemIsDropEnabled  # items may be dropped onto a section
        item.setFlags(flags)
        parent = section if section is not None else self.invisibleRootItem()
        parent.insertChild(parent.childCount() if row is None else row, item)
        if section is not None:
            section.setExpanded(True)
        return item

    def node(self, item: QTreeWidgetItem | None) -> dict | None:
        return None if item is None else self.nodes.get(item.data(0, _ROLE))

    def remove(self, item: QTreeWidgetItem) -> None:
        for child in [item.child(i) for i in range(item.childCount())]:
            self.nodes.pop(child.data(0, _ROLE), None)
        self.nodes.pop(item.data(0, _ROLE), None)
        (item.parent() or self.invisibleRootItem()).removeChild(item)

    def sections(self) -> list[QTreeWidgetItem]:
        return [self.topLevelItem(i) for i in range(self.topLevelItemCount())]

    @staticmethod
    def items_of(section: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        return [section.child(i) for i in range(section.childCount())]

    def all_rows(self) -> list[QTreeWidgetItem]:
        return [r for s in self.sections() for r in (s, *self.items_of(s))]

    def load(self, sections: list[dict]) -> None:
        self.clear()
        self.nodes.clear()
        for section in sections:
            parent = self.add_node(section_node(section))
            for item in section.get("items") or []:
                self.add_node(dict(item), parent)
        self.expandAll()

    def raw_sections(self, weighted: bool) -> list[dict]:
        """The sections as a form file would write them."""
        out = []
        for section in self.sections():
            node = self.node(section)
            items = [self.node(i) for i in self.items_of(section)]
            raw: dict = {}
            put(raw, "key", node.get("key"))
            put(raw, "title", node.get("title"))
            if weighted:
                raw["weight"] = node.get("weight") or 0
            elif not node.get("follow"):
                raw["points"] = node.get("points") or 0
            elif node.get("explicit") and items:
                raw["points"] = items_points(items)
            if node.get("bonus_cap"):
                raw["bonus_cap"] = node["bonus_cap"]
            raw["items"] = [raw_item(i) for i in items]
            out.append(raw)
        return out

    def unused_key(self, stem: str) -> str:
        used = {self.node(r).get("key") for r in self.all_rows()}
        number = 1
        while f"{stem}_{number}" in used:
            number += 1
        return f"{stem}_{number}"

    def relabel(self, weighted: bool) -> None:
        """Each row says what it is: a section's title and worth, an item's key and question."""
        for section in self.sections():
            node = self.node(section)
            items = [self.node(i) for i in self.items_of(section)]
            if weighted:
                worth = f"{float(node.get('weight') or 0):g} %"
            else:
                points = items_points(items) if node.get("follow") else float(node.get("points") or 0)
                worth = self.tr("{0} points").format(f"{points:g}")
            section.setText(0, f"{node.get('title') or node.get('key') or self.tr('(no title)')} · {worth}")
            font = section.font(0)
            font.setBold(True)
            section.setFont(0, font)
            for row, item in zip(self.items_of(section), items):
                row.setText(0, f"{item.get('key') or '?'} — {item.get('question') or self.tr('(no question)')}")

    def rows_named(self, problem: str) -> list[QTreeWidgetItem]:
        """The rows a problem is about ("item greeting: …", "section #2, item #1: …")."""
        match = _LABEL.match(problem)
        if not match:
            return []
        kind, name, child = match.groups()
        sections = self.sections()
        if kind == "item":
            return [i for s in sections for i in self.items_of(s) if self.node(i).get("key") == name]
        if name.startswith("#"):
            index = int(name[1:]) - 1
            found = [sections[index]] if 0 <= index < len(sections) else []
        else:
            found = [s for s in sections if self.node(s).get("key") == name]
        if child and found:
            items = self.items_of(found[0])
            index = int(child) - 1
            return [items[index]] if 0 <= index < len(items) else []
        return found

    def mark(self, problems: dict[int, list[str]]) -> None:
        """Rows with problems (row id → the problems) in red, the problems in their tooltip."""
        for row in self.all_rows():
            texts = problems.get(id(row))
            row.setForeground(0, QBrush(PROBLEM_COLOUR) if texts else QBrush())
            row.setToolTip(0, "\n".join(texts or ()))

    # --- moving ----------------------------------------------------------------------------------

    def place(self, item: QTreeWidgetItem, parent: QTreeWidgetItem | None, row: int) -> bool:
        """Move ``item`` to ``row`` of ``parent`` (None: the sections); False if that is not
        a place for it (a section inside a section, an item outside one)."""
        is_section = item.parent() is None
        if is_section != (parent is None) or (parent is not None and parent.parent() is not None):
            return False
        old_parent = item.parent() or self.invisibleRootItem()
        new_parent = parent or self.invisibleRootItem()
        old_row = old_parent.indexOfChild(item)
        if old_parent is new_parent and row > old_row:
            row -= 1  # the row counted the item itself, which is taken out first
        if old_parent is new_parent and row == old_row:
            return False
        expanded = item.isExpanded()
        old_parent.takeChild(old_row)
        new_parent.insertChild(max(0, min(row, new_parent.childCount())), item)
        item.setExpanded(expanded)
        if parent is not None:
            parent.setExpanded(True)
        self.setCurrentItem(item)
        self.moved.emit()
        return True

    def move_up(self, item: QTreeWidgetItem) -> bool:
        parent = item.parent()
        row = (parent or self.invisibleRootItem()).indexOfChild(item)
        if row > 0:
            return self.place(item, parent, row - 1)
        if parent is not None:  # the first item of a section goes to the end of the one above
            above = self.indexOfTopLevelItem(parent) - 1
            if above >= 0:
                target = self.topLevelItem(above)
                return self.place(item, target, target.childCount())
        return False

    def move_down(self, item: QTreeWidgetItem) -> bool:
        parent = item.parent()
        siblings = parent or self.invisibleRootItem()
        row = siblings.indexOfChild(item)
        if row < siblings.childCount() - 1:
            return self.place(item, parent, row + 2)
        if parent is not None:  # the last item of a section goes to the start of the one below
            below = self.indexOfTopLevelItem(parent) + 1
            if below < self.topLevelItemCount():
                return self.place(item, self.topLevelItem(below), 0)
        return False

    # --- drag and drop ---------------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME]

    def mimeData(self, items) -> QMimeData:  # noqa: N802
        data = QMimeData()
        ids = ",".join(str(i.data(0, _ROLE)) for i in items[:1])
        data.setData(MIME, QByteArray(f"{self._token}:{ids}".encode()))
        return data

    def startDrag(self, actions) -> None:  # noqa: N802
        # Our own drag: Qt's would delete the dragged rows after a "move" drop, which
        # place() has already done.
        item = self.currentItem()
        if item is None:
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        drag.exec(Qt.DropAction.MoveAction)

    def _dragged(self, mime: QMimeData) -> QTreeWidgetItem | None:
        if not mime.hasFormat(MIME):
            return None
        token, _sep, ids = bytes(mime.data(MIME).data()).decode().partition(":")
        if token != self._token or not ids.isdigit():
            return None
        node_id = int(ids)
        for section in self.sections():
            if section.data(0, _ROLE) == node_id:
                return section
            for item in self.items_of(section):
                if item.data(0, _ROLE) == node_id:
                    return item
        return None

    def drop_target(self, dragged: QTreeWidgetItem, pos: QPoint) -> tuple[QTreeWidgetItem | None, int] | None:
        """Where ``dragged`` lands if dropped at ``pos`` (viewport coordinates): (parent, row)."""
        over = self.itemAt(pos)
        if over is None:  # below the last row: sections go last, items are refused
            return (None, self.topLevelItemCount()) if dragged.parent() is None else None
        rect = self.visualItemRect(over)
        margin = max(2, min(round(rect.height() / 5.5), 12))  # as Qt draws its drop indicator
        if pos.y() - rect.top() < margin:
            where = "above"
        elif rect.bottom() - pos.y() < margin:
            where = "below"
        else:
            where = "on"
        section = over.parent()
        if dragged.parent() is None:  # a section: before or after a section
            if section is not None:
                last = over is section.child(section.childCount() - 1)
                return (None, self.indexOfTopLevelItem(section) + 1) if last and where == "below" else None
            row = self.indexOfTopLevelItem(over)
            after = where == "below" or (where == "on" and pos.y() >= rect.center().y())
            return None, row + (1 if after else 0)
        if section is None:  # an item onto a section: into it (above its row: end of the one before)
            if where == "above":
                row = self.indexOfTopLevelItem(over)
                return (self.topLevelItem(row - 1), self.topLevelItem(row - 1).childCount()) if row else None
            return (over, 0) if where == "below" else (over, over.childCount())
        if where == "on":
            where = "above" if pos.y() < rect.center().y() else "below"
        row = section.indexOfChild(over)
        return section, row + (1 if where == "below" else 0)

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if self._dragged(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        dragged = self._dragged(event.mimeData())
        if dragged is None:
            event.ignore()
            return
        super().dragMoveEvent(event)  # scrolls and draws the drop indicator
        if self.drop_target(dragged, event.position().toPoint()) is None:
            event.ignore()
        else:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()

    def dropEvent(self, event) -> None:  # noqa: N802
        dragged = self._dragged(event.mimeData())
        target = None if dragged is None else self.drop_target(dragged, event.position().toPoint())
        if target is None:
            event.ignore()
        else:
            self.place(dragged, *target)
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        self.setState(QAbstractItemView.State.NoState)
        self.viewport().update()
