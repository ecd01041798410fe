"""The README's screenshots are made by scripts/screenshots.py: it must keep working as
the window changes (a demo centre, every area and a scored call, per language and theme)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_readme_screenshots_are_drawn_in_chinese_dark(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("QA_DESK_DB", None)
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out", str(tmp_path),
                           "--languages", "zh_CN", "--themes", "dark"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "zh_CN-dark"
    names = {p.stem for p in folder.glob("*.png")}
    assert {"calls", "review", "scorecards", "clips", "forms", "settings", "call_flags", "call_evaluation"} <= names
    image = QImage(str(folder / "calls.png"))
    assert (image.width(), image.height()) == (1400, 860)
    # dark: the window's background is dark, not the light default
    assert image.pixelColor(image.width() - 5, image.height() // 2).lightness() < 100
