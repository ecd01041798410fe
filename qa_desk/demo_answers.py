"""How the demo's reviewers answer a form and decide flags, and what they write.

A reviewer's answer to an item follows the agent's skill that month, the call (the
poor sample recording is a poorer call throughout), the item (some items are harder
for everyone) and the agent's own weak spot. Items the call's flags inform start from
the suggested answer, which the reviewer nearly always keeps (the evidence is in the
transcript); now and then they change it, and the evaluation records that. Critical
items fail rarely, a ``fail_all`` one very rarely, as in a real centre.
"""

from __future__ import annotations

import hashlib
import random

from .scoring.forms import Form, Item
from .scoring.score import NA
from .scoring.suggestions import Suggestion

# Items whose N/A depends on what happened in the call rather than on the agent.
_HOLD_ITEMS = ("hold_announced_thanked", "response_time")
_NA_CHANCE = {"transfer_explained": 0.85, "identity_verified": 0.35, "answered_quickly": 0.1}
# Chance a critical item fails: fail_all items (privacy, identity) almost never.
_CRITICAL_FAIL = {"fail_all": 0.006, "fail_section": 0.025}
WEAK_SPOTS = ("courtesy_words", "complete_record", "need_identified", "first_call_resolution", "correct_process",
              "attentive", "positive_information", "approved_scripts")


def _difficulty(item_key: str) -> float:
    """A fixed per-item offset (-0.08…+0.08): some items are harder for everyone, so
    section figures differ the way they do in a real centre."""
    return (int(hashlib.sha256(item_key.encode()).hexdigest()[:6], 16) % 17 - 8) / 100


def _draw(item: Item, q: float, rng: random.Random) -> str:
    q = min(0.99, max(0.02, q))
    if item.critical:
        fail = _CRITICAL_FAIL.get(item.critical, 0.02) * (1.0 + 4.0 * (1.0 - q))
        return item.failing() if rng.random() < fail else item.passing()
    if item.answer == "scale":
        scale = item.scale or 1
        value = round(scale * min(1.0, max(0.0, q + rng.gauss(0.0, 0.15))))
        return str(max(1 if rng.random() > 0.03 else 0, min(scale, value)))
    r = rng.random()
    if item.answer == "yes_partial_no":
        if r < q:
            return "yes"
        return "partial" if r < q + (1.0 - q) * 0.65 else "no"
    return "yes" if r < q else "no"


def draw_answers(form: Form, *, skill: float, poor_call: bool, has_hold: bool, weak_spot: str | None,
                 suggestions: dict[str, Suggestion], rng: random.Random) -> dict[str, str | None]:
    """item key → answer for a complete evaluation (bonus items answered only when earned)."""
    # Steeper than the skill itself: a middling agent drops points on many items.
    base = skill ** 1.5 - (0.2 if poor_call else -0.03)
    answers: dict[str, str | None] = {}
    for item in form.items():
        key = item.key
        if item.bonus:
            answers[key] = "yes" if rng.random() < 0.3 * skill * skill * (0.2 if poor_call else 1.0) else None
            continue
        if item.na and key in _HOLD_ITEMS and not has_hold:
            answers[key] = NA
            continue
        if item.na and rng.random() < _NA_CHANCE.get(key, 0.0):
            answers[key] = NA
            continue
        suggestion = suggestions.get(key)
        if suggestion is not None and suggestion.value != NA and rng.random() < 0.92:
            answers[key] = suggestion.value
            continue
        q = base + _difficulty(key) - (0.18 if key == weak_spot else 0.0)
        answers[key] = _draw(item, q, rng)
    return answers


# --- what people write -------------------------------------------------------------------------

