"""Questions that teach (issue 16.4): one predict-then-reveal question box per chapter.

The question, its answer and the typical wrong answers come from ``convviz.lessons`` (the
arithmetic); this widget asks, checks the learner's own answer once, names the mistake a wrong
answer most likely comes from, and reports each answer to the panel's per-concept progress.
"Show answer" reveals the worked answer and voids the question: it is never the learner's, and a
revealed question cannot be answered any more ("Another question" draws a new one).

Numbers are drawn per learner and chapter (a seeded ``random.Random``) from the chapter's live
project where the lesson says so (the padded input, the receptive-field stack, the dilated stack).
"""
from __future__ import annotations

import random

from convviz import lessons, report

from ..i18n import tr, tr_core, tr_in
from ..qt import QtWidgets

GREEN, RED = "#1a7f37", "#b00020"


class AnswerBox(QtWidgets.QLineEdit):
    """A line the learner types a number in (12, 0.127, 12.7%, 1/64 + 1/9), empty until they do:
    no default value that Enter could submit by accident."""

    def value(self) -> float | None:
        return lessons.parse_answer(self.text())

    def setValue(self, v) -> None:  # noqa: N802 - the spin boxes' name, which the tests and handouts use
        self.setText(_fmt(v))

    def lineEdit(self) -> "AnswerBox":  # noqa: N802 - as a spin box's, so callers need not care
        return self

    def interpretText(self) -> None:  # noqa: N802
        pass


def _fmt(v) -> str:
    if v is None:
        return ""
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:.4g}"


