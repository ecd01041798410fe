"""Flags on SQLite and PostgreSQL: rulebook versions, rescans that keep reviewers' work,
reviewer actions with their history, and the counts the library shows."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from actors import reviewer
from qa_desk.permissions import PermissionDenied
from qa_desk.scoring.findings import Finding
from qa_desk.store import flags as store
from qa_desk.store.calls import add_call
from qa_desk.store.models import Call, FlagEvent, Rulebook, User


def forbidden(start: float, said: str = "不知道", speaker: str = "agent") -> Finding:
    return Finding(
        rule_key="forbidden.dont_know", rule_title="不说“不知道”", category="forbidden_phrase", severity="major",
        speaker=speaker, start=start, end=start + 0.8, matched_text=said,
        words=({"word": "不", "start": start, "end": start + 0.3}, {"word": "知道", "start": start + 0.3, "end": start + 0.8}),
        kind="exact", confidence=1.0, reason="禁用语", form_item="service_language",
    )


MISSING_GREETING = Finding(
    rule_key="greeting.required", rule_title="Greeting in the first 10 s", category="required_greeting",
    severity="minor", speaker="agent", start=None, end=None, matched_text=None, words=(), kind="missing",
    confidence=1.0, reason="no greeting within 10 s", form_item="opening",
)


def _call(session, name: str = "a.wav") -> int:
    return add_call(session, dict(
        file_path=f"/rec/{name}", file_name=name, content_hash=name.ljust(64, "0"), file_size=1,
        audio_format="WAV", codec="PCM_16", duration=300.0, sample_rate=8000, channels=2,
        channel_map={"0": "agent", "1": "customer"}, status="transcribed",
    ))


def _rulebook(session, content: str = "v1") -> tuple[int, int]:
    return store.ensure_rulebook(session, key="service-zh", name="服务用语规范", language="zh",
                                 content_hash=content.ljust(64, "0"), definition={"rules": [content]})


def test_rulebook_versions_follow_content(db):
    with db.session() as s:
        first = _rulebook(s, "v1")
        assert _rulebook(s, "v1") == first  # same content, same row
        second = _rulebook(s, "v2")
        assert (first[1], second[1]) == (1, 2)
        assert _rulebook(s, "v1") == first  # an edit undone: its old version back
        other = store.ensure_rulebook(s, key="acoustic", name="Acoustic", language="", content_hash="x" * 64,
                                      definition={})
        assert other[1] == 1
        row = s.get(Rulebook, second[0])
        assert (row.name, row.language, row.definition) == ("服务用语规范", "zh", {"rules": ["v2"]})
        assert s.execute(select(func.count()).select_from(Rulebook)).scalar_one() == 3


def test_first_scan_stores_every_finding(db):
    with db.session() as s:
        call_id = _call(s)
        rulebook_id, _ = _rulebook(s)
        summary = store.save_findings(s, call_id, rulebook_id, [forbidden(42.0), MISSING_GREETING])
        assert summary == store.SaveSummary(added=2, kept=0, removed=0, stale=0)
        call = s.get(Call, call_id)
        assert call.scanned_rulebook_id == rulebook_id and call.scanned_at is not None
    with db.session() as s:
        missing, phrase = store.flags_for_call(s, call_id)  # no time first
    assert (missing.kind, missing.start, missing.status) == ("missing", None, "open")
    assert phrase.rule_title == "不说“不知道”" and phrase.kind == "exact" and phrase.confidence == 1.0
    assert phrase.words[1] == {"word": "知道", "start": 42.3, "end": 42.8}
    assert (phrase.reason, phrase.form_item, phrase.rulebook_key, phrase.rulebook_version) == (
        "禁用语", "service_language", "service-zh", 1)
    assert phrase.fingerprint == store.fingerprint("forbidden.dont_know", "agent", "不 知道！")
    assert phrase.event_count == 0 and not phrase.stale


def test_rescan_keeps_decisions_for_findings_that_moved_a_little(db):
    with db.session() as s:
        call_id = _call(s)
        v1, _ = _rulebook(s, "v1")
        store.save_findings(s, call_id, v1, [forbidden(42.0), forbidden(180.0), MISSING_GREETING])
        early, late = [f.id for f in store.flags_for_call(s, call_id) if f.start is not None]
        store.confirm(s, early, reviewer("Zhang Min"))
        store.dismiss(s, late, reviewer("Zhang Min"), "客户说的，不是坐席")
    with db.session() as s:
        v2, _ = _rulebook(s, "v2")
        # Re-transcribed: times moved by under two seconds, the recogniser spaced the words.
        summary = store.save_findings(s, call_id, v2, [forbidden(181.4, "不 知道"), forbidden(43.1), MISSING_GREETING])
        assert summary == store.SaveSummary(added=0, kept=3, removed=0, stale=0)
        rows = {f.id: f for f in store.flags_for_call(s, call_id)}
    assert (rows[early].status, rows[early].decided_by, rows[early].start) == ("confirmed", "Zhang Min", 43.1)
    assert rows[early].words[0]["start"] == 43.1
    assert (rows[late].status, rows[late].dismiss_reason, rows[late].start) == ("dismissed", "客户说的，不是坐席", 181.4)
    assert {r.rulebook_version for r in rows.values()} == {2}
    assert rows[early].event_count == 1


def test_rescan_adds_new_removes_untouched_and_keeps_worked_on_flags_stale(db):
    with db.session() as s:
        call_id = _call(s)
        v1, _ = _rulebook(s, "v1")
        store.save_findings(s, call_id, v1, [forbidden(10.0), forbidden(60.0), forbidden(120.0), forbidden(200.0)])
        confirmed, untouched, noted, dismissed = [f.id for f in store.flags_for_call(s, call_id)]
        store.confirm(s, confirmed, reviewer("Zhang Min"))
        store.add_note(s, noted, reviewer("Zhang Min"), "listen again: maybe 不知道 the customer's")
        store.dismiss(s, dismissed, reviewer("Li Lei"), "ASR error")
    with db.session() as s:
        v2, _ = _rulebook(s, "v2")
        # The new rulebook finds none of them (moved far, or not at all), and a new one.
        summary = store.save_findings(s, call_id, v2, [forbidden(15.0), forbidden(300.0, "我不清楚")])
        assert summary == store.SaveSummary(added=2, kept=0, removed=1, stale=3)
        rows = {f.id: f for f in store.flags_for_call(s, call_id)}
    assert untouched not in rows
    assert rows[confirmed].stale and rows[confirmed].status == "confirmed"
    assert rows[confirmed].rulebook_version == 1  # the version that found it
    assert rows[noted].stale and rows[noted].note.startswith("listen again")
    assert rows[dismissed].stale and rows[dismissed].dismiss_reason == "ASR error"
    fresh = [r for r in rows.values() if not r.stale]
    assert sorted(r.start for r in fresh) == [15.0, 300.0] and {r.status for r in fresh} == {"open"}
    # Found again by a later scan: fresh again, decision intact.
    with db.session() as s:
        summary = store.save_findings(s, call_id, v2, [forbidden(10.5), forbidden(15.0), forbidden(300.0, "我不清楚")])
        assert summary == store.SaveSummary(added=0, kept=3, removed=0, stale=2)
        row = store.flag_row(s, confirmed)
    assert (row.stale, row.status, row.start, row.rulebook_version) == (False, "confirmed", 10.5, 2)


def test_a_decided_flag_wins_over_an_open_duplicate(db):
    with db.session() as s:
        call_id = _call(s)
        rb, _ = _rulebook(s)
        store.save_findings(s, call_id, rb, [forbidden(50.0), forbidden(51.0)])
        first, second = [f.id for f in store.flags_for_call(s, call_id)]
        store.confirm(s, second, reviewer("Zhang Min"))
        # Only one of the two is found again, as far from each: the confirmed one keeps it.
        summary = store.save_findings(s, call_id, rb, [forbidden(50.5)])
        assert (summary.kept, summary.removed) == (1, 1)
        (row,) = store.flags_for_call(s, call_id)
    assert (row.id, row.status, row.start) == (second, "confirmed", 50.5)


def test_a_failed_scan_changes_nothing(db):
    with db.session() as s:
        call_id = _call(s)
        rb, _ = _rulebook(s)
        store.save_findings(s, call_id, rb, [forbidden(5.0)])
    with pytest.raises(RuntimeError):
        with db.session() as s:
            store.save_findings(s, call_id, rb, [forbidden(99.0)])
            raise RuntimeError("the matcher crashed half-way")
    with db.session() as s:
        assert [f.start for f in store.flags_for_call(s, call_id)] == [5.0]
        with pytest.raises(LookupError):
            store.save_findings(s, 999, rb, [])


def test_reviewer_actions_and_their_history(db):
    with db.session() as s:
        call_id = _call(s)
        s.add(User(name="Zhang Min", role="reviewer"))
        rb, _ = _rulebook(s)
        store.save_findings(s, call_id, rb, [forbidden(42.0)])
        (flag,) = store.flags_for_call(s, call_id)
        row = store.confirm(s, flag.id, reviewer("Zhang Min"))
        assert (row.status, row.decided_by, row.event_count) == ("confirmed", "Zhang Min", 1)
        assert row.decided_at is not None
        assert store.confirm(s, flag.id, reviewer("Zhang Min")).event_count == 1  # a double-click changes nothing
        row = store.dismiss(s, flag.id, reviewer("  Li Lei "), "客户说的")
        assert (row.status, row.decided_by, row.dismiss_reason) == ("dismissed", "Li Lei", "客户说的")
        row = store.add_note(s, flag.id, reviewer("Li Lei"), "calibration example")
        assert (row.status, row.note) == ("dismissed", "calibration example")
        row = store.reopen(s, flag.id, reviewer("Zhang Min"))
        assert (row.status, row.decided_by, row.decided_at, row.dismiss_reason) == ("open", None, None, None)
        assert store.reopen(s, flag.id, reviewer("Zhang Min")).event_count == 4
        history = store.flag_history(s, flag.id)
    assert [(e.action, e.old_status, e.new_status, e.by, e.text) for e in history] == [
        ("confirmed", "open", "confirmed", "Zhang Min", None),
        ("dismissed", "confirmed", "dismissed", "Li Lei", "客户说的"),
        ("noted", "dismissed", "dismissed", "Li Lei", "calibration example"),
        ("reopened", "dismissed", "open", "Zhang Min", None),
    ]
    assert all(e.at is not None for e in history)


def test_reviewer_id_is_set_for_known_users(db):
    from qa_desk.store.models import Flag

    with db.session() as s:
        call_id = _call(s)
        user = User(name="Zhang Min", role="reviewer")
        s.add(user)
        rb, _ = _rulebook(s)
        store.save_findings(s, call_id, rb, [forbidden(1.0)])
        (flag,) = store.flags_for_call(s, call_id)
        store.confirm(s, flag.id, "Zhang Min")  # a stored user's name: their stored role is checked
        assert s.get(Flag, flag.id).reviewer_id == user.id
        with pytest.raises(PermissionDenied, match="not a QA Desk user"):
            store.dismiss(s, flag.id, "someone at the CLI", "not a forbidden phrase here")
        store.dismiss(s, flag.id, reviewer("someone at the CLI"), "not a forbidden phrase here")
        assert s.get(Flag, flag.id).reviewer_id is None


def test_clear_errors_for_bad_actions(db):
    with db.session() as s:
        call_id = _call(s)
        rb, _ = _rulebook(s)
        store.save_findings(s, call_id, rb, [forbidden(1.0)])
        (flag,) = store.flags_for_call(s, call_id)
        for blank in ("", "   ", None):
            with pytest.raises(ValueError, match="reason is required"):
                store.dismiss(s, flag.id, reviewer("Zhang Min"), blank)
        with pytest.raises(ValueError, match="note is empty"):
            store.add_note(s, flag.id, reviewer("Zhang Min"), " ")
        with pytest.raises(ValueError, match="name is required"):
            store.confirm(s, flag.id, " ")
        for action in (lambda: store.confirm(s, 999, reviewer("x")), lambda: store.dismiss(s, 999, reviewer("x"), "why"),
                       lambda: store.reopen(s, 999, reviewer("x")), lambda: store.add_note(s, 999, reviewer("x"), "n"),
                       lambda: store.flag_history(s, 999)):
            with pytest.raises(LookupError, match="No flag 999"):
                action()
        assert store.flag_row(s, flag.id).status == "open"
        assert s.execute(select(func.count()).select_from(FlagEvent)).scalar_one() == 0


def test_counts_for_the_library_and_cascades(db):
    with db.session() as s:
        one, two, three = _call(s, "1.wav"), _call(s, "2.wav"), _call(s, "3.wav")
        rb, _ = _rulebook(s)
        store.save_findings(s, one, rb, [forbidden(1.0), forbidden(20.0), MISSING_GREETING])
        store.save_findings(s, two, rb, [forbidden(5.0)])
        a, b, _c = [f.id for f in store.flags_for_call(s, one)]
        store.confirm(s, a, reviewer("Zhang Min"))
        store.dismiss(s, b, reviewer("Zhang Min"), "wrong speaker")
        counts = store.flag_counts(s, [one, two, three, one])
    assert counts == {
        one: {"open": 1, "confirmed": 1, "dismissed": 1},
        two: {"open": 1, "confirmed": 0, "dismissed": 0},
        three: {"open": 0, "confirmed": 0, "dismissed": 0},
    }
    with db.session() as s:
        assert store.flag_counts(s, list(range(1, 1200)))[one]["open"] == 1  # more ids than one query takes
        s.execute(delete(Call).where(Call.id == one))
    with db.session() as s:
        assert store.flags_for_call(s, one) == []
        assert s.execute(select(func.count()).select_from(FlagEvent)).scalar_one() == 0
        # Deleting a rulebook version leaves the flags and the call, without the link.
        s.execute(delete(Rulebook))
    with db.session() as s:
        (row,) = store.flags_for_call(s, two)
        assert (row.rulebook_key, row.rulebook_version) == (None, None)
        assert s.get(Call, two).scanned_rulebook_id is None


def test_fingerprint_ignores_spacing_case_and_punctuation_not_the_speaker():
    base = store.fingerprint("r", "agent", "Sorry, I don't know!")
    assert base == store.fingerprint("r", "agent", "sorry i don t know")
    assert base != store.fingerprint("r", "customer", "Sorry, I don't know!")
    assert base != store.fingerprint("other", "agent", "Sorry, I don't know!")
    assert len(base) == 64
