"""Starting the desktop app: the QApplication, the main window, the first project, and the
``--self-test --screenshot PATH`` path that tests, CI and the packaged executable share."""
from __future__ import annotations

import os
import stat
import sys
import time

from .qt import QtCore, QtGui, QtWidgets


def make_app(argv=None) -> QtWidgets.QApplication:
    app = QtWidgets.QApplication.instance()
    if app is None:
        QtCore.QCoreApplication.setOrganizationName("convviz")
        QtCore.QCoreApplication.setApplicationName("convviz")
        app = QtWidgets.QApplication(list(argv or sys.argv[:1]))
        app.setApplicationDisplayName("convviz")
        app.setStyle("Fusion")
    return app


def initial_project(window, path: str | None) -> str | None:
    """The project given on the command line (a file, or ``preset:NAME`` as ``describe``
    takes it), else the last one (if it still opens), else the teaching preset.  The
    remembered project is settings, and settings never stop the start: one that is missing, not
    a regular file, damaged or hostile is skipped with a note in the status bar (no dialog), and
    the app starts with the teaching preset.

    Returns None, or the sentence saying why the project named on the command line could not
    be opened (the teaching preset is shown then, with that sentence in the status bar)."""
    from convviz.project import ProjectError
    from convviz.samples import DEFAULT_PRESET, load_preset

    from .i18n import tr, tr_core
    from .main_window import _one_line, read_project
    from .settings import read_path
    notes = list(getattr(window, "startup_notes", []))
    if path:
        if path.startswith("preset:"):
            opened = window.open_preset(path[len("preset:"):], ask=False)
        else:
            opened = window.open_path(path, ask=False)
        if opened:
            return None
        problem = window.status.currentMessage() or tr("{p} could not be opened").format(p=_one_line(path))
        window.set_project(load_preset(DEFAULT_PRESET), None)
        window.status.showMessage(problem, 60000)
        return problem
    else:
        last, note = read_path(window.settings, "project/last")
        notes += [note] if note else []
        if last:
            try:
                st = os.stat(last)  # never opened unless it is a regular file (a FIFO would block)
                if not stat.S_ISREG(st.st_mode):
                    raise ProjectError("", tr("it is not a regular file"))
                project = read_project(last)
            except FileNotFoundError:
                notes.append(tr("The last project {p} no longer exists; starting with the teaching preset").format(
                    p=_one_line(last)))
            except (OSError, ProjectError) as e:
                why = tr_core(e) if isinstance(e, ProjectError) else getattr(e, "strerror", None) or str(e)
                notes.append(tr("The last project {p} was not opened ({why}); starting with the teaching "
                                "preset").format(p=_one_line(last), why=_one_line(why)))
            else:
                window.set_project(project, os.path.abspath(last))
                _show_notes(window, notes)
                return None
    window.set_project(load_preset(DEFAULT_PRESET), None)
    _show_notes(window, notes)
    return None


def _show_notes(window, notes) -> None:
    if notes:
        window.status.showMessage(" · ".join(notes), 60000)


def self_test(window, app, screenshot: str | None, timeout_s: float = 240.0) -> int:
    """Wait for the first complete compute, save a screenshot, check it is not blank."""
    done = {"ok": None, "why": ""}

    def finished(gen):
        if gen == window.generation and done["ok"] is None:
            _timing("first_maps")
            res = window.last_result
            if res is None or res.error:
                done.update(ok=False, why=res.error if res else "no result")
            else:
                done["ok"] = True

    def failed(msg):
        if done["ok"] is None:
            done.update(ok=False, why=msg)

    window.maps_updated.connect(finished)
    window.compute_failed.connect(failed)
    t0 = time.monotonic()
    while done["ok"] is None and time.monotonic() - t0 < timeout_s:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if done["ok"] is None:
        print(f"convviz self-test: no maps after {timeout_s:.0f} s", file=sys.stderr)
        return 1
    if not done["ok"]:
        print(f"convviz self-test: compute failed: {done['why']}", file=sys.stderr)
        return 1
    for _ in range(5):
        app.processEvents()
    if screenshot:
        img = window.grab().toImage()
        if not img.save(screenshot, "PNG"):
            print(f"convviz self-test: cannot write {screenshot}", file=sys.stderr)
            return 1
        if _is_blank(img):
            print("convviz self-test: the screenshot is blank", file=sys.stderr)
            return 1
    from convviz.messages import escape
    title = window.project.title or os.path.basename(window.doc.path or "") or "untitled"
    print(f"convviz self-test: ok ({escape(title, 120)}: {len(window.project.layers)} layers, first maps after "
          f"{time.monotonic() - t0:.1f} s)")
    return 0


