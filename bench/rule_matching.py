"""The rulebook over 2,000 hours of calls: 10,000 Mandarin calls of ~12 minutes, both
speakers, checked with ``check_call`` against a rulebook of 1,000 phrase rules (the
shipped zh-CN rules plus generated ones, some homophone-tolerant).

What a centre does when it changes its rulebook and re-scans its library. Reference:
one compiled regex alternation of the same phrases over the same folded texts (the
text each speaker said, one utterance a line), the obvious implementation; it only
finds the phrases (no exceptions, windows, homophones, words or times), so it is the
least a regex matcher has to do. Calls are generated 250 at a time (15 million
words do not fit in memory as objects), and only ``check_call`` is timed, with the
rulebook's phrase index built on first use (included in the measured time).
"""

from __future__ import annotations

import random
import re
import time

from qa_desk.audio.metrics import compute_metrics
from qa_desk.audio.vad import Segment
from qa_desk.scoring.checks import check_call
from qa_desk.text import fold
from qa_desk.scoring.rulebook import default_rulebook_path, parse_rulebook
from qa_desk.store.transcripts import UtteranceView, Word

from .harness import Result, timed

CALLS = 10_000
RULES = 1_000
BATCH = 250
REFERENCE_SAMPLE = 1  # every call; set to 10 to time the reference on 1 call in 10 and scale
RATIO_TARGET = 50.0
ABSOLUTE_TARGET = 5.0  # s for all 10,000 calls

# Words of banking / telecom service calls as a Mandarin recogniser writes them,
# most frequent first (drawn with Zipf-like weights).
_WORDS = (
    "的 我 您 是 这个 一下 了 就 那 好 吗 吧 嗯 在 有 这边 不 还 对 可以 帮 您的 请问 我们 它 就是 "
    "然后 因为 所以 但是 如果 现在 已经 需要 没有 问题 好的 谢谢 查询 帮您 看 一下子 这样 那个 什么 "
    "时候 今天 明天 昨天 上午 下午 号码 手机 短信 验证码 银行卡 信用卡 账户 账单 还款 金额 额度 利息 "
    "手续费 年费 分期 积分 活动 优惠 套餐 流量 话费 宽带 办理 开通 取消 关闭 挂失 补办 邮寄 地址 "
    "修改 信息 身份证 核实 确认 提交 申请 审核 结果 通知 处理 系统 显示 记录 最近 一笔 交易 消费 "
    "退款 到账 工作日 网点 营业厅 客户经理 专员 反馈 登记 投诉 建议 满意 评价 麻烦 不好意思 抱歉 "
    "理解 稍后 马上 尽快 及时 联系 回电 致电 服务 热线 人工 转接 部门 同事 负责 情况 原因 方面 "
    "操作 步骤 页面 点击 登录 密码 重置 绑定 解绑 自动 扣款 失败 成功 余额 不足 逾期 减免 标准 "
    "规定 政策 合同 协议 到期 续约 升级 降档 资费 每个月 多少钱 一共 大概 左右 以内 之前 之后 期间"
).split()
# Generated phrases start like real ones, with an everyday word (so their first
# characters are as many and as common as in a real 1,000-rule book: ~240), and go on
# with words that only turn up where a call breaks the rules.
_RARE = ("随便 爱办不办 自己看 管不着 没空 找别人 听不懂 说过 懒得 拉倒 算了 凭啥 瞎说 烦死 "
         "不归我 自己查 没办法 别找我 等着吧 看着办 去投诉 爱咋咋").split()


def _weights(n: int) -> list[float]:
    return [1.0 / (i + 8) for i in range(n)]


def _generated_phrases(rng: random.Random, n: int) -> list[str]:
    phrases: set[str] = set()
    while len(phrases) < n:
        words = [rng.choice(_WORDS)] + [rng.choice(_RARE) for _ in range(rng.choice((1, 1, 2)))]
        phrases.add("".join(words))
    return sorted(phrases)


