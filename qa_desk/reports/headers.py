"""Every word an export writes for a reader: sheet names, column headers, labels.

One table, read by every writer, so the export speaks the language in use: each value
is the English source marked with ``QT_TRANSLATE_NOOP("Exports", …)`` (lupdate puts it
in the .ts files) and ``header`` looks it up through ``wording.translate`` with the same
context when the export is written. Keys are stable identifiers and are never
translated; the values are the English text. A key has a prefix saying where it is
used: none for a column, ``sheet.`` for a sheet (at most 31 characters, no []:*?/\\;
``cells.sheet_name`` keeps a translation to that), ``param.`` for a line of the
Parameters sheet, ``label.`` for a value we write ourselves, ``chart.`` for a chart's
title, ``category.`` for a flag category in a column header.

What scripts read stays English whatever the language: the CSV files are named by the
sheet's key (FILE-evaluations.csv), and their Level column holds the level's code
(agent / team / centre), not its label.
"""

from __future__ import annotations

from ..wording import QT_TRANSLATE_NOOP, translate

HEADERS: dict[str, str] = {
    # sheets (tab names; CSV sibling files use the key, not the text)
    "sheet.summary": QT_TRANSLATE_NOOP("Exports", "Summary"),
    "sheet.charts": QT_TRANSLATE_NOOP("Exports", "Charts"),
    "sheet.sections": QT_TRANSLATE_NOOP("Exports", "Sections"),
    "sheet.evaluations": QT_TRANSLATE_NOOP("Exports", "Evaluations"),
    "sheet.answers": QT_TRANSLATE_NOOP("Exports", "Answers"),
    "sheet.flags": QT_TRANSLATE_NOOP("Exports", "Flags"),
    "sheet.parameters": QT_TRANSLATE_NOOP("Exports", "Parameters"),
    # the table behind the trend chart (a CSV file; a block on the Charts sheet)
    "sheet.trend": QT_TRANSLATE_NOOP("Exports", "Trend"),
    # Summary and Sections
    "level": QT_TRANSLATE_NOOP("Exports", "Level"),
    "agent": QT_TRANSLATE_NOOP("Exports", "Agent"),
    "team": QT_TRANSLATE_NOOP("Exports", "Team"),
    "agents": QT_TRANSLATE_NOOP("Exports", "Agents"),
    "evaluations": QT_TRANSLATE_NOOP("Exports", "Evaluations"),
    "quota": QT_TRANSLATE_NOOP("Exports", "Quota"),
    "behind": QT_TRANSLATE_NOOP("Exports", "Behind quota"),
    "average": QT_TRANSLATE_NOOP("Exports", "Average score"),
    "previous_average": QT_TRANSLATE_NOOP("Exports", "Previous period"),
    "change": QT_TRANSLATE_NOOP("Exports", "Change (points)"),
    "critical_failures": QT_TRANSLATE_NOOP("Exports", "Critical failures"),
    "auto_failed": QT_TRANSLATE_NOOP("Exports", "Auto-failed"),
    "calls": QT_TRANSLATE_NOOP("Exports", "Calls"),
    "scanned_calls": QT_TRANSLATE_NOOP("Exports", "Scanned calls"),
    "flags_per_call": QT_TRANSLATE_NOOP("Exports", "Flags per call"),
    "flags_per_call_in": QT_TRANSLATE_NOOP("Exports", "Flags per call: {category}"),
    "talk_ratio": QT_TRANSLATE_NOOP("Exports", "Talk ratio"),
    "dead_air": QT_TRANSLATE_NOOP("Exports", "Dead air (s/call)"),
    "hold": QT_TRANSLATE_NOOP("Exports", "Hold (s/call)"),
    "overtalk": QT_TRANSLATE_NOOP("Exports", "Overtalk (s/call)"),
    "interruptions": QT_TRANSLATE_NOOP("Exports", "Interruptions per call"),
    "handle_time": QT_TRANSLATE_NOOP("Exports", "Handle time (s)"),
    # Evaluations, Answers, Flags (the store's column keys)
    "evaluation_id": QT_TRANSLATE_NOOP("Exports", "Evaluation"),
    "call_id": QT_TRANSLATE_NOOP("Exports", "Call"),
    "call_date": QT_TRANSLATE_NOOP("Exports", "Call date"),
    "reviewer": QT_TRANSLATE_NOOP("Exports", "Reviewer"),
    "form": QT_TRANSLATE_NOOP("Exports", "Form"),
    "form_version": QT_TRANSLATE_NOOP("Exports", "Form version"),
    "status": QT_TRANSLATE_NOOP("Exports", "Status"),
    "score": QT_TRANSLATE_NOOP("Exports", "Points"),
    "max_score": QT_TRANSLATE_NOOP("Exports", "Max points"),
    "percent": QT_TRANSLATE_NOOP("Exports", "Score"),
    "submitted_at": QT_TRANSLATE_NOOP("Exports", "Submitted"),
    "section": QT_TRANSLATE_NOOP("Exports", "Section"),
    "item": QT_TRANSLATE_NOOP("Exports", "Item"),
    "value": QT_TRANSLATE_NOOP("Exports", "Answer"),
    "points": QT_TRANSLATE_NOOP("Exports", "Points"),
    "suggested_value": QT_TRANSLATE_NOOP("Exports", "Suggested answer"),
    "changed_from_suggestion": QT_TRANSLATE_NOOP("Exports", "Changed from suggestion"),
    "comment": QT_TRANSLATE_NOOP("Exports", "Comment"),
    "flag_id": QT_TRANSLATE_NOOP("Exports", "Flag"),
    "rule": QT_TRANSLATE_NOOP("Exports", "Rule"),
    "title": QT_TRANSLATE_NOOP("Exports", "Rule title"),
    "category": QT_TRANSLATE_NOOP("Exports", "Category"),
    "severity": QT_TRANSLATE_NOOP("Exports", "Severity"),
    "kind": QT_TRANSLATE_NOOP("Exports", "Kind"),
    "speaker": QT_TRANSLATE_NOOP("Exports", "Speaker"),
    "start": QT_TRANSLATE_NOOP("Exports", "Start (s)"),
    "end": QT_TRANSLATE_NOOP("Exports", "End (s)"),
    "matched_text": QT_TRANSLATE_NOOP("Exports", "Matched text"),
    "decided_by": QT_TRANSLATE_NOOP("Exports", "Decided by"),
    "note": QT_TRANSLATE_NOOP("Exports", "Note"),
    # Charts
    "period": QT_TRANSLATE_NOOP("Exports", "Period"),
    "chart.trend": QT_TRANSLATE_NOOP("Exports", "Average score per team, last {count} periods"),
    "chart.averages": QT_TRANSLATE_NOOP("Exports", "Average score per agent, {period}"),
    "chart.team_averages": QT_TRANSLATE_NOOP("Exports", "Average score per team, {period}"),
    # Parameters sheet
    "param.name": QT_TRANSLATE_NOOP("Exports", "Parameter"),
    "param.value": QT_TRANSLATE_NOOP("Exports", "Value"),
    "param.period": QT_TRANSLATE_NOOP("Exports", "Period"),
    "param.from": QT_TRANSLATE_NOOP("Exports", "From"),
    "param.to": QT_TRANSLATE_NOOP("Exports", "To (included)"),
    "param.previous": QT_TRANSLATE_NOOP("Exports", "Compared with"),
    "param.level": QT_TRANSLATE_NOOP("Exports", "One row per"),
    "param.team": QT_TRANSLATE_NOOP("Exports", "Team"),
    "param.form": QT_TRANSLATE_NOOP("Exports", "Form"),
    "param.form_version": QT_TRANSLATE_NOOP("Exports", "Form version used"),
    "param.quota_per_month": QT_TRANSLATE_NOOP("Exports", "Quota (evaluations per agent per month)"),
    "param.quota": QT_TRANSLATE_NOOP("Exports", "Quota in this period"),
    "param.good": QT_TRANSLATE_NOOP("Exports", "Good at or above"),
    "param.poor": QT_TRANSLATE_NOOP("Exports", "Poor below"),
    "param.generated_at": QT_TRANSLATE_NOOP("Exports", "Generated at"),
    "param.generated_by": QT_TRANSLATE_NOOP("Exports", "Generated by"),
    "param.application": QT_TRANSLATE_NOOP("Exports", "Generated with"),
    "param.rows": QT_TRANSLATE_NOOP("Exports", "Rows: {sheet}"),
    "param.note": QT_TRANSLATE_NOOP("Exports", "Note"),
    # values we write ourselves
    "label.agent": QT_TRANSLATE_NOOP("Exports", "agent"),
    "label.team": QT_TRANSLATE_NOOP("Exports", "team"),
    "label.all_agents": QT_TRANSLATE_NOOP("Exports", "All agents"),
    "label.all_teams": QT_TRANSLATE_NOOP("Exports", "All teams"),
    "label.all_forms": QT_TRANSLATE_NOOP("Exports", "All forms"),
    "label.no_team": QT_TRANSLATE_NOOP("Exports", "No team"),
    "label.form_version": QT_TRANSLATE_NOOP("Exports", "{name} v{version} ({key}): {evaluations} evaluations"),
    "category.forbidden_phrase": QT_TRANSLATE_NOOP("Exports", "forbidden phrase"),
    "category.required_greeting": QT_TRANSLATE_NOOP("Exports", "required greeting"),
    "category.required_closing": QT_TRANSLATE_NOOP("Exports", "required closing"),
    "category.hold_courtesy": QT_TRANSLATE_NOOP("Exports", "hold courtesy"),
    "category.filler_words": QT_TRANSLATE_NOOP("Exports", "filler words"),
    "category.impolite_address": QT_TRANSLATE_NOOP("Exports", "impolite address"),
    "category.rhetorical_question": QT_TRANSLATE_NOOP("Exports", "rhetorical question"),
    "category.negative_framing": QT_TRANSLATE_NOOP("Exports", "negative framing"),
    "category.dead_air": QT_TRANSLATE_NOOP("Exports", "dead air"),
    "category.hold_silence": QT_TRANSLATE_NOOP("Exports", "hold silence"),
    "category.overtalk": QT_TRANSLATE_NOOP("Exports", "overtalk"),
    "category.talk_ratio": QT_TRANSLATE_NOOP("Exports", "talk ratio"),
    "category.speech_rate": QT_TRANSLATE_NOOP("Exports", "speech rate"),
    "category.first_words_latency": QT_TRANSLATE_NOOP("Exports", "first words latency"),
}


def header(name: str, /, **values: object) -> str:
    """The text for the key ``name`` with its {placeholders} filled; an unknown key reads as itself
    (a new store column shows up with its key instead of breaking the export)."""
    source = HEADERS.get(name)
    if source is None:
        return name.split(".", 1)[-1].replace("_", " ")
    text = translate("Exports", source)  # registered by QT_TRANSLATE_NOOP above
    return text.format(**values) if values else text


def category_name(category: str) -> str:
    return header(f"category.{category}")


__all__ = ["HEADERS", "category_name", "header"]
