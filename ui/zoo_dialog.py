"""File > Import > torchvision Model…: torchvision's classification architectures, the plain
chains importable as a convviz project, the others greyed with the reason they are refused.

Reading the list imports torchvision (and torch), seconds on a cold start, so it runs as a
background job and the dialog says so meanwhile; converting the chosen architecture is a job
too.  Without torchvision the dialog is a sentence saying how to add it
(convviz.zoo.torchvision_problem()).  Importing replaces the project, so the usual unsaved-changes
question comes first (as opening a preset does); nothing changes when it is answered Cancel or
when the import fails.

``ZooImport(window)`` is the controller the window keeps (``window.zoo``): ``open()`` shows the
dialog, ``import_name(name)`` imports without it.  The dialog is shown without blocking, so
tests drive it: ``zoo.dialog`` is the ZooDialog on show.
"""
from __future__ import annotations

from convviz.arithmetic import human_count

from .i18n import tr, tr_core
from .qt import QtCore, QtGui, QtWidgets, Qt

NAME_ROLE = Qt.ItemDataRole.UserRole
REFUSED_COLOUR = "#888888"


class ZooDialog(QtWidgets.QDialog):
    """The list: two groups, the importable chains and the refused architectures."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("zooDialog")
        self.setWindowTitle(tr("Import a torchvision model"))
        self.archs = []
        self.intro = QtWidgets.QLabel(tr(
            "torchvision's image classifiers. convviz shows a network that is one chain of layers, each feeding the "
            "next; an architecture with branches, skip connections or attention is listed greyed, with the reason."))
        self.intro.setWordWrap(True)
        self.tree = QtWidgets.QTreeWidget()
        self.tree.setObjectName("zooList")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([tr("Architecture"), tr("Parameters"), tr("ImageNet weights")])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setMouseTracking(True)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.tree.setMinimumHeight(300)
        self.reason = QtWidgets.QLabel(tr("Reading torchvision's architectures…"))
        self.reason.setObjectName("zooReason")
        self.reason.setWordWrap(True)
        self.reason.setMinimumHeight(self.reason.fontMetrics().lineSpacing() * 3)
        self.reason.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok |
                                                  QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(tr("Import"))
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.reason)
        lay.addWidget(self.buttons)
        self.tree.currentItemChanged.connect(lambda cur, _prev: self._current(cur))
        self.tree.itemEntered.connect(lambda it, _col: self._describe(it))
        self.tree.itemDoubleClicked.connect(lambda it, _col: self._chosen(it))
        self.resize(640, 560)

    def set_problem(self, sentence: str) -> None:
        """torchvision cannot be used: the sentence says how to add it."""
        self.tree.clear()
        self.tree.setEnabled(False)
        self.reason.setText(sentence)
        self.ok.setEnabled(False)

    def set_architectures(self, archs) -> None:
        self.archs = list(archs)
        self.tree.clear()
        chains = [a for a in self.archs if a.chain]
        refused = [a for a in self.archs if not a.chain]
        ok_group = QtWidgets.QTreeWidgetItem([tr("Plain chains: can be imported ({n})").format(n=len(chains))])
        no_group = QtWidgets.QTreeWidgetItem([tr("Refused: not a plain chain ({n})").format(n=len(refused))])
        for g in (ok_group, no_group):
            g.setFlags(Qt.ItemFlag.ItemIsEnabled)
            f = g.font(0)
            f.setBold(True)
            g.setFont(0, f)
            self.tree.addTopLevelItem(g)
            g.setFirstColumnSpanned(True)
        grey = QtGui.QBrush(QtGui.QColor(REFUSED_COLOUR))
        for a in chains + refused:
            params = human_count(a.parameters) if a.parameters else "–"
            weights = tr("yes") if a.weights else ""
            it = QtWidgets.QTreeWidgetItem([a.title, params, weights])
            it.setData(0, NAME_ROLE, a.name)
            it.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if a.parameters:
                it.setToolTip(1, tr("{n} parameters").format(n=f"{a.parameters:,}"))
            if a.chain:
                it.setToolTip(0, tr("{t} ({n}): a plain chain of layers").format(t=a.title, n=a.name))
                ok_group.addChild(it)
            else:
                why = self._why(a)
                for col in range(3):
                    it.setForeground(col, grey)
                    it.setToolTip(col, why)
                no_group.addChild(it)
        ok_group.setExpanded(True)
        no_group.setExpanded(True)
        self.tree.setEnabled(True)
        for col in (1, 2):
            self.tree.resizeColumnToContents(col)
        first = ok_group.child(0) if ok_group.childCount() else None
        if first is not None:
            self.tree.setCurrentItem(first)
            self.tree.scrollToTop()
        else:
            self.reason.setText(tr("torchvision lists no architecture that is a plain chain."))

    @staticmethod
    def _why(a) -> str:
        if a.reason:  # a sentence naming the architecture and what convviz cannot compute
            return tr_core(a.reason)
        return tr("{t} cannot be imported: it is not a plain chain of layers").format(t=a.title)

    def arch(self, name: str):
        return next((a for a in self.archs if a.name == name), None)

    def _describe(self, item) -> None:
        a = self.arch(item.data(0, NAME_ROLE)) if item is not None else None
        if a is None:
            return
        if a.chain:
            text = tr("{t}: {p} parameters; ends in {w}.").format(
                t=a.title, p=f"{a.parameters:,}" if a.parameters else "?",
                w=tr("1,000 ImageNet classes, with official weights to load after the import") if a.weights else
                tr("its classifier (no official weights)"))
        else:
            text = self._why(a)
        self.reason.setText(text)

    def _current(self, item) -> None:
        self._describe(item)
        self.ok.setEnabled(self.selected() is not None)

    def selected(self) -> str | None:
        """The chosen architecture's name, if it can be imported."""
        it = self.tree.currentItem()
        a = self.arch(it.data(0, NAME_ROLE)) if it is not None else None
        return a.name if a is not None and a.chain else None

    def select(self, name: str) -> bool:
        """Make ``name`` the current item (tests and scripted use)."""
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for i in range(group.childCount()):
                it = group.child(i)
                if it.data(0, NAME_ROLE) == name:
                    self.tree.setCurrentItem(it)
                    return True
        return False

    def item(self, name: str):
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for i in range(group.childCount()):
                if group.child(i).data(0, NAME_ROLE) == name:
                    return group.child(i)
        return None

    def _chosen(self, item) -> None:
        self._current(item)
        if self.selected() is not None:
            self.accept()


