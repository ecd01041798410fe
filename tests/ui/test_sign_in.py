"""Who uses the window: the first-run dialog of a SQLite file, signing in to a shared
database, and the status bar saying who is signed in."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from qa_desk.permissions import Actor
from qa_desk.settings import Settings
from qa_desk.store.users import SignInError, create_user, list_users
from qa_desk.ui.services import Services
from qa_desk.ui.sign_in import FirstRunDialog, SignInDialog, choose_user


def test_first_run_asks_name_and_role_admin_by_default(qtbot):
    dialog = FirstRunDialog("")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.role.currentData() == "admin" and not ok.isEnabled()  # a name is needed
    dialog.name.setText(" 王质检 ")
    dialog.role.setCurrentIndex(dialog.role.findData("reviewer"))
    assert ok.isEnabled() and dialog.chosen() == ("王质检", "reviewer")


def test_first_run_chooses_the_language_and_speaks_it_at_once(qtbot, sqlite_db, monkeypatch, tmp_path,
                                                             screenshots_dir):
    """Choosing 简体中文 turns the dialog Chinese there and then (the window that follows is
    built in it); the choice is kept with the user."""
    from qa_desk.ui.translations import install_translators

    dialog = FirstRunDialog("王质检", "reviewer", language="",
                            switch_language=lambda code: install_translators(None, code))
    qtbot.addWidget(dialog)
    try:
        assert dialog.windowTitle() == "Welcome to QA Desk" and dialog.role.currentText() == "QA reviewer"
        dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
        assert dialog.windowTitle() == "欢迎使用 QA Desk" and dialog.role.currentText() == "质检员"
        assert dialog.labels[1].text() != "Your name" and dialog.language_code() == "zh_CN"
        dialog.show()
        qtbot.wait(50)
        assert dialog.grab().save(str(screenshots_dir / "first_run_zh.png"))
    finally:
        install_translators(None, "en")
    assert dialog.language_code() == "zh_CN"
    monkeypatch.setattr(FirstRunDialog, "ask", lambda self: (self.language.setCurrentIndex(
        self.language.findData("zh_CN")), self.chosen())[1])
    path = tmp_path / "settings.json"
    try:
        choose_user(Services(Settings(), sqlite_db, settings_path=path))
    finally:
        install_translators(None, "en")
    assert Settings.load(path).language == "zh_CN"


def test_first_run_stores_the_single_local_user_and_remembers_them(qtbot, sqlite_db, monkeypatch, tmp_path):
    monkeypatch.setattr(FirstRunDialog, "ask", lambda self: ("王质检", "reviewer"))
    path = tmp_path / "settings.json"
    services = Services(Settings(), sqlite_db, settings_path=path)
    actor = choose_user(services)
    assert (actor.name, actor.role) == ("王质检", "reviewer") and actor.user_id is not None
    saved = Settings.load(path)
    assert (saved.user_name, saved.user_role) == ("王质检", "reviewer")
    # Next start: no question, the same stored user.
    monkeypatch.setattr(FirstRunDialog, "ask", lambda self: (_ for _ in ()).throw(AssertionError("asked again")))
    assert choose_user(Services(saved, sqlite_db, settings_path=path)) == actor
    with sqlite_db.session() as s:
        assert [(u.name, u.role, u.has_password) for u in list_users(s)] == [("王质检", "reviewer", False)]


def test_cancelling_the_first_run_quits(qtbot, sqlite_db, monkeypatch):
    monkeypatch.setattr(FirstRunDialog, "ask", lambda self: None)
    assert choose_user(Services(Settings(), sqlite_db)) is None


def test_sign_in_dialog_shows_the_error_and_accepts_the_right_password(qtbot):
    def attempt(name, password):
        if password != "s3cret-pass":
            raise SignInError("The name or password is wrong")
        return Actor(name, "lead", 7)

    dialog = SignInDialog(attempt, "李组长", "postgresql://qa@db/qa")
    qtbot.addWidget(dialog)
    dialog.try_sign_in()
    assert dialog.error.text() == "Give your name and password."
    dialog.password.setText("guess")
    dialog.try_sign_in()
    assert "The name or password is wrong" in dialog.error.text() and dialog.password.text() == ""
    assert dialog.actor is None and dialog.result() == 0
    dialog.password.setText("s3cret-pass")
    dialog.try_sign_in()
    assert dialog.actor == Actor("李组长", "lead", 7) and dialog.result() == 1


def test_a_file_with_users_who_sign_in_asks_for_a_password(qtbot, sqlite_db, monkeypatch):
    with sqlite_db.session() as s:
        create_user(s, Actor("installer", "admin"), "李组长", "lead", password="s3cret-pass")
    asked = []
    monkeypatch.setattr(SignInDialog, "ask", lambda self: asked.append(self.name.text()) or None)
    assert choose_user(Services(Settings(user_name="someone else"), sqlite_db)) is None
    assert asked == ["someone else"]


def test_the_window_shows_who_is_signed_in(qtbot, services):
    from ui_data import make_window

    window = make_window(qtbot, services)
    assert window.user_label.text() == f"Signed in: {services.user.name} (Administrator)"


def test_a_shared_database_without_users_asks_for_its_first_admin(qtbot):
    made = []

    def attempt(name, password):
        made.append((name, password))
        return Actor(name, "admin")

    dialog = SignInDialog(attempt, "", "postgresql://qa@db/qa", first_admin=True)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Create the first admin" and not dialog.first_admin_hint.isHidden()
    dialog.name.setText("李组长")
    dialog.password.setText("a long secret")
    dialog.again.setText("a different one")
    dialog.try_sign_in()
    assert "differ" in dialog.error.text() and made == []
    dialog.again.setText("a long secret")
    dialog.try_sign_in()
    assert made == [("李组长", "a long secret")] and dialog.actor.role == "admin"


def test_screenshots(qtbot, screenshots_dir):
    """The three ways into QA Desk, as people see them: first run on a local file,
    signing in to a shared database (after a wrong password), its first admin."""
    first_run = FirstRunDialog("王质检")
    qtbot.addWidget(first_run)
    first_run.show()

    def wrong(name, password):
        raise SignInError("The name or password is wrong")

    sign_in = SignInDialog(wrong, "李组长", "postgresql://qa@qa-db.example.cn/qa")
    qtbot.addWidget(sign_in)
    sign_in.show()
    sign_in.password.setText("guess")
    sign_in.try_sign_in()
    first_admin = SignInDialog(lambda n, p: Actor(n, "admin"), "", "postgresql://qa@qa-db.example.cn/qa",
                               first_admin=True)
    qtbot.addWidget(first_admin)
    first_admin.show()
    qtbot.wait(50)
    for dialog, name in ((first_run, "first_run"), (sign_in, "sign_in"), (first_admin, "first_admin")):
        assert dialog.grab().save(str(screenshots_dir / f"{name}.png")), name
