"""Autosave and crash recovery.

While the project has unsaved changes, a copy is written to the user's data folder a few
seconds after the last edit (debounced, and at least every MAX_DELAY_MS while edits keep
coming), atomically with convviz.project.save, by a small writer thread so the GUI never waits
on the disk.  Saving the project or quitting normally removes the copy; a crash or a kill leaves
it, and the next start offers to restore it.

Files, in ``autosave_dir()`` ($CONVVIZ_DATA/autosave, else platformdirs'
user_data_dir("convviz")/autosave, e.g. ~/.local/share/convviz/autosave on Linux):

    <id>.json        the unsaved project (a normal project file)
    <id>.meta.json   {"path": the project's own file or null, "saved": unix time, "pid": ...}
    <id>.lock        a QLockFile held for the session's whole life

A copy is offered only when its lock can be taken, that is when the session that wrote it is no
longer running; so two running windows never offer each other's work, and a session that offers
(claims) a copy holds its lock until it restores, discards or quits.
"""
from __future__ import annotations

import glob
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field

from convviz.project import Project, ProjectError, load, save, write_atomic

from .i18n import tr
from .qt import QtCore, QtWidgets, Signal

DELAY_MS = 3000  # after the last edit
MAX_DELAY_MS = 15000  # at the latest, while edits keep coming


def data_dir() -> str:
    """The user's data folder for convviz ($CONVVIZ_DATA overrides it; tests use that)."""
    env = os.environ.get("CONVVIZ_DATA")
    if env:
        return env
    from platformdirs import user_data_dir
    return user_data_dir("convviz", appauthor=False)


def autosave_dir() -> str:
    return os.path.join(data_dir(), "autosave")


def _write_json_atomic(path: str, obj) -> None:
    write_atomic(path, json.dumps(obj).encode("utf-8"))

def _remove(*paths: str) -> None:
    for p in paths:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass


def _new_lock(path: str) -> QtCore.QLockFile:
    lock = QtCore.QLockFile(path)
    lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
    return lock


class _Writer:
    """The writer thread: holds at most one pending operation on the session's own files (the
    newest wins) and a list of callables to run after it (removing a restored copy)."""

    def __init__(self, stem: str, on_error):
        self.stem = stem
        self.on_error = on_error
        self._cond = threading.Condition()
        self._op = None
        self._after: list = []
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._lock: QtCore.QLockFile | None = None
        self.writes = 0  # completed writes (tests wait on it)

    def put(self, op, after=()) -> None:
        with self._cond:
            if self._stopping:
                return
            if op is not None:
                self._op = op
            self._after.extend(after)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="convviz-autosave", daemon=True)
                self._thread.start()
            self._cond.notify()

    def shutdown(self, final_op) -> None:
        """Run ``final_op`` (if the thread ever ran), stop the thread and join it."""
        with self._cond:
            thread = self._thread
            if thread is None:
                self._stopping = True
                return
            if final_op is not None:
                self._op = final_op
            self._stopping = True
            self._cond.notify()
        thread.join()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._op is None and not self._after and not self._stopping:
                    self._cond.wait()
                op, self._op = self._op, None
                after, self._after = self._after, []
                stopping = self._stopping
            if op is not None:
                self._do(op)
            for fn in after:
                try:
                    fn()
                except OSError:
                    pass
            if stopping:
                with self._cond:
                    if self._op is None and not self._after:
                        break
        if self._lock is not None:
            self._lock.unlock()

    def _do(self, op) -> None:
        json_path, meta_path = self.stem + ".json", self.stem + ".meta.json"
        try:
            if op[0] == "write":
                _, project, meta = op
                os.makedirs(os.path.dirname(self.stem), mode=0o700, exist_ok=True)
                if self._lock is None:
                    self._lock = _new_lock(self.stem + ".lock")
                    self._lock.tryLock(0)
                _write_json_atomic(meta_path, meta)  # first: the project file is what makes a copy
                save(project, json_path)
                self.writes += 1
            else:
                _remove(json_path, meta_path)
        except (OSError, ValueError) as e:
            self.on_error(json_path, getattr(e, "strerror", None) or str(e))


@dataclass(eq=False)
class Orphan:
    """Unsaved work a session that is no longer running left behind."""
    stem: str
    lock: QtCore.QLockFile
    project: Project | None = None
    path: str | None = None  # the project's own file, if it had one
    saved: float = 0.0
    problem: str | None = None
    files: tuple = field(default=())

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved)) if self.saved else "?"
        what = os.path.basename(self.path) if self.path else (
            (self.project.title if self.project and self.project.title else "") or tr("Untitled"))
        return tr("{what}, last changed {when}").format(what=what, when=when)

    def release(self, remove: bool) -> None:
        """Forget this copy: delete its files (remove) or leave them for a later start."""
        if remove:
            _remove(self.stem + ".json", self.stem + ".meta.json")
        self.lock.unlock()


