"""The window on a high-DPI screen: every area, a call, a clip, an agent's charts and the
team view, drawn offscreen at QT_SCALE_FACTOR 2 (a 4K laptop at 200 %) and saved as PNGs.

    python scripts/hidpi_screenshots.py                  # screenshots/hidpi/*.png
    python scripts/hidpi_screenshots.py --scale 1.5 --out /tmp/shots --report

Look at them at 100 % zoom: icons, colour marks and the waveform must be as sharp as the
text, and no fixed size may clip a label. ``--report`` prints what tests check (JSON):
the device pixel ratio, the waveform's strokes per logical pixel, the clips' marks.

Qt reads the scale factor when the application starts, so this runs in its own process
(tests/ui/test_hidpi.py starts it); a small demo centre is built in a temporary folder,
never in the user's own.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1400, 860)  # logical pixels: 2800 × 1720 pixels at 200 %

sys.path.insert(0, str(ROOT / "scripts"))
from screenshots import _page_ready, _settle  # noqa: E402 - the README's screenshots wait the same way


def draw(out: Path) -> dict:
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import select

    from qa_desk.demo import build_demo_centre
    from qa_desk.settings import Settings
    from qa_desk.store.database import Database
    from qa_desk.store.models import Clip, Evaluation
    from qa_desk.store.users import local_user
    from qa_desk.ui.main_window import AREAS, MainWindow
    from qa_desk.ui.services import Services

    app = QApplication.instance() or QApplication([sys.argv[0]])
    db = Database.open(f"sqlite:///{Path(os.environ['QA_DESK_HOME']) / 'demo.db'}")
    build_demo_centre(db, agents=4, months=1)  # last month and this one: the scorecards show one
    with db.session() as session:
        user = local_user(session, "QA Manager", "admin")
        call_id = session.scalar(select(Evaluation.call_id).where(Evaluation.status == "submitted").limit(1))
        clip_id = session.scalar(select(Clip.id).limit(1))
    window = MainWindow(Services(Settings(), db, user=user))
    window.resize(*SIZE)
    window.show()
    out.mkdir(parents=True, exist_ok=True)
    saved: list[str] = []

    def shoot(name: str) -> None:
        path = out / f"{name}.png"
        window.grab().save(str(path))
        saved.append(str(path))

    for key in AREAS:
        window.show_area(key)
        _settle(app, lambda: _page_ready(window.stack.currentWidget()))
        if key == "scorecards":
            page = window.scorecards_page
            if page.showing() == "empty":  # the month has just begun: the one before it
                page.previous_button.click()
                _settle(app, lambda p=page: not p.is_loading())
        shoot(key)
    report: dict = {"ratio": window.devicePixelRatioF(), "saved": saved}

    page = window.scorecards_page
    window.show_area("scorecards")
    if page.model.rowCount():
        page.open_row(0)
        _settle(app, lambda: not page.detail.is_loading(), linger=0.6)
        shoot("agent_detail")
        page.show_overview()
        page.tabs.setCurrentIndex(1)
        _settle(app, lambda: page.team_view is not None and not page.team_view.is_loading(), linger=0.6)
        shoot("team_view")

    if clip_id is not None:
        window.show_area("clips")
        clips = window.clips_area
        _settle(app, lambda: clips.is_idle())
        clips.select_clip(clip_id)
        _settle(app, lambda: clips.player is not None and clips.player.is_ready(), linger=0.6)
        shoot("clip_player")
        icon = clips.model.data(clips.model.index(0, 0), 1)  # DecorationRole: the clip's kind
        mark = icon.pixmap(QSize(10, 10), window.devicePixelRatioF())
        report["clip_mark"] = [mark.width(), mark.height(), mark.devicePixelRatio()]

    if call_id is not None:
        view = window.open_call(call_id)
        _settle(app, view.is_ready, linger=0.8)
        view.waveform.zoom_fit()
        _settle(app)
        shoot("call_view")
        xs, _ys = view.waveform._curves[0].getData()
        report["waveform"] = {"strokes": len(xs) // 2, "logical_width": view.waveform.vb.width()}
        view.review_tabs.setCurrentIndex(1)
        _settle(app)
        shoot("call_evaluation")
        help_dialog = window.show_shortcuts()
        _settle(app)
        path = out / "shortcuts_help.png"
        help_dialog.grab().save(str(path))
        saved.append(str(path))
        help_dialog.close()
    window.close()
    db.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots" / "hidpi")
    parser.add_argument("--scale", default="2", help="QT_SCALE_FACTOR (default 2)")
    parser.add_argument("--report", action="store_true", help="print the measurements as JSON")
    args = parser.parse_args(argv)
    # Before anything creates the QApplication: Qt reads these once, at its start.
    os.environ["QT_SCALE_FACTOR"] = args.scale
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="qa-desk-hidpi-") as home:
        os.environ["QA_DESK_HOME"] = home  # not the user's settings, layout or database
        report = draw(args.out)
    if args.report:
        print(json.dumps(report))
    else:
        print("\n".join(report["saved"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
