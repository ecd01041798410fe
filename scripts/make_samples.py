#!/usr/bin/env python3
"""Generate the demo call recordings in ``resources/samples/``.

Four short, fully synthetic contact-centre calls are spoken with espeak-ng and
mixed into telephone-style stereo recordings (8 kHz, agent on the LEFT channel,
customer on the RIGHT).  Two calls are Mandarin Chinese and two are English;
in each language one agent follows the script well and one does not.

Besides the audio the script writes

* ``metadata.csv``     - the call list an importer would receive,
* ``transcripts.json`` - the exact scripted lines with their start/end times
  (ground truth for transcription, overlap, hold and scoring tests),
* ``README.md`` is maintained by hand.

Usage (from the repository root)::

    python scripts/make_samples.py            # generate, then check
    python scripts/make_samples.py --check    # only measure existing files

Needs the ``espeak-ng`` program plus numpy, soundfile and soxr (all project
dependencies).  The output is deterministic for a given espeak-ng version.

Note on the Mandarin voice: in espeak-ng 1.51 (Debian 12) the voice ``cmn``
looks Chinese characters up as pinyin but then reads that pinyin with English
rules ("nin two hao three"), which sounds nothing like Mandarin.  The voice
``cmn-latn-pinyin`` is the same Mandarin voice with the pinyin read as
Mandarin, so it is used here.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "resources" / "samples"

RATE = 8000  # telephone narrow band
SEED = 20261103

# Ranges of ordinary turn-taking gaps (seconds) between consecutive lines.
GAP_MIN, GAP_MAX = 0.3, 1.2

# Voices.  The Mandarin voice name is explained in the module docstring.
CMN = "cmn-latn-pinyin"
EN = "en-us"


@dataclass(frozen=True)
class Voice:
    name: str  # espeak-ng voice, optionally with +variant
    pitch: int  # -p 0..99
    speed: int  # -s words per minute
    level_db: float  # target RMS of the active speech, dBFS

    def args(self) -> list[str]:
        return ["-v", self.name, "-p", str(self.pitch), "-s", str(self.speed)]


@dataclass
class Line:
    speaker: str  # "agent" | "customer"
    text: str  # what is said, exactly as it goes into transcripts.json
    gap: float | None = None  # seconds after the previous line ENDS; negative = overlap
    say: str | None = None  # what espeak-ng is fed, if it must differ from text
    hold: bool = False  # the gap before this line is a hold


@dataclass
class Call:
    key: str
    language: str  # BCP 47
    quality: str  # "good" | "poor"
    agent: str
    agent_id: str
    team: str
    started: datetime
    direction: str
    queue: str
    customer: str
    ext: str
    subtype: str  # libsndfile subtype
    agent_voice: Voice
    customer_voice: Voice
    lines: list[Line]
    notes: list[str] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return f"{self.agent}_{self.started:%Y%m%d-%H%M%S}_{self.customer}.{self.ext}"


A, C = "agent", "customer"

CALLS: list[Call] = [
    Call(
        key="cmn-good",
        language="zh-CN",
        quality="good",
        agent="Li Na",
        agent_id="1023",
        team="Billing CN",
        started=datetime(2026, 11, 3, 9, 15, 2),
        direction="inbound",
        queue="billing-cn",
        customer="13800138000",
        ext="flac",
        subtype="PCM_16",
        agent_voice=Voice(CMN + "+f3", pitch=62, speed=235, level_db=-20.0),
        customer_voice=Voice(CMN, pitch=45, speed=215, level_db=-23.0),
        notes=[
            "Proper opening with job number, hold announced and thanked, "
            "proper closing.",
            "Customer starts speaking while the agent is still finishing a line.",
            "About 4 s of silence on both channels while the agent checks the bill (hold).",
        ],
        lines=[
            Line(A, "您好，欢迎致电星海通信，工号1023为您服务，请问有什么可以帮您？",
                 say="您好，欢迎致电星海通信，工号幺零二三为您服务，请问有什么可以帮您？",
                 gap=0.6),
            Line(C, "我这个月的话费怎么多了五十块？"),
            Line(A, "好的，请您稍等，我帮您查询一下。"),
            Line(A, "抱歉让您久等了，您本月开通了视频会员，每月五十元。", gap=4.0, hold=True),
            Line(C, "我没开通过啊，帮我退掉吧。", gap=-0.5),
            Line(A, "好的，已为您退订，费用三个工作日内退回。请问还有什么可以帮到您的吗？"),
            Line(C, "没有了，谢谢。"),
            Line(A, "感谢您的来电，再见。"),
        ],
    ),
    Call(
        key="cmn-poor",
        language="zh-CN",
        quality="poor",
        agent="张伟",
        agent_id="1047",
        team="Broadband CN",
        started=datetime(2026, 11, 3, 14, 33, 11),
        direction="inbound",
        queue="broadband-cn",
        customer="13912345678",
        ext="wav",
        subtype="PCM_16",
        agent_voice=Voice(CMN + "+m3", pitch=30, speed=240, level_db=-19.0),
        customer_voice=Voice(CMN + "+f2", pitch=70, speed=220, level_db=-23.0),
        notes=[
            "No greeting or job number, says 你 instead of 您, says 不知道 twice, "
            "no proper closing (no 请问还有什么可以帮到您的吗 / 感谢您的来电).",
            "Agent talks over the customer.",
        ],
        lines=[
            Line(A, "喂，什么事？", gap=0.5),
            Line(C, "你好，我家宽带从昨天开始就上不了网了。"),
            Line(A, "你先重启一下路由器。", gap=-1.0),
            Line(C, "重启过了，还是不行，什么时候能修好？"),
            Line(A, "不知道，你自己再试试吧。"),
            Line(C, "那能不能派个师傅上门看看？"),
            Line(A, "这个我不知道，你打别的电话问吧。"),
        ],
    ),
    Call(
        key="en-good",
        language="en-US",
        quality="good",
        agent="Sarah Mitchell",
        agent_id="2011",
        team="Customer Care EN",
        started=datetime(2026, 11, 4, 10, 18, 45),
        direction="inbound",
        queue="moves-en",
        customer="2125550147",
        ext="wav",
        subtype="ULAW",
        agent_voice=Voice(EN + "+f3", pitch=58, speed=185, level_db=-20.0),
        customer_voice=Voice(EN, pitch=32, speed=175, level_db=-23.0),
        notes=[
            "Proper opening with name, verifies the account, confirms next steps, "
            "offers further help and closes politely.",
            "Customer starts speaking while the agent is still finishing a line.",
            "Stored as WAV G.711 mu-law like many telephone recorders.",
        ],
        lines=[
            Line(A, "Thank you for calling Northwind Energy, my name is Sarah. "
                    "How can I help you today?", gap=0.5),
            Line(C, "Hi, I'd like to move my electricity account to a new address."),
            Line(A, "Of course. Could I have your account number, please?"),
            Line(C, "Sure, it's 4 4 7 2 9 1."),
            Line(A, "Thank you, Mr. Harris. What date are you moving?"),
            Line(C, "The fifteenth of next month."),
            Line(A, "Perfect, the transfer is booked for the fifteenth, "
                    "and you'll get a confirmation email today."),
            Line(C, "Great, thanks.", gap=-0.4),
            Line(A, "Is there anything else I can help you with?"),
            Line(C, "No, that's all."),
            Line(A, "Thank you for calling. Have a great day, goodbye."),
        ],
    ),
    Call(
        key="en-poor",
        language="en-US",
        quality="poor",
        agent="Dave Wilson",
        agent_id="2038",
        team="Customer Care EN",
        started=datetime(2026, 11, 4, 16, 20, 7),
        direction="inbound",
        queue="billing-en",
        customer="2125550198",
        ext="wav",
        subtype="PCM_16",
        agent_voice=Voice(EN + "+m3", pitch=28, speed=185, level_db=-19.0),
        customer_voice=Voice(EN + "+f4", pitch=68, speed=180, level_db=-22.0),
        notes=[
            "No greeting or name, says 'calm down', 'I don't know' and "
            "'that's not my department', no offer of further help, no closing.",
            "Agent talks over the customer.",
        ],
        lines=[
            Line(A, "Yeah, support.", gap=0.4),
            Line(C, "Hi, my bill is twice what it normally is, and I've called three times!"),
            Line(A, "Calm down, calm down.", gap=-0.9),
            Line(C, "I just want to know why I'm being charged this much."),
            Line(A, "I don't know."),
            Line(C, "Then can you transfer me to someone who knows?"),
            Line(A, "That's not my department. Call back tomorrow."),
        ],
    ),
]


# --------------------------------------------------------------------------- synthesis


def espeak_version() -> str:
    out = subprocess.run(["espeak-ng", "--version"], check=True, capture_output=True, text=True)
    # "eSpeak NG text-to-speech: 1.51  Data at: /usr/lib/..." -> "eSpeak NG text-to-speech: 1.51"
    return out.stdout.split("Data at")[0].strip()


def synthesise(text: str, voice: Voice, tmp: Path) -> np.ndarray:
    """Speak ``text`` and return mono float32 at RATE, silence trimmed."""
    wav = tmp / "line.wav"
    subprocess.run(
        ["espeak-ng", "-b", "1", *voice.args(), "-w", str(wav), text],
        check=True,
        capture_output=True,
    )
    audio, rate = sf.read(wav, dtype="float32", always_2d=False)
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    audio = soxr.resample(audio, rate, RATE, quality="HQ").astype(np.float32)
    audio = telephone_band(audio)
    audio = trim(audio)
    # Normalise the *active* speech to the target RMS, keep clear of clipping.
    active = audio[np.abs(audio) > 0.02 * np.abs(audio).max()]
    rms = float(np.sqrt(np.mean(active**2)))
    gain = 10 ** (voice.level_db / 20) / rms
    peak = float(np.abs(audio).max()) * gain
    if peak > 0.89:
        gain *= 0.89 / peak
    return (audio * gain).astype(np.float32)


def telephone_band(x: np.ndarray) -> np.ndarray:
    """Roll off everything below ~300 Hz like a telephone channel."""
    spec = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    mask = np.clip((freqs - 200) / 150, 0, 1)  # 0 below 200 Hz, 1 above 350 Hz
    mask *= np.clip((3700 - freqs) / 300, 0, 1)  # gentle top end at 3.4-3.7 kHz
    return np.fft.irfft(spec * mask, n=len(x)).astype(np.float32)


def trim(x: np.ndarray, threshold: float = 0.01, pad: float = 0.01) -> np.ndarray:
    """Cut espeak-ng's leading/trailing silence (keep ``pad`` seconds)."""
    loud = np.flatnonzero(np.abs(x) > threshold * np.abs(x).max())
    if len(loud) == 0:
        return x
    p = int(pad * RATE)
    start = max(0, loud[0] - p)
    end = min(len(x), loud[-1] + 1 + p)
    # short fades avoid clicks at the cut points
    y = x[start:end].copy()
    f = min(40, len(y) // 4)
    ramp = np.linspace(0, 1, f, dtype=np.float32)
    y[:f] *= ramp
    y[-f:] *= ramp[::-1]
    return y


def render(call: Call, rng: np.random.Generator, tmp: Path) -> tuple[np.ndarray, list[dict]]:
    """Lay the lines out on a two-channel timeline.  Returns (audio, segments)."""
    clips = []
    t = 0.0
    prev_end = 0.0
    for i, line in enumerate(call.lines):
        voice = call.agent_voice if line.speaker == A else call.customer_voice
        audio = synthesise(line.say or line.text, voice, tmp)
        gap = line.gap if line.gap is not None else float(rng.uniform(GAP_MIN, GAP_MAX))
        gap = round(gap, 2)
        start = prev_end + gap if i else gap
        # quantise to the sample grid so the JSON times are exact
        s0 = int(round(start * RATE))
        clips.append((line, s0, audio))
        prev_end = (s0 + len(audio)) / RATE
        t = max(t, prev_end)
    tail = 0.6
    n = int(round((t + tail) * RATE))
    mix = np.zeros((n, 2), dtype=np.float32)
    segments = []
    for line, s0, audio in clips:
        ch = 0 if line.speaker == A else 1
        mix[s0 : s0 + len(audio), ch] += audio
        seg = {
            "speaker": line.speaker,
            "start": round(s0 / RATE, 3),
            "end": round((s0 + len(audio)) / RATE, 3),
            "text": line.text,
        }
        segments.append(seg)
    # a faint line-noise floor (about -68 dBFS) so silence is not digital zero
    mix += rng.normal(0.0, 0.0004, size=mix.shape).astype(np.float32)
    np.clip(mix, -1.0, 1.0, out=mix)
    return mix, segments


def find_events(call: Call, segments: list[dict]) -> tuple[list[dict], list[dict]]:
    overlaps = []
    for i in range(1, len(segments)):
        prev, cur = segments[i - 1], segments[i]
        if cur["start"] < prev["end"] and cur["speaker"] != prev["speaker"]:
            overlaps.append(
                {
                    "start": cur["start"],
                    "end": round(min(prev["end"], cur["end"]), 3),
                    "interrupter": cur["speaker"],
                    "interrupted": prev["speaker"],
                }
            )
    holds = []
    for i, line in enumerate(call.lines):
        if line.hold:
            holds.append({"start": segments[i - 1]["end"], "end": segments[i]["start"]})
    return overlaps, holds


def generate() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    version = espeak_version()
    calls_json = []
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        for call in CALLS:
            # one generator per call, so editing one call leaves the others alone
            rng = np.random.default_rng([SEED, zlib.crc32(call.key.encode())])
            audio, segments = render(call, rng, tmp)
            overlaps, holds = find_events(call, segments)
            fmt = "FLAC" if call.ext == "flac" else "WAV"
            path = OUT_DIR / call.file_name
            sf.write(path, audio, RATE, format=fmt, subtype=call.subtype)
            duration = round(len(audio) / RATE, 3)
            print(f"wrote {path.relative_to(ROOT)}  {duration:.1f} s  {path.stat().st_size / 1024:.0f} KiB")
            calls_json.append(
                {
                    "file": call.file_name,
                    "language": call.language,
                    "quality": call.quality,
                    "agent": call.agent,
                    "agent_id": call.agent_id,
                    "duration": duration,
                    "sample_rate": RATE,
                    "channels": {"agent": "left", "customer": "right"},
                    "format": fmt,
                    "subtype": call.subtype,
                    "voices": {
                        "agent": vars(call.agent_voice) | {"engine": "espeak-ng"},
                        "customer": vars(call.customer_voice) | {"engine": "espeak-ng"},
                    },
                    "notes": call.notes,
                    "overlaps": overlaps,
                    "holds": holds,
                    "segments": segments,
                }
            )

    with open(OUT_DIR / "metadata.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "agent", "agent id", "team", "start time", "direction", "queue", "customer"])
        for call in CALLS:
            w.writerow(
                [
                    call.file_name,
                    call.agent,
                    call.agent_id,
                    call.team,
                    call.started.strftime("%Y-%m-%d %H:%M:%S"),
                    call.direction,
                    call.queue,
                    call.customer,
                ]
            )

    doc = {
        "description": "Ground truth for the synthetic demo calls in this folder. Times are "
        "seconds from the start of the file; 'start'/'end' are where the spoken audio of "
        "each scripted line begins and ends on its channel (agent = left, customer = right).",
        "generator": {"script": "scripts/make_samples.py", "tts": version, "seed": SEED},
        "calls": calls_json,
    }
    with open(OUT_DIR / "transcripts.json", "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
        f.write("\n")


# --------------------------------------------------------------------------- checking

FRAME = 0.1  # seconds
SPEECH_DB = -45.0  # a frame louder than this counts as speech


def frame_db(x: np.ndarray) -> np.ndarray:
    n = int(FRAME * RATE)
    k = len(x) // n
    frames = x[: k * n].reshape(k, n).astype(np.float64)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-9))


def check(verbose: bool = True) -> bool:
    """Measure every sample against transcripts.json; print a per-channel RMS timeline."""
    doc = json.loads((OUT_DIR / "transcripts.json").read_text(encoding="utf-8"))
    meta = list(csv.DictReader(open(OUT_DIR / "metadata.csv", encoding="utf-8")))
    ok = True
    total = 0
    if {m["file"] for m in meta} != {c["file"] for c in doc["calls"]}:
        print("FAIL metadata.csv and transcripts.json list different files")
        ok = False
    for call in doc["calls"]:
        path = OUT_DIR / call["file"]
        total += path.stat().st_size
        info = sf.info(path)
        audio, rate = sf.read(path, dtype="float32", always_2d=True)
        problems = []
        if rate != RATE or audio.shape[1] != 2:
            problems.append(f"rate/channels {rate}/{audio.shape[1]}")
        if not 15 <= info.duration <= 40:
            problems.append(f"duration {info.duration:.1f} s outside 15-40 s")
        db = [frame_db(audio[:, 0]), frame_db(audio[:, 1])]
        active = [d > SPEECH_DB for d in db]
        nfr = len(db[0])

        def frames(start: float, end: float) -> slice:
            return slice(int(np.ceil(start / FRAME)), min(nfr, int(end / FRAME)))

        # which frames each channel is *scripted* to speak in
        scripted = [np.zeros(nfr, bool), np.zeros(nfr, bool)]
        for seg in call["segments"]:
            ch = 0 if seg["speaker"] == "agent" else 1
            scripted[ch][int(seg["start"] / FRAME) : int(np.ceil(seg["end"] / FRAME))] = True
            sl = frames(seg["start"], seg["end"])
            frac = active[ch][sl].mean() if sl.stop > sl.start else 0.0
            if frac < 0.5:
                problems.append(f"{seg['speaker']} line at {seg['start']:.1f}s only {frac:.0%} voiced")
        for ch, name in enumerate(("left/agent", "right/customer")):
            stray = active[ch] & ~scripted[ch]
            if stray.any():
                problems.append(f"{name}: {stray.sum()} voiced frames outside its lines")
        for hold in call["holds"]:
            sl = frames(hold["start"], hold["end"])
            if active[0][sl].any() or active[1][sl].any():
                problems.append("sound during hold")
        for ov in call["overlaps"]:
            sl = frames(ov["start"], ov["end"])
            if not (active[0][sl].any() and active[1][sl].any()):
                problems.append(f"overlap at {ov['start']:.1f}s not audible on both channels")

        print(f"\n{call['file']}  ({info.format}/{info.subtype}, {info.duration:.1f} s, "
              f"{path.stat().st_size / 1024:.0f} KiB)")
        if verbose:
            # per-channel RMS in dBFS over 0.5 s windows, with the scripted speaker
            print("   t(s)   L dBFS  R dBFS   scripted")
            step = int(0.5 / FRAME)
            for i in range(0, nfr, step):
                lm = 10 * np.log10(np.mean(10 ** (db[0][i : i + step] / 10)))
                rm = 10 * np.log10(np.mean(10 ** (db[1][i : i + step] / 10)))
                who = ("A" if scripted[0][i : i + step].any() else "-") + (
                    "C" if scripted[1][i : i + step].any() else "-"
                )
                bar_l = "#" * max(0, int((lm + 60) / 3))
                bar_r = "#" * max(0, int((rm + 60) / 3))
                print(f"  {i * FRAME:5.1f}  {lm:6.1f}  {rm:6.1f}    {who}   {bar_l:<16}|{bar_r}")
        summary = (
            f"   agent voiced {active[0].mean():.0%} of frames, customer {active[1].mean():.0%}; "
            f"{len(call['segments'])} lines, {len(call['overlaps'])} overlap(s), "
            f"{len(call['holds'])} hold(s)"
        )
        print(summary)
        if problems:
            ok = False
            for p in problems:
                print("   FAIL", p)
        else:
            print("   OK: speech on the right channel for every line, silence elsewhere")
    print(f"\ntotal audio size {total / 1e6:.2f} MB")
    if total > 2.5e6:
        print("FAIL total size above 2.5 MB")
        ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only measure the existing files")
    ap.add_argument("-q", "--quiet", action="store_true", help="no RMS timeline")
    args = ap.parse_args(argv)
    if not args.check:
        generate()
    return 0 if check(verbose=not args.quiet) else 1


if __name__ == "__main__":
    sys.exit(main())