def find_orphans(folder: str | None = None) -> list[Orphan]:
    """Copies whose session is no longer running, newest first; their locks are taken (claimed)
    so no other running session offers them too."""
    folder = folder or autosave_dir()
    found = []
    for json_path in glob.glob(os.path.join(glob.escape(folder), "*.json")):
        if json_path.endswith(".meta.json"):
            continue
        stem = json_path[:-5]
        lock = _new_lock(stem + ".lock")
        if not lock.tryLock(0):
            continue  # its session is alive (or another one claimed it)
        o = Orphan(stem, lock)
        try:
            with open(stem + ".meta.json", encoding="utf-8") as f:
                meta = json.load(f)
            path = meta.get("path") if isinstance(meta, dict) else None
            o.path = path if isinstance(path, str) and path else None
            saved = meta.get("saved") if isinstance(meta, dict) else None
            o.saved = float(saved) if isinstance(saved, (int, float)) else 0.0
        except (OSError, ValueError):
            pass
        if not o.saved:
            try:
                o.saved = os.path.getmtime(json_path)
            except OSError:
                pass
        try:
            o.project = load(json_path)
        except ProjectError as e:
            o.problem = str(e)
        found.append(o)
    # lock files left by sessions that ended between a removal and their exit
    for lock_path in glob.glob(os.path.join(glob.escape(folder), "*.lock")):
        if not os.path.exists(lock_path[:-5] + ".json"):
            lock = _new_lock(lock_path)
            if lock.tryLock(0):
                lock.unlock()
    found.sort(key=lambda o: o.saved, reverse=True)
    return found


class Autosaver(QtCore.QObject):
    """Writes the document's unsaved project to the data folder, off the GUI thread."""

    failed = Signal(str)  # a sentence naming the file, once per run of failures
    _error = Signal(str, str)  # from the writer thread: path, reason

    def __init__(self, doc, parent=None, folder: str | None = None):
        super().__init__(parent)
        self.doc = doc
        self.folder = folder or autosave_dir()
        sid = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.stem = os.path.join(self.folder, sid)
        self.path = self.stem + ".json"
        self.delay_ms, self.max_delay_ms = DELAY_MS, MAX_DELAY_MS
        self.orphans: list[Orphan] = []  # copies offered for recovery (their locks are held)
        self._writer = _Writer(self.stem, lambda p, why: self._error.emit(p, why))
        self._error.connect(self._report)
        self._reported = False
        self._pending_since: float | None = None
        self._written = False
        self._kept: tuple | None = None  # the (project, path) last written
        self._closed = False
        self.timer = QtCore.QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.save_now)
        doc.changed.connect(self._edited)
        doc.dirty_changed.connect(self._edited)

    @property
    def writes(self) -> int:
        return self._writer.writes

    def _report(self, path: str, why: str) -> None:
        if not self._reported:
            self._reported = True
            self.failed.emit(tr("Autosave failed: {path}: {why}").format(path=path, why=why))

    def _edited(self, *_):
        if self._closed:
            return
        work = self.doc.unsaved_work()  # the learner's own project, never a lesson's (it is put aside)
        if work is not None and self._kept is not None and work[0] is self._kept[0] and work[1] == self._kept[1]:
            return  # a lesson changed; the learner's work put aside is already kept as it is
        if work is None:
            self.timer.stop()
            self._pending_since = None
            if self._written:
                self._writer.put(("remove",))
                self._written = False
            self._kept = None
            return
        now = time.monotonic()
        if self._pending_since is None:
            self._pending_since = now
        if (now - self._pending_since) * 1000 >= self.max_delay_ms:
            self.save_now()
        else:
            self.timer.start(self.delay_ms)

    def save_now(self, after=()) -> None:
        """Write (or, when there is nothing unsaved, remove) the copy now, then run ``after``."""
        if self._closed:
            return
        self.timer.stop()
        self._pending_since = None
        work = self.doc.unsaved_work()
        if work is not None:
            project, path = work
            meta = {"path": path, "saved": time.time(), "pid": os.getpid()}
            self._writer.put(("write", project, meta), after)
            self._written = True
            self._kept = work
            self._reported = False
        else:
            self._writer.put(("remove",) if self._written else None, after)
            self._written = False
            self._kept = None

    def adopt(self, orphan: Orphan) -> None:
        """The window now shows ``orphan``'s project: write it as this session's copy, and only
        then remove the old one."""
        if orphan in self.orphans:
            self.orphans.remove(orphan)
        self.save_now(after=[lambda: orphan.release(remove=True)])

    def shutdown(self, remove: bool = True) -> None:
        """Stop the timer and the writer (joined); a normal quit removes this session's copy and
        leaves the copies it offered but did not restore for the next start."""
        if self._closed:
            return
        self._closed = True
        self.timer.stop()
        self._writer.shutdown(("remove",) if remove else None)
        for o in self.orphans:
            o.lock.unlock()
        self.orphans = []


