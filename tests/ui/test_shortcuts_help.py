"""F1 in the call view lists every key a reviewer can use, the flags list's included."""

from __future__ import annotations

from qa_desk.ui.shortcuts_help import ShortcutsHelp


def test_help_lists_the_call_view_and_flags_list_keys(qtbot):
    dialog = ShortcutsHelp()
    qtbot.addWidget(dialog)
    rows = {dialog.table.item(r, 1).text(): dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())}
    assert rows["Play or pause"].startswith("Space")
    assert rows["Flags list: confirm the selected flag"] == "C"
    assert rows["Flags list: dismiss it (asks for the reason)"] == "D"
    assert rows["Evaluation: answer Yes, Partial, No or N/A (a digit on a 0..N scale)"] == "Y,  P,  N,  A"
    assert all(text for text in rows)  # every row described
