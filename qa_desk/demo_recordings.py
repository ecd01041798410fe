"""The sample recordings as the demo centre reuses them: every demo call is one of the
four shipped sample calls (resources/samples), with its own agent, date, customer and
audio metrics.

A sample is read once per process: its audio header (probe), content hash and the
WebVTT transcript beside it, parsed exactly as "Load sample calls" attaches it. The
demo's call metrics are those of the sample's scripted speech, varied per call and per
agent (how much the agent talks, whether they cut the customer off), always inside the
recording's own length, so the call view's waveform, player and header agree.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from .audio.hashing import content_hash
from .audio.metrics import CallMetrics, compute_metrics
from .audio.probe import ProbeError, probe
from .audio.vad import Segment
from .demo_people import AgentPlan
from .importing.importer import channel_map
from .samples import samples_dir
from .store.transcripts import UtteranceRow
from .transcription.attach import find_transcript_sidecars, parse_transcript_files
from .transcription.formats import TranscriptFileError
from .transcription.words import as_rows
from .wording import translate


class SamplesMissing(Exception):
    """The shipped sample recordings cannot be read (an incomplete installation)."""


@dataclass(frozen=True)
class SampleRecording:
    path: Path
    content_hash: str  # sha256 of the file, as the importer computes it
    size: int
    audio_format: str
    codec: str
    decoder: str
    duration: float
    sample_rate: int
    channels: int
    channel_map: dict
    language: str  # zh | en
    quality: str  # good | poor (transcripts.json)
    has_hold: bool  # the agent puts the customer on hold (the hold items apply)
    queue: str | None
    agent: str  # the sample's own agent, team and 工号 (metadata.csv)
    agent_id: str
    team: str
    transcript_model: str
    transcript_language: str
    utterances: tuple[UtteranceRow, ...]


@dataclass(frozen=True)
class SampleSet:
    recordings: tuple[SampleRecording, ...]

    @property
    def hashes(self) -> frozenset[str]:
        return frozenset(r.content_hash for r in self.recordings)

    @property
    def agents(self) -> frozenset[tuple[str, str]]:
        """(name, 工号) of the agents "Load sample calls" creates."""
        return frozenset((r.agent, r.agent_id) for r in self.recordings)

    @property
    def teams(self) -> frozenset[str]:
        return frozenset(r.team for r in self.recordings)

    def of(self, language: str, quality: str) -> SampleRecording:
        return next(r for r in self.recordings if r.language == language and r.quality == quality)


def load_samples(folder: Path | None = None) -> SampleSet:
    """The shipped samples (read once per process and folder). SamplesMissing when they are not all there."""
    return _load(str(Path(folder or samples_dir()).resolve()))


@lru_cache(maxsize=4)
def _load(folder_text: str) -> SampleSet:
    folder = Path(folder_text)
    try:
        with open(folder / "metadata.csv", encoding="utf-8-sig", newline="") as file:
            metadata = {row["file"]: row for row in csv.DictReader(file)}
        truth = {c["file"]: c for c in json.loads((folder / "transcripts.json").read_text("utf-8"))["calls"]}
        recordings = tuple(_recording(folder / name, metadata[name], truth[name]) for name in sorted(metadata))
    except (OSError, KeyError, ValueError, RuntimeError, ProbeError, TranscriptFileError, StopIteration) as exc:
        raise SamplesMissing(translate(
            "Errors", "The sample recordings in {folder} cannot be read ({detail}); the demo centre reuses them. "
            "Reinstall QA Desk to restore them.").format(folder=folder, detail=f"{type(exc).__name__}: {exc}")) from exc
    languages = {(r.language, r.quality) for r in recordings}
    if not {("zh", "good"), ("zh", "poor"), ("en", "good"), ("en", "poor")} <= languages:
        raise SamplesMissing(translate(
            "Errors", "The sample recordings in {folder} are incomplete: the demo needs a good and a poor call in "
            "Mandarin and in English. Reinstall QA Desk to restore them.").format(folder=folder))
    return SampleSet(recordings)


def _recording(path: Path, meta: dict, truth: dict) -> SampleRecording:
    info = probe(path)
    digest, size = content_hash(path)
    channels = channel_map(info.channels, "left")  # agent left, customer right (metadata, README)
    utterances, model, language = parse_transcript_files(
        find_transcript_sidecars(path), duration=info.duration, channel_map=channels)
    return SampleRecording(
        path=path, content_hash=digest, size=size, audio_format=info.format, codec=info.codec,
        decoder=info.decoder, duration=info.duration, sample_rate=info.sample_rate, channels=info.channels,
        channel_map=channels, language="zh" if truth["language"].startswith("zh") else "en",
        quality=truth["quality"], has_hold=bool(truth.get("holds")), queue=meta.get("queue") or None,
        agent=meta["agent"], agent_id=meta["agent id"], team=meta["team"], transcript_model=model,
        transcript_language=language, utterances=tuple(as_rows(utterances)),
    )


def demo_hash(sample: SampleRecording, index: int) -> str:
    """The content hash of the demo's ``index``-th call.

    Call.content_hash is unique: one recording is one call, however often it is
    imported. The demo reuses four recordings for hundreds of calls, so each demo call
    gets a hash of its own, derived from the sample's and the call's number: the same
    seed builds the same centre, and no real recording (a sha256 of its bytes) can ever
    be taken for a demo call, so importing the sample calls later still adds them.
    """
    return hashlib.sha256(f"demo:{sample.content_hash}:{index}".encode()).hexdigest()


def call_row(sample: SampleRecording, index: int, agent_id: int, agent_name: str, started_at: datetime,
             customer: str, imported_at: datetime, metrics: dict) -> dict:
    """The call's row as the importer writes it, pointing at the sample's recording.

    The file name reads like the recorder's (agent, start time, customer) so the library
    looks like a centre's; ``file_path`` is the sample file itself. ``file_mtime`` is
    left empty: a later "Load sample calls" then hashes the samples instead of taking
    them for the demo calls that share their path.
    """
    return dict(
        file_path=str(sample.path),
        file_name=f"{agent_name}_{started_at:%Y%m%d-%H%M%S}_{customer}{sample.path.suffix}",
        content_hash=demo_hash(sample, index), file_size=sample.size, file_mtime=None,
        audio_format=sample.audio_format, codec=sample.codec, decoder=sample.decoder, duration=sample.duration,
        sample_rate=sample.sample_rate, channels=sample.channels, channel_map=dict(sample.channel_map),
        agent_id=agent_id, started_at=started_at, direction="inbound", queue=sample.queue, customer_ref=customer,
        status="transcribed", transcript_status="done", imported_at=imported_at, metrics=metrics,
    )


def customer_number(rng: random.Random, language: str) -> str:
    if language == "zh":
        return rng.choice(("138", "139", "136", "158", "186", "135", "151", "177")) + f"{rng.randrange(10**8):08d}"
    return f"212555{rng.randrange(100, 200):04d}"  # the fictional 555-01xx range


def call_metrics(sample: SampleRecording, agent: AgentPlan, rng: random.Random) -> CallMetrics:
    """The call's metrics: the sample's scripted speech, each line moved a little, the
    agent's lines longer or shorter by their talk style, and now and then the agent
    starting a line while the customer still talks (an interruption)."""
    duration = sample.duration
    lines: list[tuple[str, float, float, str]] = []
    for u in sample.utterances:
        start = u.start + rng.uniform(-0.12, 0.12)
        end = u.end + rng.uniform(-0.12, 0.12)
        if u.speaker == "agent":
            end = start + (end - start) * agent.talk_style
            previous = lines[-1] if lines else None
            if previous and previous[0] == "customer" and rng.random() < agent.interrupts:
                # The agent answers before the customer has finished.
                start = max(previous[1] + 0.3, min(start, previous[2] - rng.uniform(0.5, 1.5)))
        else:
            end = start + (end - start) / (agent.talk_style ** 0.5)
        start, end = max(0.0, start), min(duration, end)
        if end - start < 0.2:
            continue
        lines.append((u.speaker, start, end, u.text))
    activity: dict[str, list[Segment]] = {"agent": [], "customer": []}
    for speaker, start, end, _text in sorted(lines, key=lambda line: line[1]):
        activity.setdefault(speaker, []).append(Segment(start, end))
    return compute_metrics(activity, duration, transcript=lines)
