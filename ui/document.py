"""The open project and its history: one immutable Project at a time, every edit an undoable
command that swaps whole projects (so undo restores exact states, never a replayed diff).

An edit whose text could never be saved (a lone surrogate in the title or the image path) is
refused here, at input, with a sentence on ``refused``, rather than failing later at save."""
from __future__ import annotations

import os

from convviz.project import Project

from .qt import QtCore, QtGui, QtWidgets, Signal


class ProjectCommand(QtGui.QUndoCommand):
    """Replace the project; consecutive edits of one field (a spin box being scrolled) merge."""

    def __init__(self, doc: "Document", before: Project, after: Project, text: str, merge_key=None):
        super().__init__(text)
        self.doc, self.before, self.after, self.merge_key = doc, before, after, merge_key

    def id(self) -> int:  # noqa: A003 - Qt's name
        return 1 if self.merge_key is not None else -1

    def mergeWith(self, other) -> bool:  # noqa: N802
        if not isinstance(other, ProjectCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.doc._set(self.after)

    def undo(self) -> None:
        self.doc._set(self.before)


def text_problem_of(project: Project) -> str | None:
    """Why the project's text could not be written to a file (None when it can), a sentence."""
    from convviz.project import text_problem

    from .i18n import tr, tr_core
    for what, text, kind in ((tr("The title"), project.title, "title"),
                             (tr("The image path"), project.input.source, "source")):
        problem = text_problem(text, kind)
        if problem:
            return f"{what}: {tr_core(problem)}"
    return None


class Document(QtCore.QObject):
    changed = Signal(object)  # the new Project
    path_changed = Signal(str)
    dirty_changed = Signal(bool)
    refused = Signal(str)  # an edit that was not made, and why
    lesson_changed = Signal(bool)  # a lesson's project is shown (True) / the learner's is back (False)

    def __init__(self, project: Project | None = None, parent=None):
        super().__init__(parent)
        self.project = project or Project()
        self.path: str | None = None
        # The window's Undo and Redo actions follow the group's active stack: the learner's
        # history, or a lesson's while a walkthrough chapter is shown (show_lesson).
        self.undo_group = QtGui.QUndoGroup(self)
        self.undo_stack = QtGui.QUndoStack(self)
        self._aside: tuple[Project, str | None, QtGui.QUndoStack] | None = None
        self._use_stack(self.undo_stack)

    def _use_stack(self, stack: QtGui.QUndoStack) -> None:
        if stack is not self.undo_stack:
            self.undo_stack.cleanChanged.disconnect(self._clean_changed)
        self.undo_stack = stack
        self.undo_group.addStack(stack)
        self.undo_group.setActiveStack(stack)
        stack.cleanChanged.connect(self._clean_changed)

    def _clean_changed(self, clean: bool) -> None:
        self.dirty_changed.emit(not clean and self._aside is None)

    @property
    def dirty(self) -> bool:
        """The project shown has unsaved changes (a lesson's never has: it is not the learner's work)."""
        return self._aside is None and not self.undo_stack.isClean()

    # --- lessons: the learner's project put aside, with its file and its history ----------------
    @property
    def lesson(self) -> bool:
        """A lesson's project is shown; the learner's own is put aside."""
        return self._aside is not None

    @property
    def own_path(self) -> str | None:
        """The file of the learner's own project, whether shown or put aside."""
        return self._aside[1] if self._aside is not None else self.path

    def unsaved_work(self) -> tuple[Project, str | None] | None:
        """The learner's own project and its file, when it has unsaved changes (shown or put
        aside); None when there is nothing to lose.  What the autosave keeps."""
        if self._aside is not None:
            project, path, stack = self._aside
            return None if stack.isClean() else (project, path)
        return None if self.undo_stack.isClean() else (self.project, self.path)

    def show_lesson(self, project: Project) -> None:
        """Show a lesson's project (a walkthrough chapter's, or its question) in a history of its
        own.  The first call puts the learner's project aside with its file and its undo history;
        ``end_lesson`` brings them back.  Nothing a lesson shows is ever unsaved work."""
        if self._aside is None:
            self._aside = (self.project, self.path, self.undo_stack)
            self._use_stack(QtGui.QUndoStack(self))
        else:
            self.undo_stack.clear()
        self.path = None
        self._set(project)
        self.undo_stack.setClean()
        self.path_changed.emit("")
        self.dirty_changed.emit(False)
        self.lesson_changed.emit(True)

    def end_lesson(self, show: bool = True) -> bool:
        """Bring back the learner's project, its file and its history (as they were put aside);
        with ``show`` False only the history comes back (``reset`` replaces the project next).
        Returns whether a lesson was shown."""
        if self._aside is None:
            return False
        project, path, stack = self._aside
        lesson = self.undo_stack
        self._use_stack(stack)
        self._aside = None
        self.undo_group.removeStack(lesson)
        lesson.deleteLater()
        self.path = path
        if show:
            self._set(project)
            self.path_changed.emit(path or "")
            self.dirty_changed.emit(self.dirty)
        self.lesson_changed.emit(False)
        return True

    def announce(self) -> None:
        """Emit the document's whole state again (a new window has taken it over)."""
        self._set(self.project)
        self.path_changed.emit(self.path or "")
        self.dirty_changed.emit(self.dirty)

    def detach(self) -> None:
        """Disconnect everything the window showing this document connected to it: the document
        (project, history, a lesson put aside) is about to move to another window."""
        import warnings
        for sig in (self.changed, self.path_changed, self.dirty_changed, self.refused, self.lesson_changed):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # "failed to disconnect": nothing was
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError, SystemError):
                    pass

    @property
    def base_dir(self) -> str | None:
        return os.path.dirname(os.path.abspath(self.path)) if self.path else None

    def _set(self, project: Project) -> None:
        self.project = project
        self.changed.emit(project)

    def apply(self, project: Project, text: str, merge_key=None) -> bool:
        """An undoable edit; a no-op edit is not recorded, and one whose text could not be
        saved is refused (``refused`` says why).  Returns whether the project changed."""
        if project == self.project:
            return False
        problem = text_problem_of(project)
        if problem:
            self.refused.emit(problem)
            return False
        self.undo_stack.push(ProjectCommand(self, self.project, project, text, merge_key))
        return True

    def rebase(self, fn) -> None:
        """Apply ``fn`` to the project and to every state in the history, without an undo step:
        after Save As into another folder, relative image paths are rewritten against the new
        folder everywhere, so undo never brings back a path that no longer resolves."""
        for i in range(self.undo_stack.count()):
            cmd = self.undo_stack.command(i)
            if isinstance(cmd, ProjectCommand):
                cmd.before, cmd.after = fn(cmd.before), fn(cmd.after)
        new = fn(self.project)
        if new != self.project:
            self._set(new)

    def reset(self, project: Project, path: str | None) -> None:
        """A new or opened project: history cleared, clean.  It replaces the learner's project:
        a lesson on show ends first (callers ask about unsaved work before)."""
        self.end_lesson(show=False)
        self.undo_stack.clear()
        self.path = path
        self._set(project)
        self.undo_stack.setClean()
        self.path_changed.emit(path or "")
        self.dirty_changed.emit(False)

    def mark_saved(self, path: str) -> None:
        self.path = path
        self.undo_stack.setClean()
        self.path_changed.emit(path)


