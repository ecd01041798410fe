"""Rulebook files: the shipped defaults, validation with file:line:field, and the version hash."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from qa_desk.scoring.rulebook import (
    RulebookError,
    Window,
    default_rulebook_path,
    load_rulebook,
    parse_rulebook,
)

# Section 1 of the service-language standard (服务禁语), as the standard lists them.
DISMISSIVE = ("不知道 我不知道 不清楚 不了解 不能 我忙着呢 不是我管的 这个不是我管的别问我 你问我我问谁 "
              "不是我受理的 等受理你那问题的人来再说 我解决不了 你爱找谁找谁去 我能有什么办法").split()
IMPATIENT = ("说呀我听着呢 什么呀 你先听我说 你到底听不听我说 你怎么搞的 半天才讲话 你懂不懂 "
             "我都这么说了你怎么还不明白 你凭什么这么说 真啰嗦 真烦人 我不是已经和你说过了 什么乱七八糟的 "
             "你想清楚了再问 你会不会讲话 急什么").split()
SLANG = "我晕 我靠 天啊 怎么这样 真是的 鬼知道".split()
NEGATIVE = "我只能 我没有权利".split()
ENGLISH = ["I don't know", "that's not my job", "not my department", "calm down", "you need to listen",
           "I already told you", "what do you want", "whatever", "you're wrong"]


@pytest.fixture(scope="module")
def zh():
    return load_rulebook(default_rulebook_path("zh-CN"))


@pytest.fixture(scope="module")
def en():
    return load_rulebook(default_rulebook_path("en"))


def _phrases(rulebook, category):
    return {p: r for r in rulebook.rules if r.category == category for p in r.phrases}


def test_default_rulebooks_load_with_a_version_and_a_json_definition(zh, en):
    for rulebook, language in ((zh, "zh-CN"), (en, "en")):
        assert rulebook.language == language and rulebook.key == language
        assert re.fullmatch(r"[0-9a-f]{12}", rulebook.version)
        assert rulebook.content_hash.startswith(rulebook.version) and len(rulebook.content_hash) == 64
        assert json.loads(json.dumps(rulebook.definition)) == rulebook.definition
        assert len({r.id for r in rulebook.rules}) == len(rulebook.rules)
        categories = rulebook.counts_by_category()
        for category in ("forbidden_phrase", "required_greeting", "required_closing", "hold_courtesy",
                         "filler_words", "impolite_address", "rhetorical_question", "negative_framing",
                         "dead_air", "hold_silence", "overtalk", "talk_ratio", "speech_rate", "first_words_latency"):
            assert categories.get(category), (language, category)
        assert all(r.form_item for r in rulebook.rules)


def test_default_paths_by_language():
    assert default_rulebook_path("zh-CN").name == "zh-CN.yaml"
    assert default_rulebook_path("zh").name == "zh-CN.yaml"
    assert default_rulebook_path("zh_TW").name == "zh-CN.yaml"
    assert default_rulebook_path("en").name == "en.yaml"
    assert default_rulebook_path("en-GB").name == "en.yaml"
    assert default_rulebook_path("zh-CN").is_file() and default_rulebook_path("en").is_file()
    with pytest.raises(ValueError, match="no default rulebook"):
        default_rulebook_path("fr")


def test_every_forbidden_phrase_of_the_standard_is_in_the_chinese_rulebook(zh):
    forbidden = _phrases(zh, "forbidden_phrase")
    for phrase in DISMISSIVE + IMPATIENT + SLANG:
        assert phrase in forbidden, phrase
        assert forbidden[phrase].severity in ("major", "critical"), phrase
        assert forbidden[phrase].speaker == "agent"
    negative = _phrases(zh, "negative_framing")
    for phrase in NEGATIVE:  # "a warning, not a critical failure"
        assert negative[phrase].severity == "minor"


def test_courtesy_rules_of_the_chinese_rulebook(zh):
    address = _phrases(zh, "impolite_address")
    assert "你" in address and "你们" in address["你"].exceptions and "你好" in address
    greeting = _phrases(zh, "required_greeting")
    assert greeting["您好"].window == Window("first", 10.0)
    closing = _phrases(zh, "required_closing")
    assert {"感谢您的来电", "再见"} <= set(closing) and all(r.window.anchor == "last" for r in closing.values())
    assert any("还有什么可以帮到您" in p for p in closing)
    hold = _phrases(zh, "hold_courtesy")
    assert hold["请您稍等"].window.anchor == "before hold" and hold["让您久等了"].window.anchor == "after hold"
    fillers = _phrases(zh, "filler_words")
    assert fillers["嗯"].kind == "per_minute" and fillers["嗯"].at == "utterance start"
    assert _phrases(zh, "rhetorical_question")["你不知道吗"].patterns


def test_english_rulebook_has_the_english_equivalents(en):
    forbidden = _phrases(en, "forbidden_phrase")
    assert set(ENGLISH) <= set(forbidden)
    assert not any(r.homophones for r in en.rules)
    assert _phrases(en, "required_greeting") and _phrases(en, "required_closing") and _phrases(en, "hold_courtesy")


def _book(rules: str, header: str = "key: test\nname: Test\nlanguage: zh-CN\n") -> str:
    return header + "rules:\n" + textwrap.indent(textwrap.dedent(rules).strip("\n"), "  ") + "\n"


def _problems(text: str, name: str = "broken.yaml") -> list[str]:
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(text, f"/somewhere/{name}")
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


BROKEN = _book("""
    - id: a-1
      title: 不知道
      category: forbidden_phrase
      severity: major
      phrases: [不知道]
      window: first
    - id: a-1
      title: duplicate id
      category: forbiden_phrase
      severity: severe
      phrases: [好]
    - id: a-3
      title: nothing to match
      category: forbidden_phrase
      severity: minor
      speaker: boss
    - id: a-4
      title: bad regex
      category: rhetorical_question
      severity: major
      patterns: ['难道(.*吗']
      kind: sometimes
    - id: a-5
      title: typo
      category: filler_words
      severity: minor
      phrses: [嗯]
      kind: {per_minute: -1}
    - id: a-6
      title: silence
      category: dead_air
      severity: minor
      seconds: -5
    - id: a-7
      title: ratio
      category: talk_ratio
      severity: minor
      min: 3
      max: 1
    - id: a-8
      title: exceptions that cannot apply
      category: forbidden_phrase
      severity: major
      phrases: [不能]
      exceptions: [可以]
      window: last ten
