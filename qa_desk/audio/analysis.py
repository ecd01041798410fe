"""The audio analysis of a stored call: find the speech, compute the metrics, keep them.

Metrics are computed once per call and kept in ``Call.metrics`` with the algorithm's
version, the thresholds and the transcript they were computed with; opening the call
again reuses them unless any of those changed (or the caller asks to recompute).
The recording is read outside any database transaction (minutes of decoding must not
hold a lock on a shared database); the result is written in a transaction of its own.
"""

from __future__ import annotations

from pathlib import Path

from ..jobs import JobContext
from ..store import calls as store
from ..store.transcripts import latest_transcript
from ..wording import translate
from .decode import DecodeError
from .metrics import HOLD_SECONDS, METRICS_VERSION, MIN_OVERTALK, MIN_SILENCE, CallMetrics, compute_metrics
from .vad import measure_activity

__all__ = ["CallNotFound", "RecordingError", "analyse_call"]


class CallNotFound(LookupError):
    """No call with this id (deleted, or another database)."""


class RecordingError(Exception):
    """The call's recording cannot be read; the message names the file and why."""

    def __init__(self, path, message: str):
        super().__init__(message)
        self.path = Path(path)


def _reusable(stored: dict | None, params: dict, transcript_id: int | None) -> CallMetrics | None:
    if not isinstance(stored, dict) or stored.get("version") != METRICS_VERSION:
        return None
    if stored.get("params") != params or stored.get("transcript_id") != transcript_id:
        return None
    try:
        return CallMetrics.from_dict(stored)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # damaged or hand-edited: compute again


# What reading a recording can raise: decode's own DecodeError (a RuntimeError), and
# the OS and libsndfile errors underneath it.
_READ_ERRORS = (DecodeError, OSError, RuntimeError, ValueError, EOFError)


def _activity(detail: store.CallDetail, ctx: JobContext | None):
    path = Path(detail.file_path)
    if not path.exists():
        raise RecordingError(path, translate(
            "Errors", "The recording {file} is missing (was it moved or deleted?). Put it back, or import it "
            "again from its new place.").format(file=path))
    try:
        activity, duration = measure_activity(path, detail.channel_map, ctx=ctx, rate=detail.sample_rate)
    except _READ_ERRORS as exc:
        reason = str(exc).strip() or type(exc).__name__
        reason = reason.removeprefix(f"{path.name}: ")  # decode's errors start with the name we give
        raise RecordingError(path, translate("Errors", "The recording {file} cannot be read: {problem}").format(
            file=path, problem=reason)) from exc
    if duration <= 0:
        raise RecordingError(path, translate("Errors", "The recording {file} holds no audio").format(file=path))
    return activity, duration


def analyse_call(
    db,
    call_id: int,
    *,
    recompute: bool = False,
    ctx: JobContext | None = None,
    hold_seconds: float = HOLD_SECONDS,
    min_silence: float = MIN_SILENCE,
    min_overtalk: float = MIN_OVERTALK,
) -> CallMetrics:
    """The call's metrics: the stored ones when still valid, else computed from the recording and stored.

    Raises CallNotFound, RecordingError, and whatever the database raises.
    """
    params = {"min_silence": min_silence, "hold_seconds": hold_seconds, "min_overtalk": min_overtalk}
    with db.session() as session:
        detail = store.get_call(session, call_id)
        if detail is None:
            raise CallNotFound(translate("Errors", "There is no call {id}; it may have been deleted.").format(
                id=call_id))
        transcript = latest_transcript(session, call_id)
    transcript_id = transcript.id if transcript else None
    if not recompute:
        stored = _reusable(detail.metrics, params, transcript_id)
        if stored is not None:
            return stored
    activity, duration = _activity(detail, ctx)
    metrics = compute_metrics(
        activity, duration, hold_seconds=hold_seconds, min_silence=min_silence,
        min_overtalk=min_overtalk,
        transcript=list(transcript.utterances) if transcript and transcript.utterances else None,
    )
    with db.session() as session:
        current = store.get_call(session, call_id)
        if current is None:
            raise CallNotFound(translate("Errors", "There is no call {id} (deleted while it was analysed)").format(
                id=call_id))
        newer = isinstance(current.metrics, dict) and isinstance(current.metrics.get("version"), int) \
            and current.metrics["version"] > METRICS_VERSION
        # A newer QA Desk sharing the database measured this call with a better
        # algorithm: show our numbers, but leave its stored ones alone.
        if not newer:
            store.save_metrics(session, call_id, {**metrics.as_dict(), "transcript_id": transcript_id})
    return metrics
