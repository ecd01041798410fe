"""The Forms area: the shipped forms listed, a form built from scratch with problems shown as
the lead types, a new version of a form in use (after asking), reordering, import and export."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QInputMethodEvent
from PySide6.QtWidgets import QApplication
from ui_data import make_window

from qa_desk.scoring.forms import known_rule_ids, parse_form
from qa_desk.store import forms as store
from qa_desk.store.calls import add_call
from qa_desk.store.models import Evaluation
from qa_desk.ui.form_builder import CHECK_DELAY_MS
from qa_desk.ui.forms_page import FormsPage

BROKEN = """\
key: small
name: Small form
language: en
sections:
  - key: opening
    title: Opening
    items:
      - key: greeting
        question: Greets the caller
        points: lots
      - key: closing
        question: Says goodbye
        answer: yes_partial_no
        points: 2
"""


def forms_page(qtbot, services) -> FormsPage:
    page = FormsPage(services)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    wait_listed(qtbot, page)
    return page


def wait_listed(qtbot, page) -> None:
    qtbot.waitUntil(lambda: not page.is_loading() and bool(page.forms()), timeout=10000)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot, field, text: str) -> None:
    """Replace the field's text as a person would: select all, then type (Chinese arrives as an
    input method's commit, as it does from a real IME)."""
    field.setFocus()
    field.selectAll()
    if text.isascii():
        qtbot.keyClicks(field, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(field, event)


def checked(qtbot, builder) -> list[str]:
    qtbot.wait(CHECK_DELAY_MS + 100)  # the check runs after a pause in typing
    return builder.problems()


def row(builder, key: str):
    """The outline row of the section or item with this key."""
    tree = builder.tree
    for section in tree.sections():
        if tree.node(section)["key"] == key:
            return section
        for item in tree.items_of(section):
            if tree.node(item)["key"] == key:
                return item
    raise KeyError(key)


def outline(builder) -> list[tuple[str, list[str]]]:
    tree = builder.tree
    return [(tree.node(s)["key"], [tree.node(i)["key"] for i in tree.items_of(s)]) for s in tree.sections()]


def stored_versions(services, key: str) -> list:
    with services.db.session() as s:
        return store.form_versions(s, key)


def stored_definition(services, version) -> dict:
    with services.db.session() as s:
        return store.stored_form(s, version.id).definition


def add_evaluation(services, form_id: int) -> None:
    with services.db.session() as s:
        call_id = add_call(s, dict(
            file_path="/rec/a.wav", file_name="a.wav", content_hash="a" * 64, file_size=1, audio_format="WAV",
            codec="PCM_16", duration=300.0, sample_rate=8000, channels=2,
            channel_map={"0": "agent", "1": "customer"}, status="reviewed"))
        s.add(Evaluation(call_id=call_id, form_id=form_id, status="submitted"))


def test_the_shipped_forms_are_listed_with_versions_and_a_preview(qtbot, services):
    page = forms_page(qtbot, services)
    assert [(v.key, v.version, v.evaluations) for v in page.forms()] == [
        ("contact-centre-en", 1, 0), ("hotline-zh", 1, 0)]  # by name: "Contact…" sorts before "电话…"
    first = page.form_list.item(0).text()
    assert first.startswith("Contact centre call evaluation\ncontact-centre-en · version 1 · used by 0 ")
    assert page.preview.total_text() == "Total: 100 (weights 10 + 20 + 35 + 20 + 15 %)"

    page.select_form("hotline-zh")
    assert [v.version for v in page.versions()] == [1]
    assert page.version_list.item(0).text().startswith("Version 1 · ")
    texts = page.preview.texts()
    assert texts[0] == "电话客服质检表" and "接听与等待" in texts and "6 points" in texts
    assert "1. 三声（约 10–15 秒）内接听" in texts and "Critical: fails the evaluation" in texts
    assert page.preview.total_text() == "Total: 100 points"
    assert all(b.isEnabled() for b in (page.edit_button, page.duplicate_button, page.export_button))

    page.refresh()  # installing again stores nothing new
    wait_listed(qtbot, page)
    assert [(v.key, v.version) for v in page.forms()] == [("contact-centre-en", 1), ("hotline-zh", 1)]


def test_a_new_form_built_from_scratch_shows_its_problems_until_they_are_fixed(qtbot, services):
    page = forms_page(qtbot, services)
    click(qtbot, page.new_button)
    builder = page.builder
    assert page.stack.currentWidget() is builder and builder.heading.text() == "New form"
    assert "key is missing" in builder.problems() and not builder.save_button.isEnabled()

    type_into(qtbot, builder.fields.name, "Small check")
    type_into(qtbot, builder.fields.key, "small-check")
    click(qtbot, builder.add_section_button)
    type_into(qtbot, builder.section_editor.title, "Opening")
    assert builder.section_editor.follow.isChecked()  # points follow the items by default

    click(qtbot, builder.add_item_button)
    editor = builder.item_editor
    type_into(qtbot, editor.key, "greeting")
    type_into(qtbot, editor.question, "Greets the caller")
    editor.answer.setCurrentIndex(editor.answer.findData("yes_partial_no"))
    editor.points.setValue(2)
    click(qtbot, builder.add_item_button)
    type_into(qtbot, editor.key, "greeting")  # the same key again: a mistake
    type_into(qtbot, editor.question, "Finds the need")
    editor.answer.setCurrentIndex(editor.answer.findData("scale"))
    assert editor.scale.isVisible() and not editor.partial.isVisible()
    editor.scale.setValue(5)
    editor.points.setValue(3)
    type_into(qtbot, editor.rules, "zh-greet")

    problems = checked(qtbot, builder)
    assert any("item key 'greeting' is already used (each key must be unique)" in p for p in problems)
    assert any("no rulebook has a rule 'zh-greet'" in p for p in problems)
    assert not builder.save_button.isEnabled() and builder.problem_list.isVisible()
    assert builder.problems_label.text() == f"{len(problems)} problem(s) to correct before saving:"
    assert row(builder, "greeting").foreground(0).color().name() == "#b3261e"  # marked in the outline

    type_into(qtbot, editor.key, "need")
    type_into(qtbot, editor.rules, "zh-greeting-01")
    assert checked(qtbot, builder) == []
    assert builder.save_button.isEnabled() and builder.problems_label.text() == "No problems: the form can be saved."
    assert builder.preview.total_text() == "Total: 5 points"

    click(qtbot, builder.save_button)
    assert page.stack.currentIndex() == 0 and page.message.text() == "Saved Small check as version 1."
    [version] = stored_versions(services, "small-check")
    definition = stored_definition(services, version)
    assert version.version == 1 and definition["language"] == "zh-CN"
    [section] = definition["sections"]
    assert (section["title"], section["points"]) == ("Opening", 5)
    assert [(i["key"], i["answer"], i["points"]) for i in section["items"]] == [
        ("greeting", "yes_partial_no", 2), ("need", "scale", 3)]
    assert section["items"][1]["scale"] == 5 and section["items"][1]["rules"] == ["zh-greeting-01"]
    wait_listed(qtbot, page)
    assert page.current_version().key == "small-check"


def test_editing_a_form_in_use_asks_first_and_keeps_the_old_version(qtbot, services):
    page = forms_page(qtbot, services)
    [v1] = stored_versions(services, "hotline-zh")
    add_evaluation(services, v1.id)
    page.refresh()
    wait_listed(qtbot, page)
    page.select_form("hotline-zh")
    assert "used by 1 evaluation(s)" in page.form_list.currentItem().text()
    click(qtbot, page.edit_button)
    builder = page.builder
    asked = []
    answer = [False]
    builder.confirm = lambda title, text: asked.append((title, text)) or answer[0]

    click(qtbot, builder.save_button)  # nothing changed: already stored, nothing asked
    assert asked == [] and page.stack.currentWidget() is builder
    assert builder.status.text() == "This content is already stored as version 1 of hotline-zh: nothing new to save."

    builder.tree.setCurrentItem(row(builder, "not_rushing"))
    type_into(qtbot, builder.item_editor.question, "不急于结束通话，不催促客户挂机")
    click(qtbot, builder.save_button)
    assert asked == [("Save a new version?", "This form is used by 1 evaluation(s). Saving creates version 2; "
                                             "those evaluations keep version 1.")]
    assert builder.status.text() == "Not saved." and len(stored_versions(services, "hotline-zh")) == 1

    answer[0] = True
    click(qtbot, builder.save_button)
    assert len(asked) == 2 and page.message.text() == "Saved 电话客服质检表 as version 2."
    v2, old = stored_versions(services, "hotline-zh")
    assert (v2.version, v2.evaluations, old.id, old.evaluations) == (2, 0, v1.id, 1)
    item = next(i for s in stored_definition(services, v2)["sections"] for i in s["items"] if i["key"] == "not_rushing")
    assert item["question"] == "不急于结束通话，不催促客户挂机"
    wait_listed(qtbot, page)
    assert [v.version for v in page.versions()] == [2, 1]
    page.version_list.setCurrentRow(1)
    assert page.preview.texts()[0].startswith("Version 1: an older version")


def test_a_new_key_makes_a_new_form(qtbot, services):
    page = forms_page(qtbot, services)
    page.select_form("hotline-zh")
    builder = page.edit()
    type_into(qtbot, builder.fields.key, "hotline-zh-2027")
    assert builder.fields.key_note.isVisible() and "hotline-zh stays as it is" in builder.fields.key_note.text()
    assert checked(qtbot, builder) == []
    builder.save()
    assert page.message.text() == "Saved as a new form, hotline-zh-2027 version 1; hotline-zh is unchanged."
    assert [v.version for v in stored_versions(services, "hotline-zh")] == [1]
    wait_listed(qtbot, page)
    assert {v.key for v in page.forms()} == {"contact-centre-en", "hotline-zh", "hotline-zh-2027"}


def drag(tree, dragged, target, where: str) -> None:
    """Drag ``dragged`` over ``target`` (its top edge, middle or bottom edge) and drop it."""
    rect = tree.visualItemRect(target)
    y = {"above": rect.top() + 1, "on": rect.center().y(), "below": rect.bottom() - 1}[where]
    pos = QPoint(rect.center().x(), y)
    mime = tree.mimeData([dragged])
    move, buttons, keys = Qt.DropAction.MoveAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for event in (QDragEnterEvent(pos, move, mime, buttons, keys), QDragMoveEvent(pos, move, mime, buttons, keys),
                  QDropEvent(pos.toPointF(), move, mime, buttons, keys, QEvent.Type.Drop)):
        QApplication.sendEvent(tree.viewport(), event)


def test_items_and_sections_are_reordered_by_buttons_and_by_drag_and_drop(qtbot, services):
    page = forms_page(qtbot, services)
    page.select_form("contact-centre-en")
    builder = page.edit()
    tree = builder.tree
    assert outline(builder)[1] == ("discovery", ["need_identified", "attentive"])

    tree.setCurrentItem(row(builder, "attentive"))
    click(qtbot, builder.up_button)
    assert outline(builder)[1] == ("discovery", ["attentive", "need_identified"])
    assert tree.currentItem() is row(builder, "attentive")  # the moved row stays selected
    click(qtbot, builder.up_button)  # the first item of a section goes to the end of the one above
    assert outline(builder)[0][1][-1] == "attentive"
    click(qtbot, builder.down_button)
    assert outline(builder)[1] == ("discovery", ["attentive", "need_identified"])

    drag(tree, row(builder, "closing"), row(builder, "opening"), "above")  # the last section goes first
    assert [key for key, _items in outline(builder)] == ["closing", "opening", "discovery", "resolution",
                                                         "communication"]
    drag(tree, row(builder, "went_extra_mile"), row(builder, "standard_opening"), "above")
    assert outline(builder)[1] == ("opening", ["went_extra_mile", "standard_opening", "identity_verified"])
    before = outline(builder)
    drag(tree, row(builder, "opening"), row(builder, "standard_closing"), "on")  # a section into a section: no
    assert outline(builder) == before

    assert checked(qtbot, builder) == []
    builder.save()
    [v2, _v1] = stored_versions(services, "contact-centre-en")
    sections = stored_definition(services, v2)["sections"]
    assert [s["key"] for s in sections] == ["closing", "opening", "discovery", "resolution", "communication"]
    assert [i["key"] for i in sections[1]["items"]] == ["went_extra_mile", "standard_opening", "identity_verified"]
    assert [i["key"] for i in sections[2]["items"]] == ["attentive", "need_identified"]


def test_a_file_with_a_mistake_is_refused_with_its_line_and_a_good_one_opens_in_the_builder(
        qtbot, services, tmp_path):
    page = forms_page(qtbot, services)
    broken = tmp_path / "small.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    assert page.import_file(broken) is None
    assert page.stack.currentIndex() == 0 and page.problems.isVisible()
    assert page.message.text() == "small.yaml was not imported: 1 problem(s) to correct in the file first."
    assert page.problems.toPlainText() == (
        "small.yaml:10: item greeting: points must be a number more than 0, not 'lots'")

    broken.write_text(BROKEN.replace("points: lots", "points: 3"), encoding="utf-8")
    builder = page.import_file(broken)
    assert page.stack.currentWidget() is builder and builder.heading.text() == "Imported from small.yaml"
    assert outline(builder) == [("opening", ["greeting", "closing"])] and builder.problems() == []
    builder.save()
    assert [v.version for v in stored_versions(services, "small")] == [1]


def test_an_exported_form_reads_back_as_the_same_version(qtbot, services, tmp_path):
    page = forms_page(qtbot, services)
    for key in ("hotline-zh", "contact-centre-en"):
        page.select_form(key)
        path = page.export_file(tmp_path / f"{key}.yaml")
        assert path is not None and page.message.text().startswith(f"Exported {key} version 1 to ")
        text = path.read_text(encoding="utf-8")
        assert parse_form(text, path.name, known_rule_ids()).content_hash == page.current_version().content_hash
    assert "电话客服质检表" in (tmp_path / "hotline-zh.yaml").read_text(encoding="utf-8")


def test_the_window_shows_the_forms_area(qtbot, services):
    window = make_window(qtbot, services)
    window.show_area("forms")
    page = window.stack.currentWidget()
    assert isinstance(page, FormsPage)
    wait_listed(qtbot, page)
    assert {v.key for v in page.forms()} == {"contact-centre-en", "hotline-zh"}


def test_with_no_forms_the_area_says_what_to_do(qtbot, services, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_DESK_FORMS", str(tmp_path))  # no shipped forms to install
    page = FormsPage(services)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.is_loading(), timeout=10000)
    assert page.content.currentWidget() is page.empty and page.empty.isVisible()
    assert "Click New form to build one, or Import YAML…" in page.empty.text()
    assert not page.edit_button.isEnabled() and not page.export_button.isEnabled()
    click(qtbot, page.new_button)
    assert page.stack.currentWidget() is page.builder


def test_weights_outline_actions_and_leaving_with_unsaved_changes(qtbot, services):
    page = forms_page(qtbot, services)
    builder = page.new_form()
    asked = []
    answers = [False]
    builder.confirm = lambda title, text: asked.append(title) or answers.pop(0)
    type_into(qtbot, builder.fields.name, "Weighted check")
    type_into(qtbot, builder.fields.key, "hotline-zh")
    assert builder.fields.key_note.text() == (
        "hotline-zh is the key of another form (电话客服质检表): saving adds a version to it.")
    type_into(qtbot, builder.fields.key, "weighted-check")
    assert not builder.fields.key_note.isVisible()
    for title in ("Opening", "Closing"):
        click(qtbot, builder.add_section_button)
        type_into(qtbot, builder.section_editor.title, title)
        click(qtbot, builder.add_item_button)
        type_into(qtbot, builder.item_editor.question, f"{title} done well")
    builder.fields.scoring.setCurrentIndex(builder.fields.scoring.findData("weights"))
    assert [builder.tree.node(s)["weight"] for s in builder.tree.sections()] == [50, 50]  # an even share
    assert checked(qtbot, builder) == []
    assert builder.preview.total_text() == "Total: 100 (weights 50 + 50 %)"

    builder.tree.setCurrentItem(row(builder, "section_1"))
    assert builder.section_editor.weight.isVisible() and not builder.section_editor.points.isVisible()
    builder.section_editor.weight.setValue(70)
    problems = checked(qtbot, builder)
    assert problems == ["the sections' weights add up to 120, not 100"] and not builder.save_button.isEnabled()
    builder.section_editor.weight.setValue(50)
    assert checked(qtbot, builder) == []

    click(qtbot, builder.add_item_button)  # an item without a question: a problem naming it
    problems = checked(qtbot, builder)
    assert problems == ["item item_3: question is missing"]
    builder.tree.setCurrentItem(row(builder, "section_2"))
    builder.problem_list.setCurrentRow(0)  # choosing the problem selects its item
    assert builder.tree.currentItem() is row(builder, "item_3")
    click(qtbot, builder.remove_button)  # an item goes without asking
    assert asked == [] and outline(builder) == [("section_1", ["item_1"]), ("section_2", ["item_2"])]

    builder.tree.setCurrentItem(row(builder, "section_2"))
    click(qtbot, builder.remove_button)  # a section with items: asked, and kept on No
    assert asked == ["Remove section?"] and len(outline(builder)) == 2

    answers[:] = [False, True]
    click(qtbot, builder.close_button)  # unsaved changes: asked; No stays
    assert page.stack.currentWidget() is builder
    click(qtbot, builder.close_button)
    assert asked[-2:] == ["Discard changes?", "Discard changes?"] and page.stack.currentIndex() == 0
    assert stored_versions(services, "weighted-check") == []


def test_section_points_follow_the_items_unless_typed_and_rules_are_offered(qtbot, services):
    page = forms_page(qtbot, services)
    page.select_form("hotline-zh")
    builder = page.edit()
    editor = builder.section_editor
    builder.tree.setCurrentItem(row(builder, "opening_closing"))
    assert editor.follow.isChecked() and not editor.points.isEnabled() and editor.points.text() == "4"

    builder.tree.setCurrentItem(row(builder, "standard_opening"))
    builder.item_editor.points.setValue(3)  # the section follows: 5 points, and the form 101
    assert row(builder, "opening_closing").text(0) == "开场与结束 · 5 points"
    assert checked(qtbot, builder) == ["the sections add up to 101 points, not the form's total of 100"]

    builder.tree.setCurrentItem(row(builder, "opening_closing"))
    editor.follow.setChecked(False)  # typed: the items must add up to it
    assert editor.points.isEnabled() and editor.points.value() == 5
    editor.points.setValue(4)
    assert "section opening_closing: the items' points add up to 5, not the section's 4" in checked(qtbot, builder)

    rules = builder.item_editor.completer
    assert {"zh-greeting-01", "en-greeting-01"} <= set(rules.model().stringList())
    builder.tree.setCurrentItem(row(builder, "standard_opening"))
    builder.item_editor.rules.setText("zh-greeting-01, zh-clo")
    assert rules.splitPath("zh-greeting-01, zh-clo") == ["zh-clo"]
    index = rules.model().index(rules.model().stringList().index("zh-closing-02"))
    assert rules.pathFromIndex(index) == "zh-greeting-01, zh-closing-02"
