"""Import 1,000 generated short recordings; reference: read and sha256 every file's bytes.

Reading and hashing each file is work no importer can skip (the content hash is what
makes a renamed duplicate one call), so the ratio shows what the rest costs: probing
headers, metadata, and one database transaction per file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import soundfile as sf

from qa_desk.importing.importer import ImportOptions, import_recordings
from qa_desk.store.database import Database

from .harness import Result, timed

FILES = 1000
SECONDS = 20  # a short call: 20 s of stereo 8 kHz telephone audio, 640 KB
PATTERN = "{agent}_{started:%Y%m%d-%H%M%S}_{customer}"


def _generate(folder: Path) -> list[Path]:
    rng = np.random.default_rng(7)
    base = (rng.standard_normal((SECONDS * 8000, 2)) * 3000).astype(np.int16)
    paths = []
    for i in range(FILES):
        base[i % len(base), 0] = i  # every recording distinct, so every one is a new call
        agent = f"agent{i % 40:02d}"
        path = folder / f"{agent}_202611{1 + i % 28:02d}-{9 + i % 9:02d}{i % 60:02d}00_138{i:08d}.wav"
        sf.write(path, base, 8000, subtype="PCM_16")
        paths.append(path)
    return paths


def _hash_all(paths: list[Path]) -> None:
    for path in paths:
        with open(path, "rb") as handle:
            hashlib.file_digest(handle, "sha256")


def run(work: str) -> list[Result]:
    folder = Path(work) / "import"
    folder.mkdir()
    paths = _generate(folder)
    _hash_all(paths)  # warm the page cache for both runs alike
    reference = timed(lambda: _hash_all(paths), repeat=3)
    report = None
    runs = iter(range(3))

    def do_import():
        nonlocal report
        # A fresh database each run: every run is a real first import of 1,000 calls.
        db = Database.open(f"sqlite:///{Path(work) / f'import{next(runs)}.sqlite3'}")
        try:
            report = import_recordings(db, [folder], ImportOptions(pattern=PATTERN))
        finally:
            db.close()

    measured = timed(do_import, repeat=3)
    assert report.count("imported") == FILES, report.summary()
    ratio = measured / reference
    return [
        Result(
            "import 1,000 recordings (files/s)",
            FILES / measured,
            FILES / reference,
            "files/s",
            "time ≤ 3× read+hash",
            ratio <= 3.0,
            higher_is_better=True,
            note=f"import {measured:.2f} s vs read+sha256 {reference:.2f} s = {ratio:.2f}× the time "
            f"({FILES} × {SECONDS} s stereo 8 kHz WAV, file-name metadata, SQLite)",
        )
    ]
