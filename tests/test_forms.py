"""Evaluation form files: the shipped forms, validation messages with file, line and
field, and versions by content."""

from __future__ import annotations

import pytest

from qa_desk.scoring.forms import FormError, known_rule_ids, load_form, parse_form, shipped_forms

RULES = {"zh-greeting-01", "zh-forbidden-01"}

SMALL = """\
key: small
name: Small form
language: en
sections:
  - key: opening
    title: Opening
    points: 5
    items:
      - key: greeting
        question: Greets the caller
        points: 2
        rules: [zh-greeting-01]
      - key: need
        question: Finds the need
        answer: scale
        scale: 3
        points: 3
"""


def problems(text: str, known=RULES) -> list[str]:
    with pytest.raises(FormError) as caught:
        parse_form(text, "/forms/small.yaml", known)
    return caught.value.problems


def test_both_shipped_forms_load_and_validate_against_the_shipped_rulebooks():
    known = known_rule_ids()
    forms = {path.stem: load_form(path, known) for path in shipped_forms()}
    assert set(forms) == {"hotline-zh", "contact-centre-en"}
    zh, en = forms["hotline-zh"], forms["contact-centre-en"]
    assert (zh.language, zh.scoring, zh.total) == ("zh-CN", "points", 100)
    assert sum(i.points for i in zh.items() if not i.bonus) == 100
    # The reference checklist's sections, with their points, open the Chinese form.
    assert [(s.title, s.points) for s in zh.sections[:4]] == [
        ("接听与等待", 6), ("开场与结束", 4), ("服务用语", 15), ("服务态度", 18)]
    assert {s.key for s in zh.sections} >= {"accuracy", "resolution", "compliance"}
    assert (en.language, en.scoring) == ("en", "weights")
    assert sum(s.weight for s in en.sections) == 100
    for form in (zh, en):  # every answer type, N/A, both critical kinds and a bonus are used
        items = form.items()
        assert {i.answer for i in items} == {"yes_no", "yes_partial_no", "scale"}
        assert {i.critical for i in items} >= {"fail_section", "fail_all"}
        assert any(i.na for i in items) and any(i.bonus for i in items)
        assert form.rules() <= known and form.rules()


def test_the_rulebooks_form_items_exist_on_the_form_of_their_language():
    from qa_desk.scoring.rulebook import default_rulebook_path, load_rulebook

    for language, form_key in (("zh-CN", "hotline-zh"), ("en", "contact-centre-en")):
        form = next(load_form(p) for p in shipped_forms() if p.stem == form_key)
        keys = {i.key for i in form.items()}
        for rule in load_rulebook(default_rulebook_path(language)).rules:
            if rule.form_item and rule.form_item in keys:
                assert rule.id in form.item(rule.form_item).rules, (rule.id, rule.form_item)


def test_a_small_form_parses_with_its_defaults():
    form = parse_form(SMALL, "small.yaml", RULES)
    greeting, need = form.items()
    assert (greeting.answer, greeting.na, greeting.critical, greeting.bonus) == ("yes_no", False, None, False)
    assert greeting.values() == ("yes", "no")
    assert need.values() == ("3", "2", "1", "0")
    assert (form.na, form.scoring) == ("exclude", "points")


def test_formatting_does_not_make_a_new_version_but_content_does():
    a = parse_form(SMALL, "a.yaml", RULES)
    reformatted = SMALL.replace("rules: [zh-greeting-01]", "rules:\n          - zh-greeting-01").replace(
        "points: 2", "points: 2.0")
    assert parse_form(reformatted, "b.yaml", RULES).content_hash == a.content_hash
    assert parse_form(SMALL.replace("points: 2", "points: 1").replace("points: 5", "points: 4"), "c.yaml",
                      RULES).content_hash != a.content_hash


@pytest.mark.parametrize("change, expected", [
    (("points: 2\n", "points: two\n"), "small.yaml:11: item greeting: points must be a number more than 0, not 'two'"),
    (("answer: scale\n", "answer: scales\n"),
     "small.yaml:15: item need: answer 'scales' is not one of yes_no, yes_partial_no, scale (did you mean 'scale'?)"),
    (("        scale: 3\n", ""), "small.yaml:13: item need: a scale answer needs scale: N"),
    (("rules: [zh-greeting-01]", "rules: [zh-greting-01]"),
     "small.yaml:12: item greeting: no rulebook has a rule 'zh-greting-01' (did you mean 'zh-greeting-01'?)"),
    (("points: 5\n", "points: 6\n"), "small.yaml:7: section opening: the items' points add up to 5, not the section's 6"),
    (("key: need", "key: greeting"), "small.yaml:13: item greeting: item key 'greeting' is already used at line 9"),
    (("        question: Finds the need\n", "        question: Finds the need\n        critical: fatal\n"),
     "small.yaml:15: item need: critical 'fatal' is not one of fail_section, fail_all"),
    (("language: en\n", "language: en\ntotal: 90\n"), "small.yaml:4: the sections add up to 5 points, not the form's total of 90"),
    (("    title: Opening\n", "    title: Opening\n    wieght: 10\n"),
     "small.yaml:7: section opening: unknown field 'wieght' (did you mean 'weight'?)"),
])
def test_each_mistake_is_named_with_its_file_line_and_field(change, expected):
    found = problems(SMALL.replace(*change))
    assert found[0].startswith(expected) and len(found) == 1, found  # one mistake, one message


def test_every_problem_is_reported_at_once_in_file_order():
    broken = SMALL.replace("name: Small form\n", "").replace("points: 2\n", "points: -1\n").replace(
        "scale: 3", "scale: 30")
    found = problems(broken)
    assert len(found) >= 3
    lines = [int(p.split(":")[1]) for p in found]
    assert lines == sorted(lines)
    assert any("name is missing" in p for p in found)
    assert any("scale must be a whole number 1 or more and at most 10, not 30" in p for p in found)


def test_weights_must_add_up_to_100_and_not_mix_with_points():
    weighted = SMALL.replace("    points: 5\n", "    weight: 60\n")
    assert any("the sections' weights add up to 60, not 100" in p for p in problems(weighted))
    two = weighted + SMALL[SMALL.index("  - key: opening"):].replace("key: opening", "key: closing").replace(
        "key: greeting", "key: bye").replace("key: need", "key: wrap").replace("weight: 60", "points: 5")
    assert any("either every section has a weight or none does" in p for p in problems(two))


def test_a_form_that_is_not_yaml_or_not_a_mapping_says_so():
    assert problems("key: [unclosed\n")[0].startswith("small.yaml:")
    assert problems("- just\n- a list\n") == ["small.yaml:1: a form is a mapping with key, name, language and sections"]


def test_an_unreadable_file_names_itself(tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(FormError, match="latin1.yaml: not UTF-8"):
        load_form(bad)
    with pytest.raises(FormError, match="missing.yaml: cannot be read"):
        load_form(tmp_path / "missing.yaml")
