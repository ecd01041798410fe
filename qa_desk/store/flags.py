"""Service-language flags: storing a scan's findings, reviewers' decisions, queries.

A call is scanned again whenever its rulebook or its transcript changes. A rescan
must not undo a reviewer's work, so a finding keeps its flag row (status, who
decided, notes, history) when the scan finds it again:

* identity: ``fingerprint`` = sha256 of rule key, speaker and the folded matched
  text (no time in it: re-transcription moves words by a few hundred ms, which
  would change any rounded time right at a boundary);
* the same fingerprint said twice in a call (不知道 at 0:30 and at 5:00) is told
  apart by time: a new finding takes the existing flag with the nearest start
  within ``MATCH_WINDOW`` seconds (findings without a time, e.g. a missing
  greeting, match each other).

A flag the new scan does not find is deleted while nobody has touched it. One a
reviewer worked on (confirmed, dismissed, noted, reopened) is kept and marked
``stale``: confirmed evidence must not silently vanish from a scored call; the
view can show it as "no longer found by rulebook vN". Found again later, it is
fresh again with its decision intact.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Protocol

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..permissions import Actor, require
from ..text import fold
from ..wording import translate
from . import audit
from .models import Call, Flag, FlagEvent, Rulebook, User
from .users import acting
from .versions import store_version

MATCH_WINDOW = 2.0  # seconds: how far a finding may move between scans and stay itself
STATUSES = ("open", "confirmed", "dismissed")


class Finding(Protocol):
    """What the rulebook matcher reports (qa_desk.scoring's Finding has these fields)."""

    rule_key: str
    rule_title: str
    category: str
    severity: str
    speaker: str | None
    start: float | None
    end: float | None
    matched_text: str | None
    words: tuple
    kind: str
    confidence: float
    reason: str | None
    form_item: str | None


@dataclass(frozen=True)
class SaveSummary:
    added: int  # new flags
    kept: int  # found again: the existing flag (and any decision on it) kept
    removed: int  # untouched flags the scan no longer finds
    stale: int = 0  # worked-on flags the scan no longer finds, kept and marked stale


@dataclass(frozen=True)
class FlagRow:
    id: int
    call_id: int
    rule_key: str
    rule_title: str
    category: str
    severity: str
    kind: str
    confidence: float
    speaker: str | None
    start: float | None
    end: float | None
    matched_text: str | None
    words: tuple  # ({"word", "start", "end"}, ...)
    reason: str | None
    form_item: str | None
    status: str  # open | confirmed | dismissed
    stale: bool  # the latest scan no longer finds it (kept for its decision)
    note: str | None
    decided_by: str | None
    decided_at: datetime | None
    dismiss_reason: str | None
    fingerprint: str
    rulebook_key: str | None  # the rulebook version that last found it
    rulebook_version: int | None
    event_count: int  # reviewer actions so far (flag_history lists them)


@dataclass(frozen=True)
class FlagEventRow:
    action: str  # confirmed | dismissed | reopened | noted
    old_status: str | None
    new_status: str
    by: str
    at: datetime
    text: str | None  # the dismiss reason or the note


def fingerprint(rule_key: str, speaker: str | None, matched_text: str | None) -> str:
    """The identity of a finding across rescans (times are matched separately)."""
    key = "\x1f".join((rule_key or "", speaker or "", fold(matched_text or "")))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# --- rulebook versions ----------------------------------------------------------------


def ensure_rulebook(
    session: Session, *, key: str, name: str, language: str, content_hash: str, definition: dict
) -> tuple[int, int]:
    """(rulebook id, version) for this content of the rulebook ``key``, stored on first use.

    The same content is always the same row; new content is the key's next version.
    Content seen before (an edit undone) gets its old row and version back.
    """
    row = store_version(session, Rulebook, key, content_hash, lambda version: Rulebook(
        key=key, version=version, name=(name or "")[:200] or None, language=(language or "")[:20] or None,
        content_hash=content_hash, definition=definition,
    ))
    return row.id, row.version


# --- a scan's findings ------------------------------------------------------------------


def _gap(a: float | None, b: float | None) -> float | None:
    if a is None and b is None:
        return 0.0
    if a is None or b is None:
        return None
    return abs(a - b)


def _words(words: Iterable | None) -> list:
    return [dict(w) for w in (words or ()) if isinstance(w, dict)]


def _fill(flag: Flag, finding: Finding, rulebook_id: int | None) -> None:
    """What the scan says about a finding (never the reviewer's side of the flag)."""
    flag.rulebook_id = rulebook_id
    flag.rule_title = (finding.rule_title or "")[:300]
    flag.category = finding.category
    flag.severity = finding.severity
    flag.kind = finding.kind
    flag.confidence = float(finding.confidence if finding.confidence is not None else 1.0)
    flag.speaker = finding.speaker
    flag.start = finding.start
    flag.end = finding.end
    flag.matched_text = finding.matched_text
    flag.words = _words(finding.words)
    flag.reason = finding.reason
    flag.form_item = (finding.form_item or None) and finding.form_item[:200]
    flag.stale = False


def save_findings(session: Session, call_id: int, rulebook_id: int | None, findings: Iterable[Finding]) -> SaveSummary:
    """Make the call's flags what this scan found, keeping reviewers' work (module doc).

    Runs in the caller's transaction: readers see the old flags until it commits.
    """
    # Locks the call on PostgreSQL, so two scans of one call cannot interleave.
    call = session.execute(select(Call).where(Call.id == call_id).with_for_update()).scalar_one_or_none()
    if call is None:
        raise LookupError(translate("Errors", "There is no call {call}: it may have been deleted.").format(call=call_id))
    existing = session.execute(select(Flag).where(Flag.call_id == call_id)).scalars().all()
    by_print: dict[str, list[Flag]] = defaultdict(list)
    for flag in existing:
        by_print[flag.fingerprint].append(flag)
    incoming = [(fingerprint(f.rule_key, f.speaker, f.matched_text), f) for f in findings]

    # Every (existing flag, new finding) pair close enough to be the same finding;
    # nearest first, and a decided flag before an open duplicate at the same distance.
    pairs = []
    for index, (print_, finding) in enumerate(incoming):
        for flag in by_print.get(print_, ()):
            gap = _gap(flag.start, finding.start)
            if gap is not None and gap <= MATCH_WINDOW:
                pairs.append((gap, flag.status == "open", flag.id, index, flag))
    pairs.sort(key=lambda p: p[:4])
    kept_flags: set[int] = set()
    kept_findings: set[int] = set()
    for _gap_s, _open, flag_id, index, flag in pairs:
        if flag_id in kept_flags or index in kept_findings:
            continue
        kept_flags.add(flag_id)
        kept_findings.add(index)
        _fill(flag, incoming[index][1], rulebook_id)

    gone = [flag for flag in existing if flag.id not in kept_flags]
    worked_on = set(
        session.execute(
            select(FlagEvent.flag_id).where(FlagEvent.flag_id.in_([f.id for f in gone])).distinct()
        ).scalars()
    ) if gone else set()
    removed = stale = 0
    for flag in gone:
        if flag.status != "open" or flag.id in worked_on:
            flag.stale = True
            stale += 1
        else:
            session.delete(flag)
            removed += 1

    for index, (print_, finding) in enumerate(incoming):
        if index in kept_findings:
            continue
        flag = Flag(call_id=call_id, rule_key=finding.rule_key, fingerprint=print_, status="open")
        _fill(flag, finding, rulebook_id)
        session.add(flag)

    call.scanned_rulebook_id = rulebook_id
    call.scanned_at = datetime.now()
    session.flush()
    return SaveSummary(added=len(incoming) - len(kept_findings), kept=len(kept_flags), removed=removed, stale=stale)


# --- reviewer actions -------------------------------------------------------------------


def _flag_for_update(session: Session, flag_id: int) -> Flag:
    flag = session.get(Flag, flag_id, with_for_update=True)
    if flag is None:
        raise LookupError(_no_flag(flag_id))
    return flag


def _no_flag(flag_id: int) -> str:
    return translate("Errors", "No flag {flag}: it may have been removed by a rescan of its call. Reload the call's "
                               "flags.").format(flag=flag_id)


def _who(session: Session, by: Actor | str | None, actor: Actor | None = None) -> Actor:
    """The acting user, allowed to decide flags (reviewer, lead, admin)."""
    if actor is None and not isinstance(by, Actor) and not (by or "").strip():
        raise ValueError(translate("Errors", "Who is deciding? A reviewer's name is required for every decision on a "
                                             "flag: sign in, or give your name."))
    return require(acting(session, by, actor), "flag.decide")


def _record(session: Session, flag: Flag, action: str, new_status: str, actor: Actor, text: str | None) -> None:
    """One reviewer action: the flag's new state and an event saying who, when, old → new
    (in the flag's history and in the audit log)."""
    now = datetime.now()
    by = actor.name.strip()[:100]
    audit.record(session, actor, f"flag.{action}", "flag", flag.id, {"status": flag.status},
                 {"status": new_status} | ({"text": text} if text else {}),
                 f"flag {flag.id} ({flag.rule_key}) {action}" + (f": {text}" if text else ""))
    session.add(FlagEvent(flag_id=flag.id, action=action, old_status=flag.status, new_status=new_status,
                          by=by, at=now, text=text))
    if new_status != flag.status or action == "dismissed":
        flag.status = new_status
        if new_status == "open":
            flag.decided_by = flag.decided_at = flag.dismiss_reason = flag.reviewer_id = None
        else:
            flag.decided_by, flag.decided_at = by, now
            # The users table knows reviewers who log in; a name typed at the CLI may not be one.
            flag.reviewer_id = session.execute(select(User.id).where(User.name == by)).scalar()
            flag.dismiss_reason = text if new_status == "dismissed" else None
    session.flush()


def confirm(session: Session, flag_id: int, by: Actor | str | None = None, *, actor: Actor | None = None) -> FlagRow:
    """The reviewer agrees: the agent did say it (or miss it). Again on a confirmed flag: nothing changes."""
    by = _who(session, by, actor)
    flag = _flag_for_update(session, flag_id)
    if flag.status != "confirmed":
        _record(session, flag, "confirmed", "confirmed", by, None)
    return flag_row(session, flag_id)


def dismiss(session: Session, flag_id: int, by: Actor | str | None = None, reason: str = "", *,
            actor: Actor | None = None) -> FlagRow:
    """The reviewer disagrees; the reason is kept for calibration and for the rulebook's authors."""
    by = _who(session, by, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(translate("Errors", "Say why the flag is dismissed (e.g. 'the customer said it, not the "
                                             "agent'): a reason is required."))
    flag = _flag_for_update(session, flag_id)
    if flag.status != "dismissed" or flag.dismiss_reason != reason:
        _record(session, flag, "dismissed", "dismissed", by, reason)
    return flag_row(session, flag_id)


def reopen(session: Session, flag_id: int, by: Actor | str | None = None, *, actor: Actor | None = None) -> FlagRow:
    """Undo a decision: the flag is open again (its history keeps the decision)."""
    by = _who(session, by, actor)
    flag = _flag_for_update(session, flag_id)
    if flag.status != "open":
        _record(session, flag, "reopened", "open", by, None)
    return flag_row(session, flag_id)


def add_note(session: Session, flag_id: int, by: Actor | str | None = None, text: str = "", *,
             actor: Actor | None = None) -> FlagRow:
    """A note on the flag (the newest is shown on the flag; every note stays in its history)."""
    by = _who(session, by, actor)
    text = (text or "").strip()
    if not text:
        raise ValueError(translate("Errors", "The note is empty: write what should be remembered about this flag."))
    flag = _flag_for_update(session, flag_id)
    flag.note = text
    _record(session, flag, "noted", flag.status, by, text)
    return flag_row(session, flag_id)


# --- queries ------------------------------------------------------------------------------


def _rows_query():
    events = select(func.count()).where(FlagEvent.flag_id == Flag.id).scalar_subquery()
    return select(Flag, Rulebook.key, Rulebook.version, events).outerjoin(Rulebook, Rulebook.id == Flag.rulebook_id)


def _as_row(flag: Flag, rulebook_key: str | None, rulebook_version: int | None, event_count: int) -> FlagRow:
    return FlagRow(
        id=flag.id, call_id=flag.call_id, rule_key=flag.rule_key, rule_title=flag.rule_title or "",
        category=flag.category, severity=flag.severity, kind=flag.kind,
        confidence=float(flag.confidence if flag.confidence is not None else 1.0),
        speaker=flag.speaker, start=flag.start, end=flag.end, matched_text=flag.matched_text,
        words=tuple(_words(flag.words)), reason=flag.reason, form_item=flag.form_item,
        status=flag.status, stale=bool(flag.stale), note=flag.note, decided_by=flag.decided_by,
        decided_at=flag.decided_at, dismiss_reason=flag.dismiss_reason, fingerprint=flag.fingerprint,
        rulebook_key=rulebook_key, rulebook_version=rulebook_version, event_count=int(event_count or 0),
    )


def flag_row(session: Session, flag_id: int) -> FlagRow:
    found = session.execute(_rows_query().where(Flag.id == flag_id)).first()
    if found is None:
        raise LookupError(_no_flag(flag_id))
    return _as_row(*found)


def flags_for_call(session: Session, call_id: int) -> list[FlagRow]:
    """The call's flags in call order; findings without a time (a missing greeting) first."""
    rows = session.execute(
        _rows_query()
        .where(Flag.call_id == call_id)
        .order_by(case((Flag.start.is_(None), 0), else_=1), Flag.start, Flag.id)
    ).all()
    return [_as_row(*row) for row in rows]


def flag_history(session: Session, flag_id: int) -> list[FlagEventRow]:
    """Every reviewer action on the flag, oldest first."""
    if session.get(Flag, flag_id) is None:
        raise LookupError(_no_flag(flag_id))
    rows = session.execute(
        select(FlagEvent.action, FlagEvent.old_status, FlagEvent.new_status, FlagEvent.by, FlagEvent.at, FlagEvent.text)
        .where(FlagEvent.flag_id == flag_id)
        .order_by(FlagEvent.at, FlagEvent.id)
    ).all()
    return [FlagEventRow(*row) for row in rows]


def flag_counts(session: Session, call_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """call id → {"open": n, "confirmed": n, "dismissed": n} for the library's columns
    (every asked call is in the answer, with zeros when it has no flags)."""
    ids = list(dict.fromkeys(call_ids))
    counts = {call_id: dict.fromkeys(STATUSES, 0) for call_id in ids}
    # In chunks under SQLite's bound-parameter limit, as calls._rows_where_in does.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(Flag.call_id, Flag.status, func.count())
            .where(Flag.call_id.in_(chunk))
            .group_by(Flag.call_id, Flag.status)
        )
        for call_id, status, n in rows:
            counts[call_id][status] = counts[call_id].get(status, 0) + n
    return counts


@dataclass(frozen=True)
class ScanInfo:
    at: datetime  # when the call was last checked
    rulebook: str | None  # the rulebook's name (or key)
    version: int | None


def scan_info(session: Session, call_id: int) -> ScanInfo | None:
    """When the call was last checked against a rulebook, and which version (None: never)."""
    row = session.execute(
        select(Call.scanned_at, Rulebook.name, Rulebook.key, Rulebook.version)
        .select_from(Call)
        .outerjoin(Rulebook, Rulebook.id == Call.scanned_rulebook_id)
        .where(Call.id == call_id)
    ).first()
    if row is None or row.scanned_at is None:
        return None
    return ScanInfo(row.scanned_at, row.name or row.key, row.version)
