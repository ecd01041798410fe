"""Screenshots of the main screens, for a person to look at (saved to screenshots/).

They also check that each screen renders at its normal size without errors.
"""

from __future__ import annotations

import numpy as np
import soundfile as sf
from PySide6.QtCore import Qt
from ui_data import make_window

from qa_desk.ui.import_dialog import ImportDialog


def shoot(widget, path) -> None:
    assert widget.grab().save(str(path)), path
    assert path.stat().st_size > 10_000


def test_main_window_welcome(qtbot, services, screenshots_dir):
    window = make_window(qtbot, services)
    assert window.calls_page.showing() == "welcome"
    shoot(window, screenshots_dir / "main_window_welcome.png")


def test_calls_library(qtbot, services, add_calls, screenshots_dir):
    add_calls(50)
    window = make_window(qtbot, services)
    qtbot.waitUntil(lambda: window.calls_page.filter_bar.team.count() > 1)
    window.calls_page.view.selectRow(2)
    shoot(window, screenshots_dir / "calls_library.png")


def test_no_match_and_area_pages(qtbot, services, add_calls, screenshots_dir):
    add_calls(20)
    window = make_window(qtbot, services)
    window.calls_page.filter_bar.search.setText("nobody")
    qtbot.waitUntil(lambda: window.calls_page.showing() == "no_match", timeout=3000)
    shoot(window, screenshots_dir / "calls_no_match.png")
    window.show_area("scorecards")
    qtbot.waitUntil(lambda: window.scorecards_page.showing() != "loading")
    shoot(window, screenshots_dir / "area_scorecards.png")


def test_import_dialog_report(qtbot, services, tmp_path, screenshots_dir):
    folder = tmp_path / "录音导出"
    folder.mkdir()
    rng = np.random.default_rng(7)
    names = [
        "张伟_20261103-143311_13912345678.wav",
        "李娜_20261103-091502_13800138000.wav",
        "Sarah Mitchell_20261104-101845_2125550147.wav",
        "王芳_20261105-111000_13700001111.wav",
    ]
    for i, name in enumerate(names):
        seconds = 1.0 + i
        sf.write(folder / name, (0.1 * rng.standard_normal((int(8000 * seconds), 2))).astype(np.float32), 8000)
    (folder / "Dave Wilson_20261104-162007_2125550198.wav").write_text("not audio", encoding="utf-8")
    (folder / "recording-0042.wav").write_bytes((folder / names[0]).read_bytes()[:44] + b"\0" * 4000)
    (folder / "calls.txt").write_text("call list", encoding="utf-8")

    dialog = ImportDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.add_paths([folder])
    shoot(dialog, screenshots_dir / "import_dialog_setup.png")
    with qtbot.waitSignal(dialog.library_changed, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.report is not None
    shoot(dialog, screenshots_dir / "import_report_full_window.png")


def test_settings_page(qtbot, services, add_calls, screenshots_dir):
    window = make_window(qtbot, services)
    window.show_area("settings")
    page = window.settings_page
    page.test_connection()
    qtbot.waitUntil(lambda: not page.is_testing(), timeout=10000)
    shoot(window, screenshots_dir / "settings.png")


def _forms_area(qtbot, window):
    window.show_area("forms")
    page = window.stack.currentWidget()
    qtbot.waitUntil(lambda: not page.is_loading() and bool(page.forms()), timeout=10000)
    page.select_form("hotline-zh")
    return page


def test_forms_area(qtbot, services, screenshots_dir):
    window = make_window(qtbot, services)
    page = _forms_area(qtbot, window)
    assert page.preview.texts()[0] == "电话客服质检表"
    qtbot.wait(50)
    shoot(window, screenshots_dir / "forms_area.png")


def test_form_builder_with_a_problem(qtbot, services, screenshots_dir):
    from qa_desk.ui.form_builder import CHECK_DELAY_MS

    window = make_window(qtbot, services)
    builder = _forms_area(qtbot, window).edit()
    tree = builder.tree
    closing = next(tree.items_of(s)[1] for s in tree.sections() if tree.node(s)["key"] == "opening_closing")
    tree.setCurrentItem(closing)
    builder.item_editor.key.selectAll()
    qtbot.keyClicks(builder.item_editor.key, "standard_opening")  # a key already used: a problem
    qtbot.wait(CHECK_DELAY_MS + 100)
    assert builder.problems() and not builder.save_button.isEnabled()
    shoot(window, screenshots_dir / "form_builder.png")