def build_rulebook(rng: random.Random):
    """The shipped zh-CN rules plus generated forbidden-phrase rules: RULES phrase rules in all."""
    shipped = default_rulebook_path("zh-CN").read_text(encoding="utf-8")
    base = parse_rulebook(shipped, "zh-CN.yaml")
    text_rules = sum(1 for r in base.rules if not r.acoustic)
    lines = [shipped.rstrip(), ""]
    extra = _generated_phrases(rng, (RULES - text_rules) * 2)
    for i in range(RULES - text_rules):
        pair = extra[2 * i:2 * i + 2]
        homophones = "true" if i % 10 == 0 and all(len(p) >= 3 for p in pair) else "false"
        lines += [
            f"  - id: gen-{i:04d}", f"    title: 生成规则 {i}", "    category: forbidden_phrase",
            f"    severity: {('critical', 'major', 'minor')[i % 3]}", f"    phrases: [{', '.join(pair)}]",
            f"    homophones: {homophones}",
        ]
    return parse_rulebook("\n".join(lines) + "\n", "bench.yaml")


def _asr_words(text: str, rng: random.Random) -> list[str]:
    """A phrase as a recogniser splits it: words of one or two characters."""
    out, i = [], 0
    while i < len(text):
        n = rng.choice((1, 2, 2))
        out.append(text[i:i + n])
        i += n
    return out


def _utterance(speaker: str, start: float, words: list[str], rng: random.Random) -> UtteranceView:
    t, timed = start, []
    for w in words:
        d = 0.22 * len(w) + rng.random() * 0.05  # ~4.5 characters a second
        timed.append(Word(w, round(t, 2), round(t + d, 2), 0.9))
        t += d + 0.02
    return UtteranceView(speaker, timed[0].start, timed[-1].end, "".join(words), tuple(timed))


def generate_call(rng: random.Random, phrases: list[str]) -> tuple[list[UtteranceView], float]:
    """One ~12-minute call: alternating turns, greeting and closing, a hold in one call
    out of four, some fillers, and in half the calls one to three rule phrases."""
    length = rng.uniform(600, 840)
    weights = _weights(len(_WORDS))
    utterances: list[UtteranceView] = []

    def say(speaker: str, words: list[str], at: float) -> float:
        utterances.append(_utterance(speaker, at, words, rng))
        return utterances[-1].end + rng.uniform(0.3, 1.2)

    opening = "您好很高兴为您服务请问有什么可以帮您" if rng.random() < 0.95 else "喂你好"
    t = say("agent", _asr_words(opening, rng), 1.0 + rng.random() * 2)
    inject = rng.sample(phrases, rng.choice((0, 0, 0, 1, 1, 2, 3)))
    hold_at = rng.uniform(120, length - 120) if rng.random() < 0.25 else None
    speaker = "agent"
    while t < length - 20:
        speaker = "customer" if speaker == "agent" else "agent"
        for _ in range(rng.choice((1, 1, 2, 3))):
            words = rng.choices(_WORDS, weights, k=rng.randint(4, 22))
            if speaker == "agent" and rng.random() < 0.06:
                words.insert(0, rng.choice(("嗯", "啊")))
            if speaker == "agent" and inject and rng.random() < 0.05:
                words[rng.randrange(len(words)):0] = _asr_words(inject.pop(), rng)
            t = say(speaker, words, t)
        if hold_at is not None and t > hold_at and speaker == "customer":
            if rng.random() < 0.8:
                t = say("agent", ["好的", "请您", "稍等"], t)
            t += rng.uniform(20, 90)
            if rng.random() < 0.8:
                t = say("agent", ["抱歉", "让您", "久等", "了"], t)
            hold_at = None
    if rng.random() < 0.85:
        t = say("agent", _asr_words("请问还有什么可以帮到您的吗", rng), t)
        t = say("customer", ["没有", "了", "谢谢"], t)
    closing = ["感谢", "您的", "来电", "再见"] if rng.random() < 0.9 else ["好", "的"]
    say("agent", closing, t)
    return utterances, utterances[-1].end + 2.0


