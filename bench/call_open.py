"""Open a 2-hour stereo 8 kHz call in the call view: the waveform's first open (decode,
build every envelope level, write the cache) and a cached open; peak memory while
opening. Reference: soundfile reading the raw int16 samples once (sf.read), the least
any first open has to do.

Each open runs in a fresh subprocess, so its peak RSS (resource.getrusage) is its own,
and the timings include no warm-up from earlier runs; the reference is measured the
same way, interleaved with the first opens.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from qa_desk.audio.envelope import cache_path
from qa_desk.audio.hashing import content_hash

from .harness import Result

HOURS = 2
RATE = 8000
RUNS = 3
FIRST_OPEN_TARGET = 1.5  # s
CACHED_OPEN_TARGET = 0.2  # s
RSS_TARGET_MB = 300

_CHILD = """
import json, os, resource, sys, time
import numpy as np, soundfile as sf
from qa_desk.audio.envelope import load_envelope
path, digest, mode = sys.argv[1:4]
try:  # resident now (KiB), not the high-water mark, which imports may have left higher
    with open("/proc/self/statm") as statm:
        before = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
except OSError:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if mode == "reference":
    data, _ = sf.read(path, dtype="int16")
    frames = len(data)
else:
    frames = load_envelope(path, digest).frames
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
print(json.dumps({"seconds": seconds, "rss_mb": (peak - before) / 1024, "frames": frames}))
"""


def _generate(path: Path) -> int:
    """Two hours of stereo noise at telephone level, written a minute at a time."""
    rng = np.random.default_rng(11)
    minute = (rng.standard_normal((RATE * 60, 2)) * 2000).clip(-32768, 32767).astype(np.int16)
    with sf.SoundFile(path, "w", RATE, 2, "PCM_16") as out:
        for index in range(HOURS * 60):
            out.write(np.roll(minute, index * 4001, axis=0))  # every minute different
    return HOURS * 3600 * RATE


def _open_in_child(path: Path, digest: str, mode: str) -> dict:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), digest, mode], cwd=root,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"call-open child ({mode}) failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(work: str) -> list[Result]:
    path = Path(work) / "two-hour-call.wav"
    frames = _generate(path)
    digest, size = content_hash(path)  # also brings the file into the page cache for every run
    cache = cache_path(digest)
    reference, first, cached = [], [], []
    for _ in range(RUNS):
        reference.append(_open_in_child(path, digest, "reference"))
        cache.unlink(missing_ok=True)
        first.append(_open_in_child(path, digest, "open"))
    for _ in range(RUNS):
        cached.append(_open_in_child(path, digest, "open"))
    assert all(r["frames"] == frames for r in reference + first + cached)

    def median(runs, key="seconds"):
        return statistics.median(r[key] for r in runs)

    ref_s, first_s, cached_s = median(reference), median(first), median(cached)
    ref_mb = max(r["rss_mb"] for r in reference)
    open_mb = max(r["rss_mb"] for r in first + cached)
    what = f"{HOURS} h stereo {RATE // 1000} kHz PCM_16 WAV, {size / 1e6:.0f} MB"
    return [
        Result("call open: first (decode + envelope + cache)", first_s * 1000, ref_s * 1000, "ms",
               f"≤ {FIRST_OPEN_TARGET:g} s", first_s <= FIRST_OPEN_TARGET,
               note=f"{first_s:.2f} s vs sf.read(int16) {ref_s:.2f} s = {first_s / ref_s:.1f}× "
               f"({what}; cache {cache.stat().st_size / 1e6:.1f} MB; median of {RUNS})"),
        Result("call open: cached envelope", cached_s * 1000, ref_s * 1000, "ms",
               f"≤ {CACHED_OPEN_TARGET * 1000:g} ms", cached_s <= CACHED_OPEN_TARGET,
               note=f"{cached_s * 1000:.0f} ms = {cached_s / ref_s:.2f}× one raw read of the samples"),
        Result("call open: peak RSS growth", open_mb, ref_mb, "MB", f"≤ {RSS_TARGET_MB} MB",
               open_mb <= RSS_TARGET_MB,
               note=f"opening grew RSS by at most {open_mb:.0f} MB; reading the samples whole "
               f"takes {ref_mb:.0f} MB"),
    ]
