"""The README's screenshots, made by the app itself: a demo centre, the window offscreen,
every area and a scored call grabbed in each language and colour scheme.

    python scripts/screenshots.py                    # docs/screenshots/<language>-<theme>/*.png
    python scripts/screenshots.py --out /tmp/shots --languages zh_CN --themes dark

One demo centre is built (``qa_desk.demo``, with today's date, as a user's would be),
then each language/theme pair is drawn in its own process: Qt's translators, default
locale and palette are chosen when the application starts, as they are for a user.
Needs no display (QT_QPA_PLATFORM=offscreen) and no speech model: the demo's calls
come with their transcripts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1400, 860)
# Who is signed in: a QA manager sees every area with its data (a reviewer's view
# would hide the team's scorecards).
VIEWER = ("QA Manager", "admin")


def build_centre(folder: Path, language: str) -> str:
    """A demo centre in a SQLite file under ``folder``; its URL. Built in ``language``:
    the reasons of its flags are written when its calls are checked, in the language of
    whoever checks them, as they are for a centre working in that language."""
    from qa_desk.cli_language import install
    from qa_desk.demo import build_demo_centre
    from qa_desk.store.database import Database

    install(language)
    url = f"sqlite:///{folder / f'demo-{language}.db'}"
    db = Database.open(url)
    build_demo_centre(db, agents=24, months=6)
    db.close()
    return url


def _settle(app, ready=lambda: True, timeout: float = 20.0, linger: float = 0.25) -> None:
    """Let the window read the database and paint: until ``ready()``, then a moment more."""
    deadline = time.monotonic() + timeout
    while not ready() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    end = time.monotonic() + linger
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def _page_ready(page) -> bool:
    if hasattr(page, "is_idle"):
        return page.is_idle()
    if hasattr(page, "is_loading"):
        return not page.is_loading()
    return True


def _scored_call(db) -> int | None:
    """The submitted call with the most flags: the call view at its fullest."""
    from sqlalchemy import func, select

    from qa_desk.store.models import Evaluation, Flag

    with db.session() as session:
        submitted = select(Evaluation.call_id).where(Evaluation.status == "submitted")
        return session.scalar(select(Flag.call_id).where(Flag.call_id.in_(submitted)).group_by(Flag.call_id)
                              .order_by(func.count().desc(), Flag.call_id.desc()).limit(1))


def draw(url: str, language: str, theme: str, out: Path) -> list[Path]:
    """Every area and a scored call of the centre at ``url``, in one language and theme."""
    from PySide6.QtWidgets import QApplication

    from qa_desk.settings import Settings
    from qa_desk.store.database import Database
    from qa_desk.store.users import local_user
    from qa_desk.ui.main_window import AREAS, MainWindow
    from qa_desk.ui.services import Services
    from qa_desk.ui.theme import apply_theme
    from qa_desk.ui.translations import install_translators

    app = QApplication.instance() or QApplication([sys.argv[0]])
    install_translators(app, language)
    apply_theme(app, theme)
    settings = Settings(language=language, theme=theme)
    db = Database.open(url)
    with db.session() as session:
        user = local_user(session, *VIEWER)
    services = Services(settings, db, user=user)
    window = MainWindow(services)
    window.resize(*SIZE)
    window.show()
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    for key in AREAS:
        window.show_area(key)
        page = window.stack.currentWidget()
        _settle(app, lambda: _page_ready(page))
        previous = window.scorecards_page.previous_button if key == "scorecards" else None
        if previous is not None and previous.isVisible():
            # Early in a month the scorecards are empty (as they would be for the user):
            # the picture shows the month before, as the empty page itself offers.
            previous.click()
            _settle(app, lambda: _page_ready(window.scorecards_page), linger=0.5)
        saved.append(out / f"{key}.png")
        window.grab().save(str(saved[-1]))
    call_id = _scored_call(db)
    if call_id is not None:
        window.show_area("calls")
        view = window.open_call(call_id)
        _settle(app, view.is_ready, linger=0.5)
        for tab, name in enumerate(("call_flags", "call_evaluation")):
            view.review_tabs.setCurrentIndex(tab)
            _settle(app)
            saved.append(out / f"{name}.png")
            window.grab().save(str(saved[-1]))
    window.close()
    db.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--languages", nargs="+", default=["en", "zh_CN"])
    parser.add_argument("--themes", nargs="+", default=["light", "dark"], choices=["light", "dark"])
    parser.add_argument("--draw", nargs=3, metavar=("URL", "LANGUAGE", "THEME"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.draw:  # a child: one language and theme
        url, language, theme = args.draw
        for path in draw(url, language, theme, args.out):
            print(path)
        return 0
    work = Path(tempfile.mkdtemp(prefix="qa-desk-shots-"))
    try:
        os.environ["QA_DESK_HOME"] = str(work / "home")  # not the user's own settings
        for language in args.languages:
            began = time.monotonic()
            url = build_centre(work, language)
            print(f"{language}: demo centre built in {time.monotonic() - began:.0f} s")
            for theme in args.themes:
                folder = args.out / f"{language}-{theme}"
                shutil.rmtree(folder, ignore_errors=True)
                # A home of its own: no window size remembered from the pair before (the
                # offscreen screen is small, and a restored window is kept on its screen).
                env = dict(os.environ, QA_DESK_HOME=str(work / f"home-{language}-{theme}"))
                subprocess.run([sys.executable, __file__, "--out", str(folder), "--draw", url, language, theme],
                               env=env, check=True)
                print(f"{folder}: {len(list(folder.glob('*.png')))} screenshots")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