def _list_job(job):  # a background thread: imports torchvision, builds each on the meta device
    from convviz import zoo
    problem = zoo.torchvision_problem()
    if problem:
        return ("problem", problem)
    return ("list", zoo.architectures())


def _import_job(name):
    def fn(job):  # a background thread
        from convviz import zoo
        try:
            return ("project", zoo.import_architecture(name))
        except zoo.ZooError as e:
            return ("problem", e.args[0] if e.args else str(e))  # a Msg: translated on show
    return fn


class ZooImport(QtCore.QObject):
    """The window's torchvision import (see the module doc)."""

    imported = QtCore.Signal(str)  # the architecture's name, once its project is on show

    def __init__(self, window):
        super().__init__(window)
        self.win = window
        self.dialog: ZooDialog | None = None
        self.problem: str | None = None  # the last sentence said instead of importing

    def open(self) -> ZooDialog:
        """Show the dialog (filled when torchvision's list is read)."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        dlg = ZooDialog(self.win)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dlg
        dlg.accepted.connect(lambda d=dlg: d.selected() and self.import_name(d.selected()))
        dlg.destroyed.connect(lambda *_: setattr(self, "dialog", None) if self.dialog is dlg else None)
        self.win.runner.submit("zoo-list", _list_job, label=tr("Reading torchvision's architectures"),
                               on_done=lambda r, d=dlg: self._listed(d, r),
                               on_failed=lambda s, d=dlg: self._listed(d, ("problem", s)))
        dlg.open()
        return dlg

    def _listed(self, dlg: ZooDialog, result) -> None:
        if self.dialog is not dlg:
            return  # closed meanwhile
        kind, value = result
        if kind == "problem":
            self.problem = tr_core(value)
            dlg.set_problem(self.problem)
            self.win._warn(tr("torchvision is not available"), self.problem)
        else:
            dlg.set_architectures(value)

    def import_name(self, name: str) -> None:
        """Convert torchvision's ``name`` (a background job) and show it as a new project, after
        the unsaved-changes question; a refused or unknown name is a sentence and nothing
        changes."""
        self.win.runner.submit("zoo-import", _import_job(name), label=tr("Importing {n}").format(n=name),
                               on_done=lambda r: self._converted(name, r),
                               on_failed=lambda s: self._converted(name, ("problem", s)))

    def _converted(self, name: str, result) -> None:
        kind, value = result
        if kind == "problem":
            self.problem = tr_core(value)
            self.win._warn(tr("This model cannot be imported"), self.problem)
            return
        self.problem = None
        if not self.win.maybe_save():
            return
        self.win.set_project(value, None)
        self.win.status.showMessage(tr("Imported {t}: random initial weights until you load weights "
                                       "(File > Load Weights)").format(t=value.title or name), 15000)
        dock = self.win.findChild(QtWidgets.QDockWidget, "answerDock")
        if dock is not None and getattr(value, "labels", ""):  # a classifier: its answer beside the maps
            dock.show()
            dock.raise_()
        self.imported.emit(name)