def _metrics(utterances: list[UtteranceView], duration: float):
    lanes: dict[str, list[Segment]] = {"agent": [], "customer": []}
    for u in utterances:
        lanes[u.speaker].append(Segment(u.start, u.end))
    return compute_metrics(lanes, duration, transcript=utterances)


def _folded_lanes(utterances: list[UtteranceView]) -> list[str]:
    by: dict[str, list[str]] = {}
    for u in utterances:
        by.setdefault(u.speaker, []).append(fold(u.text))
    return ["\n".join(lines) for lines in by.values()]


def run(work: str) -> list[Result]:
    rng = random.Random(7)
    rulebook = build_rulebook(rng)
    phrase_rules = [r for r in rulebook.rules if not r.acoustic]
    assert len(phrase_rules) == RULES, len(phrase_rules)
    phrases = sorted({p for r in phrase_rules for p in r.phrases if len(p) >= 2})
    # The phrase index is built on the first call's check; timed apart for the note.
    measured = build = timed(lambda: rulebook.matcher().has_rules("agent"))
    folded = sorted({fold(p) for r in phrase_rules for p in r.phrases}, key=len, reverse=True)
    alternation = re.compile("|".join(map(re.escape, folded)))
    findings = hours = characters = reference_hits = 0
    reference = 0.0
    for first in range(0, CALLS, BATCH):
        # Generated a batch at a time, as a re-scan reads calls from the library in
        # batches; 10,000 calls' words at once would need several GB.
        batch, reference_texts = [], []
        for n in range(first, min(first + BATCH, CALLS)):
            utterances, duration = generate_call(rng, phrases)
            batch.append((utterances, _metrics(utterances, duration), duration))
            hours += duration / 3600
            if n % REFERENCE_SAMPLE == 0:
                lanes = _folded_lanes(utterances)
                characters += sum(map(len, lanes))
                reference_texts += lanes
        # Both sides timed on the same batch, one after the other: a slow spell of a
        # shared machine then slows both, not one side's whole run.
        start = time.perf_counter()
        for utterances, metrics, duration in batch:
            findings += len(check_call(rulebook, utterances, metrics, duration))
        measured += time.perf_counter() - start
        start = time.perf_counter()
        reference_hits += sum(len(alternation.findall(text)) for text in reference_texts)
        reference += (time.perf_counter() - start) * REFERENCE_SAMPLE
    sample = "every call" if REFERENCE_SAMPLE == 1 else f"1 call in {REFERENCE_SAMPLE}, scaled"
    note = (f"{CALLS:,} calls, {hours:,.0f} h, {characters * REFERENCE_SAMPLE / 1e6:.1f}M characters, "
            f"{len(folded):,} phrases in {RULES:,} rules; {(measured - build) / CALLS * 1e6:.0f} µs a call "
            f"+ {build * 1000:.0f} ms to build the index; {findings:,} findings ({findings / CALLS:.1f} a call, "
            f"acoustic included); regex reference on {sample}: {reference_hits * REFERENCE_SAMPLE:,} hits, "
            f"{reference / characters / REFERENCE_SAMPLE * 1e9:.0f} ns a character")
    ratio = reference / measured if measured else float("inf")
    return [
        Result(f"rule matching, {CALLS:,} calls: ratio", measured, reference, "s",
               f"≤ {1 / RATIO_TARGET:.2f}× (≥ {RATIO_TARGET:.0f}× faster)", ratio >= RATIO_TARGET, note),
        Result(f"rule matching, {CALLS:,} calls: total", measured, reference, "s",
               f"≤ {ABSOLUTE_TARGET:.0f} s", measured <= ABSOLUTE_TARGET),
    ]
