"""The domain's errors reach a person in that person's language, their values filled in:
a refused permission, a period typed wrong, a form file with a mistake, a database URL
that is none. The lookup here stands in for Qt's translator (the window and the CLI
plug that in with ``wording.use``)."""

from __future__ import annotations

import pytest

from qa_desk import wording
from qa_desk.permissions import Actor, PermissionDenied, require
from qa_desk.scoring.forms import FormError, parse_form
from qa_desk.scoring.periods import PeriodError, parse_period
from qa_desk.store import users
from qa_desk.store.database import Database, DatabaseError

CHINESE = {
    ("Permissions", "{name} ({role}) may not {action}: that needs the role: {roles}. Ask an administrator for that "
                    "role, or sign in as someone who has it."):
        "{name}（{role}）无权{action}：需要以下角色：{roles}。请让管理员分配该角色，或以具有该角色的用户登录。",
    ("Permissions", "reviewer"): "质检员",
    ("Permissions", "team lead"): "组长",
    ("Permissions", "administrator"): "管理员",
    ("Permissions", ", "): "、",
    ("Permissions", "manage sampling and the review queue"): "管理抽样和质检队列",
    ("Permissions", "manage users"): "管理用户",
    ("Errors", "'{text}' is not a period: use a month (2026-10), a quarter (2026-Q4), an ISO week (2026-W44) or a "
               "range (2026-10-01..2026-10-15)."):
        "“{text}”不是周期：请输入月份（2026-10）、季度（2026-Q4）、ISO 周（2026-W44）或日期范围（2026-10-01..2026-10-15）。",
    ("Errors", "{field} must be {kind} {range}, not {value}"): "{field} 必须是{kind}（{range}），而不是 {value}",
    ("Errors", "a number"): "数字",
    ("Errors", "more than {low}"): "大于 {low}",
    ("Errors", "item {key}"): "评分项 {key}",
    ("Errors", "'{url}' is not a database URL. Use e.g. sqlite:///path/to/qa-desk.sqlite3 or "
               "postgresql+psycopg://user:password@host/dbname"):
        "“{url}”不是数据库地址。请使用例如 sqlite:///path/to/qa-desk.sqlite3 或 "
        "postgresql+psycopg://user:password@host/dbname",
}

FORM = """\
key: small
name: Small form
language: en
sections:
  - key: opening
    title: Opening
    points: 2
    items:
      - key: greeting
        question: Greets the caller
        points: two
"""


@pytest.fixture
def chinese():
    wording.use(lambda context, source: CHINESE.get((context, source), ""))  # English again: tests/conftest.py


def test_a_refused_permission_names_the_person_the_action_and_the_roles_in_chinese(chinese):
    with pytest.raises(PermissionDenied) as refused:
        require(Actor("王质检", "reviewer"), "sampling.manage")
    assert str(refused.value) == ("王质检（质检员）无权管理抽样和质检队列：需要以下角色：组长、管理员。"
                                  "请让管理员分配该角色，或以具有该角色的用户登录。")


def test_the_store_refuses_in_chinese_too(chinese, db):
    with db.session() as session, pytest.raises(PermissionDenied) as refused:
        users.create_user(session, Actor("王质检", "reviewer"), "新同事", "reviewer")
    assert str(refused.value).startswith("王质检（质检员）无权管理用户：需要以下角色：管理员。")


def test_a_period_typed_wrong_says_what_is_expected_in_chinese(chinese):
    with pytest.raises(PeriodError) as wrong:
        parse_period("十月")
    assert str(wrong.value) == ("“十月”不是周期：请输入月份（2026-10）、季度（2026-Q4）、ISO 周（2026-W44）"
                                "或日期范围（2026-10-01..2026-10-15）。")


def test_a_form_problem_keeps_its_file_and_line_around_the_chinese(chinese):
    with pytest.raises(FormError) as caught:
        parse_form(FORM, "/forms/small.yaml")
    assert caught.value.problems == ["small.yaml:11: 评分项 greeting: points 必须是数字（大于 0），而不是 'two'"]


def test_a_bad_database_url_in_chinese(chinese):
    with pytest.raises(DatabaseError) as refused:
        Database.open("nonsense")
    assert str(refused.value).startswith("“nonsense”不是数据库地址。请使用例如 sqlite:///")


def test_english_is_the_source_without_a_lookup():
    with pytest.raises(PeriodError, match=r"^'十月' is not a period: use a month \(2026-10\)"):
        parse_period("十月")
