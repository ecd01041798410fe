"""The CLI in Chinese (QA_DESK_LANGUAGE=zh_CN): help, messages, table headers and summaries of
`evaluations`, `scorecards`, `rules`, `forms`, `queue`, `clips` and `export` are translated,
Chinese tables stay aligned, and what scripts parse (--json) is the same in both languages.

The Chinese asserts need the CLI strings of these commands in the compiled translation
(resources/translations/qa_desk_zh_CN.qm)."""

from __future__ import annotations

import json

import pytest

from qa_desk import wording
from qa_desk.cli import _width, main
from qa_desk.scoring.rulebook import default_rulebook_path
from qa_desk.store.database import Database

from test_cli_evaluations import _library
from test_scorecards_store import build_centre


@pytest.fixture
def chinese(monkeypatch):
    """Every command of the test speaks Chinese; English again afterwards (the translator is
    process-wide: tests/conftest.py puts English back)."""
    monkeypatch.setenv("QA_DESK_LANGUAGE", "zh_CN")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _column(line: str, cell: str) -> int:
    """The terminal column where ``cell`` starts in ``line`` (Chinese characters take two)."""
    return _width(line[: line.index(cell)])


def test_evaluations_table_in_chinese_and_aligned(chinese, capsys, db_url):
    _library(db_url)
    code, out, _ = run(capsys, "--db", db_url, "evaluations", "--agent", "1047", "--until", "2026-11-03")
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["编号", "通话", "坐席", "通话日期", "质检表", "质检员", "状态", "得分", "%"]
    # the values start under their headers, counted in terminal columns, not characters
    assert _column(row, "2026-11-03") == _column(header, "通话日期")
    assert _column(row, "hotline-zh v1") == _column(header, "质检表")
    assert _column(row, "王质检") == _column(header, "质检员")
    assert run(capsys, "--db", db_url, "evaluations", "--agent", "nobody")[1].strip() == "没有符合条件的评估。"


def test_json_is_the_same_in_both_languages(capsys, db_url, monkeypatch):
    _library(db_url)
    monkeypatch.setenv("QA_DESK_LANGUAGE", "en")
    code, english, _ = run(capsys, "--db", db_url, "evaluations", "--json")
    assert code == 0 and json.loads(english)
    monkeypatch.setenv("QA_DESK_LANGUAGE", "zh_CN")
    code, chinese, _ = run(capsys, "--db", db_url, "evaluations", "--json")
    assert wording.translate("AuditPage", "Who") != "Who"  # really Chinese (a string translated long ago)
    assert code == 0 and chinese == english


def test_scorecard_title_headers_and_quota_line(chinese, capsys, db_url):
    db = Database.open(db_url)
    build_centre(db)
    db.close()
    code, out, _ = run(capsys, "--db", db_url, "scorecards", "--period", "2026-11", "--team", "Billing CN")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "评分卡 2026-11（与 2026-10 相比的变化），团队 Billing CN"
    header = lines[1]
    assert header.split() == ["坐席", "团队", "评估数", "尚缺", "得分", "%", "变化", "致命项不合格数"]
    zhang = next(line for line in lines if line.startswith("张伟"))
    assert _column(zhang, "Billing CN") == _column(header, "团队")
    assert _column(zhang, "3 / 4") == _column(header, "评估数")
    assert any("名坐席未达到每月 4 份的质检配额" in line for line in lines)
    code, _, err = run(capsys, "--db", db_url, "scorecards", "--team", "Nobody")
    assert code == 2 and "没有团队“Nobody”" in err


def test_rules_check_and_test_in_chinese(chinese, capsys):
    path = default_rulebook_path("zh-CN")
    code, out, _ = run(capsys, "rules", "check", str(path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "zh-CN.yaml：有效的规则库"
    labels = {line.split()[0]: line for line in lines[1:6]}
    assert set(labels) == {"标识", "名称", "语言", "版本", "规则"}
    # the values start in the English column (12), Chinese labels counted two columns a character
    assert {_column(labels[k], labels[k].split()[1]) for k in ("标识", "语言", "规则")} == {12}
    code, out, _ = run(capsys, "rules", "test", "Let me check that for you, no problem whatsoever.")
    assert code == 0 and out.startswith("此文本未触发任何规则（agent，第 0 秒；规则库 en ")
    code, out, _ = run(capsys, "rules", "test", "Whatever, I already told you!")
    assert code == 0 and out.startswith("2 处规则匹配（agent，第 0 秒；规则库 en ")
    code, _, err = run(capsys, "rules", "check", "nope.yaml")
    assert code == 2 and "nope.yaml：文件不存在" in err


def test_help_is_translated(chinese, capsys):
    with pytest.raises(SystemExit) as usage:
        main(["rules", "--help"])
    assert usage.value.code == 0
    out = capsys.readouterr().out
    assert "校验规则库文件并给出摘要" in out and "一句话会触发哪些规则，以及原因" in out


def test_forms_queue_clips_and_export_messages(chinese, capsys, db_url, tmp_path):
    code, out, _ = run(capsys, "--db", db_url, "forms", "list")
    assert code == 0 and all("\t0 份评估" in line for line in out.splitlines())
    assert run(capsys, "--db", db_url, "queue", "--reviewer", "王质检")[1].strip() == "王质检 的队列为空。"
    assert run(capsys, "--db", db_url, "clips", "list")[1].strip() == "没有符合条件的片段。"
    code, _, err = run(capsys, "--db", db_url, "clips", "list", "--limit", "-1")
    assert code == 2 and "--limit 必须大于或等于 0" in err
    code, _, err = run(capsys, "--db", db_url, "export", "transcript", "1", "-o", str(tmp_path / "call.docx"))
    assert code == 2 and "call.docx：请指定 -f txt、srt、vtt 或 json" in err