class QuestionBox(QtWidgets.QGroupBox):
    """A question of one kind (lessons.KINDS): Enter or Check answers it once; Show answer
    reveals it, never counted; Another question draws the next."""

    OPEN, ANSWERED, SHOWN = "open", "answered", "shown"

    def __init__(self, window, panel, kind: str, seed: int = 0, state: dict | None = None, parent=None):
        super().__init__(tr("Predict, then check"), parent)
        self.setObjectName(f"question_{kind}")
        self.window = window
        self.panel = panel
        self.kind = kind
        self.rng = random.Random(f"{kind}-{_learner_seed(window)}-{seed}")  # per learner, per kind
        self.q: lessons.Question | None = None
        self.status = self.OPEN
        self.last: float | None = None  # the learner's last answer
        self.mistake: str | None = None  # the mistake it most likely comes from
        self.correct = 0  # the learner's own right answers here
        self.asked = 0  # the learner's own answers here
        self.shown = 0  # answers revealed (never counted)
        self.question = QtWidgets.QLabel()
        self.question.setWordWrap(True)
        self.question.setObjectName("questionText")
        self.answer_box = AnswerBox()
        self.answer_box.setObjectName("answerBox")
        self.answer_box.setPlaceholderText(tr("your answer"))
        self.answer_box.setToolTip(tr("Type your answer and press Enter"))
        self.answer_box.setMaximumWidth(140)
        self.check_button = QtWidgets.QPushButton(tr("Check"))
        self.show_button = QtWidgets.QPushButton(tr("Show answer"))
        self.show_button.setObjectName("showAnswer")
        self.show_button.setToolTip(tr("Reveal the answer (it does not count as yours)"))
        self.next_button = QtWidgets.QPushButton(tr("Another question"))
        self.result = QtWidgets.QLabel()
        self.result.setWordWrap(True)
        self.result.setObjectName("questionResult")
        self.score = QtWidgets.QLabel()
        self.score.setObjectName("questionScore")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.answer_box)
        row.addWidget(self.check_button)
        row.addWidget(self.show_button)
        row.addWidget(self.next_button)
        row.addStretch(1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.addWidget(self.question)
        lay.addLayout(row)
        lay.addWidget(self.result)
        lay.addWidget(self.score)
        lay.addStretch(1)  # given more height than it needs, the question stays at the top
        self.answer_box.returnPressed.connect(self.submit)  # Enter submits
        self.check_button.clicked.connect(self.submit)
        self.show_button.clicked.connect(self.reveal_answer)
        self.next_button.clicked.connect(self.new_question)
        if state is not None and state.get("kind") == kind:
            self.restore(state)
        else:
            self.new_question()

    # --- the question ----------------------------------------------------------------------------
    @property
    def expected(self) -> float:
        return self.q.answer

    def new_question(self) -> None:
        """Draw the next question (numbers from the chapter's project as it is now)."""
        self.q = lessons.random_question(self.kind, self.rng, self.window.project)
        self.status = self.OPEN
        self.last = self.mistake = None
        self.answer_box.clear()
        self._opened()
        self._show()

    def _opened(self) -> None:
        """A new question is on screen (a subclass shows what goes with it)."""
        self._hide_giveaway(True)

    def _revealed(self) -> None:
        """The question was answered or revealed (a subclass shows what goes with it)."""
        self._hide_giveaway(False)

    # the receptive-field questions are about the chapter's own stack, whose fields the shapes
    # table lists: that column is hidden while the question is open (and back when it closes)
    HIDES_FIELD_COLUMN = ("field", "field_edit")

    def _hide_giveaway(self, hide: bool) -> None:
        if self.kind not in self.HIDES_FIELD_COLUMN:
            return
        table = getattr(getattr(self.window, "table", None), "table", None)
        if table is None:
            return
        try:
            table.setColumnHidden(report.HEADER.index("Receptive field"), hide)
        except RuntimeError:  # the window is going, its table first
            pass

    def minimumSizeHint(self):  # noqa: N802 - Qt's name
        """As tall as the wrapped question, result and buttons need at the box's width: a crowded
        chapter column scrolls or shares out its height, but never overlaps this box's lines."""
        hint = super().minimumSizeHint()
        h = self.heightForWidth(self.width() if self.width() > 100 else 400)
        if h > hint.height():
            hint.setHeight(h)
        return hint

    def resizeEvent(self, ev):  # noqa: N802
        super().resizeEvent(ev)
        if ev.size().width() != ev.oldSize().width():
            self.updateGeometry()  # the wrapped lines' height changed with the width
            self._make_room()

    def showEvent(self, ev):  # noqa: N802 - Qt's name
        super().showEvent(ev)
        self._hide_giveaway(self.status == self.OPEN)

    def hideEvent(self, ev):  # noqa: N802 - the chapter is left (or the walkthrough closed): the column is back
        super().hideEvent(ev)
        self._hide_giveaway(False)

    # --- answering ---------------------------------------------------------------------------------
    def submit(self) -> bool | None:
        """The learner's answer (Enter or Check): checked once per question.  Text that is not a
        number gets one sentence and is not counted."""
        if self.status != self.OPEN:
            return None
        value = self.answer_box.value()
        if value is None:
            self.result.setText(f"<span style='color:{RED}'>" + tr(
                "Type a number, such as 12, 0.25, 25% or 1/4.") + "</span>")
            self.result.setVisible(True)
            return None
        return self.check(value)

    def check(self, value: float) -> bool:
        """Check ``value`` as the learner's own answer, and record it for the concept."""
        if self.status != self.OPEN:
            return False
        self.asked += 1
        self.last = float(value)
        ok = self.q.is_right(self.last)
        self.mistake = self.q.diagnose(self.last)
        self.correct += ok
        self.status = self.ANSWERED
        record = getattr(self.panel, "record_answer", None)
        if record is not None:
            record(self.q.concept, ok)
        self._show()
        self._revealed()
        return ok

    def reveal_answer(self) -> None:
        """Show answer: the worked answer, never counted; the question is then closed."""
        if self.status != self.OPEN:
            return
        self.shown += 1
        self.status = self.SHOWN
        self._show()
        self._revealed()

    def answer_correctly(self, times: int = 1) -> None:
        """Answer ``times`` questions right, as the learner would; the last stays on screen."""
        for i in range(times):
            if i or self.status != self.OPEN:
                self.new_question()
            self.answer_box.setValue(self.q.answer)
            self.submit()

    # --- what is shown -------------------------------------------------------------------------------
    def feedback(self) -> str:
        """The result line for the current state (plain text with a little HTML)."""
        code = f" <code>{_html(self.q.work)}</code>"
        if self.status == self.ANSWERED and self.q.is_right(self.last):
            return f"<span style='color:{GREEN}'>✓ " + tr("Right!") + "</span>" + code
        if self.status == self.ANSWERED:
            text = f"<span style='color:{RED}'>✗ " + tr("Not quite: you said {a}.").format(a=_fmt(self.last))
            if self.mistake:
                text += " " + tr_in("core", lessons.MISTAKES[self.mistake])
            return text + "</span><br>" + tr("The answer:") + code
        if self.status == self.SHOWN:
            return tr("The answer (shown, not counted):") + code
        return ""

    def _show(self) -> None:
        self.question.setText(tr_core(self.q.prompt))
        self.result.setText(self.feedback())
        is_open = self.status == self.OPEN
        self.check_button.setEnabled(is_open)
        self.show_button.setEnabled(is_open)
        self.answer_box.setReadOnly(not is_open)
        self.score.setText(tr("{c} of {a} right").format(c=self.correct, a=self.asked) if self.asked else "")
        self.result.setVisible(bool(self.result.text()))  # no blank lines in a crowded column
        self.score.setVisible(bool(self.asked))
        self.updateGeometry()
        self._make_room()  # the feedback is longer than the question

    def _make_room(self) -> None:
        """Ask the panel for the height this box's wrapped lines need (never less than it has)."""
        fit = getattr(self.panel, "fit_split", None)
        if fit is not None and any(e is self for e in getattr(self.panel, "extras", {}).values()):
            fit(grow_only=True)

    # --- handing over (a language switch) ---------------------------------------------------------------
    def state(self) -> dict:
        return {"kind": self.kind, "rng": self.rng.getstate(), "params": self.q.params, "status": self.status,
                "last": self.last, "correct": self.correct, "asked": self.asked, "shown": self.shown,
                "typed": self.answer_box.text()}

    def restore(self, state: dict) -> None:
        """Take over a question as it was (the project shown is left as it is)."""
        self.rng.setstate(state["rng"])
        self.q = lessons.build(self.kind, state["params"])
        self.status, self.last = state["status"], state["last"]
        self.mistake = self.q.diagnose(self.last) if self.last is not None else None
        self.correct, self.asked, self.shown = state["correct"], state["asked"], state["shown"]
        self.answer_box.setText(state["typed"])
        self._hide_giveaway(self.status == self.OPEN)
        self._show()


def _html(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def register_questions(register) -> None:
    """One extra per kind of question, keyed "ask:<kind>" (extras.py)."""
    for kind in lessons.KINDS:
        register(f"ask:{kind}", lambda w, panel, state, kind=kind: QuestionBox(
            w, panel, kind, state=state))


def _learner_seed(window) -> int:
    """The learner's own seed (remembered in the settings), so two learners side by side get
    different numbers and one learner the same sequence again."""
    s = window.settings
    seed = s.value("walkthrough/seed")
    try:
        return int(seed)
    except (TypeError, ValueError):
        seed = random.SystemRandom().randrange(1 << 30)
        s.setValue("walkthrough/seed", seed)
        return seed
