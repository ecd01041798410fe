"""The window checks calls against the rulebook: "Check now" in the call view, and
every call again when the active rulebook changes in Settings."""

from __future__ import annotations

from sqlalchemy import func, select
from test_flags_pane import zhang_wei  # noqa: F401 - fixture
from ui_data import make_window

from qa_desk.scoring.rulebook import default_rulebook_path
from qa_desk.store import flags as store_flags
from qa_desk.store.models import Call, Rulebook, Transcript


def test_check_now_scans_the_open_call_and_lists_its_flags(qtbot, services, zhang_wei):  # noqa: F811
    window = make_window(qtbot, services)
    view = window.open_call(zhang_wei)
    qtbot.waitUntil(view.is_ready, timeout=20000)
    pane = view.flags
    qtbot.waitUntil(lambda: pane.empty_button.isVisible(), timeout=5000)
    assert pane.empty_button.text() == "Check now"

    pane.empty_button.click()

    qtbot.waitUntil(lambda: not window.flag_checker.is_busy(), timeout=20000)
    with services.db.session() as s:
        stored = store_flags.flags_for_call(s, zhang_wei)
        scanned = s.get(Call, zhang_wei).scanned_rulebook_id
    assert scanned is not None  # checked, with the shipped zh-CN rulebook
    qtbot.waitUntil(lambda: len(pane.flags()) == len(stored), timeout=5000)
    assert pane.empty_text() != "Not checked yet"


def test_a_new_rulebook_checks_every_transcribed_call_again(qtbot, services, zhang_wei, tmp_path):  # noqa: F811
    window = make_window(qtbot, services)
    edited = tmp_path / "our-rules.yaml"
    text = default_rulebook_path("zh-CN").read_text(encoding="utf-8")
    edited.write_text(text.replace("key: zh-CN", "key: our-centre", 1), encoding="utf-8")
    messages = []
    window.flag_checker.batch_finished.connect(messages.append)

    services.settings.rulebook_path = str(edited)  # what choosing the file in Settings saves…
    window.settings_page.rulebook.rulebook_changed.emit(str(edited))  # …and announces

    qtbot.waitUntil(lambda: bool(messages), timeout=60000)
    with services.db.session() as s:
        transcribed = s.scalar(select(func.count(func.distinct(Transcript.call_id))))
    assert f"{transcribed} call(s) checked, 0 failed" in messages[0]
    with services.db.session() as s:
        ours = s.scalar(select(func.count()).select_from(Call).where(Call.scanned_rulebook_id.is_not(None)))
        keys = set(s.scalars(select(Rulebook.key)))
    assert ours == transcribed and keys == {"our-centre"}
