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


def test_each_area_offers_what_the_signed_in_role_may_do(qtbot, services):
    """One window, the user switched as after signing in to another database: the forms,
    rulebook, training-library and scorecard-export buttons follow the role (their tooltip
    says who may), and nobody signed in is offered none of them."""
    from ui_data import make_window

    window = make_window(qtbot, services)
    window.show_area("forms")
    qtbot.waitUntil(lambda: not window.forms_page.is_loading(), timeout=10000)
    rulebook, clips, forms = window.settings_page.rulebook, window.clips_area, window.forms_page
    expected = {  # role → (forms, rulebook, clips, scorecard export)
        "reviewer": (False, False, False, False),
        "lead": (True, True, False, True),
        "trainer": (False, False, True, False),
        "manager": (False, False, False, True),
        "admin": (True, True, True, True),
    }
    for role, (form_edit, rule_edit, clip_manage, card_export) in expected.items():
        services.user = Actor(f"{role} 甲", role)
        window.apply_role()
        assert forms.new_button.isEnabled() is form_edit, role
        assert ("Only a team lead" in forms.new_button.toolTip()) is not form_edit, role
        assert rulebook.choose_button.isEnabled() is rule_edit, role
        assert clips.playlists.new_button.isEnabled() is clip_manage, role
        assert ("Only a trainer" in clips.delete_button.toolTip()) is not clip_manage, role
        assert ("Only a manager" in window.scorecards_page.export_button.toolTip()) is not card_export, role
        assert window.review_page.actor == services.user
        assert window.review_page.queue.title.text().endswith(services.user.name)
        assert window.calibration_page.actor() == services.user
    services.user = None
    window.apply_role()
    assert not forms.new_button.isEnabled() and not rulebook.choose_button.isEnabled()
    assert not clips.playlists.new_button.isEnabled()
    assert window.calibration_page.actor() is None and window.review_page.actor is None
