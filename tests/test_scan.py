"""Checking stored calls against a rulebook: the scan service, `qa-desk scan` and
`qa-desk flags`, on SQLite and a real PostgreSQL server, with real recordings."""

from __future__ import annotations

import json

import pytest
from recordings import write_call

from qa_desk.cli import main
from qa_desk.importing.importer import import_recordings
from qa_desk.scoring.rulebook import default_rulebook_path, load_rulebook
from qa_desk.scoring.scan import AfterTranscript, RulebookCache, calls_needing_scan, scan_call, scan_calls
from qa_desk.permissions import Actor
from qa_desk.store import flags as store_flags
from qa_desk.store.transcripts import UtteranceRow, replace_transcript


def said(speaker, start, words, step=0.4):
    """An utterance as a Chinese recogniser gives it: space-separated words with times."""
    items = [{"word": w, "start": round(start + i * step, 2), "end": round(start + (i + 1) * step - 0.05, 2)}
             for i, w in enumerate(words)]
    return UtteranceRow(speaker, items[0]["start"], items[-1]["end"], "".join(words), items)


RUDE_CALL = [
    said("agent", 0.5, ["您好", "欢迎", "致电", "请问", "有", "什么", "可以", "帮", "您"]),
    said("customer", 4.0, ["我", "的", "账单", "不", "对"]),
    said("agent", 6.0, ["这个", "我", "不", "知道", "你", "爱", "找", "谁", "找", "谁", "去"]),
    said("agent", 12.0, ["不", "知道", "您", "是否", "还有", "其他", "问题"]),
]


@pytest.fixture
def rulebook():
    return load_rulebook(default_rulebook_path("zh-CN"))


@pytest.fixture
def library(db, tmp_path):
    """Two stereo calls; the first has the rude transcript above."""
    paths = [write_call(tmp_path / "rec" / f"call-{i}.wav", 16.0, seed=i) for i in range(2)]
    import_recordings(db, paths)
    with db.session() as s:
        replace_transcript(s, 1, engine="test", model_name="test", language="zh-CN", utterances=RUDE_CALL)
    return db


def open_rules(db, call_id):
    with db.session() as s:
        return {r.rule_key: r for r in store_flags.flags_for_call(s, call_id)}


def test_a_scan_stores_flags_at_the_words_that_broke_the_standard(library, rulebook):
    result = scan_call(library, 1, rulebook)
    assert result.checked and result.findings > 0
    flags = open_rules(library, 1)
    dismissive = flags["zh-forbidden-01"]
    # the longest phrase of the rule that was said, from its first word (我 of "这个 我 不 知道")
    assert dismissive.speaker == "agent" and dismissive.matched_text.replace(" ", "") == "我不知道"
    assert dismissive.start == pytest.approx(6.0 + 0.4)
    assert flags["zh-forbidden-04"].severity == "critical"
    # "不知道您是否…" is the polite exception: one 不知道 flag only
    with library.session() as s:
        assert sum(r.rule_key == "zh-forbidden-01" for r in store_flags.flags_for_call(s, 1)) == 1
    assert dismissive.rulebook_key == "zh-CN" and dismissive.rulebook_version == 1


def test_a_call_without_a_transcript_is_not_checked(library, rulebook):
    result = scan_call(library, 2, rulebook)
    assert not result.checked and "not transcribed" in result.note
    with library.session() as s:
        assert store_flags.flags_for_call(s, 2) == []


def test_a_rescan_keeps_reviewers_decisions(library, rulebook):
    scan_call(library, 1, rulebook)
    flag = open_rules(library, 1)["zh-forbidden-01"]
    with library.session() as s:
        store_flags.confirm(s, flag.id, Actor("li.na", "reviewer"))
    again = scan_call(library, 1, rulebook)
    assert again.summary.added == 0 and again.summary.kept == again.findings
    kept = open_rules(library, 1)["zh-forbidden-01"]
    assert (kept.id, kept.status, kept.decided_by) == (flag.id, "confirmed", "li.na")


