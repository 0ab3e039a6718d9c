"""The walkthrough panel: the chapter list, the page, the task and the chapter's exercise.

Opening a chapter shows its project as a lesson (``Document.show_lesson``): the learner's own
project is put aside with its file and its undo history, nothing a chapter shows is ever unsaved
work (no save question on Next or Back, no autosave of it), and closing the walkthrough (its
dock's close button, View > Walkthrough, or opening a project of one's own) brings the
learner's project back as it was.
"""
from __future__ import annotations

from convviz.lessons import CONCEPTS, Progress

from ..i18n import tr, tr_in
from ..qt import QtCore, QtWidgets, Signal
from .chapters import Chapter, chapter_text, chapters
from .extras import factory, keys_of
from . import glossary

DONE_MARK = "✓"


class WalkthroughPanel(QtWidgets.QWidget):
    chapter_changed = Signal(int)

    def __init__(self, window, lang: str = "en", parent=None):
        super().__init__(parent)
        self.window = window
        self.lang = lang
        self.chapters = chapters()
        self.index = -1
        self.extras: dict[str, QtWidgets.QWidget] = {}  # the chapter's extras by key (extras.py)
        # what the learner did since entering the chapter (the checks read it)
        self.clicked: set[int] = set()  # layers a pixel of which was clicked
        self.stepped = False  # the kernel stepper was moved
        self._last_t = 0
        self.combo = QtWidgets.QComboBox()
        self.combo.setObjectName("chapterList")
        for i, ch in enumerate(self.chapters):
            self.combo.addItem(f"{i + 1}. {ch.title}")
        self.progress = QtWidgets.QLabel()
        self.text = QtWidgets.QTextBrowser()
        self.text.setOpenExternalLinks(False)
        self.text.setObjectName("walkthroughText")
        self.task = QtWidgets.QLabel()
        self.task.setWordWrap(True)
        self.task.setObjectName("walkthroughTask")
        self.extra_box = QtWidgets.QWidget()
        self.extra_lay = QtWidgets.QVBoxLayout(self.extra_box)
        self.extra_lay.setContentsMargins(0, 0, 0, 0)
        self.concepts = QtWidgets.QLabel()  # the learner's own answers per concept (questions.py)
        self.concepts.setWordWrap(True)
        self.concepts.setObjectName("conceptProgress")
        self.back = QtWidgets.QPushButton(tr("◀ Back"))
        self.next = QtWidgets.QPushButton(tr("Next ▶"))
        self.show_me = QtWidgets.QPushButton(tr("Show me"))
        self.show_me.setObjectName("showMe")
        nav = QtWidgets.QHBoxLayout()
        nav.addWidget(self.back)
        nav.addWidget(self.show_me)
        nav.addStretch(1)
        nav.addWidget(self.progress)
        nav.addStretch(1)
        nav.addWidget(self.next)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.combo)
        # the page above, the task and the extras below, the border between them draggable (a tall
        # experiment no longer squeezes the text to a few lines, nor the text the experiment)
        lower = QtWidgets.QWidget()
        lower_lay = QtWidgets.QVBoxLayout(lower)
        lower_lay.setContentsMargins(0, 0, 0, 0)
        lower_lay.addWidget(self.task)
        lower_lay.addWidget(self.extra_box, 1)
        self.split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self.split.setObjectName("walkthroughSplit")
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.text)
        self.split.addWidget(lower)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        lay.addWidget(self.split, 1)
        lay.addWidget(self.concepts)
        lay.addLayout(nav)
        self.combo.activated.connect(self.go)
        self.back.clicked.connect(lambda: self.go(self.index - 1))
        self.next.clicked.connect(lambda: self.go(self.index + 1))
        self.show_me.clicked.connect(self.demo)
        window.session.maps_updated.connect(self._maps_updated)
        window.doc.lesson_changed.connect(self._lesson_changed)
        window.features.pixel_clicked.connect(self._pixel_clicked)
        window.stepper.position_changed.connect(self._stepper_moved)
        self._flash_timer = QtCore.QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(self._unflash)
        self._flashed: QtWidgets.QWidget | None = None
        self._dock_hooked = False
        self._mark_done_chapters()
        self._show_scores()

    # --- state -----------------------------------------------------------------------------------
    @property
    def chapter(self) -> Chapter:
        return self.chapters[self.index]

    @property
    def active(self) -> bool:
        """A chapter is on show (its project is the lesson the document shows)."""
        return self.index >= 0 and self.window.doc.lesson

    def _dock(self) -> QtWidgets.QDockWidget | None:
        return self.window.findChild(QtWidgets.QDockWidget, "walkthroughDock")

    def _hook_dock(self) -> None:
        """Closing the walkthrough's dock closes the lesson (the learner's project comes back)."""
        if self._dock_hooked:
            return
        dock = self._dock()
        if dock is not None:
            dock.toggleViewAction().toggled.connect(lambda on: on or self.close_lesson())
            self._dock_hooked = True

    # --- chapters --------------------------------------------------------------------------------
    def go(self, index: int) -> bool:
        """Enter chapter ``index``: show its project as a lesson, open its view, highlight its
        control.  Never asks about saving: the learner's project is put aside, not replaced."""
        if not 0 <= index < len(self.chapters):
            return False
        w = self.window
        ch = self.chapters[index]
        self._enter(index)
        w.status.clearMessage()
        w.doc.show_lesson(ch.project())
        w.layers.select(ch.select)
        self._make_extra(ch)
        if ch.view == "stepper":
            w.tabs.setCurrentWidget(w.stepper)
            w.stepper.layer_index = ch.stepper_layer
        else:
            w.tabs.setCurrentWidget(w.features)
        if ch.field is not None:
            w.show_field(*ch.field)
            w.features.scroll_to_layer(-1)
        target = ch.highlight(w)
        if target is not None:
            self.flash(target)
        self.refresh_task()
        self.chapter_changed.emit(index)
        return True

    def _enter(self, index: int) -> None:
        """The page of chapter ``index`` (its project is the caller's business)."""
        self._hook_dock()
        self.index = index
        ch = self.chapters[index]
        self.clicked = set()
        self.stepped = False
        self._last_t = self.window.stepper.t
        self.combo.setCurrentIndex(index)
        self.progress.setText(tr("Chapter {i} of {n}").format(i=index + 1, n=len(self.chapters)))
        self.back.setEnabled(index > 0)
        self.next.setEnabled(index < len(self.chapters) - 1)
        self.text.setMarkdown(chapter_text(ch.key, self.lang))
        glossary.prepare(self.text.document(), self.lang)  # hover a term: both languages, a definition
        self.show_me.setToolTip(tr("Reveal the answer (it does not count as yours)") if ch.reveals
                                else tr("Do the task for me"))
        self.window.settings.setValue("walkthrough/chapter", index)

    def _make_extra(self, ch: Chapter, state: dict | None = None) -> None:
        """Build the chapter's extras (extras.py) in order; ``state`` is what ``lesson_state``
        recorded for them ({key: state}), handed to each factory."""
        w = self.window
        self._clear_extra()
        states = state if isinstance(state, dict) else {}
        for key in keys_of(ch.extra):
            make = factory(key)
            if make is None:
                continue
            widget = make(w, self, states.get(key))
            self.extras[key] = widget
            self.extra_lay.addWidget(widget)
            widget.show()  # now, not when the layout gets round to it
        self.fit_split()

    def fit_split(self, grow_only: bool = False) -> None:
        """Give the task and the extras the height their wrapped lines need (at most two thirds
        of the column), the page the rest: wrapped labels under-report their minimum height, so
        the splitter alone squeezed a chapter's question box until its lines overlapped."""
        lower = self.split.widget(1)
        total = sum(self.split.sizes())
        if total <= 0 or lower.width() <= 0:
            return
        lower.layout().activate()
        need = max(lower.minimumSizeHint().height(),
                   lower.heightForWidth(lower.width()) if lower.hasHeightForWidth() else lower.sizeHint().height())
        low = min(need, total * 2 // 3)
        if grow_only and low <= self.split.sizes()[1]:
            return  # an extra grew (an answer's feedback): only ever more room, never less
        self.split.setSizes([total - low, low])

    def extra(self, key: str):
        """The chapter's extra named ``key`` (None when the chapter has none)."""
        return self.extras.get(key)

    # the extras the tests and the chapters' checks reach by name
    horse = property(lambda self: self.extras.get("horse"))
    questions = property(lambda self: self.extras.get("questions"))
    separable = property(lambda self: self.extras.get("separable"))

    def _extra(self):
        """The first extra (or None)."""
        return next(iter(self.extras.values()), None)

    def _clear_extra(self) -> None:
        while self.extra_lay.count():
            item = self.extra_lay.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # gone from view now; Qt deletes it (it still owns it) later
                item.widget().deleteLater()
        self.extras = {}

    # --- closing, and handing over to another window ------------------------------------------------
    def close_lesson(self) -> bool:
        """Close the walkthrough: the learner's project comes back with its file and its undo
        history.  Returns whether a lesson was on show."""
        return self.window.doc.end_lesson()

    def _lesson_changed(self, on: bool) -> None:
        if on:
            return
        self._clear_extra()
        self._unflash()
        self.index = -1
        dock = self._dock()
        if dock is not None and not dock.isHidden():
            dock.hide()

    def lesson_state(self) -> dict | None:
        """What a language switch hands to the new window's panel: the chapter, what the learner
        did in it, and the exercise's state (None when no chapter is on show)."""
        if not self.active:
            return None
        extra = {k: ex.state() for k, ex in self.extras.items() if hasattr(ex, "state")}
        return {"index": self.index, "clicked": set(self.clicked), "stepped": self.stepped,
                "last_t": self._last_t, "extra": extra}

    def resume(self, state: dict) -> None:
        """Take over a chapter from another window's panel; the project (the lesson the document
        shows, as the learner left it) is not touched."""
        index = state["index"]
        self._enter(index)
        self.clicked, self.stepped, self._last_t = set(state["clicked"]), state["stepped"], state["last_t"]
        self._make_extra(self.chapters[index], state["extra"])
        self.refresh_task()

    # --- what the learner does ----------------------------------------------------------------
    def _maps_updated(self, _generation: int) -> None:
        self.refresh_task()

    def _pixel_clicked(self, layer: int, _channel: int, _y: int, _x: int) -> None:
        if self.active:
            self.clicked.add(layer)
            self.refresh_task()

    def _stepper_moved(self, t: int) -> None:
        if self.active:
            if t > 0 and t != self._last_t:  # a step the learner made, not a view restored
                self.stepped = True
            self._last_t = t
            self.refresh_task()

    def done(self) -> bool:
        if not self.active:
            return False
        try:
            return bool(self.chapter.check(self.window))
        except Exception:  # noqa: BLE001 - a check reads live state; not done yet
            return False

    def refresh_task(self) -> None:
        if not self.active:
            return
        ok = self.done()
        mark = f"<span style='color:#1a7f37; font-weight:600'>{DONE_MARK} " + tr("Done!") + "</span> " if ok else \
            "<span style='color:#b35c00; font-weight:600'>" + tr("Try it:") + "</span> "
        self.task.setText(mark + self.chapter.task)
        if ok and self.chapter.key not in self.done_keys():
            self.window.settings.setValue("walkthrough/done", ",".join(sorted(self.done_keys() | {self.chapter.key})))
            self._mark_done_chapters()

    # --- the score: the learner's own answers per concept ----------------------------------------
    def scores(self) -> Progress:
        """The learner's own answers per concept (remembered across sessions); answers revealed
        by Show me or Show answer are never in it."""
        return Progress.from_json(self.window.settings.value("walkthrough/progress", ""))

    def record_answer(self, concept: str, right: bool) -> None:
        """A question's answer, the learner's own (questions.py calls this once per question)."""
        p = self.scores()
        p.record(concept, right)
        self.window.settings.setValue("walkthrough/progress", p.to_json())
        self._show_scores()

    def _show_scores(self) -> None:
        p = self.scores()
        parts = [f"{tr_in('core', name)} {p.right(key)}/{p.answered(key)}" for key, name in CONCEPTS.items()
                 if p.answered(key)]
        self.concepts.setText(tr("Your own answers: {list}").format(list=" · ".join(parts)) if parts else
                              tr("Your own answers by concept appear here (Show me never counts)."))
        self.concepts.setToolTip("\n".join(f"{tr_in('core', name)}: {p.right(key)}/{p.answered(key)}"
                                           for key, name in CONCEPTS.items()))

    def done_keys(self) -> set[str]:
        """The chapters whose task the learner has done (remembered across sessions)."""
        return set(str(self.window.settings.value("walkthrough/done", "") or "").split(",")) - {""}

    def _mark_done_chapters(self) -> None:
        """The chapter list marks the chapters done."""
        done = self.done_keys()
        for i, ch in enumerate(self.chapters):
            is_done = ch.key in done
            self.combo.setItemText(i, f"{i + 1}. {ch.title}" + (f"  {DONE_MARK}" if is_done else ""))
            self.combo.setItemData(i, tr("Done") if is_done else tr("Not done yet"),
                                   QtCore.Qt.ItemDataRole.ToolTipRole)

    def demo(self) -> None:
        """The Show me button: do the chapter's task, or (predict-then-reveal) reveal the answer
        without counting it."""
        if not self.active:
            return
        ch = self.chapter
        (ch.show_me or ch.solve)(self.window)
        self.refresh_task()

    def solve(self) -> None:
        """Do the chapter's task as the learner would (tests, the rendered handout)."""
        self.chapter.solve(self.window)
        self.refresh_task()

    # --- highlighting ------------------------------------------------------------------------------
    def flash(self, widget: QtWidgets.QWidget) -> None:
        """Draw attention to the control the chapter asks the learner to use."""
        self._unflash()
        self._flashed = widget
        widget.setStyleSheet("border: 2px solid #ff9500; border-radius: 3px; background: #fff4e0;")
        self._flash_timer.start(4000)

    def _unflash(self) -> None:
        if self._flashed is not None:
            try:
                self._flashed.setStyleSheet("")
            except RuntimeError:
                pass
        self._flashed = None
