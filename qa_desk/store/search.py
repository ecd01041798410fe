"""Search across what was said: every utterance of every call's transcript.

A reviewer types 投诉 or "refund" and gets the utterances that say it, newest call
first. Both sides go through the one normal form (``fold``: width, case and
punctuation do not matter), then through ``searchable_text``: every Chinese character
becomes a word of its own, other words stay whole. A full-text index with a plain
tokenizer then holds Chinese per character, and a *phrase* query of the characters
finds a Chinese substring of any length (投诉 inside 我要投诉你们), while English
matches whole words only (call ≠ called).

The index is an FTS5 table (``utterance_search``, kept by triggers) on SQLite and,
on PostgreSQL, a GIN index on ``search_vector``, a stored generated column holding
``to_tsvector('simple', search_text)``; both are made by migration 0003. The two tokenizers could in rare cases split a word differently from
``fold``, so every hit is checked against the utterance's own folded text before it
is shown; that check also gives the character offsets a UI bolds.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Float, Integer, Select, String, and_, column, exists, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from ..text import fold
from ..text import is_cjk
from .models import Agent, Call, Transcript, Utterance


def _tokens(folded: str) -> list[str]:
    """The words of folded text as the index sees them: one per Chinese character."""
    out: list[str] = []
    for piece in folded.split():
        # fold puts a space at every change of script, so a piece is all CJK or none.
        if is_cjk(piece[0]):
            out.extend(piece)
        else:
            out.append(piece)
    return out


def searchable_text(text_: str) -> str:
    """What the full-text index holds for an utterance, and what a search looks for."""
    return " ".join(_tokens(fold(text_)))


def _char_class(char: str) -> tuple[str, str]:
    """('sep' | 'cjk' | 'word', the character's folded form)."""
    folded = unicodedata.normalize("NFKC", char).casefold()
    kept = "".join(c for c in folded if unicodedata.category(c)[0] in "LMN")
    if not kept:
        return "sep", ""
    return ("cjk" if all(is_cjk(c) for c in kept) else "word"), kept


def _tokens_with_spans(original: str) -> list[tuple[str, int, int]]:
    """The index words of an utterance, each with its [start, end) in the original text."""
    out: list[tuple[str, int, int]] = []
    i, n = 0, len(original)
    while i < n:
        kind, kept = _char_class(original[i])
        if kind == "sep":
            i += 1
        elif kind == "cjk":
            out.extend((c, i, i + 1) for c in kept)
            i += 1
        else:
            j = i + 1
            while j < n and _char_class(original[j])[0] == "word":
                j += 1
            # Folded as a run, as fold does, so combining marks compose as they would.
            out.extend((piece, i, j) for piece in _tokens(fold(original[i:j])))
            i = j
    return out


def _find(haystack: list[str], needle: list[str]) -> list[int]:
    size = len(needle)
    return [i for i in range(len(haystack) - size + 1) if haystack[i : i + size] == needle]


def match_spans(utterance_text: str, query: str) -> tuple[tuple[int, int], ...] | None:
    """Where ``query`` is said in the utterance, as (start, end) character offsets into
    its text; None when it is not said there. An empty tuple: said, but the place could
    not be mapped back to the text (exotic Unicode), so nothing is bolded."""
    needle = _tokens(fold(query))
    if not needle:
        return None
    spans = _tokens_with_spans(utterance_text)
    found = _find([t for t, _, _ in spans], needle)
    if found:
        return tuple((spans[i][1], spans[i + len(needle) - 1][2]) for i in found)
    if _find(_tokens(fold(utterance_text)), needle):
        return ()
    return None


@dataclass(frozen=True)
class SearchHit:
    call_id: int
    utterance_id: int
    speaker: str
    start: float  # seconds from the start of the call
    end: float
    snippet: str  # the utterance's text as transcribed
    matches: tuple[tuple[int, int], ...]  # [start, end) character offsets into snippet
    agent: str | None
    started_at: datetime | None
    file_name: str

    def as_dict(self) -> dict:
        return {
            "call_id": self.call_id,
            "utterance_id": self.utterance_id,
            "speaker": self.speaker,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "snippet": self.snippet,
            "matches": [list(m) for m in self.matches],
            "agent": self.agent,
            "started_at": self.started_at.isoformat(sep=" ") if self.started_at else None,
            "file_name": self.file_name,
        }


@dataclass(frozen=True)
class SearchResult:
    total: int  # every matching utterance, not only this page
    hits: tuple[SearchHit, ...]


def _as_datetime(value: date | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)


# SQLite: the search reads these four columns of every utterance the index matches.
# The utterance rows are wide (text, words, search text); this covering index of
# migration 0003 holds just them, which halves the cost of a frequent phrase.
_SQLITE_KEYS = (
    "SELECT id, transcript_id, speaker, start FROM utterances INDEXED BY ix_utterances_search_keys"
)


def _utterance_keys(sqlite: bool):
    """The utterances as the search joins them: id, transcript_id, speaker, start."""
    if sqlite:
        return (
            text(_SQLITE_KEYS)
            .columns(column("id", Integer), column("transcript_id", Integer), column("speaker", String),
                     column("start", Float))
            .subquery("u")
        )
    return Utterance.__table__


def _phrase_condition(sqlite: bool, utterances, phrase: str):
    """The full-text condition on utterances for a phrase of index words."""
    if sqlite:
        # A quoted FTS5 string is a phrase; quotes inside are doubled (fold removes them anyway).
        quoted = '"' + phrase.replace('"', '""') + '"'
        return utterances.c.id.in_(
            text("SELECT rowid FROM utterance_search WHERE utterance_search MATCH :phrase").bindparams(phrase=quoted)
        )
    # search_vector: to_tsvector('simple', search_text), stored and GIN-indexed by migration 0003.
    return text(
        "utterances.search_vector @@ phraseto_tsquery('simple'::regconfig, :phrase)"
    ).bindparams(phrase=phrase)


def _newest_transcript_only(query: Select) -> Select:
    """Only the call's newest transcript counts, as in the call view (latest_transcript).

    replace_transcript keeps one transcript per call, so this is nearly always an empty
    list, found by one pass over the transcripts' call_id index (not a probe per hit).
    """
    # Aliases throughout: a bare `transcripts` here would be correlated to the outer query's.
    every, older, newer = aliased(Transcript), aliased(Transcript), aliased(Transcript)
    several = select(every.call_id).group_by(every.call_id).having(func.count() > 1)
    superseded = select(older.id).where(
        older.call_id.in_(several),
        exists().where(
            newer.call_id == older.call_id,
            or_(
                newer.created_at > older.created_at,
                and_(newer.created_at == older.created_at, newer.id > older.id),
            ),
        ),
    )
    return query.where(Transcript.id.not_in(superseded))


def search_transcripts(
    session: Session,
    text_: str,
    *,
    speaker: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    agent_id: int | None = None,
    team_id: int | None = None,
    limit: int = 200,
    offset: int = 0,
) -> SearchResult:
    """Utterances that say ``text_``, newest call first, then in call order.

    ``since``/``until`` bound the call's start time (``until`` not included), as the
    library's filters do. A search with nothing to look for (empty, only punctuation)
    finds nothing.
    """
    needle = _tokens(fold(text_ or ""))
    if not needle:
        return SearchResult(0, ())
    sqlite = session.get_bind().dialect.name == "sqlite"
    u = _utterance_keys(sqlite)

    def restricted(query: Select) -> Select:
        query = (
            query.select_from(u)
            .join(Transcript, Transcript.id == u.c.transcript_id)
            .join(Call, Call.id == Transcript.call_id)
            .where(_phrase_condition(sqlite, u, " ".join(needle)))
        )
        if speaker:
            query = query.where(u.c.speaker == speaker)
        if since is not None:
            query = query.where(Call.started_at >= _as_datetime(since))
        if until is not None:
            query = query.where(Call.started_at < _as_datetime(until))
        if agent_id is not None:
            query = query.where(Call.agent_id == agent_id)
        if team_id is not None:
            query = query.where(Call.agent_id.in_(select(Agent.id).where(Agent.team_id == team_id)))
        return _newest_transcript_only(query)

    # One pass over the matches gives both the count and the page: the keys are
    # gathered once (a CTE used twice is materialised), counted, and the page sorted
    # from them; only the page's rows are then read in full.
    hits_cte = restricted(
        select(u.c.id.label("utterance_id"), Call.id.label("call_id"), Call.started_at.label("started_at"),
               u.c.start.label("start"))
    ).cte("hits")
    page = session.execute(
        select(hits_cte.c.utterance_id, select(func.count()).select_from(hits_cte).scalar_subquery())
        # NULLS LAST spelled out: PostgreSQL puts NULLs first in a descending sort, SQLite last.
        .order_by(hits_cte.c.started_at.desc().nulls_last(), hits_cte.c.call_id.desc(),
                  hits_cte.c.start, hits_cte.c.utterance_id)
        .offset(max(0, offset))
        .limit(max(0, limit))
    ).all()
    if not page:
        total = session.execute(select(func.count()).select_from(restricted(select(u.c.id)).subquery())).scalar_one()
        return SearchResult(total, ())
    total = page[0][1]
    order = {utterance_id: i for i, (utterance_id, _n) in enumerate(page)}
    rows = session.execute(
        select(
            Call.id, Utterance.id, Utterance.speaker, Utterance.start, Utterance.end,
            Utterance.text, Agent.name, Call.started_at, Call.file_name,
        )
        .join(Transcript, Transcript.id == Utterance.transcript_id)
        .join(Call, Call.id == Transcript.call_id)
        .outerjoin(Agent, Agent.id == Call.agent_id)
        .where(Utterance.id.in_(list(order)))
    ).all()
    rows.sort(key=lambda row: order[row[1]])
    hits = []
    for call_id, utterance_id, who, start, end, said, agent, started_at, file_name in rows:
        spans = match_spans(said or "", text_)
        if spans is None:
            continue  # the index over-matched: not what the reviewer asked for
        hits.append(
            SearchHit(call_id, utterance_id, who or "", float(start), float(end), said or "",
                      spans, agent, started_at, file_name)
        )
    # An over-matched row on this page is not counted; ones on other pages cannot be
    # seen without reading them all, which is what the index is there to avoid.
    return SearchResult(total - (len(rows) - len(hits)), tuple(hits))