# --- the recovery offer ------------------------------------------------------------------------

def recovery_box(window, orphan: Orphan) -> QtWidgets.QMessageBox:
    box = QtWidgets.QMessageBox(window)
    box.setIcon(QtWidgets.QMessageBox.Icon.Question)
    box.setWindowTitle(tr("Recover unsaved work"))
    box.setText(tr("convviz was not closed normally. Unsaved work was kept: {what}.").format(what=orphan.describe()))
    box.setInformativeText(tr("Restore it now? Discard deletes the copy; Later keeps it for File > "
                              "Recover Unsaved Work."))
    box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Yes | QtWidgets.QMessageBox.StandardButton.Discard |
                           QtWidgets.QMessageBox.StandardButton.Cancel)
    box.button(QtWidgets.QMessageBox.StandardButton.Yes).setText(tr("Restore"))
    box.button(QtWidgets.QMessageBox.StandardButton.Cancel).setText(tr("Later"))
    box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Yes)
    return box


def offer_recovery(window) -> bool:
    """At start-up: find copies left by sessions that did not end normally and offer the newest
    (a dialog; with $CONVVIZ_NO_DIALOGS a status message).  File > Recover Unsaved Work stays
    enabled while copies remain.  Returns whether something was offered."""
    saver = window.autosaver
    saver.orphans = find_orphans(saver.folder)
    window.act_recover.setEnabled(bool(saver.orphans))
    if not saver.orphans:
        return False
    orphan = saver.orphans[0]
    if os.environ.get("CONVVIZ_NO_DIALOGS"):
        window.status.showMessage(tr("Unsaved work was kept when convviz last stopped ({what}): "
                                     "File > Recover Unsaved Work restores it.").format(what=orphan.describe()), 0)
        return True
    box = recovery_box(window, orphan)
    box.exec()
    answer = box.standardButton(box.clickedButton()) if box.clickedButton() else None
    box.deleteLater()
    if answer == QtWidgets.QMessageBox.StandardButton.Yes:
        recover(window, orphan)
    elif answer == QtWidgets.QMessageBox.StandardButton.Discard:
        saver.orphans.remove(orphan)
        orphan.release(remove=True)
        window.act_recover.setEnabled(bool(saver.orphans))
    return True


def recover(window, orphan: Orphan | None = None) -> bool:
    """Put a kept copy (the newest, unless given) in the window, unsaved, with its own file name
    if it had one; the copy becomes this session's autosave."""
    saver = window.autosaver
    if orphan is None:
        if not saver.orphans:
            saver.orphans = find_orphans(saver.folder)
        if not saver.orphans:
            window.act_recover.setEnabled(False)
            window.status.showMessage(tr("There is no unsaved work to recover."), 5000)
            return False
        orphan = saver.orphans[0]
    if orphan.project is None:
        if orphan in saver.orphans:
            saver.orphans.remove(orphan)
        window._warn(tr("The unsaved work cannot be restored"), f"{orphan.stem}.json: {orphan.problem}")
        _remove(orphan.stem + ".meta.json")
        try:
            os.replace(orphan.stem + ".json", orphan.stem + ".unreadable")
        except OSError:
            pass
        orphan.lock.unlock()
        window.act_recover.setEnabled(bool(saver.orphans))
        return False
    if not window.maybe_save():
        return False
    path = orphan.path if orphan.path and os.path.isdir(os.path.dirname(orphan.path)) else None
    window.set_project(orphan.project, path)
    window.doc.undo_stack.resetClean()  # restored work is unsaved work
    saver.adopt(orphan)
    window.act_recover.setEnabled(bool(saver.orphans))
    window.status.showMessage(tr("Restored unsaved work: {what}").format(what=orphan.describe()), 15000)
    return True