ITEM_COMMENTS = {
    "zh": {
        "courtesy_words": ["称呼客户用了“你”，请统一用“您”。", "礼貌用语偏少，语气生硬。"],
        "no_forbidden_phrases": ["出现服务禁语“不知道”，应说“我帮您查询一下”。"],
        "standard_opening": ["开场未报工号。", "没有使用标准开场白。"],
        "standard_closing": ["结束前未询问“还有什么可以帮您”。", "没有感谢来电就挂机。"],
        "complete_record": ["工单备注缺少客户诉求要点。", "未记录回访时间。"],
        "first_call_resolution": ["问题未解决，客户需要再次来电。", "未给出明确的处理时限。"],
        "correct_process": ["退费未走审批流程。", "未按流程提交故障单。"],
        "need_identified": ["没有先确认客户的真实诉求。"],
        "patient_attitude": ["多次打断客户。", "语气不耐烦。"],
        "correct_information": ["告知的资费与实际套餐不符。"],
        "attentive": ["客户重复了两次问题。"],
    },
    "en": {
        "courtesy_words": ["Curt tone; no please or thank you.", "Sounded impatient with the caller."],
        "no_forbidden_phrases": ["Said \"I don't know\" instead of offering to find out."],
        "standard_opening": ["No name given in the greeting.", "Skipped the standard opening."],
        "standard_closing": ["Did not offer further help before closing.", "No thank-you at the end."],
        "complete_record": ["Ticket notes miss the caller's reference.", "No follow-up date recorded."],
        "first_call_resolution": ["Caller will need to call back.", "Promised a callback without a time."],
        "correct_process": ["Refund processed without the approval step."],
        "need_identified": ["Jumped to a solution before confirming the need."],
        "patient_attitude": ["Talked over the caller twice.", "\"Calm down\" escalated the call."],
        "correct_information": ["Quoted the old tariff."],
        "attentive": ["Caller had to repeat the account number."],
    },
}

TIMED_COMMENTS = {
    "zh": ["这里打断了客户。", "这里应先安抚客户情绪。", "这里可以主动提供上门服务。", "这里应说明处理时限。"],
    "en": ["Talks over the caller here.", "Acknowledge the frustration here first.",
           "Good moment to offer a callback.", "Should explain the next steps here."],
}

DISPUTE_REASONS = {
    "zh": ["客户当时情绪激动，我是为了尽快帮他解决问题。", "系统当时无法查询，我已经说明了原因。",
           "开场白说了，录音开头被截断了。", "工单备注我在通话后补充了，请再核实。"],
    "en": ["The caller was upset; I was trying to resolve it quickly.", "The system was down, I explained that.",
           "I did give the greeting, the recording starts late.", "I added the ticket notes after the call."],
}

RESOLUTIONS = {
    "zh": [("核实工单后确认备注完整，改判。", True), ("复听录音后维持原评分。", False),
           ("与坐席沟通后部分采纳，调整一项。", True)],
    "en": [("Checked the ticket: notes were complete, answer changed.", True),
           ("Listened again; the score stands.", False), ("Partly upheld after talking it through.", True)],
}

DISMISS_REASONS = {
    "zh": {
        "talk_ratio": "客户问题简单，以坐席解释为主，比例合理。",
        "speech_rate": "语速正常，系统按分段估算偏高。",
        "acoustic": "系统查询等待，已提前告知客户。",
        "possible": "语音识别误识别，实际没有说。",
        "missing": "录音开头被截断，开场白未录上。",
        "said": "是客户的原话，坐席在复述确认。",
    },
    "en": {
        "talk_ratio": "Simple enquiry; the agent explaining most of the call is fine here.",
        "speech_rate": "Pace sounds normal; the estimate is off on short lines.",
        "acoustic": "The agent was looking up the account and had told the caller.",
        "possible": "Recognition error: the agent did not say this.",
        "missing": "The recording starts late; the greeting is cut off.",
        "said": "The agent was repeating the caller's words back.",
    },
}


def flag_decision(flag, rng: random.Random) -> tuple[str, str | None]:
    """("confirm" | "dismiss", the key of the dismiss reason) for a reviewer checking a flag
    (anything with ``kind`` and ``category``)."""
    if flag.kind == "acoustic":
        key = flag.category if flag.category in ("talk_ratio", "speech_rate") else "acoustic"
        return ("dismiss", key) if rng.random() < 0.5 else ("confirm", None)
    if flag.kind == "possible":
        return ("dismiss", "possible") if rng.random() < 0.6 else ("confirm", None)
    if flag.kind == "missing":
        return ("dismiss", "missing") if rng.random() < 0.08 else ("confirm", None)
    return ("dismiss", "said") if rng.random() < 0.06 else ("confirm", None)