class UndoFromAnywhere(QtCore.QObject):
    """Ctrl+Z and Ctrl+Shift+Z (the undo and redo actions' shortcuts) undo and redo the project
    from any field of ``window``, also right after typing in it.

    A spin box (or a cell being edited in a table) keeps what is typed until Enter or leaving
    it, and claims Ctrl+Z for its own text undo, so the window's action never saw the key.
    Here the field's pending text is committed first (one more undoable edit, exactly as Enter
    would make it), then the key goes on to the window's action: Ctrl+Z right after typing takes
    the typed value back, and Ctrl+Z with nothing typed undoes the previous edit.  A plain text
    box that is not part of the project (an answer being typed) keeps its own text undo while
    it has something to undo.

    The filter is put on each widget of the window as it takes the focus, so editors made later
    (a layer's argument form, a table cell's editor) are covered without walking the window."""

    def __init__(self, window: QtWidgets.QWidget, undo: QtGui.QAction, redo: QtGui.QAction):
        super().__init__(window)
        self._window, self._undo, self._redo = window, undo, redo
        QtWidgets.QApplication.instance().focusChanged.connect(self._focus_changed)

    # the widgets that claim Ctrl+Z for themselves; other widgets never see this filter
    _EDITORS = (QtWidgets.QAbstractSpinBox, QtWidgets.QLineEdit, QtWidgets.QTextEdit, QtWidgets.QPlainTextEdit,
                QtWidgets.QComboBox)

    def _focus_changed(self, _old, new) -> None:
        if isinstance(new, self._EDITORS) and new.window() == self._window:
            new.installEventFilter(self)  # a second install of the same filter is harmless

    def _wanted(self, ev) -> bool:
        seq = QtGui.QKeySequence(ev.keyCombination())
        return any(seq == s for a in (self._undo, self._redo) for s in a.shortcuts())

    def eventFilter(self, obj, ev):  # noqa: N802 - Qt's name
        if ev.type() != QtCore.QEvent.Type.ShortcutOverride or not self._wanted(ev):
            return False
        if not commit_pending(obj):
            return False  # the widget's own text undo
        ev.ignore()  # not claimed by the field: the shortcut reaches the window's action
        return True


def commit_pending(w) -> bool:
    """Commit what is typed in ``w`` (a spin box, or a table cell's editor) as Enter would.
    False for a free text box with its own undo history (it keeps Ctrl+Z)."""
    spin = w if isinstance(w, QtWidgets.QAbstractSpinBox) else w.parentWidget() if isinstance(
        w.parentWidget(), QtWidgets.QAbstractSpinBox) else None
    if spin is not None:
        spin.interpretText()
        return True
    viewport = w.parentWidget()
    view = viewport.parentWidget() if viewport is not None else None
    if isinstance(w, QtWidgets.QLineEdit) and isinstance(view, QtWidgets.QAbstractItemView) and \
            viewport == view.viewport():  # a table cell's editor (delegates put them on the viewport)
        delegate = view.itemDelegate()
        delegate.commitData.emit(w)
        delegate.closeEditor.emit(w, QtWidgets.QAbstractItemDelegate.EndEditHint.NoHint)
        return True
    if isinstance(w, QtWidgets.QLineEdit) and w.isUndoAvailable() and not w.isReadOnly():
        return False
    if isinstance(w, (QtWidgets.QTextEdit, QtWidgets.QPlainTextEdit)) and not w.isReadOnly() and \
            w.document().isUndoAvailable():
        return False
    return True