""")


def test_validation_names_file_line_and_field_for_every_problem():
    problems = _problems(BROKEN)
    text = BROKEN

    def expect(needle_line: str, pattern: str) -> None:
        line = _line_of(text, needle_line)
        wanted = re.compile(rf"^broken\.yaml:{line}: {pattern}")
        assert any(wanted.search(p) for p in problems), (pattern, problems)

    expect("window: first", r"rule a-1: window 'first' needs seconds")
    dup_line = [i for i, line in enumerate(text.splitlines(), 1) if "id: a-1" in line][1]
    assert any(p.startswith(f"broken.yaml:{dup_line}: rule a-1: id 'a-1' is used twice (first at line ") for p in problems)
    expect("category: forbiden_phrase", r"rule a-1: category 'forbiden_phrase' is not one of .*did you mean 'forbidden_phrase'")
    expect("severity: severe", r"rule a-1: severity 'severe' is not one of critical, major, minor")
    expect("speaker: boss", r"rule a-3: speaker 'boss' is not one of agent, customer, any")
    expect("id: a-3", r"rule a-3: phrases is missing")
    expect("patterns: ['难道(.*吗']", r"rule a-4: pattern '难道\(\.\*吗' is not a valid regular expression: missing \)")
    expect("kind: sometimes", r"rule a-4: kind 'sometimes' is not one of must_not_occur")
    expect("phrses: [嗯]", r"rule a-5: unknown field 'phrses' \(did you mean 'phrases'\?\)")
    expect("kind: {per_minute: -1}", r"rule a-5: kind per_minute needs a number more than 0, not -1")
    expect("seconds: -5", r"rule a-6: seconds must be a number more than 0, not -5")
    expect("min: 3", r"rule a-7: min 3 must be below max 1")
    expect("exceptions: [可以]", r"rule a-8: exception '可以' contains none of the rule's phrases")
    expect("window: last ten", r"rule a-8: window 'last ten' is not one of")


def test_homophones_need_a_chinese_rulebook_and_long_phrases():
    english = _book("""
        - id: e-1
          title: x
          category: forbidden_phrase
          severity: major
          phrases: [whatever]
          homophones: true
    """, header="key: en-test\nname: T\nlanguage: en\n")
    problems = _problems(english, "en.yaml")
    assert problems == [f"en.yaml:{_line_of(english, 'homophones')}: rule e-1: homophones works only in a "
                        "Chinese (zh) rulebook: 'en' is compared as written"]
    short = _book("""
        - id: z-1
          title: x
          category: forbidden_phrase
          severity: major
          phrases: [不能]
          homophones: yes please
        - id: z-2
          title: x
          category: forbidden_phrase
          severity: major
          phrases: [不能]
          homophones: true
    """)
    problems = _problems(short)
    assert any("rule z-1: homophones must be true or false" in p for p in problems)
    assert any("rule z-2: homophones needs a phrase of 3 or more Chinese syllables" in p for p in problems)


def test_top_level_problems_yaml_errors_and_duplicate_keys():
    problems = _problems("key: t\nname: T\nlanguge: zh-CN\nrules: []\n")
    assert "broken.yaml:3: unknown field 'languge' (did you mean 'language'?)" in problems
    assert "broken.yaml:1: language is missing" in problems
    assert "broken.yaml:4: rules is missing: a rulebook needs a list of rules" in problems
    problems = _problems("key: t\nname: T\nlanguage: zh-CN\nrules:\n  - id: [unclosed\n")
    assert len(problems) == 1 and problems[0].startswith("broken.yaml:") and "not valid YAML" in problems[0]
    twice = _book("""
        - id: d-1
          title: x
          category: forbidden_phrase
          severity: major
          phrases: [不能]
          phrases: [不知道]
    """)
    line = [i for i, s in enumerate(twice.splitlines(), 1) if "phrases" in s][1]
    assert f"broken.yaml:{line}: rule d-1: 'phrases' is written twice" in _problems(twice)
    assert _problems("- just a list\n") == ["broken.yaml:1: a rulebook is a mapping with key, name, language and rules"]


def test_acoustic_and_text_fields_do_not_mix():
    text = _book("""
        - id: s-1
          title: x
          category: dead_air
          severity: minor
          phrases: [嗯]
        - id: s-2
          title: x
          category: forbidden_phrase
          severity: minor
          phrases: [嗯]
          seconds: 3
          window: before hold 10 s
        - id: s-3
          title: x
          category: hold_courtesy
          severity: minor
          phrases: [请稍等]
    """)
    problems = _problems(text)
    assert any("rule s-1: unknown field 'phrases' (dead_air rules are acoustic" in p for p in problems)
    assert any("rule s-1: dead_air needs seconds" in p for p in problems)
    assert any("rule s-2: unknown field 'seconds'" in p for p in problems)
    assert any("rule s-3: a hold_courtesy rule needs window 'before hold N s' or 'after hold N s'" in p for p in problems)


def test_an_invalid_file_is_never_loaded_and_unreadable_files_say_so(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(RulebookError) as caught:
        load_rulebook(path)
    assert all(p.startswith("mine.yaml:") for p in caught.value.problems)
    assert len(caught.value.problems) >= 14
    with pytest.raises(OSError):
        load_rulebook(tmp_path / "missing.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("key: t\nname: caf\xe9\n".encode("latin-1"))
    with pytest.raises(RulebookError, match=r"latin\.yaml: not UTF-8 text"):
        load_rulebook(latin)


VALID = """
# a comment
key: t
name: Test
language: zh-CN
rules:
  - id: r-1
    title: 不知道
    category: forbidden_phrase
    severity: major
    phrases: [不知道, 我不知道]
    exceptions: [不知道您]
  - id: r-2
    title: 问候
    category: required_greeting
    severity: minor
    phrases: [您好]
    window: first 10s
  - id: r-3
    title: 冷场
    category: dead_air
    severity: minor
    seconds: 10
