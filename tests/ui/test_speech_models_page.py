"""Settings → Speech models: the list, installs (folder, zip, download with Cancel),
remove, default, added folders, the catalogue, the transcription settings, a screenshot."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fake_models import make_model, make_model_zip
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from qa_desk.settings import Settings
from qa_desk.transcription import catalog as cat
from qa_desk.transcription import speech_models as sm
from qa_desk.transcription.download import download_path_for, part_path
from qa_desk.ui.settings_page import SettingsPage
from qa_desk.ui.speech_models_page import SpeechModelsPage


@pytest.fixture
def dialogs(monkeypatch):
    """File dialogs return what the test plans; message boxes record and answer."""
    plan = {"folder": "", "file": "", "answer": QMessageBox.StandardButton.Yes}
    shown = []

    def box(kind):
        def show(parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return plan["answer"] if kind == "question" else QMessageBox.StandardButton.Ok
        return staticmethod(show)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: plan["folder"]))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (plan["file"], "")))
    for kind in ("warning", "information", "question", "critical"):
        monkeypatch.setattr(QMessageBox, kind, box(kind))
    return plan, shown


def make_page(qtbot, services) -> SpeechModelsPage:
    page = SpeechModelsPage(services)
    qtbot.addWidget(page)
    page.resize(700, 600)
    page.show()
    return page


def rows(page) -> list[list[str]]:
    table = page.table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_list_shows_language_size_location_and_default(qtbot, services, tmp_path, monkeypatch):
    make_model(sm.models_dir() / "vosk-model-small-cn-0.22")
    make_model(tmp_path / "shared" / "vosk-model-small-en-us-0.15")
    monkeypatch.setenv("VOSK_MODEL_PATH", str(tmp_path / "shared"))
    page = make_page(qtbot, services)
    assert [r[:2] + r[3:] for r in rows(page)] == [
        ["vosk-model-small-cn-0.22", "Chinese (zh)", "Installed", "✓"],
        ["vosk-model-small-en-us-0.15", "English (en)", "VOSK_MODEL_PATH", "✓"],
    ]
    assert rows(page)[0][2].endswith("KiB")
    assert not page.empty_hint.isVisible()
    assert not page.remove_button.isEnabled()  # nothing selected yet


def test_install_from_folder_runs_as_a_job(qtbot, services, dialogs, tmp_path):
    plan, shown = dialogs
    page = make_page(qtbot, services)
    assert page.empty_hint.isVisible()
    plan["folder"] = str(make_model(tmp_path / "vosk-model-small-cn-0.22"))
    click(qtbot, page.install_folder_button)
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=10000)
    assert [r[0] for r in rows(page)] == ["vosk-model-small-cn-0.22"]
    assert page.selected_model().name == "vosk-model-small-cn-0.22"
    assert "Installed vosk-model-small-cn-0.22" in page.result.text() and shown == []

    # Same name again: asked to replace; "No" leaves it.
    plan["answer"] = QMessageBox.StandardButton.No
    click(qtbot, page.install_folder_button)
    assert shown[-1][0] == "question" and "already installed" in shown[-1][2]
    assert not page.is_busy()


def test_a_bad_zip_is_reported_naming_the_file_and_the_problem(qtbot, services, dialogs, tmp_path):
    plan, shown = dialogs
    page = make_page(qtbot, services)
    plan["file"] = str(make_model_zip(tmp_path / "broken-model.zip", drop=("conf/model.conf",)))
    click(qtbot, page.install_zip_button)
    qtbot.waitUntil(lambda: not page.is_busy(), timeout=10000)
    kind, title, text = shown[-1]
    assert kind == "warning" and title == "Install failed"
    assert "broken-model.zip" in text and "missing conf/model.conf" in text
    assert page.table.rowCount() == 0 and list(sm.models_dir().iterdir()) == []


def test_remove_asks_first_and_refuses_models_that_are_not_ours(qtbot, services, dialogs, tmp_path, monkeypatch):
    plan, shown = dialogs
    make_model(sm.models_dir() / "vosk-model-small-cn-0.22")
    shared = make_model(tmp_path / "vosk-model-small-en-us-0.15")
    monkeypatch.setenv("VOSK_MODEL_PATH", str(shared))
    page = make_page(qtbot, services)
    page.select("vosk-model-small-en-us-0.15")
    click(qtbot, page.remove_button)
    assert shown[-1][0] == "information" and str(shared) in shown[-1][2] and shared.exists()

    page.select("vosk-model-small-cn-0.22")
    plan["answer"] = QMessageBox.StandardButton.No
    click(qtbot, page.remove_button)
    assert page.table.rowCount() == 2
    plan["answer"] = QMessageBox.StandardButton.Yes
    click(qtbot, page.remove_button)
    assert [r[0] for r in rows(page)] == ["vosk-model-small-en-us-0.15"]
    assert "Removed vosk-model-small-cn-0.22" in page.result.text()


def test_set_as_default_is_saved(qtbot, services, dialogs):
    make_model(sm.models_dir() / "vosk-model-small-cn-0.22")
    make_model(sm.models_dir() / "vosk-model-cn-0.22")
    make_model(sm.models_dir() / "mystery")
    page = make_page(qtbot, services)
    assert [r[4] for r in rows(page)] == ["", "", ""]  # two Chinese models, none chosen
    page.select("mystery")
    assert not page.default_button.isEnabled()  # language unknown
    page.select("vosk-model-cn-0.22")
    click(qtbot, page.default_button)
    assert Settings.load().default_models == {"zh": "vosk-model-cn-0.22"}
    assert {r[0]: r[4] for r in rows(page)}["vosk-model-cn-0.22"] == "✓"
    assert "default model for Chinese (zh)" in page.result.text()


def test_add_folder_and_refresh_the_catalogue(qtbot, services, dialogs, tmp_path):
    plan, shown = dialogs
    page = make_page(qtbot, services)
    plan["folder"] = str(tmp_path / "team-models")
    make_model(tmp_path / "team-models" / "vosk-model-small-ja-0.22")
    click(qtbot, page.add_folder_button)
    assert Settings.load().model_folders == [plan["folder"]]
    assert rows(page)[0][:2] + rows(page)[0][3:4] == ["vosk-model-small-ja-0.22", "Japanese (ja)", "Added folder"]
    assert "1 model(s) found" in page.result.text()

    plan["file"] = str(tmp_path / "bad-list.json")
    (tmp_path / "bad-list.json").write_text("[]", encoding="utf-8")
    click(qtbot, page.catalog_button)
    assert shown[-1][0] == "warning" and "bad-list.json" in shown[-1][2] and "holds no models" in shown[-1][2]
    plan["file"] = str(tmp_path / "list.json")
    (tmp_path / "list.json").write_text(cat.shipped_catalog_path().read_text(encoding="utf-8"), encoding="utf-8")
    click(qtbot, page.catalog_button)
    assert "8 published models" in page.result.text() and cat.user_catalog_path().exists()


def test_language_of_calls_and_workers_are_saved(qtbot, services):
    page = make_page(qtbot, services)
    assert page.call_language.currentData() == "zh"
    assert page.call_language.itemData(1) == "en"
    page.call_language.setCurrentIndex(page.call_language.findData("ko"))
    page.workers.setValue(3)
    saved = Settings.load()
    assert (saved.call_language, saved.transcription_workers) == ("ko", 3)
    page.workers.setValue(0)
    assert page.workers.text().startswith("Automatic")


class _GatedHandler(BaseHTTPRequestHandler):
    """Serves the payload; with the gate closed it stops after the first 64 KiB."""

    def do_GET(self):  # noqa: N802
        data = self.server.payload
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[:65536])
        self.wfile.flush()
        self.server.gate.wait(10)
        self.wfile.write(data[65536:])

    def log_message(self, *args):
        pass


@pytest.fixture
def model_server(tmp_path):
    import os
    import zipfile

    zip_path = make_model_zip(tmp_path / "payload.zip")
    with zipfile.ZipFile(zip_path, "a") as zf:
        zf.writestr("vosk-model-small-cn-0.22/graph/extra.bin", os.urandom(300_000))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GatedHandler)
    server.daemon_threads = True
    server.handle_error = lambda *a: None
    server.payload, server.gate = zip_path.read_bytes(), threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/vosk-model-small-cn-0.22.zip"
    entry = {"lang": "cn", "lang_text": "Chinese", "md5": "", "name": "vosk-model-small-cn-0.22", "obsolete": "false",
             "size": len(server.payload), "size_text": "0.3MiB", "type": "small", "url": url, "version": "0.22"}
    (tmp_path / "list.json").write_text(json.dumps([entry]), encoding="utf-8")
    cat.refresh_catalog(tmp_path / "list.json")
    yield server
    server.gate.set()
    server.shutdown()
    server.server_close()


def test_download_with_progress_cancel_and_resume(qtbot, services, dialogs, model_server):
    page = make_page(qtbot, services)
    dialog = page.open_download_dialog()
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 2).text() == "0.3MiB"
    dialog.select("vosk-model-small-cn-0.22")
    click(qtbot, dialog.download_button)
    assert dialog.cancel_button.isVisible() and page.is_busy() is False
    part = part_path(download_path_for(dialog.entries[0].url))
    qtbot.waitUntil(lambda: part.exists() and part.stat().st_size >= 65536, timeout=5000)
    qtbot.waitUntil(lambda: dialog.progress.maximum() == len(model_server.payload) >> 10, timeout=5000)
    assert dialog.status.text() == "Downloading…"
    click(qtbot, dialog.cancel_button)
    model_server.gate.set()
    qtbot.waitUntil(lambda: not dialog.is_downloading(), timeout=10000)
    assert "Download cancelled" in dialog.status.text() and dialog.isVisible()
    assert page.table.rowCount() == 0

    with qtbot.waitSignal(dialog.installed, timeout=10000):
        click(qtbot, dialog.download_button)
    assert not dialog.isVisible() and not part.exists()
    assert [r[0] for r in rows(page)] == ["vosk-model-small-cn-0.22"]
    assert "Installed vosk-model-small-cn-0.22" in page.result.text()


def test_the_settings_page_holds_the_speech_models_group(qtbot, services):
    page = SettingsPage(services)
    qtbot.addWidget(page)
    assert isinstance(page.speech_models, SpeechModelsPage)
    make_model(sm.models_dir() / "vosk-model-small-cn-0.22")
    page.reload()
    assert page.speech_models.table.rowCount() == 1


def test_screenshot(qtbot, services, tmp_path, monkeypatch, screenshots_dir):
    for name in ("vosk-model-small-cn-0.22", "vosk-model-cn-0.22", "vosk-model-small-en-us-0.15"):
        make_model(sm.models_dir() / name)
    make_model(tmp_path / "shared" / "vosk-model-small-ko-0.22")
    monkeypatch.setenv("VOSK_MODEL_PATH", str(tmp_path / "shared"))
    services.settings.default_models = {"zh": "vosk-model-small-cn-0.22"}
    page = SettingsPage(services)
    qtbot.addWidget(page)
    page.resize(1000, 1250)
    page.show()
    page.speech_models.select("vosk-model-cn-0.22")
    qtbot.wait(50)
    path = screenshots_dir / "speech_models.png"
    assert page.grab().save(str(path)) and path.stat().st_size > 10_000
