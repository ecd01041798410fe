"""Form versions in the database (SQLite and PostgreSQL): content makes the version,
stored versions never change, and evaluations keep the version they were scored on."""

from __future__ import annotations

import pytest

from actors import ADMIN
from qa_desk.scoring.forms import Form, known_rule_ids, load_form, parse_form, shipped_forms
from qa_desk.scoring.score import score_form
from qa_desk.store import forms as store
from qa_desk.store.models import Evaluation

from store_data import add_test_call

V1 = """\
key: small
name: Small form
language: en
sections:
  - key: opening
    title: Opening
    points: 4
    items:
      - {key: greeting, question: Greets the caller, points: 2}
      - {key: closing, question: Says goodbye, points: 2}
"""
V2 = V1.replace("points: 4", "points: 5").replace("Says goodbye, points: 2", "Says goodbye, points: 3")


def test_the_same_content_is_the_same_version_and_new_content_the_next(db):
    with db.session() as s:
        first = store.save_form(s, parse_form(V1, "small.yaml"), actor=ADMIN)
        again = store.save_form(s, parse_form(V1.replace("Opening", "Opening"), "copy.yaml"), actor=ADMIN)
        second = store.save_form(s, parse_form(V2, "small.yaml"), actor=ADMIN)
        undone = store.save_form(s, parse_form(V1, "small.yaml"), actor=ADMIN)
    assert (first.version, again.id) == (1, first.id)
    assert (second.version, second.key) == (2, "small")
    assert undone.id == first.id  # an edit undone gets its old version back
    with db.session() as s:
        assert [v.version for v in store.form_versions(s, "small")] == [2, 1]
        assert [(f.key, f.version) for f in store.latest_forms(s)] == [("small", 2)]


def test_an_evaluation_keeps_the_version_it_was_scored_on(db):
    with db.session() as s:
        v1 = store.save_form(s, parse_form(V1, "small.yaml"), actor=ADMIN)
        s.add(Evaluation(call_id=add_test_call(s), form_id=v1.id, status="submitted"))
        s.flush()
        assert store.evaluations_using(s, v1.id) == 1
        v2 = store.save_form(s, parse_form(V2, "small.yaml"), actor=ADMIN)
        assert (v2.version, v2.evaluations, store.form_versions(s, "small")[1].evaluations) == (2, 0, 1)
    with db.session() as s:
        old = store.stored_form(s, v1.id)
        # Recomputed with its own version: 2 of 4, not 2 of 5.
        assert score_form(old, {"greeting": "yes", "closing": "no"}).max_score == 4
        assert score_form(store.stored_form(s, v2.id), {"greeting": "yes", "closing": "no"}).max_score == 5
        with pytest.raises(LookupError, match="no form version 999"):
            store.stored_form(s, 999)


def test_a_stored_form_is_the_form_that_was_saved(db):
    zh = next(load_form(p) for p in shipped_forms() if p.stem == "hotline-zh")
    with db.session() as s:
        saved = store.save_form(s, zh, actor=ADMIN)
    with db.session() as s:
        back = store.stored_form(s, saved.id)
    assert isinstance(back, Form)
    assert back.content_hash == zh.content_hash and back.items() == zh.items()


def test_installing_the_shipped_forms_twice_stores_them_once_and_reports_a_broken_file(db, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(V1.replace("points: 2}", "points: lots}"), encoding="utf-8")
    paths = [*shipped_forms(), broken]
    with db.session() as s:
        report = store.install_forms(s, paths, known_rule_ids(), actor=ADMIN)
        assert sorted(f.key for f in report.stored) == ["contact-centre-en", "hotline-zh"]
        assert list(report.failed) == ["broken.yaml"] and "points must be a number" in report.failed["broken.yaml"]
        store.install_forms(s, paths, known_rule_ids(), actor=ADMIN)
        assert [(f.key, f.version) for f in store.latest_forms(s)] == [("contact-centre-en", 1), ("hotline-zh", 1)]
