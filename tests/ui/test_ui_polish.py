"""Issue 10's "the first day" review, three things seen at once: the clip player's
waveform squeezed to its minimum, the transcript's Export button drawing its menu arrow
over its text, and the keyboard help that knew only the call view's keys. Each is
checked here and grabbed to screenshots/polish/ to be looked at."""

from __future__ import annotations

import pytest
from clip_data import SARAH, sample_calls, sample_clips
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QImage, QKeySequence
from PySide6.QtWidgets import QMenu, QPushButton, QStyle, QStyleOptionButton
from test_call_view import Outputs, open_view
from test_clips_page import settle
from ui_data import make_window

from qa_desk.permissions import Actor
from qa_desk.ui.clip_player import WORDS_MIN_HEIGHT, ClipPlayer
from qa_desk.ui.layout_memory import layout_file
from qa_desk.ui.shortcuts_help import ShortcutsHelp, menu_text
from qa_desk.ui.theme import apply_theme


@pytest.fixture
def clips(ui_db):
    return sample_clips(ui_db, sample_calls(ui_db))


@pytest.fixture
def shots(screenshots_dir):
    folder = screenshots_dir / "polish"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def theme(qapp):
    """theme("light" | "dark"): the application drawn so, as Settings would; put back after."""
    style, palette = qapp.style().name(), qapp.palette()
    yield lambda name: apply_theme(qapp, name)
    qapp.setStyle(style)
    qapp.setPalette(palette)


# --- the clip player's split ---------------------------------------------------------------

def show_clip(qtbot, player, clip_id: int) -> None:
    player.show_clip(clip_id)
    qtbot.waitUntil(player.is_ready, timeout=10000)
    qtbot.wait(20)


def clips_area(qtbot, services, size=None):
    window = make_window(qtbot, services)
    window.audio_output_factory = Outputs()
    if size:
        window.resize(*size)
    window.show_area("clips")
    settle(qtbot, window.clips_area)
    return window, window.clips_area


def choose(qtbot, page, clip_id: int) -> None:
    page.select_clip(clip_id)
    qtbot.waitUntil(lambda: page.player.is_ready() and page.player.clip().id == clip_id, timeout=10000)
    qtbot.wait(50)


def test_the_clip_players_waveform_gets_most_of_its_height(qtbot, ui_db, clips, shots):
    player = ClipPlayer(lambda: ui_db, output_factory=Outputs(), actor=lambda: Actor("王芳", "trainer"))
    qtbot.addWidget(player)
    player.resize(760, 560)
    player.show()
    show_clip(qtbot, player, clips[2].id)  # the split sits on a page shown only now
    assert player.waveform.height() >= player.height() / 2
    assert player.transcript.height() >= WORDS_MIN_HEIGHT
    assert "不知道" in player.transcript.text.toPlainText()
    assert player.grab().save(str(shots / "clip_player.png"))
    player.resize(760, 760)  # taller: mostly more waveform, a little more of the words
    qtbot.wait(20)
    assert player.waveform.height() >= player.height() / 2
    assert WORDS_MIN_HEIGHT < player.transcript.height() < player.waveform.height() / 2


def test_the_clips_area_gives_the_waveform_room(qtbot, services, clips, shots):
    window, page = clips_area(qtbot, services, (1440, 900))
    choose(qtbot, page, clips[2].id)
    player = page.player
    assert player.waveform.height() >= 0.48 * player.height()
    assert player.transcript.height() >= WORDS_MIN_HEIGHT
    assert window.grab().save(str(shots / "clips_area_1440x900.png"))
    window.resize(1280, 800)  # the window's first size: less room, still the biggest part
    qtbot.wait(50)
    assert player.waveform.height() >= 0.38 * player.height()
    assert player.waveform.height() > 1.5 * player.transcript.height() >= 1.5 * WORDS_MIN_HEIGHT
    assert page.playlists.height() >= page.playlists.minimumSizeHint().height()
    assert window.grab().save(str(shots / "clips_area.png"))


def test_a_trainers_own_clip_split_stays(qtbot, ui_db, clips):
    player = ClipPlayer(lambda: ui_db, output_factory=Outputs(), actor=lambda: Actor("王芳", "trainer"))
    qtbot.addWidget(player)
    player.resize(760, 560)
    player.show()
    show_clip(qtbot, player, clips[1].id)
    split = player.split
    split.moveSplitter(220, 1)  # many words, a small waveform: the trainer's choice
    words = split.sizes()[1]
    assert words > 0.4 * sum(split.sizes())
    player.resize(760, 600)
    qtbot.wait(20)
    assert split.sizes()[1] >= words  # grown with the player, not put back to a quarter
    show_clip(qtbot, player, clips[1].id)
    assert split.sizes()[1] >= words


def test_a_trainers_own_clip_split_comes_back(qtbot, services, clips):
    window, page = clips_area(qtbot, services)
    window.resize(window.minimumWidth(), 700)  # fits the test screen: restored as it is
    qtbot.waitUntil(lambda: window.height() == 700)
    choose(qtbot, page, clips[1].id)
    page.right.moveSplitter(page.right.height(), 1)  # the playlists as small as they go: room for the clip
    qtbot.wait(20)
    split = page.player.split
    split.moveSplitter(split.widget(0).minimumSizeHint().height() + 20, 1)
    moved = split.sizes()
    assert moved[1] > 0.35 * sum(moved)  # not the player's own split
    window.close()
    assert "splitters/clipsArea/clipsSplitter/clipsRightSplitter/clipPlayer/clipPlayerSplitter" in QSettings(
        str(layout_file()), QSettings.Format.IniFormat).allKeys()

    again, page = clips_area(qtbot, services)
    assert (again.width(), again.height()) == (window.width(), 700)
    choose(qtbot, page, clips[1].id)
    qtbot.waitUntil(lambda: page.player.split.sizes() == moved)


