"""The CLI in Chinese: its help, messages and tables translated, its columns still aligned,
and what scripts read (--json, exit codes, status codes) the same in every language.

QA_DESK_LANGUAGE chooses the language, like a script would. The Chinese expected here is
the CLI's translation in resources/translations/qa_desk_zh_CN.ts.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from store_data import add_test_call

from qa_desk.cli import _width, main
from qa_desk.store.calls import get_or_create_agent
from qa_desk.store.database import Database


@pytest.fixture
def speak(monkeypatch):
    """``speak("zh_CN")``: the next commands run in that language. The translator is the
    process's, so English (the sources) comes back after the test."""
    def use(language: str) -> None:
        monkeypatch.setenv("QA_DESK_LANGUAGE", language)

    return use  # tests/conftest.py puts English back after the test


@pytest.fixture
def url(tmp_path):
    """A SQLite library with one inbound call of 张伟 (Billing CN)."""
    address = f"sqlite:///{tmp_path / 'qa-desk.sqlite3'}"
    db = Database.open(address)
    try:
        with db.session() as s:
            agent = get_or_create_agent(s, name="张伟", external_id="1047", team="Billing CN")
            add_test_call(s, "张伟_0001.wav", agent_id=agent.id, direction="inbound",
                          started_at=datetime(2026, 11, 3, 14, 33, 11))
    finally:
        db.close()
    return address


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # --help, and argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_help_is_in_chinese_and_names_stay_as_typed(speak, capsys):
    speak("zh_CN")
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("用法：qa-desk")  # argparse's own words too
    assert "QA Desk：呼叫中心的通话质检工具。不带命令时打开窗口。" in out
    assert "导入录音（文件和文件夹，包括子文件夹）" in out and "显示此帮助信息并退出" in out
    code, out, _ = run(capsys, "calls", "--help")
    assert code == 0 and "只列出此坐席的通话" in out and "升序排列（默认：降序）" in out
    assert "--agent ID_OR_NAME" in out and "--limit LIMIT" in out  # options and metavars are not translated


def test_the_calls_table_speaks_chinese_and_stays_aligned(speak, capsys, url):
    speak("zh_CN")
    code, out, _ = run(capsys, "--db", url, "calls")
    assert code == 0
    header, row, count = out.splitlines()
    assert header.split() == ["编号", "坐席", "团队", "开始", "时长", "方向", "状态", "文件"]
    assert "张伟" in row and "呼入" in row and "transcribed" in row  # the status stays the code --sort uses
    assert count == "1 个通话"

    def column(line: str, cell: str) -> int:  # terminal columns before the cell
        return _width(line[:line.index(cell)])

    assert column(header, "团队") == column(row, "Billing CN")
    assert column(header, "时长") == column(row, "5:00")
    assert column(header, "文件") == column(row, "张伟_0001.wav")


def test_errors_are_in_chinese_with_the_same_exit_codes(speak, capsys, url):
    speak("zh_CN")
    code, _, err = run(capsys, "--db", url, "calls", "--since", "last tuesday")
    assert code == 2
    assert "qa-desk calls：错误：参数 --since：“last tuesday”不是日期" in err
    code, _, err = run(capsys, "--db", url, "calls", "--sort", "password")
    assert code == 2 and "无法按“password”排序" in err
    code, _, err = run(capsys, "--db", url, "call", "404")
    assert code == 2 and "没有通话“404”" in err
    code, out, _ = run(capsys, "--db", url, "transcript", "show", "1")
    assert code == 0 and out.splitlines() == ["通话 1  张伟_0001.wav", "尚无转写文本（“qa-desk transcript import”可从文件附加）"]


def test_db_info_and_search_in_chinese(speak, capsys, url):
    speak("zh_CN")
    code, out, _ = run(capsys, "--db", url, "db", "info")
    assert code == 0
    assert "已是最新: 是" in out and "通话: 1" in out and "结构版本:" in out
    labels = [line.split(":")[0] for line in out.splitlines()]
    assert len({_width(label) for label in labels}) == 1  # right-aligned by terminal columns
    code, out, _ = run(capsys, "--db", url, "search", "投诉")
    assert code == 0 and out == "没有找到“投诉”\n"


def test_json_is_the_same_in_every_language(speak, capsys, url):
    outputs = []
    for language in ("en", "zh_CN"):
        speak(language)
        outputs.append([run(capsys, "--db", url, *command)
                        for command in (["calls", "--json"], ["transcript", "show", "1", "--json"])])
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[1][0][1])["calls"][0]["direction"] == "inbound"


def test_each_command_speaks_the_language_it_is_given(speak, capsys, url):
    speak("zh_CN")
    assert run(capsys, "--db", url, "calls")[1].endswith("1 个通话\n")
    speak("en")  # the same process: the Chinese translator is replaced, not kept
    code, out, _ = run(capsys, "--db", url, "calls")
    assert code == 0
    assert out.splitlines()[0].split() == ["ID", "Agent", "Team", "Start", "Duration", "Dir", "Status", "File"]
    assert out.splitlines()[1].split()[-3] == "in" and out.endswith("1 call\n")
