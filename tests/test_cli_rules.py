"""`qa-desk rules check` and `qa-desk rules test`: summaries, problems with lines, exit codes."""

from __future__ import annotations

import json

from qa_desk.cli import main
from qa_desk.scoring.rulebook import default_rulebook_path, load_rulebook


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_a_valid_rulebook(capsys):
    path = default_rulebook_path("zh-CN")
    version = load_rulebook(path).version
    code, out, err = run(capsys, "rules", "check", str(path))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "zh-CN.yaml: valid rulebook"
    assert lines[1].split() == ["key", "zh-CN"]
    assert lines[3].split() == ["language", "zh-CN"]
    assert lines[4].split() == ["version", version]
    assert any(line.split() == ["forbidden_phrase", "10"] for line in lines)
    assert any(line.split()[0] == "dead_air" for line in lines)


def test_check_as_json(capsys):
    code, out, _ = run(capsys, "rules", "check", str(default_rulebook_path("en")), "--json")
    data = json.loads(out)
    assert code == 0 and data["valid"] is True
    assert (data["key"], data["language"], len(data["version"])) == ("en", "en", 12)
    assert data["rules"] == sum(data["categories"].values())


def test_check_an_invalid_rulebook_lists_every_problem_on_stderr(capsys, tmp_path):
    bad = tmp_path / "mine.yaml"
    bad.write_text("key: mine\nname: Mine\nlanguage: zh-CN\nrules:\n"
                   "  - id: a\n    title: x\n    category: forbiden_phrase\n    severity: major\n    phrases: [不能]\n"
                   "  - id: b\n    title: y\n    category: required_greeting\n    severity: minor\n"
                   "    phrases: [您好]\n    window: first\n", encoding="utf-8")
    code, out, err = run(capsys, "rules", "check", str(bad))
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("mine.yaml:7: rule a: category 'forbiden_phrase' is not one of")
    assert lines[1] == "mine.yaml:15: rule b: window 'first' needs seconds, e.g. 'first 10 s'"
    assert lines[-1] == "qa-desk: mine.yaml: not a valid rulebook (2 problems)"
    code, out, _ = run(capsys, "rules", "check", str(bad), "--json")
    assert code == 1 and json.loads(out)["valid"] is False


def test_check_a_missing_or_unreadable_file(capsys, tmp_path):
    code, out, err = run(capsys, "rules", "check", str(tmp_path / "nope.yaml"))
    assert code == 2 and out == "" and "nope.yaml: no such file" in err
    code, _, err = run(capsys, "rules", "check", str(tmp_path))
    assert code == 2 and "cannot be read" in err


def test_test_chinese_text_uses_the_chinese_rulebook(capsys):
    code, out, err = run(capsys, "rules", "test", "不知道，你自己查吧")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("2 rule matches (agent at 0 s; rulebook zh-CN ")
    assert lines[1].split()[:2] == ["[major]", "zh-forbidden-01"] and "“不知道”" in lines[1]
    assert lines[2].strip().startswith("The agent said “不知道”, a forbidden phrase")
    assert "zh-address-01" in lines[3]


def test_test_english_text_and_nothing_firing(capsys):
    code, out, _ = run(capsys, "rules", "test", "Whatever, I already told you!")
    assert code == 0 and "en-forbidden-03" in out and "en-forbidden-04" in out
    code, out, _ = run(capsys, "rules", "test", "Let me check that for you, no problem whatsoever.")
    assert code == 0 and out.startswith("No rule fires on this text (agent at 0 s; rulebook en ")


def test_test_speaker_time_json_and_a_rulebook_of_ones_own(capsys, tmp_path):
    code, out, _ = run(capsys, "rules", "test", "我不知道", "--speaker", "customer")
    assert code == 0 and out.startswith("No rule fires")
    code, out, _ = run(capsys, "rules", "test", "您好", "--at", "2", "--json")
    data = json.loads(out)
    assert code == 0 and data["rulebook"]["key"] == "zh-CN" and data["at"] == 2.0
    assert [f["rule_key"] for f in data["findings"]] == ["zh-greeting-01"]
    assert data["findings"][0]["start"] == 2.0
    code, out, _ = run(capsys, "rules", "test", "您好", "--at", "30", "--json")
    assert json.loads(out)["findings"] == []
    own = tmp_path / "own.yaml"
    own.write_text("key: own\nname: Own\nlanguage: zh-CN\nrules:\n"
                   "  - {id: o-1, title: 保证收益, category: forbidden_phrase, severity: critical,\n"
                   "     phrases: [保证收益], homophones: true}\n", encoding="utf-8")
    code, out, _ = run(capsys, "rules", "test", "保正收益", "--rules", str(own))
    assert code == 0 and "o-1" in out and "possible, confidence 0.6" in out
    code, _, err = run(capsys, "rules", "test", "x", "--rules", str(tmp_path / "none.yaml"))
    assert code == 2 and "no such file" in err