"""

REFORMATTED = """
key: "t"
language: 'zh-CN'
name: Test
rules:
- title: 不知道
  id: r-1
  severity: major
  category: forbidden_phrase
  phrases:
    - 不知道
    - "我不知道"
  exceptions: ["不知道您"]
- {id: r-2, title: 问候, category: required_greeting, severity: minor, phrases: [您好], window: First 10 s}
- id: r-3
  title: 冷场   # with a comment
  category: dead_air
  severity: minor
  seconds: 10.0
"""


def test_the_version_ignores_formatting_but_not_content():
    first = parse_rulebook(VALID, "a.yaml")
    assert parse_rulebook(REFORMATTED, "b.yaml").content_hash == first.content_hash
    assert first.rules[1].window == Window("first", 10.0)
    for before, after in [("severity: major", "severity: critical"), ("[不知道, 我不知道]", "[不知道, 我不清楚]"),
                          ("seconds: 10", "seconds: 12"), ("first 10s", "first 12s"), ("name: Test", "name: Test 2")]:
        changed = parse_rulebook(VALID.replace(before, after, 1), "a.yaml")
        assert changed.content_hash != first.content_hash, before
        assert changed.version == changed.content_hash[:12]


def test_defaults_are_filled_in(tmp_path):
    rulebook = parse_rulebook(VALID, "a.yaml")
    rule = rulebook.rule("r-1")
    assert (rule.speaker, rule.kind, rule.window, rule.language, rule.homophones) == (
        "agent", "must_not_occur", Window("anywhere"), "zh-CN", False)
    assert rulebook.rule("r-2").kind == "must_occur"
    assert rulebook.rule("r-3").acoustic and rulebook.rule("r-3").seconds == 10.0
    assert rule.line == _line_of(VALID, "id: r-1")
    assert rulebook.source == "a.yaml"