def _timing(mark: str) -> None:
    """With $CONVVIZ_TIMING set, print wall-clock marks for the start-up benchmark."""
    if os.environ.get("CONVVIZ_TIMING"):
        print(f"timing:{mark}={time.time():.6f}", flush=True)


def _is_blank(img: QtGui.QImage) -> bool:
    seen = set()
    step = max(1, img.width() // 64)
    for y in range(0, img.height(), step):
        for x in range(0, img.width(), step):
            seen.add(img.pixel(x, y))
            if len(seen) > 16:
                return False
    return True


def _language(window_settings, override: str | None) -> str:
    from .i18n import system_language
    if override:
        return override
    saved = window_settings.value("view/language", "")
    return str(saved) if saved else system_language()


class Session(QtCore.QObject):
    """Owns the main window.  Switching language builds a new window (every label is made in
    the new language) and hands it the same Document: the project, its undo history, its file,
    a walkthrough chapter with the learner's project put aside; the chapter's progress and the
    view (docks, toggles, tab, selected layer, receptive field) follow.  Nothing is asked:
    nothing is replaced."""

    def __init__(self, app, restore_layout: bool = True):
        super().__init__()
        self.app = app
        self.restore_layout = restore_layout
        self.window = None

    def open(self, doc=None):
        from .main_window import MainWindow
        w = MainWindow(restore_layout=self.restore_layout, doc=doc)
        w.language_requested.connect(self.switch_language)
        self.window = w
        return w

    def switch_language(self, lang: str) -> None:
        from .document import Document
        from .i18n import install
        old = self.window
        doc = old.doc
        lesson = old.walkthrough.lesson_state()
        view = _view_state(old)
        old.settings.setValue("view/language", lang)
        install(self.app, lang)
        # The document leaves the old window: its connections there are cut, and the old window
        # keeps a clean stand-in (naming the same file), so closing it asks nothing and changes
        # nothing of the learner's work.
        doc.detach()
        doc.setParent(None)
        stand_in = Document(parent=old)
        stand_in.path = doc.own_path
        old.doc = stand_in
        self.window = None
        w = self.open(doc)
        w.restoreGeometry(view["geometry"])
        w.restoreState(view["state"])
        w.show()
        doc.announce()  # the new window draws the project as it is (history untouched)
        w.autosaver.save_now()  # the unsaved work is kept under this window's name at once
        w.start()
        if lesson is not None:
            w.walkthrough.resume(lesson)
        _restore_view(w, view)
        old.close()  # cancels its jobs; never waits for a long layer
        old.deleteLater()  # and it goes, with its maps (a replaced window was kept alive before)


def _view_state(w) -> dict:
    """What the learner set up in the window, beyond the document: docks and their places,
    the View menu's toggles, the tab, the selected layer, the receptive field shown."""
    return {"geometry": w.saveGeometry(), "state": w.saveState(),
            "checked": [a.isChecked() if a.isCheckable() else None for a in w.actions()],
            "tab": w.tabs.currentIndex(), "layer": w.layers.current(), "field": w.field}


def _restore_view(w, view: dict) -> None:
    actions = w.actions()
    if len(actions) == len(view["checked"]):  # the same window, built by the same code
        for a, checked in zip(actions, view["checked"]):
            if checked is not None and a.isCheckable() and a.isChecked() != checked:
                a.setChecked(checked)  # the state only: no action is triggered
    w.tabs.setCurrentIndex(view["tab"])
    if 0 <= view["layer"] < len(w.project.layers):
        w.layers.select(view["layer"])
    if view["field"]:
        w.show_field(*view["field"])


def run_gui(args) -> int:
    from .i18n import install
    from .settings import settings
    app = make_app()
    install(app, _language(settings(), getattr(args, "lang", None)))
    session = Session(app, restore_layout=not args.self_test)
    window = session.open()
    if args.self_test:
        # The self-test is reproducible: a fixed window size, not the remembered layout.
        os.environ.setdefault("CONVVIZ_NO_DIALOGS", "1")
        window.resize(1440, 900)
    # The project before the window (pure arithmetic: shapes and every panel's size, no torch),
    # so the window appears with its final layout, not an empty default state that then moves.
    problem = initial_project(window, args.project)
    if args.self_test and problem:  # the self-test checks the project asked for, not a stand-in
        print(f"convviz self-test: the project was not opened: {problem}", file=sys.stderr)
        window.doc.undo_stack.setClean()
        window.close()
        return 1
    window.show()
    app.processEvents()
    _timing("window_shown")
    if os.environ.get("CONVVIZ_TIMING"):
        print(f"timing:torch_loaded_at_show={'torch' in sys.modules}", flush=True)
    if not args.self_test:
        from .autosave import offer_recovery
        offer_recovery(window)  # work a crashed or killed session left unsaved
    window.start()
    if getattr(args, "weights", None):  # strict, off the GUI thread; a refusal is a sentence
        window.weights_actions.load_weights(args.weights)
    if getattr(args, "walkthrough", False):
        window.open_walkthrough()
    if args.self_test:
        code = self_test(window, app, args.screenshot)
        window.doc.undo_stack.setClean()
        window.close()
        return code
    return app.exec()


def wait_for_maps(app, window, timeout: float = 120.0) -> bool:
    """Run the event loop until the window shows the newest maps."""
    t0 = time.monotonic()
    while not (window.last_result is not None and window.last_result.generation == window.generation):
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if time.monotonic() - t0 > timeout:
            return False
    for _ in range(3):
        app.processEvents()
    return True


SHAPES_TABLE_WORDS = ("shapes table", "形状表")  # a chapter that names the table shows it on its page


def render_walkthrough(out_dir: str, lang: str = "en", only: tuple[str, ...] | None = None,
                       pdf: str | None = None) -> list[str]:
    """Render every chapter's page beside its live view to PNG (headless): a class handout.

    Each chapter is shown after its task has been done, so the page shows the result; the pages
    are full-colour PNG (RGB, not a 256-colour palette), the shapes table is shown when the
    chapter's text or task names it, the control the chapter asks for stays highlighted, the
    walkthrough column is wide enough for its texts, and what the previous chapter left (its
    extras, the stepper's flip) is gone before the grab.  ``only``: chapter keys to render
    (default: all).  ``pdf``: also write the pages as one PDF there, a page each (A4 landscape)."""
    from .i18n import install
    from .main_window import MainWindow
    from .walkthrough.chapters import chapter_text
    os.environ.setdefault("CONVVIZ_NO_DIALOGS", "1")
    app = make_app()
    install(app, lang)
    os.makedirs(out_dir, exist_ok=True)
    window = MainWindow(restore_layout=False)
    window.ask_save_changes = lambda: "discard"
    window.resize(1920, 1200)
    window.show()
    window.start()
    shapes = window.findChild(QtWidgets.QDockWidget, "shapesDock")
    window.findChild(QtWidgets.QDockWidget, "channelDock").hide()
    written = []
    try:
        for i, ch in enumerate(window.walkthrough.chapters):
            if only is not None and ch.key not in only:
                continue
            names_table = any(w in (chapter_text(ch.key, lang) + ch.task).lower() for w in SHAPES_TABLE_WORDS)
            shapes.setVisible(names_table)
            window.walkthrough._unflash()  # the previous chapter's highlight (it lasts 4 s) is not this one's
            window.open_walkthrough(i)
            dock = window.findChild(QtWidgets.QDockWidget, "walkthroughDock")
            window.resizeDocks([dock], [700], QtCore.Qt.Orientation.Horizontal)
            if names_table:
                window.resizeDocks([shapes], [170], QtCore.Qt.Orientation.Vertical)
            if not wait_for_maps(app, window):
                raise RuntimeError(f"chapter {ch.key}: no maps")
            window.status.clearMessage()  # what entering said (an earlier chapter's weights going) is not this page's
            window.walkthrough.solve()
            if not wait_for_maps(app, window):
                raise RuntimeError(f"chapter {ch.key}: no maps after its task")
            for extra in list(window.walkthrough.extras.values()):  # experiments run as the learner would
                prepare = getattr(extra, "prepare_handout", None)
                if prepare is not None and not prepare(app):
                    raise RuntimeError(f"chapter {ch.key}: its experiment did not finish")
            # the previous chapter's widgets are deleted, not merely hidden, before the grab
            QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
            target = ch.highlight(window)
            if target is not None:  # the control the chapter names, highlighted and scrolled into view
                window.walkthrough.flash(target)
                area = target.parent()
                while area is not None and not isinstance(area, QtWidgets.QScrollArea):
                    area = area.parent()
                if area is not None:
                    area.ensureWidgetVisible(target)
            for w in window.features.widgets:
                w.render_if_dirty()
            # as much of the chapter's text on the page as the extras below it can give up (they scroll)
            text, split = window.walkthrough.text, window.walkthrough.split
            app.processEvents()
            text.document().setTextWidth(text.viewport().width())
            need = int(text.document().size().height()) + 2 * text.frameWidth() + 8
            total = sum(split.sizes())
            lower = split.widget(1).minimumSizeHint().height()
            split.setSizes([min(need, max(text.minimumSizeHint().height(), total - lower)),
                            max(lower, total - need)])
            for _ in range(3):
                app.processEvents()
            path = os.path.join(out_dir, f"{ch.key}{'' if lang == 'en' else '.' + lang}.png")
            img = window.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB888)
            if not img.save(path, "PNG"):
                raise RuntimeError(f"cannot write {path}")
            written.append(path)
    finally:
        window.walkthrough._unflash()
        window.doc.undo_stack.setClean()
        window.close()
        window.deleteLater()  # its threads are joined; Qt's connections would otherwise keep it alive
    if pdf:
        from .walkthrough.glossary import table_html
        write_pdf(pdf, written, table_html(lang))
        written.append(pdf)
    return written


