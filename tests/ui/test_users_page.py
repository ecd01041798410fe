"""Users and roles in the window: an admin adds a user with a password and changes roles;
anyone else sees the list with the buttons off, and the store refuses them anyway."""

from __future__ import annotations

from qa_desk.permissions import Actor
from qa_desk.store.users import list_users, sign_in
from qa_desk.ui.users_page import UsersPage


def _page(qtbot, services) -> UsersPage:
    page = UsersPage(services)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.table.rowCount() >= 1 and not page.is_busy())
    return page


def test_an_admin_adds_a_user_and_changes_the_role(qtbot, services, screenshots_dir):
    page = _page(qtbot, services)  # the fixture's local user is an admin
    dialog = page.add_user()
    dialog.name.setText("王芳")
    dialog.password.setText("short")
    dialog.again.setText("short")
    dialog.check()
    assert "at least" in dialog.error.text() and dialog.isVisible()
    dialog.password.setText("a long secret")
    dialog.again.setText("a long secret")
    dialog.check()
    qtbot.waitUntil(lambda: page.table.rowCount() == 2 and not page.is_busy())
    with services.db.session() as s:
        assert sign_in(s, "王芳", "a long secret").role == "reviewer"
    row = next(i for i, u in enumerate(page._users) if u.name == "王芳")
    page.table.selectRow(row)
    page.role_choice.setCurrentIndex(page.role_choice.findData("lead"))
    page.change_role()
    qtbot.waitUntil(lambda: not page.is_busy() and page.status.text() == "Saved.")
    with services.db.session() as s:
        assert {u.name: u.role for u in list_users(s)}["王芳"] == "lead"
    page.grab().save(str(screenshots_dir / "users.png"))


def test_a_reviewer_sees_the_buttons_off_and_is_refused(qtbot, services):
    services.user = Actor("王芳", "reviewer")
    page = _page(qtbot, services)
    assert not page.add_button.isEnabled() and "admin" in page.add_button.toolTip()
    page._change(lambda s, actor: __import__("qa_desk.store.users", fromlist=["x"]).create_user(
        s, actor, "x", "admin", password="a long secret"))
    qtbot.waitUntil(lambda: not page.is_busy())
    assert "may not" in page.status.text()
