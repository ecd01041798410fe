"""A clip made ready to play and draw: its audio written to a WAV file, its envelope built.

Run as a job (decoding the FLAC and building the envelope of a long clip takes a
moment). The file goes in a folder the clip player owns and deletes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from ..clips import clip_sound
from ..jobs import JobContext
from ..store.clips import ClipView
from ..store.database import Database


@dataclass(frozen=True)
class LoadedClip:
    clip: ClipView
    path: Path  # the clip's audio as a WAV file in the player's folder
    offset: float  # call time of the file's first frame
    duration: float
    sample_rate: int
    channel_map: dict
    envelope: object
    call_duration: float | None  # None: the call is gone, the clip can no longer move


def load_clip(db: Database, clip_id: int, folder: Path, ctx: JobContext) -> LoadedClip:
    from ..audio.clip_audio import write_clip
    from ..audio.envelope import build_envelope
    from ..store.calls import get_call
    from ..store.clips import get_clip

    with db.session() as session:
        clip = get_clip(session, clip_id)
        call = get_call(session, clip.call_id) if clip.call_id is not None else None
    sound = clip_sound(db, clip_id)
    path = write_clip(sound, folder / f"clip-{clip_id}-{uuid.uuid4().hex[:8]}.wav", format="wav")
    if call is not None and call.channels == sound.channels and call.channel_map:
        channel_map = dict(call.channel_map)
    else:  # the call is gone: who was on which side is not known any more
        channel_map = {"0": "mixed"} if sound.channels == 1 else {str(c): "other" for c in range(sound.channels)}
    return LoadedClip(clip, path, sound.start, sound.duration, sound.sample_rate, channel_map,
                      build_envelope(path, ctx=ctx), call.duration if call is not None else None)
