"""The open project and its history: one immutable Project at a time, every edit an undoable
command that swaps whole projects (so undo restores exact states, never a replayed diff)."""
from __future__ import annotations

import os

from convviz.project import Project

from .qt import QtCore, QtGui, Signal


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


class Document(QtCore.QObject):
    changed = Signal(object)  # the new Project
    path_changed = Signal(str)
    dirty_changed = Signal(bool)

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

    def apply(self, project: Project, text: str, merge_key=None) -> None:
        """An undoable edit; a no-op edit is not recorded."""
        if project == self.project:
            return
        self.undo_stack.push(ProjectCommand(self, self.project, project, text, merge_key))

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
