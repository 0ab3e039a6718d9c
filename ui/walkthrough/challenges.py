"""Design challenges (issue 16.10): the learner edits the stack in the window until every
condition of a challenge is ticked; a live checklist checks each condition with convviz's
arithmetic and receptive-field recurrence (``convviz.lessons.check_challenge``).

A challenge solved by the learner's own edits counts (once, under the "design" concept); "Show
me a solution" loads one as an undoable edit (Undo brings the learner's stack back) and voids
that challenge's credit, so a solution shown never counts, even if the learner rebuilds it.
"""
from __future__ import annotations

from convviz import lessons
from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec

from ..i18n import tr, tr_core, tr_in
from ..qt import QtCore, QtWidgets

GREEN, RED = "#1a7f37", "#b00020"
SOURCES = {1: "sample:camera", 3: "sample:astronaut"}  # the input each challenge's maps are drawn on


def challenge_project(key: str, solution: bool = False) -> Project:
    """The challenge's starting stack (or its solution) over its input."""
    ch = lessons.challenge(key)
    c, h, w = ch.input
    layers = tuple(LayerSpec.from_dict(d) for d in (ch.solution if solution else ch.start))
    return Project(InputSpec(c, h, w, SOURCES.get(c, "pattern:checkerboard")), layers, 0, (),
                   QtCore.QT_TRANSLATE_NOOP("title", "Design challenges"))


class ChallengeBox(QtWidgets.QWidget):
    def __init__(self, window, panel, state: dict | None = None, parent=None):
        super().__init__(parent)
        self.window = window
        self.panel = panel
        self.solved: set[str] = set()  # challenges the learner solved with their own edits
        self.revealed: set[str] = set()  # challenges whose solution Show me loaded (never counted)
        self.combo = QtWidgets.QComboBox()
        self.combo.setObjectName("challengeList")
        for i, ch in enumerate(lessons.CHALLENGES):
            self.combo.addItem(tr("Challenge {i}").format(i=i + 1))
            self.combo.setItemData(i, tr_in("core", ch.title), QtCore.Qt.ItemDataRole.ToolTipRole)
        self.combo.setToolTip(tr("Pick a challenge: its starting stack is loaded"))
        self.title = QtWidgets.QLabel()
        self.title.setWordWrap(True)
        self.title.setObjectName("challengeTitle")
        self.checklist = QtWidgets.QLabel()
        self.checklist.setWordWrap(True)
        self.checklist.setObjectName("challengeChecklist")
        self.checklist.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("challengeStatus")
        self.restart = QtWidgets.QPushButton(tr("Start again"))
        self.restart.setToolTip(tr("Load the challenge's starting stack (Undo brings yours back)"))
        self.show_button = QtWidgets.QPushButton(tr("Show me a solution"))
        self.show_button.setObjectName("showSolution")
        self.show_button.setToolTip(tr("Load a solution (Undo brings yours back); it does not count as yours"))
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.restart)
        row.addWidget(self.show_button)
        row.addStretch(1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.combo)
        lay.addWidget(self.title)
        lay.addWidget(self.checklist)
        lay.addLayout(row)
        lay.addWidget(self.status)
        lay.addStretch(1)  # more height than it needs goes below, not between the lines
        self.index = 0
        if state:
            self.solved, self.revealed = set(state["solved"]), set(state["revealed"])
            self.index = int(state["index"])
            self.combo.setCurrentIndex(self.index)
        self.combo.activated.connect(self.choose)
        self.restart.clicked.connect(self.start_again)
        self.show_button.clicked.connect(self.show_solution)
        window.doc.changed.connect(self._changed)
        self._changed(window.project)

    # --- the challenge --------------------------------------------------------------------------------
    @property
    def key(self) -> str:
        return lessons.CHALLENGES[self.index].key

    def choose(self, index: int) -> None:
        """Take up challenge ``index``: its starting stack is shown (a lesson of its own)."""
        self.index = int(index)
        self.combo.setCurrentIndex(self.index)
        self.window.doc.show_lesson(challenge_project(self.key))

    def start_again(self) -> None:
        self.window.doc.apply(challenge_project(self.key), tr("Start the challenge again"))

    def conditions(self, project: Project | None = None) -> list[lessons.Condition]:
        p = project if project is not None else self.window.project
        return lessons.check_challenge(self.key, p.input.shape, p.layers)

    def met(self, project: Project | None = None) -> bool:
        return all(c.ok for c in self.conditions(project))

    def build_solution(self) -> None:
        """Edit the stack into a solution, as the learner would (the tests, the rendered handout)."""
        self.window.doc.apply(challenge_project(self.key, solution=True), tr("Build a solution"))

    def show_solution(self) -> None:
        """Show me: load a solution; this challenge can no longer count as the learner's."""
        if self.key not in self.solved:
            self.revealed.add(self.key)
        self.window.doc.apply(challenge_project(self.key, solution=True), tr("Show a solution"))
        self._changed(self.window.project)

    def _current(self) -> bool:
        """The panel is on this box's chapter (the challenges chapter)."""
        p = self.panel
        return p is None or (0 <= p.index < len(p.chapters) and "challenges" in _keys(p.chapters[p.index].extra))

    def solved_count(self) -> int:
        return len(self.solved)

    # --- live checking ----------------------------------------------------------------------------------
    def _changed(self, project: Project) -> None:
        if not self._current():
            return  # a box of a chapter the panel has left (deleted later): the project is another's
        conds = self.conditions(project)
        ok = all(c.ok for c in conds)
        if ok and self.key not in self.solved and self.key not in self.revealed:
            self.solved.add(self.key)
            record = getattr(self.panel, "record_answer", None)
            if record is not None:
                record("design", True)
        self._show(conds)
        if ok and self.panel is not None and getattr(self.panel, "active", False):
            self.panel.refresh_task()

    def _show(self, conds) -> None:
        ch = lessons.CHALLENGES[self.index]
        self.title.setText("<b>" + tr_in("core", ch.title) + "</b>")
        lines = []
        for c in conds:
            mark, colour = ("✓", GREEN) if c.ok else ("✗", RED)
            lines.append(f"<span style='color:{colour}'>{mark}</span> {_html(tr_core(c.text))} "
                         f"<span style='color:#555'>({_html(tr_core(c.measured))})</span>")
        self.checklist.setText("<br>".join(lines))
        if self.key in self.solved:
            self.status.setText(f"<span style='color:{GREEN}'>✓ " + tr("Solved with your own stack.") + "</span>")
        elif self.key in self.revealed:
            self.status.setText(tr("A solution was shown: this challenge does not count. Try another one."))
        else:
            self.status.setText(tr("Edit the stack in the layers panel until every line is ticked."))
        self.show_button.setEnabled(not all(c.ok for c in conds))

    # --- handing over -------------------------------------------------------------------------------------
    def state(self) -> dict:
        return {"index": self.index, "solved": sorted(self.solved), "revealed": sorted(self.revealed)}

    def restore(self, state: dict) -> None:
        self.solved, self.revealed = set(state["solved"]), set(state["revealed"])
        self.index = int(state["index"])
        self.combo.setCurrentIndex(self.index)
        self._changed(self.window.project)


def _keys(extra) -> tuple:
    from .extras import keys_of
    return keys_of(extra)


def _html(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