# --- the transcript's Export button ---------------------------------------------------------

def ink_runs(image: QImage, background: QColor) -> list[tuple[int, int]]:
    """Columns (first, last) where something is drawn on the button's face, away from its
    border: runs closer than 4 px are one (the letters of a word)."""
    def inked(x: int) -> bool:
        return any(abs(image.pixelColor(x, y).lightness() - background.lightness()) > 60
                   for y in range(4, image.height() - 4))
    runs: list[list[int]] = []
    for x in range(4, image.width() - 4):
        if inked(x):
            if runs and x - runs[-1][1] < 4:
                runs[-1][1] = x
            else:
                runs.append([x, x])
    return [(first, last) for first, last in runs]


@pytest.mark.parametrize("name", ["light", "dark"])
def test_the_export_buttons_arrow_is_beside_its_text(qtbot, ui_db, theme, shots, name):
    theme(name)
    view = open_view(qtbot, ui_db, sample_calls(ui_db)[SARAH])
    qtbot.wait(20)
    button = view.clips.export_button
    assert isinstance(button, QPushButton) and isinstance(button.menu(), QMenu)
    assert [a.text() for a in button.menu().actions()] == ["Export transcript…", "Export transcript, anonymised…"]
    # The style draws the text beside the arrow, in the room the button's size leaves it.
    option = QStyleOptionButton()
    button.initStyleOption(option)
    assert option.features & QStyleOptionButton.ButtonFeature.HasMenu
    style = button.style()
    contents = style.subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    arrow = style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, option, button)
    assert contents.width() - arrow >= button.fontMetrics().horizontalAdvance(button.text())
    assert button.width() >= button.sizeHint().width()  # not squeezed by the heading
    # As drawn: the word, then a gap, then the arrow (the arrow once sat on the "…").
    image = button.grab().toImage()
    runs = ink_runs(image, button.palette().button().color())
    assert len(runs) == 2, runs
    assert runs[0][1] - runs[0][0] >= button.fontMetrics().horizontalAdvance(button.text()) - 3
    pane = view.transcript  # its heading row, where the button sits, and the first lines
    assert pane.grab(pane.rect().adjusted(0, 0, 0, button.geometry().bottom() + 90 - pane.height())).save(
        str(shots / f"export_button_{name}.png"))


# --- the keyboard help ------------------------------------------------------------------------

def menu_keys(window) -> list[tuple[str, str, str]]:
    """(menu, entry, keys as this platform shows them) of every menu entry with a shortcut."""
    return [(top.text(), action.text(), ",  ".join(
                k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()))
            for top in window.menuBar().actions() for action in top.menu().actions()
            if not action.isSeparator() and action.shortcuts()]


@pytest.mark.parametrize("name", ["light", "dark"])
def test_the_help_lists_the_windows_menu_keys_too(qtbot, services, theme, shots, name):
    theme(name)
    window = make_window(qtbot, services)
    help = window.show_shortcuts()
    qtbot.waitExposed(help)
    rows = help.rows()
    keys = menu_keys(window)
    assert len(keys) >= 14  # Ctrl+I, Ctrl+, Ctrl+Q, Ctrl+F, Ctrl+Shift+F, Ctrl+1…6, Ctrl+J, F11, F1
    for menu, entry, text in keys:
        assert (text, f"{menu_text(menu)} \u203a {menu_text(entry)}") in rows
    shown = {what: text for text, what in rows}
    assert shown["File \u203a Import recordings…"] == QKeySequence("Ctrl+I").toString(
        QKeySequence.SequenceFormat.NativeText)
    assert shown["View \u203a Clips"] == QKeySequence("Ctrl+4").toString(QKeySequence.SequenceFormat.NativeText)
    assert "Ctrl+J" in shown["View \u203a Transcription jobs"] or "⌘J" in shown["View \u203a Transcription jobs"]
    assert help.headings() == ["Window", "Call view", "Flags list (a flag selected)",
                               "Evaluation (the item with the focus)"]
    assert rows.index(next(r for r in rows if r[1] == "Play or pause")) == len(keys)  # the window's first
    assert help.grab().save(str(shots / f"shortcuts_{name}.png"))
    help.table.scrollToBottom()  # on this short test screen the flags' and evaluation's keys scroll
    assert help.grab().save(str(shots / f"shortcuts_{name}_end.png"))


def test_a_views_help_reads_the_same_menus(qtbot, services):
    """F1 in the call view opens the view's own help: inside the window it lists the
    window's keys too, read from its actions (a key changed there changes here)."""
    window = make_window(qtbot, services)
    window.jobs_action.setShortcut(QKeySequence("Ctrl+Shift+J"))
    help = ShortcutsHelp(window.calls_page)
    qtbot.addWidget(help)
    shown = {what: text for text, what in help.rows()}
    assert shown["View \u203a Transcription jobs"] == QKeySequence("Ctrl+Shift+J").toString(
        QKeySequence.SequenceFormat.NativeText)
    assert shown["Help \u203a Keyboard shortcuts"].startswith("F1")


def test_menu_texts_lose_their_mnemonics():
    assert menu_text("&Import recordings…") == "Import recordings…"
    assert menu_text("S&ettings…") == "Settings…"
    assert menu_text("导入录音(&I)…") == "导入录音…"
    assert menu_text("Save && close") == "Save & close"
