"""Buttons a role cannot use are greyed out with the reason; the store refuses anyway."""

from __future__ import annotations

from test_flags_pane import Outputs, zhang_wei  # noqa: F401 - fixture

from qa_desk.permissions import Actor
from qa_desk.scoring.forms import load_form, shipped_forms
from qa_desk.settings import Settings
from qa_desk.store import evaluations as ev
from qa_desk.store.forms import save_form
from qa_desk.ui.call_view import CallView

ZH = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")
WANG, LI = Actor("王质检", "reviewer"), Actor("李组长", "lead")


def test_only_a_lead_s_resolve_button_is_enabled(qtbot, ui_db, zhang_wei):  # noqa: F811
    from test_form_scoring import SHEET

    with ui_db.session() as s:
        form_id = save_form(s, ZH, actor=LI).id
        view = ev.start_evaluation(s, zhang_wei, form_id, WANG)
        view = ev.save_answers(s, view.id, view.row_version, {k: ev.AnswerEdit(v) for k, v in SHEET.items()}, WANG)
        view = ev.submit(s, view.id, view.row_version, WANG)
        ev.dispute(s, view.id, WANG, "结束语说了")
    for user, enabled in ((WANG, False), (LI, True)):
        call = CallView(ui_db, output_factory=Outputs(), settings=Settings(), user=lambda u=user: u)
        qtbot.addWidget(call)
        call.open_call(zhang_wei)
        qtbot.waitUntil(call.is_ready, timeout=20000)
        panel = call.evaluation
        qtbot.waitUntil(lambda p=panel: p.pages.currentIndex() == 1, timeout=5000)
        assert panel.resolve_button.isEnabled() is enabled
        assert ("Only a team lead" in panel.resolve_button.toolTip()) is not enabled
        call.close_call()