def test_only_calls_not_checked_with_this_rulebook_version_are_scanned_again(library, rulebook, tmp_path):
    assert calls_needing_scan(library, rulebook) == [1]  # call 2 has no transcript
    scan_calls(library, [1], rulebook)
    assert calls_needing_scan(library, rulebook) == []
    assert calls_needing_scan(library, rulebook, everything=True) == [1]
    edited = tmp_path / "edited.yaml"
    edited.write_text(default_rulebook_path("zh-CN").read_text(encoding="utf-8").replace("severity: minor", "severity: major", 1),
                      encoding="utf-8")
    newer = load_rulebook(edited)
    assert newer.content_hash != rulebook.content_hash
    assert calls_needing_scan(library, newer) == [1]
    scan_call(library, 1, newer)
    assert open_rules(library, 1)["zh-forbidden-01"].rulebook_version == 2


def test_a_missing_recording_still_gets_its_phrase_rules_checked(library, rulebook, tmp_path):
    (tmp_path / "rec" / "call-0.wav").unlink()
    result = scan_call(library, 1, rulebook)
    assert result.checked and "audio rules skipped" in result.note and "call-0.wav" in result.note
    assert "zh-forbidden-01" in open_rules(library, 1)


def test_after_transcript_hook_checks_the_call_and_never_raises(library, tmp_path):
    from qa_desk.settings import Settings

    hook = AfterTranscript(lambda: Settings(call_language="zh"))
    hook(library, 1)
    assert "zh-forbidden-01" in open_rules(library, 1)
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [", encoding="utf-8")
    AfterTranscript(lambda: Settings(rulebook_path=str(broken)))(library, 1)  # logged, not raised
    AfterTranscript(lambda: Settings())(library, 999)


def test_rulebook_cache_reloads_a_changed_file(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(default_rulebook_path("en").read_text(encoding="utf-8"), encoding="utf-8")
    cache = RulebookCache()
    first = cache.get(path)
    assert cache.get(path) is first
    path.write_text(path.read_text(encoding="utf-8").replace("severity: minor", "severity: major", 1), encoding="utf-8")
    import os

    os.utime(path, ns=(1, 1))
    assert cache.get(path).content_hash != first.content_hash


# --- the command line ------------------------------------------------------------------


def cli(capsys, db_url, *argv):
    code = main(["--db", db_url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_scan_then_flags(library, db_url, capsys):
    code, out, err = cli(capsys, db_url, "scan", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert [c["call_id"] for c in report["calls"]] == [1] and report["calls"][0]["findings"] > 0
    assert report["rulebook"]["key"] == "zh-CN"

    code, out, _ = cli(capsys, db_url, "scan")
    assert code == 0 and "0 call(s) checked" in out  # nothing new to check

    code, out, _ = cli(capsys, db_url, "flags", "1")
    assert code == 0 and "zh-forbidden-01" in out and "0:06" in out and "open" in out
    code, out, _ = cli(capsys, db_url, "flags", "1", "--json")
    flags = json.loads(out)["flags"]
    assert {f["rule_key"] for f in flags} >= {"zh-forbidden-01", "zh-forbidden-04"}
    code, out, _ = cli(capsys, db_url, "flags", "2")
    assert code == 0 and "no flags" in out


def test_cli_scan_refuses_an_invalid_rulebook_and_unknown_calls(library, db_url, capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: x\nname: x\nlanguage: zh-CN\nrules:\n  - id: a\n    category: nonsense\n", encoding="utf-8")
    code, _, err = cli(capsys, db_url, "scan", "--rules", str(bad))
    assert code == 2 and "bad.yaml" in err and "not valid" in err
    code, _, err = cli(capsys, db_url, "scan", "--rules", str(tmp_path / "none.yaml"))
    assert code == 2 and "none.yaml" in err
    code, _, err = cli(capsys, db_url, "scan", "42")
    assert code == 2 and "no call '42'" in err
    code, _, err = cli(capsys, db_url, "flags", "42")
    assert code == 2


def test_scan_info_says_when_and_with_which_rulebook_version(library, rulebook):
    with library.session() as s:
        assert store_flags.scan_info(s, 1) is None
    scan_call(library, 1, rulebook)
    with library.session() as s:
        info = store_flags.scan_info(s, 1)
        assert store_flags.scan_info(s, 999) is None
    assert info.rulebook == rulebook.name and info.version == 1 and info.at is not None
