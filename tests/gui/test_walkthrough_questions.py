"""Questions that teach, in every chapter and both languages: the expected answer is what
convviz's arithmetic gives for the question's own numbers (test_lessons.py checks that against
torch), a wrong answer of each known kind is named, Show me and Show answer never raise the
score, the score per concept is the learner's own and remembered; the design challenges count
only a stack the learner built."""
from __future__ import annotations


from convviz import lessons

from .conftest import wait_maps


def type_and_enter(qtbot, box, text: str) -> None:
    from ui.qt import Qt
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def typed(v) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:.6g}"


def question_boxes(win) -> list:
    from ui.walkthrough.questions import QuestionBox
    return [ex for ex in win.walkthrough.extras.values() if isinstance(ex, QuestionBox)]


def han(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_every_chapter_asks_names_the_mistakes_and_counts_only_own_answers(make_window, qtbot, lang):
    from ui.i18n import tr_in
    win = make_window(preset="lesson_4x4")
    win.settings.setValue("walkthrough/seed", 7)  # this learner's numbers (a fresh learner's are random)
    panel = win.walkthrough
    kinds = set()
    for i, ch in enumerate(panel.chapters):
        assert win.open_walkthrough(i)
        wait_maps(qtbot, win)
        boxes = question_boxes(win)
        if ch.key == "11-challenges":
            assert not boxes
            continue
        assert len(boxes) == 1, f"chapter {ch.key} asks one question"
        box = boxes[0]
        kinds.add(box.kind)
        assert lessons.KINDS[box.kind][0] == ch.key
        concept = box.q.concept
        # before the learner answers: no answer, no worked formula on the box
        assert box.status == "open" and box.result.text() == "" and str(typed(box.expected)) not in box.result.text()
        assert box.expected == lessons.build(box.kind, box.q.params).answer  # the arithmetic's answer
        assert han(box.question.text()) == (lang == "zh_CN"), box.question.text()
        # the receptive-field question is about the chapter's own stack: the shapes table's field
        # column is hidden while it is open
        rf_column = win.table.table.isColumnHidden(5)
        assert rf_column == (box.kind in ("field", "field_edit")), ch.key
        start = panel.scores()
        # Show me (the panel's) and Show answer (the box's) never raise the score
        panel.show_me.click()
        wait_maps(qtbot, win)
        box.show_button.click()
        assert box.status == "shown" and box.q.work.split(" = ")[-1] in box.result.text()
        assert not win.table.table.isColumnHidden(5)
        type_and_enter(qtbot, box.answer_box, typed(box.expected))  # typing the revealed answer: not the learner's
        assert box.asked == 0 and box.correct == 0 and panel.scores() == start
        # not a number: one sentence, not counted
        box.next_button.click()
        type_and_enter(qtbot, box.answer_box, "abc")
        assert box.status == "open" and box.asked == 0 and box.result.text()
        # each known mistake of the kind, typed, is named (each question tells its own apart)
        named = set()
        for _ in range(30):
            if named >= set(lessons.KIND_MISTAKES[box.kind]):
                break
            left = [(k, v) for k, v in box.q.mistakes if k not in named]
            if left:
                key, wrong = left[0]
                type_and_enter(qtbot, box.answer_box, typed(wrong))
                assert box.status == "answered" and box.mistake == key, (box.kind, box.q.params, key)
                assert tr_in("core", lessons.MISTAKES[key]) in box.result.text()
                assert "✗" in box.result.text()
                named.add(key)
            box.next_button.click()
        assert named >= set(lessons.KIND_MISTAKES[box.kind]), (ch.key, named)
        # the learner's own right answer
        if box.status != "open":
            box.next_button.click()
        type_and_enter(qtbot, box.answer_box, typed(box.expected))
        assert box.status == "answered" and "✓" in box.result.text()
        now = panel.scores()
        assert now.answered(concept) == start.answered(concept) + len(named) + 1
        assert now.right(concept) == start.right(concept) + 1
        assert tr_in("core", lessons.CONCEPTS[concept]) in panel.concepts.text()
    assert kinds == set(lessons.KINDS), "every kind of question is asked in its chapter"


def test_progress_per_concept_is_remembered(make_window, qtbot):
    from ui.main_window import MainWindow
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(5)
    box = question_boxes(win)[0]
    box.answer_box.setValue(box.expected)
    box.submit()
    box.new_question()
    box.answer_box.setValue(box.expected + 1)
    box.submit()
    assert "stride 1/2" in win.walkthrough.concepts.text()
    win.close()
    again = MainWindow()
    qtbot.addWidget(again)
    again.ask_save_changes = lambda: "discard"
    again.start()
    assert "stride 1/2" in again.walkthrough.concepts.text()
    assert again.walkthrough.scores().answered() == 2
    again.close()


def test_a_damaged_progress_setting_is_no_progress(make_window, qtbot):
    from ui.main_window import MainWindow
    win = make_window(preset="lesson_4x4")
    win.settings.setValue("walkthrough/progress", "{not json")
    win.close()
    again = MainWindow()
    qtbot.addWidget(again)
    again.start()
    assert again.walkthrough.scores().answered() == 0 and again.walkthrough.concepts.text()
    again.close()


def test_a_question_survives_a_language_switch(gui_session, qtbot):
    from ui.i18n import tr_in
    s = gui_session
    w = s.open()
    w.ask_save_changes = lambda: "discard"
    w.show()
    w.start()
    w.open_walkthrough(9)  # transposed convolution
    box = question_boxes(w)[0]
    key, wrong = box.q.mistakes[0]
    box.check(wrong)
    params = box.q.params
    s.switch_language("zh_CN")
    box2 = question_boxes(s.window)[0]
    assert box2.q.params == params and box2.status == "answered" and box2.mistake == key
    assert tr_in("core", lessons.MISTAKES[key]) in box2.result.text() and han(box2.result.text())


# --- design challenges ------------------------------------------------------------------------------------

def test_challenges_count_only_the_learners_own_stack(make_window, qtbot, lang):
    from ui.walkthrough.challenges import challenge_project
    win = make_window(preset="lesson_4x4")
    panel = win.walkthrough
    n = len(panel.chapters)
    assert win.open_walkthrough(n - 1)
    wait_maps(qtbot, win)
    box = panel.extra("challenges")
    first = lessons.CHALLENGES[0].key
    assert win.project == challenge_project(first) and not box.met() and not panel.done()
    assert "✗" in box.checklist.text()
    start = panel.scores().answered("design")
    # Show me loads a solution: all ticked, never counted, and Undo brings the learner's stack back
    panel.show_me.click()
    wait_maps(qtbot, win)
    assert box.met() and "✗" not in box.checklist.text()
    assert box.solved_count() == 0 and not panel.done() and panel.scores().answered("design") == start
    win.act_undo.trigger()
    assert win.project == challenge_project(first)
    box.build_solution()  # rebuilding the shown solution still does not count
    assert box.solved_count() == 0 and not panel.done()
    # the next challenge, solved by the learner's own edits in the window
    box.choose(1)
    wait_maps(qtbot, win)
    key = lessons.CHALLENGES[1].key
    assert win.project == challenge_project(key) and not box.met()
    assert any("dropped" == c.key and not c.ok for c in box.conditions())
    for i in range(5):  # five 4x4 stride-2 convolutions with padding 1: 224 -> 7, nothing dropped
        if i:
            win.layers.select(i - 1)
            win.duplicate_layer(i - 1)
        win.edit_arg(i, "kernel_size", 4)
    wait_maps(qtbot, win)
    assert box.met(), [(c.key, str(c.measured)) for c in box.conditions()]
    assert box.solved_count() == 1 and panel.done() and "✓" in panel.task.text()
    assert panel.scores().answered("design") == start + 1 and panel.scores().right("design") == start + 1
    win.act_undo.trigger()  # counted once, and stays counted
    assert not box.met() and box.solved_count() == 1


def test_challenges_survive_a_language_switch_and_leaving_the_chapter(gui_session, qtbot):
    s = gui_session
    w = s.open()
    w.ask_save_changes = lambda: "discard"
    w.show()
    w.start()
    n = len(w.walkthrough.chapters)
    w.open_walkthrough(n - 1)
    box = w.walkthrough.extra("challenges")
    box.show_solution()  # challenge 1 shown: never counted
    box.choose(2)
    box.build_solution()  # challenge 3 solved by the learner
    assert box.solved_count() == 1
    s.switch_language("zh_CN")
    box2 = s.window.walkthrough.extra("challenges")
    assert box2.index == 2 and box2.solved == {lessons.CHALLENGES[2].key}
    assert box2.revealed == {lessons.CHALLENGES[0].key} and s.window.walkthrough.done()
    assert "✓" in box2.checklist.text() and "挑战" in box2.combo.currentText()
    s.window.walkthrough.back.click()  # the chapter before: the challenge box is left behind
    assert s.window.walkthrough.extra("challenges") is None
    assert s.window.walkthrough.scores().answered("design") == 1