"""A form written back as YAML (the builder's save, Export YAML…): readable, in the order a
person writes a form, and always the same version when read again."""

from __future__ import annotations

import pytest
import yaml

from qa_desk.scoring.form_yaml import form_to_yaml
from qa_desk.scoring.forms import known_rule_ids, load_form, parse_form, shipped_forms

EVERYTHING = """\
key: every-option
name: "Every option: 全部选项"
language: zh-CN
description: |
  Two lines of description,
  the second one in 中文.
total: 20
na: pass
sections:
  - key: opening
    title: 开场
    points: 12
    bonus_cap: 1.5
    items:
      - key: greeting
        question: "yes"
        guidance: "Greeting: hello, name, offer"
        points: 4
        rules: [zh-greeting-01, zh-greeting-02]
        critical: fail_all
        na: true
      - key: need
        question: '123'
        answer: scale
        scale: 7
        points: 4
        critical: fail_section
      - key: polite
        question: 礼貌用语
        answer: yes_partial_no
        partial: 0.25
        points: 4
      - key: extra
        question: Went beyond
        points: 1.5
        bonus: true
  - key: closing
    title: Closing
    items:
      - key: goodbye
        question: Says goodbye
        answer: yes_partial_no
        points: 8
"""

WEIGHTED = """\
key: weighted
name: Weighted
language: en
sections:
  - {key: a, title: A, weight: 40, items: [{key: one, question: One, points: 2}]}
  - {key: b, title: B, weight: 60, items: [{key: two, question: Two, points: 1, na: true}]}
"""


@pytest.mark.parametrize("path", shipped_forms(), ids=lambda p: p.stem)
def test_a_shipped_form_written_back_is_the_same_version(path):
    known = known_rule_ids()
    form = load_form(path, known)
    text = form_to_yaml(form.definition)
    assert parse_form(text, path.name, known).content_hash == form.content_hash
    assert text.startswith(f"key: {form.key}\nname: ")


def test_the_shipped_chinese_form_is_written_as_a_person_writes_it():
    form = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")
    text = form_to_yaml(form.definition)
    assert "电话客服质检表" in text and "\\u" not in text  # Chinese as is, not escaped
    lines = text.splitlines()
    assert lines[:6] == ["key: hotline-zh", "name: 电话客服质检表", "language: zh-CN",
                         "description: 电话客服通话质检，满分 100 分。", "total: 100", "na: exclude"]
    assert "  - key: response" in lines and "      - key: answered_quickly" in lines
    assert "        rules: [zh-hold-01, zh-hold-02, zh-dead-air-01]" in lines
    assert "answer: yes_no" not in text and "bonus: false" not in text and "na: false" not in text
    assert "guidance: null" not in text and "critical: null" not in text and "rules: []" not in text
    assert "bonus_cap: 0" not in text  # the default, left out


def test_a_form_with_every_option_round_trips_in_a_readable_order():
    known = {"zh-greeting-01", "zh-greeting-02"}
    form = parse_form(EVERYTHING, "every.yaml", known)
    text = form_to_yaml(form.definition)
    again = parse_form(text, "every.yaml", known)
    assert again.content_hash == form.content_hash and again.definition == form.definition

    data = yaml.safe_load(text)
    assert list(data) == ["key", "name", "language", "description", "total", "na", "sections"]
    assert data["description"] == "Two lines of description,\nthe second one in 中文."  # text is stripped
    assert "description: |" in text  # a block, not a quoted string full of \n
    opening, closing = data["sections"]
    assert list(opening) == ["key", "title", "points", "bonus_cap", "items"]
    assert list(closing) == ["key", "title", "items"]  # points follow the items
    greeting, need, polite, extra = opening["items"]
    assert list(greeting) == ["key", "question", "guidance", "points", "na", "critical", "rules"]
    assert greeting["question"] == "yes" and need["question"] == "123"  # quoted, still text
    assert list(need) == ["key", "question", "answer", "scale", "points", "critical"]
    assert list(polite) == ["key", "question", "answer", "partial", "points"]
    assert polite["partial"] == 0.25
    assert list(extra) == ["key", "question", "points", "bonus"]
    assert closing["items"][0]["partial"] == 0.5  # the default share, written out


def test_a_weighted_form_round_trips_with_weights_and_no_total():
    form = parse_form(WEIGHTED, "weighted.yaml")
    text = form_to_yaml(form.definition)
    assert parse_form(text, "weighted.yaml").content_hash == form.content_hash
    data = yaml.safe_load(text)
    assert "total" not in data and [s["weight"] for s in data["sections"]] == [40, 60]
    assert all("points" not in s for s in data["sections"])
