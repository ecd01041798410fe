"""F1 in the call view lists every key a reviewer can use, the flags list's included."""

from __future__ import annotations

from qa_desk.ui.shortcuts_help import ShortcutsHelp


def test_help_lists_the_call_view_and_flags_list_keys(qtbot):
    dialog = ShortcutsHelp()
    qtbot.addWidget(dialog)
    rows = {what: keys for keys, what in dialog.rows()}
    assert rows["Play or pause"].startswith("Space")
    assert rows["Confirm the selected flag"] == "C"
    assert rows["Dismiss the selected flag (asks for the reason)"] == "D"
    assert rows["Answer the item: Yes, Partial, No or N/A (a digit on a 0..N scale)"] == "Y,  P,  N,  A"
    assert all(text for text in rows)  # every row described
    # Without a window there are no menu keys to list: the view's own groups only.
    assert dialog.headings() == ["Call view", "Flags list (a flag selected)", "Evaluation (the item with the focus)"]
