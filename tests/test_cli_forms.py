"""`qa-desk forms check|install|list`: summaries, problems with lines, versions, exit codes."""

from __future__ import annotations

import json

from qa_desk.cli import main
from qa_desk.scoring.forms import shipped_forms

SHIPPED = {p.stem: p for p in shipped_forms()}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_a_shipped_form(capsys):
    code, out, err = run(capsys, "forms", "check", str(SHIPPED["hotline-zh"]))
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("电话客服质检表 (hotline-zh, zh-CN): valid · 7 sections, 24 items, 100 points")
    code, out, _ = run(capsys, "forms", "check", str(SHIPPED["contact-centre-en"]), "--json")
    data = json.loads(out)
    assert code == 0 and (data["scoring"], data["sections"], data["critical"]) == ("weights", 5, 3)


def test_check_an_invalid_form_lists_its_problems_and_exits_1(capsys, tmp_path):
    bad = tmp_path / "mine.yaml"
    bad.write_text(SHIPPED["hotline-zh"].read_text(encoding="utf-8").replace(
        "rules: [zh-greeting-01, zh-greeting-02", "rules: [zh-greeting-1, zh-greeting-02"), encoding="utf-8")
    code, out, err = run(capsys, "forms", "check", str(bad))
    assert code == 1 and out == ""
    assert "mine.yaml:40: item standard_opening: no rulebook has a rule 'zh-greeting-1'" in err
    assert err.rstrip().endswith("mine.yaml: not a valid form (1 problem)")
    assert run(capsys, "forms", "check", str(tmp_path / "none.yaml"))[0] == 2
    gbk = tmp_path / "gbk.yaml"  # saved in the legacy Chinese encoding: no form to judge
    gbk.write_bytes(SHIPPED["hotline-zh"].read_text(encoding="utf-8").encode("gbk"))
    code, _, err = run(capsys, "forms", "check", str(gbk))
    assert code == 2 and "gbk.yaml: not UTF-8 text" in err


def test_install_stores_versions_and_list_shows_them(capsys, db_url, tmp_path):
    code, out, _ = run(capsys, "--db", db_url, "forms", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and [(f["key"], f["version"]) for f in listed] == [("contact-centre-en", 1), ("hotline-zh", 1)]
    changed = tmp_path / "hotline-zh.yaml"
    changed.write_text(SHIPPED["hotline-zh"].read_text(encoding="utf-8").replace(
        "name: 电话客服质检表", "name: 电话客服质检表（二版）"), encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("key: x\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", db_url, "forms", "install", str(changed), str(broken))
    assert code == 1  # one file was not stored; the other was
    assert out.strip() == "电话客服质检表（二版） (hotline-zh): version 2"
    assert "broken.yaml was not stored" in err and "name is missing" in err
    code, out, _ = run(capsys, "--db", db_url, "forms", "list")
    assert code == 0
    assert out.splitlines()[1].split("\t")[:3] == ["hotline-zh", "v2", "电话客服质检表（二版）"]
    assert out.splitlines()[1].endswith("(1 older version)")
