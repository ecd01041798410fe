"""Rows the store tests need again and again, written the way the importer writes them."""

from __future__ import annotations

from datetime import datetime

from qa_desk.store.calls import add_call, get_or_create_agent


def call_row(name: str = "a.wav", **extra) -> dict:
    """A transcribed stereo call's row (agent left, customer right); ``extra`` adds or overrides."""
    return dict(
        file_path=f"/rec/{name}", file_name=name, content_hash=name.ljust(64, "0"), file_size=1, audio_format="WAV",
        codec="PCM_16", duration=300.0, sample_rate=8000, channels=2, channel_map={"0": "agent", "1": "customer"},
        status="transcribed",
    ) | extra


def add_test_call(session, name: str = "a.wav", **extra) -> int:
    return add_call(session, call_row(name, **extra))


def agent_calls(db, count: int, *, team: str | None = "Billing CN", first_day: int = 3) -> list[int]:
    """``count`` calls of the agent 张伟 (1047), one a day from November ``first_day``."""
    with db.session() as s:
        agent = get_or_create_agent(s, name="张伟", external_id="1047", team=team)
        return [add_test_call(s, f"{n}.wav", agent_id=agent.id, started_at=datetime(2026, 11, first_day + n, 9, 30))
                for n in range(count)]
