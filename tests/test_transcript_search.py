"""Search across what was said — the same answers on SQLite (FTS5) and PostgreSQL (GIN)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import delete, select

from qa_desk.store.calls import add_call
from qa_desk.store.models import Agent, Call, Team, Transcript, Utterance
from qa_desk.store.search import match_spans, search_transcripts, searchable_text
from qa_desk.store.transcripts import UtteranceRow, replace_transcript


def _call(session, name: str, started: datetime | None, agent_id: int | None) -> int:
    return add_call(session, dict(
        file_path=f"/rec/{name}", file_name=name, content_hash=name.ljust(64, "0"), file_size=1,
        audio_format="WAV", codec="PCM_16", duration=600.0, sample_rate=8000, channels=2,
        channel_map={"0": "agent", "1": "customer"}, status="transcribed", agent_id=agent_id,
        started_at=started,
    ))


def _say(session, call_id: int, *lines: tuple[str, float, str]) -> None:
    replace_transcript(session, call_id, engine="vosk", model_name="cn", language="zh", utterances=[
        UtteranceRow(speaker, start, start + 2.0, said, []) for speaker, start, said in lines
    ])


@pytest.fixture
def library(db):
    """Three calls by two agents in two teams, and one call with no start time."""
    with db.session() as s:
        billing, sales = Team(name="Billing"), Team(name="Sales")
        s.add_all([billing, sales])
        s.flush()
        li, wang = Agent(name="李娜", team_id=billing.id), Agent(name="Wang Wei", team_id=sales.id)
        s.add_all([li, wang])
        s.flush()
        march = _call(s, "march.wav", datetime(2026, 3, 5, 9, 30), li.id)
        april = _call(s, "april.wav", datetime(2026, 4, 2, 14, 0), wang.id)
        may = _call(s, "may.wav", datetime(2026, 5, 20, 10, 15), li.id)
        undated = _call(s, "undated.wav", None, wang.id)
        _say(s, march,
             ("agent", 0.5, "您好，欢迎致电，请问有什么可以帮您？"),
             ("customer", 4.0, "我 要 投诉 你们 的 服务"),  # the recogniser's spaces between words
             ("agent", 9.0, "非常抱歉，我马上为您处理投诉。"))
        _say(s, april,
             ("customer", 1.0, "I called about my bill, it's wrong."),
             ("agent", 6.0, "Sorry! Let me check your ＶＩＰ账户 (account)."),
             ("customer", 12.0, "我要投诉"))
        _say(s, may,
             ("agent", 30.0, "您的VIP账户已经开通了"),
             ("customer", 2.0, "投诉！投诉！"))
        _say(s, undated, ("customer", 3.0, "投诉电话是多少"))
    return dict(march=march, april=april, may=may, undated=undated, li=li.id, wang=wang.id,
                billing=billing.id, sales=sales.id)


def _where(db, query: str, **kw) -> list[tuple[int, float]]:
    with db.session() as s:
        result = search_transcripts(s, query, **kw)
    assert result.total == len(result.hits) or kw.get("limit") or kw.get("offset")
    return [(h.call_id, h.start) for h in result.hits]


def test_searchable_text_puts_a_space_between_chinese_characters_only():
    assert searchable_text("您好，VIP账户！I called ＡＢＣ１２３") == "您 好 vip 账 户 i called abc123"
    assert searchable_text("…！？") == ""


def test_chinese_substrings_of_any_length_newest_call_first(db, library):
    lib = library
    # Newest call first, then in call order; the call with no start time comes last.
    expected = [(lib["may"], 2.0), (lib["april"], 12.0), (lib["march"], 4.0), (lib["march"], 9.0),
                (lib["undated"], 3.0)]
    assert _where(db, "投诉") == expected
    assert _where(db, "投") == expected  # a single character
    assert _where(db, "要投诉你") == [(lib["march"], 4.0)]  # across the recogniser's word spaces
    assert _where(db, "诉你们的服") == [(lib["march"], 4.0)]
    assert _where(db, "欢迎致电") == [(lib["march"], 0.5)]
    assert _where(db, "投诉你们的客服") == []


def test_english_whole_words_any_case_width_or_punctuation(db, library):
    lib = library
    assert _where(db, "called") == [(lib["april"], 1.0)]
    assert _where(db, "CALLED!") == [(lib["april"], 1.0)]
    assert _where(db, "call") == []  # whole words: "call" is not "called"
    assert _where(db, "my bill") == [(lib["april"], 1.0)]
    assert _where(db, "bill my") == []  # a phrase, in order
    # Full-width letters and the script change: ＶＩＰ账户 and VIP账户 both fold to vip 账户.
    assert _where(db, "vip账户") == [(lib["may"], 30.0), (lib["april"], 6.0)]
    assert _where(db, "VIP 账") == [(lib["may"], 30.0), (lib["april"], 6.0)]


def test_hits_carry_what_the_list_shows_and_where_to_bold(db, library):
    with db.session() as s:
        result = search_transcripts(s, "账户", speaker="agent")
    assert result.total == 2
    may, april = result.hits
    assert (may.agent, may.file_name, may.speaker, may.started_at) == ("李娜", "may.wav", "agent", datetime(2026, 5, 20, 10, 15))
    assert (may.start, may.end) == (30.0, 32.0)
    assert [may.snippet[a:b] for a, b in may.matches] == ["账户"]
    assert [april.snippet[a:b] for a, b in april.matches] == ["账户"]
    with db.session() as s:
        (hit,) = search_transcripts(s, "投诉", since=date(2026, 5, 1)).hits
    assert hit.snippet == "投诉！投诉！"
    assert [hit.snippet[a:b] for a, b in hit.matches] == ["投诉", "投诉"]
    with db.session() as s:
        (hit,) = search_transcripts(s, "要投诉你", until=date(2026, 4, 1)).hits
    assert hit.snippet[slice(*hit.matches[0])] == "要 投诉 你"
    assert hit.as_dict()["matches"] == [[2, 8]]
    assert hit.as_dict()["started_at"] == "2026-03-05 09:30:00"


def test_filters_speaker_dates_agent_team(db, library):
    lib = library
    assert _where(db, "投诉", speaker="agent") == [(lib["march"], 9.0)]
    assert _where(db, "投诉", since=datetime(2026, 4, 1), until=datetime(2026, 5, 20, 10, 15)) == [(lib["april"], 12.0)]
    assert _where(db, "投诉", agent_id=lib["li"]) == [(lib["may"], 2.0), (lib["march"], 4.0), (lib["march"], 9.0)]
    assert _where(db, "投诉", team_id=lib["sales"]) == [(lib["april"], 12.0), (lib["undated"], 3.0)]
    assert _where(db, "投诉", agent_id=lib["li"], speaker="customer", since=date(2026, 4, 1)) == [(lib["may"], 2.0)]


def test_paging_keeps_the_total(db, library):
    lib = library
    with db.session() as s:
        first = search_transcripts(s, "投诉", limit=2)
        rest = search_transcripts(s, "投诉", limit=2, offset=2)
        past = search_transcripts(s, "投诉", limit=2, offset=10)
    assert (first.total, rest.total, past.total) == (5, 5, 5)
    assert [(h.call_id, h.start) for h in first.hits + rest.hits] == [
        (lib["may"], 2.0), (lib["april"], 12.0), (lib["march"], 4.0), (lib["march"], 9.0)]
    assert past.hits == ()


@pytest.mark.parametrize("query", ["", "   ", "！？。", "...", "—", '"', "*", "()"])
def test_nothing_to_look_for_finds_nothing(db, library, query):
    with db.session() as s:
        assert search_transcripts(s, query).total == 0


@pytest.mark.parametrize("query", ['"投诉', "投诉*", "NEAR(投诉)", "bill AND wrong", "bill OR", "-bill", "bill:wrong", "^bill"])
def test_query_syntax_is_never_interpreted(db, library, query):
    """Operators of FTS5 or tsquery in what a reviewer types are just words (or nothing)."""
    with db.session() as s:
        result = search_transcripts(s, query)
    for hit in result.hits:
        assert match_spans(hit.snippet, query) is not None


def test_index_follows_retranscription_edits_and_deletes(db, library):
    lib = library
    with db.session() as s:
        _say(s, lib["march"], ("agent", 1.0, "您好，这里是客服中心"))
    assert _where(db, "欢迎致电") == []
    assert _where(db, "客服中心") == [(lib["march"], 1.0)]
    with db.session() as s:
        utterance = s.execute(select(Utterance).where(Utterance.text == "投诉电话是多少")).scalar_one()
        utterance.text = "退款电话是多少"  # a reviewer corrects the transcript
    assert _where(db, "退款") == [(lib["undated"], 3.0)]
    assert (lib["undated"], 3.0) not in _where(db, "投诉")
    with db.session() as s:
        s.execute(delete(Call).where(Call.id == lib["may"]))  # cascades to its utterances
    assert _where(db, "账户") == [(lib["april"], 6.0)]


def test_only_the_newest_transcript_of_a_call_is_searched(db, library):
    lib = library
    with db.session() as s:
        older = Transcript(call_id=lib["april"], engine="vosk", model_name="old", language="zh",
                           created_at=datetime(2000, 1, 1))
        older.utterances = [Utterance(speaker="agent", start=1.0, end=2.0, text="旧的转写 refund", words=[])]
        s.add(older)
    assert _where(db, "refund") == []
    assert _where(db, "called") == [(lib["april"], 1.0)]