def write_pdf(path: str, pages: list[str], last_html: str = "") -> None:
    """The PNG ``pages`` as one PDF, each on an A4 landscape page, scaled to fit (300 dpi); then
    ``last_html`` (the glossary) on a page of its own."""
    writer = QtGui.QPdfWriter(path)
    writer.setPageLayout(QtGui.QPageLayout(QtGui.QPageSize(QtGui.QPageSize.PageSizeId.A4),
                                           QtGui.QPageLayout.Orientation.Landscape, QtCore.QMarginsF(8, 8, 8, 8),
                                           QtGui.QPageLayout.Unit.Millimeter))
    writer.setResolution(300)
    writer.setTitle("convviz walkthrough")
    painter = QtGui.QPainter()
    if not painter.begin(writer):
        raise RuntimeError(f"cannot write {path}")
    try:
        for i, page in enumerate(pages):
            if i:
                writer.newPage()
            img = QtGui.QImage(page)
            area = painter.viewport()
            size = img.size().scaled(area.size(), QtCore.Qt.AspectRatioMode.KeepAspectRatio)
            painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QtCore.QRect(area.x(), area.y(), size.width(), size.height()), img)
        if last_html:
            writer.newPage()
            doc = QtGui.QTextDocument()
            font = QtGui.QFont(QtGui.QGuiApplication.font())
            font.setPointSizeF(9)
            doc.setDefaultFont(font)
            doc.setHtml(last_html)
            area = painter.viewport()
            scale = area.width() / 1100  # lay the table out 1100 px wide, then scale it to the page
            doc.setTextWidth(1100)
            painter.save()
            painter.scale(scale, scale)
            doc.drawContents(painter)
            painter.restore()
    finally:
        painter.end()
