"""Redrawing the call view's waveform while a reviewer zooms and scrolls a 2-hour call.

The call view is opened offscreen at its size in the main window (1100 × 700) on the
2-hour stereo call of the "call-open" scenario, and 50 frames are timed: each sets a
new visible range (zooming from the whole call down to single samples, then
scrolling at several zoom levels), lets Qt process the events, and renders the
waveform widget (grab). Reference: rendering a plain QWidget of the waveform's size
the same way, in the same run: what any frame costs before drawing anything.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from .call_open import RATE, _generate
from .harness import Result

FRAMES = 50
TARGET_MS = 30.0
VIEW_SIZE = (1100, 700)  # the Calls area of the 1280 × 800 main window


def _ranges(duration: float) -> list[tuple[float, float]]:
    """25 zoom steps from the whole call to ~30 samples across, then 25 scrolls at five zooms."""
    centre = duration * 0.37
    out = []
    span = duration
    factor = (duration / 0.004) ** (1 / 24)
    for _ in range(25):
        out.append((centre - span / 2, centre + span / 2))
        span /= factor
    for span in (3600.0, 300.0, 20.0, 2.0, 0.1):
        for step in range(5):
            start = duration * 0.1 + step * span * 0.15
            out.append((start, start + span))
    return out[:FRAMES]


def _frame(app, widget, apply) -> float:
    start = time.perf_counter()
    apply()
    app.processEvents()
    widget.grab()
    return (time.perf_counter() - start) * 1000


def run(work: str) -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QWidget

    import qa_desk.ui  # noqa: F401 - the signal fix, before any widget emits
    from qa_desk.audio.hashing import content_hash
    from qa_desk.audio.outputs import FakeOutput
    from qa_desk.store.calls import add_call
    from qa_desk.store.database import Database
    from qa_desk.ui.call_view import CallView
    from qa_desk.ui.jobs import JobRunner

    path = Path(work) / "redraw-two-hour-call.wav"
    frames = _generate(path)
    digest, size = content_hash(path)
    db = Database.open(f"sqlite:///{Path(work) / 'redraw.sqlite3'}")
    with db.session() as session:
        call_id = add_call(session, dict(
            file_path=str(path), file_name=path.name, content_hash=digest, file_size=size,
            audio_format="WAV", codec="PCM_16", duration=frames / RATE, sample_rate=RATE, channels=2,
            channel_map={"0": "agent", "1": "customer"},
        ))
    app = QApplication.instance() or QApplication([])
    view = CallView(db, output_factory=FakeOutput)
    view.resize(*VIEW_SIZE)
    view.show()
    view.open_call(call_id)
    deadline = time.monotonic() + 180
    while not view.is_ready() and time.monotonic() < deadline:  # envelope, and metrics for the shading
        app.processEvents()
        time.sleep(0.005)
    wave = view.waveform
    if wave.drawn_from() is None:
        raise RuntimeError(f"the waveform was not drawn: {wave.message() or 'timed out'}")
    plain = QWidget()
    plain.resize(wave.size())
    plain.show()
    for _ in range(5):  # warm both up: first paints build caches and fonts
        _frame(app, wave, lambda: wave.zoom_fit())
        _frame(app, plain, plain.update)

    redraw, reference, levels = [], [], []
    for start, end in _ranges(frames / RATE):
        redraw.append(_frame(app, wave, lambda: wave.set_visible_range(start, end)))
        levels.append(wave.drawn_from())
        reference.append(_frame(app, plain, plain.update))
    metrics_shaded = view.is_ready()
    if os.environ.get("QA_DESK_BENCH_VERBOSE"):
        for (start, end), ms, level in zip(_ranges(frames / RATE), redraw, levels):
            print(f"  {end - start:12.4f} s  level {level:2d}  {ms:6.1f} ms")
    view.close_call()
    view.close()
    plain.close()
    JobRunner.shutdown_all()
    db.close()

    median, ref = statistics.median(redraw), statistics.median(reference)
    worst = max(redraw)
    raw = sum(1 for level in levels if level == -1)
    return [
        Result("call view: redraw while zooming/scrolling", median, ref, "ms", f"≤ {TARGET_MS:g} ms",
               median <= TARGET_MS,
               note=f"median of {len(redraw)} frames at {wave.width()}×{wave.height()} px, worst {worst:.1f} ms; "
               f"{raw} frames from raw samples, the rest from envelope levels "
               f"{sorted({lv for lv in levels if lv != -1})}; {size / 1e6:.0f} MB 2 h stereo call; "
               f"metrics {'shaded' if metrics_shaded else 'not ready'}"),
    ]
