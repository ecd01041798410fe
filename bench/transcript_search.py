"""Search across what was said in 10,000 transcribed calls (~12 minutes each, Mandarin).

What the Search page does when a reviewer types a phrase: the count and the first
page of 200 hits, newest call first, with a speaker and a date filter, through
`search_transcripts` (FTS5 phrase query on SQLite). Three queries, as reviewers type
them: a 2-character phrase (投诉), a 4-character one (提前还款) and an English word
mixed into Chinese speech (APP); the figure is their median.
Reference: the cheapest page of utterances, `SELECT … FROM utterances ORDER BY id
LIMIT 200`, an indexed lookup in the same database.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select

from qa_desk.store.database import Database
from qa_desk.store.models import Agent, Call, Transcript, Utterance, call_search_text
from qa_desk.store.search import search_transcripts, searchable_text

from .harness import Result, timed

CALLS = 10_000
UTTERANCES_PER_CALL = 130  # a 12-minute call: turns of ~5.5 s, both sides
TARGET_MS = 200.0

# Clauses as agents and customers of a bank / telecom contact centre say them; an
# utterance is one to three of them, as the recogniser splits speech (with spaces).
AGENT = [
    "您好 很高兴为您服务", "请问有什么可以帮您", "请您稍等 我帮您查询一下", "感谢您的耐心等待",
    "您的 信用卡 账单 已经 出来 了", "这个 需要 您 到 营业网点 办理", "我 这边 帮您 登记 一下",
    "您 可以 通过 手机银行 APP 操作", "提前还款 需要 提前 三个 工作日 申请", "非常 抱歉 给您 带来 不便",
    "您的 问题 我 已经 记录 下来 了", "还有 其他 可以 帮您 的 吗", "感谢 您 的 来电 再见",
    "您的 套餐 本月 还 剩 十个 G 流量", "这个 费用 是 上个月 的 漫游 费", "我 帮您 转接 到 专席",
    "请 您 核对 一下 身份证 后 四位", "您的 退款 会在 七个 工作日 内 到账", "系统 显示 您 已经 开通 了 VIP 服务",
]
CUSTOMER = [
    "喂 你好", "我 想 查 一下 我 的 话费", "为什么 这个 月 扣 了 这么 多 钱", "我 要 投诉 你们",
    "你们 的 服务 太 差 了", "那个 APP 一直 登录 不 上去", "我 想 提前还款 怎么 办理", "好的 谢谢",
    "嗯 对 是 的", "我 上次 打电话 说 给我 回电 结果 没有", "我 不 知道 这个 业务 是 什么 时候 开的",
    "能 不能 帮我 退款", "你们 这个 流程 太 麻烦 了", "行 那 我 等 你们 消息", "我 要 找 你们 领导 投诉",
    "信用卡 额度 能 不能 提高 一点", "我 在 外地 出差 用 了 流量", "没有 别的 问题 了 再见",
]


def _fill(db: Database) -> None:
    rng = np.random.default_rng(7)
    with db.session() as s:
        agents = [Agent(name=f"坐席{i:03d}", external_id=str(8000 + i)) for i in range(300)]
        s.add_all(agents)
        s.flush()
        agent_ids = [a.id for a in agents]
    start = datetime(2026, 1, 1)
    offsets = rng.integers(0, 300 * 24 * 3600, CALLS)
    calls = [
        dict(
            id=i + 1, file_path=f"/recordings/{i:06d}.wav", file_name=f"{i:06d}.wav", content_hash=f"{i:064x}",
            file_size=11_520_000, audio_format="WAV", codec="PCM_16", decoder="soundfile", duration=720.0,
            sample_rate=8000, channels=2, channel_map={"0": "agent", "1": "customer"},
            agent_id=agent_ids[i % len(agent_ids)], started_at=start + timedelta(seconds=int(offsets[i])),
            status="transcribed", transcript_status="done", imported_at=start,
            search_text=call_search_text(f"{i:06d}.wav", None, None),
        )
        for i in range(CALLS)
    ]
    transcripts = [
        dict(id=i + 1, call_id=i + 1, engine="vosk", model_name="vosk-model-cn-0.22", language="zh",
             created_at=start)
        for i in range(CALLS)
    ]
    cache: dict[str, str] = {}  # searchable text per distinct utterance (bulk inserts bypass the mapper)
    with db.engine.begin() as conn:
        conn.execute(insert(Call), calls)
        conn.execute(insert(Transcript), transcripts)
        picks = rng.integers(0, 1 << 30, (CALLS, UTTERANCES_PER_CALL, 4))
        for first in range(0, CALLS, 500):
            rows = []
            for c in range(first, min(first + 500, CALLS)):
                t = 0.0
                for u in range(UTTERANCES_PER_CALL):
                    p = picks[c, u]
                    pool = AGENT if u % 2 == 0 else CUSTOMER
                    said = " ".join(pool[int(x) % len(pool)] for x in p[1 : 1 + 1 + int(p[0]) % 3])
                    if said not in cache:
                        cache[said] = searchable_text(said)
                    rows.append(dict(transcript_id=c + 1, speaker="agent" if u % 2 == 0 else "customer",
                                     start=t, end=t + 4.5, text=said, words=[], search_text=cache[said]))
                    t += 5.5
            conn.execute(insert(Utterance), rows)


# (label, query, speaker, since, until): what a reviewer types on the Search page.
QUERIES = [
    ("2-character phrase", "投诉", "customer", datetime(2026, 8, 1), None),
    ("4-character phrase", "提前还款", "customer", datetime(2026, 6, 1), datetime(2026, 9, 1)),
    ("English word", "APP", "agent", datetime(2026, 9, 1), None),
]


def run(work: str) -> list[Result]:
    db = Database.open(f"sqlite:///{Path(work) / 'search.sqlite3'}")
    _fill(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")

    def reference():
        with db.sessions() as s:
            s.execute(select(Utterance.id, Utterance.start, Utterance.text).order_by(Utterance.id).limit(200)).all()

    ref = timed(reference, repeat=7)
    times, notes = [], []
    for label, query, speaker, since, until in QUERIES:
        found = []

        def search():
            # A fresh session each time, as the Search page does on every query.
            with db.sessions() as s:
                found[:] = [search_transcripts(s, query, speaker=speaker, since=since, until=until, limit=200)]

        measured = timed(search, repeat=5)
        assert found[0].hits, f"{label}: the benchmark query found nothing"
        times.append(measured)
        notes.append(f"{label} '{query}' {measured * 1000:.0f} ms ({found[0].total:,} hits)")
    median = statistics.median(times)
    db.close()
    return [
        Result(
            f"search {CALLS:,} calls × {UTTERANCES_PER_CALL} utterances: phrase + speaker + dates",
            median * 1000, ref * 1000, "ms", f"≤ {TARGET_MS:.0f} ms", median * 1000 <= TARGET_MS,
            note="; ".join(notes),
        )
    ]
