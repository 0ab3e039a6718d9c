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

    def __init__(self, project: Project | None = None, parent=None):
        super().__init__(parent)
        self.project = project or Project()
        self.path: str | None = None
        self.undo_stack = QtGui.QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)

    def _clean_changed(self, clean: bool) -> None:
        self.dirty_changed.emit(not clean)

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

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
        """A new or opened project: history cleared, clean."""
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
