"""The open project and its history: one immutable Project at a time, every edit an undoable
command that swaps whole projects (so undo restores exact states, never a replayed diff).

An edit whose text could never be saved (a lone surrogate in the title or the image path) is
refused here, at input, with a sentence on ``refused``, rather than failing later at save."""
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
