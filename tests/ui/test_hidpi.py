"""A high-DPI screen (200 %): marks and the waveform drawn at the screen's own resolution.

The window itself is drawn in a child process (scripts/hidpi_screenshots.py): Qt takes
QT_SCALE_FACTOR when the application starts, and this process has its own at 1×. Its
screenshots go to screenshots/hidpi/ for a person to look at.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSize

from qa_desk.ui.swatches import colour_mark

ROOT = Path(__file__).resolve().parents[2]


def test_colour_marks_are_drawn_for_the_screens_ratio():
    icon = colour_mark("#2f855a", round_=True)
    for ratio, pixels in ((1.0, 10), (1.5, 15), (2.0, 20), (3.0, 30)):
        pixmap = icon.pixmap(QSize(10, 10), ratio)
        assert (pixmap.width(), pixmap.devicePixelRatio()) == (pixels, ratio)  # not 10 pixels blown up
    image = icon.pixmap(QSize(10, 10), 2.0).toImage()
    assert image.pixelColor(10, 10).name() == "#2f855a" and image.pixelColor(0, 0).alpha() == 0


def test_the_window_at_200_percent(tmp_path, screenshots_dir):
    out = screenshots_dir / "hidpi"
    env = dict(os.environ, QA_DESK_HOME=str(tmp_path / "home"))
    env.pop("QA_DESK_DB", None)
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "hidpi_screenshots.py"), "--out", str(out),
                           "--report"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["ratio"] == 2.0
    # A stroke per device pixel: one per logical pixel leaves a gap after each (a comb).
    wave = report["waveform"]
    assert wave["strokes"] >= 1.9 * wave["logical_width"]
    assert report["clip_mark"] == [20, 20, 2.0]
    names = {Path(p).name for p in report["saved"]}
    assert {"calls.png", "call_view.png", "clip_player.png", "agent_detail.png", "team_view.png"} <= names
    for name in names:
        assert (out / name).stat().st_size > 20_000
