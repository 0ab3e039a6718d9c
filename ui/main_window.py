"""The workbench window: the stack, the input, every layer's maps, the shapes table.

Data flow: every edit becomes an undoable Document command; on each document change the window
analyses the project (pure arithmetic, so shapes and messages appear at once), updates the
panels and submits a compute request with a new generation number.  Maps arrive from the
compute thread layer by layer; anything from an older generation is dropped.
"""
from __future__ import annotations

import os
import weakref
from dataclasses import replace

from convviz.export import to_pytorch
from convviz import edits
from convviz.project import Project, ProjectError, load, save
from convviz.samples import PRESETS, InputError, load_preset
from convviz.spec import SpecError
from convviz.validate import StackInfo

from .document import Document
from .feature_view import ChannelView, FeatureArea
from .input_panel import InputPanel
from .layer_panel import LayerPanel, build_add_menu, default_spec
from .i18n import tr, tr_core, tr_in, tr_preset, tr_title
from .qt import QtGui, QtWidgets, Qt, Signal
from .settings import NORMALISATIONS, read_bytes, read_choice, read_compute, read_int, read_paths, settings
from .session import ComputeSession, JobStatus, first_difference  # noqa: F401 - first_difference re-exported
from .shapes_table import ShapesTable
from .stepper import SlidingView

MAX_RECENT = 8
_instances: "weakref.WeakSet[MainWindow]" = weakref.WeakSet()  # every window alive (tests check for leaks)
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp)"
PROJECT_FILTER = "convviz projects (*.json)"




def read_project(path: str) -> Project:
    """A project file the window can show: convviz.project.load, then the analysis the window
    runs on every change, so a file that would break it is refused before anything changes.
    Every failure is a ProjectError."""
    try:
        project = load(path)
        project.analyze()
    except ProjectError:
        raise
    except Exception as e:  # noqa: BLE001 - a hostile file never reaches the user as a traceback
        raise ProjectError("", f"{type(e).__name__}: {e}") from None
    return project


class MainWindow(QtWidgets.QMainWindow):
    maps_updated = Signal(int)  # generation whose maps are now all shown
    compute_failed = Signal(str)
    language_requested = Signal(str)

    def __init__(self, parent=None, restore_layout: bool = True, doc: Document | None = None):
        super().__init__(parent)
        self.setObjectName("convvizMainWindow")
        self.setAcceptDrops(True)
        self.resize(1440, 900)
        self.doc = doc if doc is not None else Document()  # a language switch hands the document over
        self.doc.setParent(self)
        self.natural_size: tuple[int, int] | None = None
        # Receptive fields, the effective field, the enlarged channel and layer pictures (ui/field_view.py)
        from .field_view import FieldView
        self.fields = FieldView(self)
        # One owner of the compute thread, every background job and every result (ui/session.py).
        self.session = ComputeSession(parent=self)
        self.runner = self.session.runner
        _instances.add(self)
        self.settings = settings()
        # Settings are user data that may be damaged: each is read through a checker, and what
        # was unusable is named in the status bar (startup_notes) while the defaults are used.
        self.device, self.threads, self.startup_notes = read_compute(self.settings)
        self.norm, note = read_choice(self.settings, "view/normalisation", "channel", NORMALISATIONS)
        self.startup_notes += [note] if note else []
        # A hook so tests (and scripted use) can answer the unsaved-changes question.
        self.ask_save_changes = self._ask_save_changes

        self.features = FeatureArea()
        self.features.setMinimumWidth(480)
        self.stepper = SlidingView()
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setObjectName("centralTabs")
        self.tabs.addTab(self.features, tr("Feature maps"))
        self.tabs.addTab(self.stepper, tr("Kernel stepper"))
        self.setCentralWidget(self.tabs)
        self.layers = LayerPanel()
        self.input_panel = InputPanel()
        self.table = ShapesTable()
        self.channel = ChannelView()
        self._dock(tr("Input"), "inputDock", self.input_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock(tr("Layers"), "layersDock", self.layers, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock(tr("Shapes"), "shapesDock", self.table, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock(tr("Channel"), "channelDock", self.channel, Qt.DockWidgetArea.RightDockWidgetArea)
        from .i18n import current_language
        from .walkthrough import WalkthroughPanel
        self.walkthrough = WalkthroughPanel(self, current_language())
        wd = self._dock(tr("Walkthrough"), "walkthroughDock", self.walkthrough, Qt.DockWidgetArea.RightDockWidgetArea)
        wd.hide()
        # Training (ui/training_dock.py): ``self.training`` is the TrainingJob; views subscribe
        # to its ``snapshot`` signal
        from .training_dock import TrainingPanel
        self.training_panel = TrainingPanel(self)
        self.training = self.training_panel.job
        td = self._dock(tr("Training"), "trainingDock", self.training_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        td.hide()
        # What training shows (ui/views/): the kernels learning, predictions, the drawing pad
        from .views.drawing_pad import DrawingPad
        from .views.kernels import KernelsView
        from .views.predictions import PredictionsView
        self.kernels_view, self.predictions_view, self.drawing_pad = KernelsView(), PredictionsView(), DrawingPad()
        self.kernels_view.attach(self.session, self.training)
        self.kernels_view.add_switch(self.training_panel.trained_action,  # trained / initial, as the maps
                                     self.training_panel.show_trained_changed)
        self.kernels_view.kernel_clicked.connect(lambda layer, _k, _i: (self.layers.select(layer),
                                                                      self.show_stepper(layer)))
        self.predictions_view.attach(self.session, self.training)
        self.drawing_pad.attach(self.session, self.training)
        self._dock(tr("Kernels"), "kernelsDock", self.kernels_view, Qt.DockWidgetArea.RightDockWidgetArea).hide()
        self._dock(tr("Predictions"), "predictionsDock", self.predictions_view,
                   Qt.DockWidgetArea.RightDockWidgetArea).hide()
        self._dock(tr("Drawing pad"), "drawingDock", self.drawing_pad, Qt.DockWidgetArea.LeftDockWidgetArea).hide()
        # The 3-D kernel view (ui/views/kernel3d.py): follows the stepper beside it
        from .views.kernel3d import Kernel3DView
        self.kernel3d = Kernel3DView.for_window(self)
        self._dock(tr("3-D kernel"), "kernel3dDock", self.kernel3d, Qt.DockWidgetArea.RightDockWidgetArea).hide()
        # Real networks: torchvision import, weights in and out, the top-5 classes (issue 15)
        from .views.answer import AnswerView
        from .weights_actions import WeightsActions
        from .zoo_dialog import ZooImport
        self.zoo, self.weights_actions, self.answer_view = ZooImport(self), WeightsActions(self), AnswerView()
        self.answer_view.attach(self.session, self.weights_actions.source_name)
        answer = self._dock(tr("Top-5 Classes"), "answerDock", self.answer_view, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.findChild(QtWidgets.QDockWidget, "channelDock"), answer)
        answer.hide()
        self.resizeDocks([self.findChild(QtWidgets.QDockWidget, "layersDock")], [430], Qt.Orientation.Horizontal)
        self.resizeDocks([self.findChild(QtWidgets.QDockWidget, "channelDock")], [280], Qt.Orientation.Horizontal)
        self.resizeDocks([self.findChild(QtWidgets.QDockWidget, "shapesDock")], [200], Qt.Orientation.Vertical)
        # the left column (input, layers, arguments) runs the full height; the table sits under the maps
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)

        self.status = QtWidgets.QStatusBar()
        self.setStatusBar(self.status)
        self.compute_label = QtWidgets.QLabel(tr("Starting the compute engine…"))
        self.status.addPermanentWidget(self.compute_label)
        # Unsaved work is copied to the data folder a few seconds after each edit (ui/autosave.py).
        from .autosave import Autosaver
        self.autosaver = Autosaver(self.doc, self)
        self.autosaver.failed.connect(lambda msg: self.status.showMessage(msg, 15000))
        self.doc.refused.connect(lambda msg: self._warn(tr("This change cannot be made"), msg))
        self.maps_updated.connect(self._image_result)

        self.jobs = JobStatus(self.session)
        self.status.addPermanentWidget(self.jobs)
        s = self.session
        s.device, s.threads = self.device, self.threads
        s.engine_ready.connect(self._engine_ready)
        s.analysed.connect(lambda p, info, _first: self.table.set_project(p, info))
        s.result_ready.connect(self._result_ready)
        s.maps_updated.connect(self.maps_updated)
        s.failed.connect(self._compute_failed)
        s.state_changed.connect(self._session_state)
        self.features.attach(s)
        self.channel.attach(s, self.features)

        self._build_actions()
        self._build_menus()
        self._wire()
        if restore_layout:
            self._restore_layout()
        self.features.set_normalisation(self.norm)
        if self.startup_notes:
            self.status.showMessage(" · ".join(self.startup_notes), 60000)

    # --- construction ------------------------------------------------------------------------
    def _dock(self, title, name, widget, area):
        d = QtWidgets.QDockWidget(title, self)
        d.setObjectName(name)
        d.setWidget(widget)
        d.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable |
                      QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable |
                      QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, d)
        return d

    def _action(self, text, slot, shortcut=None, tip=None, checkable=False):
        a = QtGui.QAction(text, self)
        if shortcut is not None:
            a.setShortcut(shortcut if isinstance(shortcut, QtGui.QKeySequence) else QtGui.QKeySequence(shortcut))
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.setCheckable(checkable)
        a.triggered.connect(slot)
        self.addAction(a)
        return a

    def _build_actions(self):
        K = QtGui.QKeySequence.StandardKey
        self.act_new = self._action(tr("&New"), self.file_new, K.New, tr("Start a new project"))
        self.act_open = self._action(tr("&Open…"), self.file_open, K.Open, tr("Open a project file"))
        self.act_save = self._action(tr("&Save"), self.file_save, K.Save, tr("Save the project"))
        self.act_save_as = self._action(tr("Save &As…"), self.file_save_as, K.SaveAs,
                                        tr("Save the project under a new name"))
        self.act_recover = self._action(tr("Recover &Unsaved Work"), lambda: self.recover_unsaved(), None,
                                        tr("Restore work kept when convviz last stopped without saving"))
        self.act_recover.setEnabled(False)
        self.act_open_image = self._action(tr("Open &Image…"), self.open_image, "Ctrl+I",
                                           tr("Use an image file as the input"))
        self.act_export_window = self._action(tr("Window as PNG…"), self.export_window_png, None,
                                              tr("Save a picture of the whole window"))
        self.act_export_maps = self._action(tr("Selected Layer's Maps as PNG…"), self.export_layer_png, "Ctrl+E",
                                            tr("Save the selected layer's feature maps at full resolution"))
        self.act_export_code = self._action(tr("PyTorch Code…"), self.export_code, "Ctrl+Shift+E",
                                            tr("Save the stack as an nn.Sequential with the same weights"))
        self.act_export_csv = self._action(tr("Shapes Table as CSV…"), self.export_csv, None,
                                           tr("Save the shapes table as CSV"))
        self.act_quit = self._action(tr("&Quit"), self.close, K.Quit, tr("Quit convviz"))
        self.act_undo = self.doc.undo_group.createUndoAction(self, tr("&Undo"))
        self.act_undo.setShortcut(K.Undo)
        self.act_redo = self.doc.undo_group.createRedoAction(self, tr("&Redo"))
        redo_keys = [QtGui.QKeySequence(K.Redo), QtGui.QKeySequence("Ctrl+Shift+Z"), QtGui.QKeySequence("Ctrl+Y")]
        self.act_redo.setShortcuts([k for i, k in enumerate(redo_keys) if k not in redo_keys[:i]])
        self.addAction(self.act_undo)
        self.addAction(self.act_redo)
        # Ctrl+Z / Ctrl+Shift+Z reach these actions from any field, committing what is typed first
        from .document import UndoFromAnywhere
        self._undo_anywhere = UndoFromAnywhere(self, self.act_undo, self.act_redo)
        self.act_dup = self._action(tr("&Duplicate Layer"), lambda: self.duplicate_layer(self.layers.current()),
                                    "Ctrl+D", tr("Duplicate the selected layer"))
        self.act_remove = self._action(tr("&Remove Layer"), lambda: self.remove_layer(self.layers.current()),
                                       QtGui.QKeySequence(Qt.Key.Key_Delete), tr("Remove the selected layer"))
        self.act_up = self._action(tr("Move Layer &Up"), lambda: self.move_layer(self.layers.current(), -1),
                                   "Ctrl+Up", tr("Move the selected layer up"))
        self.act_down = self._action(tr("Move Layer Do&wn"), lambda: self.move_layer(self.layers.current(), 1),
                                     "Ctrl+Down", tr("Move the selected layer down"))
        self.act_copy_md = self._action(tr("Copy Table as &Markdown"), lambda: self.table.copy_markdown(),
                                        "Ctrl+Shift+C", tr("Copy the shapes table as Markdown"))
        self.act_copy_csv = self._action(tr("Copy Table as &CSV"), lambda: self.table.copy_csv_text(), None,
                                         tr("Copy the shapes table as CSV"))
        self.norm_group = QtGui.QActionGroup(self)
        self.act_norm = {}
        for key, label in (("channel", tr("Normalise per &Channel")), ("layer", tr("Normalise per &Layer")),
                           ("global", tr("Normalise &Globally"))):
            a = self._action(label, lambda _=False, k=key: self.set_normalisation(k), None,
                             tr("How the colours of the maps are scaled"), checkable=True)
            self.norm_group.addAction(a)
            self.act_norm[key] = a
        self.act_norm.get(self.norm, self.act_norm["channel"]).setChecked(True)
        self.act_settings = self._action(tr("&Settings…"), self.show_settings, K.Preferences,
                                         tr("Compute device and threads"))
        self.act_code = self._action(tr("Show PyTorch &Code"), self.show_code, "Ctrl+Shift+P",
                                     tr("Show the stack as PyTorch code"))
        self.act_stepper = self._action(tr("Kernel &Stepper"), lambda: self.show_stepper(), "Ctrl+K",
                                        tr("Watch the selected layer's kernel slide, step by step"))
        self.act_maps = self._action(tr("Feature &Maps"), lambda: self.tabs.setCurrentWidget(self.features), "Ctrl+M",
                                     tr("Show every layer's feature maps"))
        self.act_clear_field = self._action(tr("Clear Receptive &Field"), lambda: self.show_field(-1, 0, 0),
                                            QtGui.QKeySequence(Qt.Key.Key_Escape),
                                            tr("Remove the receptive-field overlay"))
        self.act_erf = self._action(tr("&Effective Receptive Field on Click"), lambda on: self._erf_toggled(on),
                                    None, tr("Also compute the gradient-based effective receptive field of the "
                                             "clicked pixel (Luo et al. 2016)"), checkable=True)
        self.act_erf_random = self._action(tr("Average It over 16 Random Inputs"), lambda on: self._erf_toggled(on),
                                           None, tr("Average the effective receptive field over random inputs "
                                                    "instead of using the image"), checkable=True)
        self.act_recompute = self._action(tr("&Compute Now"), self.recompute, "F5",
                                          tr("Compute the maps again (after Stop)"))
        self.act_stop = self._action(tr("S&top Computing"), lambda: self.jobs.stop(), "Ctrl+.",
                                     tr("Stop the running computation or background job"))
        self.act_walkthrough = self._action(tr("&Walkthrough"), lambda: self.open_walkthrough(), "F1",
                                            tr("The guided lesson on convolution, chapter by chapter"))
        self.act_shortcuts = self._action(tr("&Keyboard Shortcuts"), self.show_shortcuts, None)
        self.act_about = self._action(tr("&About convviz"), self.show_about, None)

    def _build_menus(self):
        mb = self.menuBar()
        f = mb.addMenu(tr("&File"))
        f.addAction(self.act_new)
        f.addAction(self.act_open)
        f.addMenu(tr("&Import")).addAction(self.weights_actions.act_import)
        self.preset_menu = f.addMenu(tr("Open &Preset"))
        for name, (_, desc) in PRESETS.items():
            a = self.preset_menu.addAction(tr_preset(desc))
            a.triggered.connect(lambda _=False, n=name: self.open_preset(n))
        self._build_atlas_menu()
        self.recent_menu = f.addMenu(tr("Open &Recent"))
        f.addAction(self.act_recover)
        f.addSeparator()
        f.addAction(self.act_save)
        f.addAction(self.act_save_as)
        f.addSeparator()
        f.addAction(self.act_open_image)
        f.addAction(self.weights_actions.act_load)
        f.addAction(self.weights_actions.act_imagenet)
        exp = f.addMenu(tr("&Export"))
        for a in (self.act_export_window, self.act_export_maps, self.act_export_code, self.act_export_csv,
                  self.weights_actions.act_export_weights, self.weights_actions.act_export_onnx):
            exp.addAction(a)
        f.addSeparator()
        f.addAction(self.act_quit)
        e = mb.addMenu(tr("&Edit"))
        e.addAction(self.act_undo)
        e.addAction(self.act_redo)
        e.addSeparator()
        e.addMenu(build_add_menu(self, self.add_layer))
        for a in (self.act_dup, self.act_remove, self.act_up, self.act_down):
            e.addAction(a)
        e.addSeparator()
        e.addAction(self.act_copy_md)
        e.addAction(self.act_copy_csv)
        v = mb.addMenu(tr("&View"))
        for a in self.act_norm.values():
            v.addAction(a)
        v.addSeparator()
        for d in self.findChildren(QtWidgets.QDockWidget):
            v.addAction(d.toggleViewAction())
        v.addSeparator()
        v.addAction(self.act_clear_field)
        v.addAction(self.act_erf)
        v.addAction(self.act_erf_random)
        v.addSeparator()
        v.addAction(self.act_maps)
        v.addAction(self.act_stepper)
        v.addAction(self.act_code)
        v.addAction(self.training_panel.trained_action)
        v.addAction(self.act_recompute)
        v.addAction(self.act_stop)
        v.addAction(self.act_settings)
        lang_menu = v.addMenu(tr("&Language"))
        from .i18n import LANGUAGES, current_language
        self.lang_group = QtGui.QActionGroup(self)
        for code, name in LANGUAGES.items():
            a = lang_menu.addAction(name)
            a.setCheckable(True)
            a.setChecked(code == current_language())
            a.triggered.connect(lambda _=False, c=code: self.language_requested.emit(c))
            self.lang_group.addAction(a)
        h = mb.addMenu(tr("&Help"))
        h.addAction(self.act_walkthrough)
        h.addSeparator()
        h.addAction(self.act_shortcuts)
        h.addAction(self.act_about)
        tb = self.addToolBar(tr("Training"))
        tb.setObjectName("trainingToolBar")
        tb.addAction(self.findChild(QtWidgets.QDockWidget, "trainingDock").toggleViewAction())
        tb.addAction(self.training_panel.play_action)
        tb.addAction(self.training_panel.trained_action)
        self._rebuild_recent()

    def _build_atlas_menu(self) -> None:
        """File > Open Preset > Arithmetic atlas: Dumoulin & Visin's cases in their order, then the
        checkerboard pair (convviz/atlas.py)."""
        from convviz import atlas
        m = self.preset_menu.addMenu(tr("Arithmetic &atlas (Dumoulin && Visin)"))
        m.setObjectName("atlasMenu")
        m.setToolTipsVisible(True)
        for case in atlas.ALL:
            if case is atlas.CHECKERBOARD[0]:
                m.addSeparator()
            a = m.addAction(tr_title(case.title))
            a.setData(case.name)
            if case.checkerboard:
                a.setToolTip(tr_in("atlas", atlas.CHECKERBOARD_SENTENCE))
            a.triggered.connect(lambda _=False, n=case.name: self.open_preset(n))
        self.atlas_menu = m

    def _wire(self):
        self.doc.changed.connect(self._project_changed)
        self.doc.dirty_changed.connect(lambda _: self._update_title())
        self.doc.path_changed.connect(lambda _: self._update_title())
        lp = self.layers
        lp.add_requested.connect(self.add_layer)
        lp.remove_requested.connect(self.remove_layer)
        lp.duplicate_requested.connect(self.duplicate_layer)
        lp.move_requested.connect(self.move_layer)
        lp.reorder_requested.connect(self.reorder_layers)
        # a held spin arrow is paced by the maps: each value applied is drawn (ui/edit_pacer.py)
        from .edit_pacer import EditPacer
        self.pacer = EditPacer(self.session, self)
        lp.arg_edited.connect(lambda i, name, value: self.pacer.pace(("arg", i, name), self.edit_arg, i, name, value))
        lp.kernel_edited.connect(self.edit_kernel)
        lp.selection_changed.connect(self.features.scroll_to_layer)
        from .edit_pacer import input_key
        self.input_panel.input_edited.connect(
            lambda spec, text: self.pacer.pace(input_key(self.project.input, spec), self.edit_input, spec, text))
        self.input_panel.seed_edited.connect(lambda seed: self.pacer.pace(("seed",), self.edit_seed, seed))
        self.input_panel.open_image_requested.connect(self.open_image)
        self.features.channel_clicked.connect(self.enlarge_channel)
        self.features.pixel_clicked.connect(self.pixel_clicked)
        self.features.pixel_shift_hovered.connect(lambda l, c, y, x: self.show_field(l, y, x))
        self.features.hovered.connect(self._hovered)
        self.table.row_activated.connect(self.layers.select)
        self.stepper.attach(self.session, self.layers)
        lp.selection_changed.connect(self._follow_in_stepper)
        self.tabs.currentChanged.connect(lambda _i: self._follow_in_stepper(self.layers.current()))

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start the compute thread (torch is imported there, after the window is up)."""
        self.session.start()

    # the session's state, read by the walkthrough, the self-test, tests and benchmarks
    @property
    def info(self) -> StackInfo | None:
        return self.session.info

    @property
    def generation(self) -> int:
        return self.session.generation

    @property
    def last_result(self):
        return self.session.result

    @property
    def engine_info(self) -> dict | None:
        return self.session.engine_info

    def closeEvent(self, ev):  # noqa: N802
        if not self.maybe_save():
            ev.ignore()
            return
        self._save_layout()
        self.autosaver.shutdown()  # a normal quit: the unsaved copy is removed
        self.training_panel.close_training()  # nothing more is queued; a slice under way is cancelled
        self.session.shutdown()  # cancel every job; never wait for a long layer to end
        ev.accept()

    def _restore_layout(self):
        for key, restore in (("window/geometry", self.restoreGeometry), ("window/state", self.restoreState)):
            data, note = read_bytes(self.settings, key)
            if data is not None and not restore(data):
                note = tr("Settings: {key} is damaged; using the default layout").format(key=key)
            if note:
                self.startup_notes.append(note)

    def _save_layout(self):
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("project/last", self.doc.path or "")
        self.settings.sync()

    # --- the document ------------------------------------------------------------------------
    def set_project(self, project: Project, path: str | None) -> None:
        self.fields.clear()  # another project: the previous one's receptive field goes
        self.training_panel.forget()  # what was learned belonged to the previous project
        self.doc.reset(project, path)
        self.training_panel.opened(path)  # its weights file, if it names one, and its settings

    def _project_changed(self, project: Project) -> None:
        # the session analyses and computes; the feature maps and the table follow its signals
        self.session.set_project(project, self.doc.base_dir)
        self.layers.set_project(project, self.info)
        self._update_natural_size(project)
        self.input_panel.set_input(project.input, project.seed, self.natural_size)
        self._update_title()
        self.fields.project_changed(project)  # the receptive field follows the edit

    def recompute(self) -> None:
        """Compute the project again (F5: after Stop, or new device or threads)."""
        self.session.device, self.session.threads = self.device, self.threads
        self.session.recompute()

    def _update_natural_size(self, project: Project) -> None:
        key = (project.input.source, self.doc.base_dir)
        if getattr(self, "_natural_key", None) == key:
            return
        self._natural_key = key
        self.natural_size = None
        src = project.input.source
        if src.startswith("pattern:"):
            return
        try:  # the header only: the engine decodes the image, once
            from convviz.samples import probe_image, resolve_source
            path = resolve_source(src, self.doc.base_dir)
            if path is None:
                return
            width, height, _mode = probe_image(path)
        except Exception:  # noqa: BLE001 - only informative; the engine reports real problems
            return
        self.natural_size = (height, width)

    # --- compute results ---------------------------------------------------------------------
    def _engine_ready(self, info: dict) -> None:
        self.compute_label.setText(tr("torch {v} · {d}").format(v=info["torch"], d=self.device))

    def _session_state(self) -> None:
        s = self.session
        if s.busy:
            self.compute_label.setText(tr("Computing…"))
        elif s.stopped_gen == s.generation:
            self.compute_label.setText(tr("Stopped · F5 computes"))

    def _result_ready(self, res) -> None:
        """The session's current result (the feature maps have drawn it already)."""
        if res.error:
            self.status.showMessage(tr_core(res.error), 15000)
            self.compute_failed.emit(res.error)
        n = sum(o is not None for o in res.outputs)
        self.compute_label.setText(tr("{n} layers in {ms:.0f} ms ({r} reused) · {dev}").format(
            n=n, ms=res.seconds * 1000, r=res.reused, dev=res.device))
        shown = getattr(self, "_kernels_shown", None)  # (project, weights key) the layer panel's kernel shows
        if shown is None or shown[0] is not self.session.project or shown[1] != self.session.weights_key:
            self._kernels_shown = (self.session.project, self.session.weights_key)  # not again for each stroke
            weights = {i: w[0] for i, w in enumerate(res.weights) if w and
                       self.session.project.layers[i].layer_type.category == "conv"}
            self.layers.set_weights(weights)

    def _compute_failed(self, message: str) -> None:
        first = message.splitlines()[0]
        self.status.showMessage(first, 20000)
        self.compute_label.setText(tr("compute error"))
        self.compute_failed.emit(first)

    # --- receptive fields (ui/field_view.py) ---------------------------------------------------
    field = property(lambda self: self.fields.field)  # (layer, y, x) whose receptive field is shown
    erf = property(lambda self: self.fields.erf)  # the effective receptive field on show
    erf_key = property(lambda self: self.fields.erf_key)
    erf_project = property(lambda self: self.fields.erf_project)

    def pixel_clicked(self, layer: int, channel: int, y: int, x: int) -> None:
        self.fields.pixel_clicked(layer, channel, y, x)

    def show_field(self, layer: int, y: int, x: int) -> bool:
        """Draw the exact receptive field of pixel (y, x) of ``layer`` (layer -1 clears it)."""
        return self.fields.show_field(layer, y, x)

    def _erf_toggled(self, on: bool) -> None:
        self.fields.erf_toggled(on)

    def compute_erf(self, layer: int, y: int, x: int, channel: int | None = None):
        """The effective receptive field as a background job; returns the job."""
        return self.fields.compute_erf(layer, y, x, channel)

    def _clear_erf(self) -> None:
        self.fields.clear_erf()

    def open_walkthrough(self, chapter: int | None = None) -> bool:
        """Show the walkthrough beside the app, at ``chapter`` or where the learner left off."""
        dock = self.findChild(QtWidgets.QDockWidget, "walkthroughDock")
        ch = self.findChild(QtWidgets.QDockWidget, "channelDock")
        if ch is not None and ch.isVisible():
            self.tabifyDockWidget(ch, dock)
        dock.show()
        dock.raise_()
        self.resizeDocks([dock], [440], Qt.Orientation.Horizontal)
        if chapter is None and self.walkthrough.active:
            return True  # already open: raised, the chapter as the learner left it
        if chapter is None:
            chapter = read_int(self.settings, "walkthrough/chapter", 0, 0, 10_000)[0]
        chapter = max(0, min(chapter, len(self.walkthrough.chapters) - 1))
        return self.walkthrough.go(chapter)

    def _follow_in_stepper(self, index: int) -> None:
        if self.tabs.currentWidget() is self.stepper and index != self.stepper.layer_index:
            self.stepper.show_layer(index)

    def show_stepper(self, index: int | None = None) -> bool:
        """Switch to the kernel stepper on layer ``index`` (default: the selected layer)."""
        self.tabs.setCurrentWidget(self.stepper)
        self.stepper.refresh_from_window()
        return self.stepper.show_layer(self.layers.current() if index is None else index)

    def _hovered(self, layer, ch, y, x, value) -> None:
        name = tr("input") if layer < 0 else tr("layer {i}").format(i=layer)
        self.status.showMessage(tr("{name} · channel {c} · y {y}, x {x} · value {v:.5g}").format(
            name=name, c=ch, y=y, x=x, v=value), 4000)

    def enlarge_channel(self, layer: int, channel: int, show: bool = True) -> None:
        self.fields.enlarge_channel(layer, channel, show)

    # --- edits (each one undoable) -----------------------------------------------------------
    @property
    def project(self) -> Project:
        return self.doc.project

    def _apply(self, new: Project, text: str, select: int | None = None, merge_key=None) -> None:
        """One undoable edit computed by convviz.edits; then the layer to select, if any."""
        self.doc.apply(new, text, merge_key)
        if select is not None:
            self.layers.select(select)

    def add_layer(self, type_: str) -> None:
        p = self.project
        at = min(self.layers.current() + 1, len(p.layers)) if p.layers else 0
        self._apply(edits.add_layer(p, at, default_spec(type_)), tr("Add {t}").format(t=type_), select=at)

    def remove_layer(self, i: int) -> None:
        p = self.project
        if 0 <= i < len(p.layers):
            self._apply(edits.remove_layer(p, i), tr("Remove {t}").format(t=p.layers[i].type),
                        select=min(i, len(p.layers) - 2))

    def duplicate_layer(self, i: int) -> None:
        p = self.project
        if 0 <= i < len(p.layers):
            self._apply(edits.duplicate_layer(p, i), tr("Duplicate {t}").format(t=p.layers[i].type), select=i + 1)

    def move_layer(self, i: int, delta: int) -> None:
        p = self.project
        if 0 <= i < len(p.layers) and 0 <= i + delta < len(p.layers):
            self._apply(edits.move_layer(p, i, delta), tr("Reorder layers"), select=i + delta)

    def reorder_layers(self, order: list, select: int | None = None) -> None:
        p = self.project
        if sorted(order) != list(range(len(p.layers))):
            return
        current = self.layers.current()
        if select is None:
            select = order.index(current) if current in order else next((k for k, o in enumerate(order) if o != k), None)
        self._apply(edits.reorder(p, order), tr("Reorder layers"), select=select)

    def edit_arg(self, i: int, name: str, value) -> None:
        p = self.project
        if not 0 <= i < len(p.layers):
            return
        try:
            new = edits.set_arg(p, i, name, value)
        except SpecError as e:
            self.status.showMessage(tr("Layer {i}: {msg}").format(i=i, msg=tr_core(e)), 10000)
            self.layers.set_project(p, self.info)
            return
        self._apply(new, tr("Change {arg} of layer {i}").format(arg=name, i=i), merge_key=("arg", i, name))

    def edit_kernel(self, i: int, init) -> None:
        if 0 <= i < len(self.project.layers):
            self._apply(edits.set_kernel(self.project, i, init), tr("Change kernel of layer {i}").format(i=i),
                        merge_key=("kernel", i) if isinstance(init, tuple) else None)

    def edit_input(self, spec, text: str) -> None:
        self._apply(edits.set_input(self.project, spec), text, merge_key=("input", text))

    def edit_seed(self, seed: int) -> None:
        self._apply(edits.set_seed(self.project, seed), tr("Change seed"), merge_key=("seed",))

    def set_input_image(self, path: str) -> bool:
        """Use an image file as the input.  Only its header is read here (its size is checked
        before anything is decoded); the engine decodes it once, off the GUI thread.  A file
        that is not an image is refused with a sentence naming it, and the current input stays."""
        from convviz.samples import probe_image
        p = self.project
        path = os.path.abspath(os.path.expanduser(path))
        try:
            probe_image(path)
        except InputError as e:
            self._warn(tr("This file cannot be used as the input"), _naming(path, tr_core(e.args[0] if e.args else e)))
            return False
        if self.doc.apply(edits.set_input(p, replace(p.input, source=path)), tr("Open image")):
            self._image_trial = (path, self.doc.undo_stack.index())
        self._remember_dir(path)
        return self.project.input.source == path

    def _image_result(self, _gen: int) -> None:
        """The first maps after choosing an image: if the engine could not decode it (a damaged
        file whose header looked right), say so and go back to the input before it."""
        trial, self._image_trial = getattr(self, "_image_trial", None), None
        res = self.last_result
        if trial is None or res is None or not res.error:
            return
        path, index = trial
        if str(getattr(res.error, "template", res.error)).startswith("Input:") and \
                self.project.input.source == path and self.doc.undo_stack.index() == index:
            self.doc.undo_stack.undo()
            self._warn(tr("This file cannot be used as the input"), _naming(path, tr_core(res.error)))

    def set_normalisation(self, mode: str) -> None:
        self.norm = mode
        self.act_norm[mode].setChecked(True)
        self.settings.setValue("view/normalisation", mode)
        self.features.set_normalisation(mode)

    # --- files -------------------------------------------------------------------------------
    def _ask_save_changes(self) -> str:
        box = QtWidgets.QMessageBox(self)
        box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("Unsaved changes"))
        box.setText(tr("The project has changes that are not saved."))
        box.setInformativeText(tr("Save them before continuing?"))
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Save |
                               QtWidgets.QMessageBox.StandardButton.Discard |
                               QtWidgets.QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Save)
        r = box.exec()
        return {QtWidgets.QMessageBox.StandardButton.Save: "save",
                QtWidgets.QMessageBox.StandardButton.Discard: "discard"}.get(
            QtWidgets.QMessageBox.StandardButton(r), "cancel")

    def maybe_save(self) -> bool:
        """True when it is safe to replace the project (saved, discarded or unchanged).  A
        walkthrough chapter on show closes first: the question is about the learner's project."""
        self.walkthrough.close_lesson()
        if not self.doc.dirty:
            return True
        answer = self.ask_save_changes()
        if answer == "save":
            return self.file_save()
        return answer == "discard"

    def file_new(self) -> bool:
        """An empty stack on the current input (the Layers panel then says how to add the first
        layer).  An image path relative to the old project's folder is made absolute, so the
        new, not yet saved project still finds it."""
        if not self.maybe_save():
            return False
        self.set_project(edits.empty_like(self.project, self.doc.base_dir), None)
        self.status.showMessage(tr("New project: an empty stack on the same input"), 5000)
        return True

    def file_open(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, tr("Open project"), self._last_dir(), PROJECT_FILTER)
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path: str, ask: bool = True) -> bool:
        """Open a project file.  A file that cannot be opened (not a regular file, too large,
        malformed, hostile) is refused with a sentence naming it, before anything is asked or
        changed: the open project and its history are untouched."""
        path = os.path.abspath(os.path.expanduser(path))
        try:
            project = read_project(path)
        except ProjectError as e:
            self._warn(tr("This project cannot be opened"), _naming(path, tr_core(e)))
            return False
        if ask and not self.maybe_save():
            return False
        self.set_project(project, path)
        self._add_recent(path)
        self._remember_dir(path)
        self.status.showMessage(tr("Opened {p}").format(p=_one_line(path)), 5000)
        return True

    def open_preset(self, name: str, ask: bool = True) -> bool:
        """Open a bundled preset (File > Open Preset, or ``preset:NAME`` on the command line);
        an unknown or damaged one is refused naming it, and nothing changes."""
        from convviz.samples import preset_path
        try:  # read first: a preset damaged in the installation is refused before anything is asked
            p = load_preset(name)
        except (ProjectError, InputError) as e:
            where = str(preset_path(name)) if name in PRESETS else name
            why = tr_core(e)
            self._warn(tr("This preset cannot be opened"), _naming(where, why))
            return False
        if ask and not self.maybe_save():
            return False
        self.set_project(p, None)
        self.status.showMessage(tr("Preset: {t}").format(t=tr_title(p.title) or name), 5000)
        return True

    def file_save(self) -> bool:
        if not self.doc.path:
            return self.file_save_as()
        return self.save_to(self.doc.path)

    def file_save_as(self) -> bool:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, tr("Save project"),
                                                        self.doc.path or os.path.join(self._last_dir(), "project.json"),
                                                        PROJECT_FILTER)
        if not path:
            return False
        if not path.lower().endswith(".json"):
            path += ".json"
        return self.save_to(path)

    def save_to(self, path: str) -> bool:
        """Write the project to ``path`` atomically.  A relative image path stays relative; when
        the folder changes (Save As elsewhere) it is rewritten against the new folder, in the
        project and in its whole history, so the image is still found after the save."""
        from convviz.project import rebase_source
        path = os.path.abspath(os.path.expanduser(path))
        old_base, new_base = self.doc.base_dir, os.path.dirname(path)
        project = rebase_source(self.project, old_base, new_base)
        try:  # the trained weights first (<name>.safetensors beside it), then the project naming them
            from convviz.weights import save_project
            saved = save_project(project, path, self.training_panel.weights_to_save())
        except (OSError, ValueError) as e:  # ProjectError is a ValueError
            self._warn(tr("The project could not be saved"), _naming(path, tr_core(e) if isinstance(e, ValueError) else
                                                                     getattr(e, "strerror", None) or str(e)))
            return False
        self.doc.mark_saved(path)  # first: the recompute the rebase starts resolves from the new folder
        if old_base != new_base:
            self.doc.rebase(lambda p: rebase_source(p, old_base, new_base))
        if self.project.weights != saved.weights:  # the project names its weights file (no undo step)
            self.doc.rebase(lambda p: replace(p, weights=saved.weights))
        self._add_recent(path)
        self._remember_dir(path)
        self.status.showMessage(tr("Saved {p}").format(p=_one_line(path)), 5000)
        return True

    def recover_unsaved(self) -> bool:
        """File > Recover Unsaved Work: restore the newest copy a stopped session left."""
        from .autosave import recover
        return recover(self)

    def open_image(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, tr("Open image"), self._last_dir(), IMAGE_FILTER)
        if path:
            self.set_input_image(path)

    def _last_dir(self) -> str:
        """Where file dialogs start: the folder of the file last opened or saved (remembered in
        the settings, so also in the next session), else the project's folder, else home."""
        from .settings import read_path
        last, _note = read_path(self.settings, "files/last_dir")
        if last and os.path.isdir(last):
            return last
        return os.path.dirname(self.doc.path) if self.doc.path else os.path.expanduser("~")

    def _remember_dir(self, path: str) -> None:
        self.settings.setValue("files/last_dir", os.path.dirname(os.path.abspath(path)))

    def _recent(self) -> list[str]:
        return read_paths(self.settings, "project/recent")[:MAX_RECENT]

    def _add_recent(self, path: str) -> None:
        rec = [path] + [p for p in self._recent() if p != path]
        self.settings.setValue("project/recent", rec[:MAX_RECENT])
        self._rebuild_recent()

    def _rebuild_recent(self) -> None:
        self.recent_menu.clear()
        rec = self._recent()
        for i, p in enumerate(rec, 1):
            a = self.recent_menu.addAction(recent_label(p, i))
            a.setToolTip(_one_line(p))
            a.setStatusTip(_one_line(p))
            a.triggered.connect(lambda _=False, path=p: self.open_path(path))
        self.recent_menu.setEnabled(bool(rec))

    # --- drag and drop -----------------------------------------------------------------------
    def dragEnterEvent(self, ev):  # noqa: N802
        urls = ev.mimeData().urls()
        if urls and urls[0].isLocalFile():
            ev.acceptProposedAction()

    def dropEvent(self, ev):  # noqa: N802
        urls = ev.mimeData().urls()
        if not urls or not urls[0].isLocalFile():
            return
        path = urls[0].toLocalFile()
        ev.acceptProposedAction()
        if path.lower().endswith(".json"):
            self.open_path(path)
        else:
            self.set_input_image(path)

    # --- export ------------------------------------------------------------------------------
    def export_window_png(self, path: str | None = None) -> bool:
        if not path:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(self, tr("Save window as PNG"),
                                                            os.path.join(self._last_dir(), "convviz.png"), "PNG (*.png)")
        if not path:
            return False
        ok = self.grab().save(path, "PNG")
        if not ok:
            self._warn(tr("The picture could not be saved"), path)
        return ok

    def export_layer_png(self, path: str | None = None, index: int | None = None) -> bool:
        """The selected layer's maps as a slide-ready PNG (ui/field_view.py)."""
        return self.fields.export_layer_png(path, index)

    def _save_text(self, path: str | None, title: str, default: str, filters: str, make_text) -> bool:
        """Ask for a path (unless given) and write ``make_text()`` there; a failure is a sentence."""
        if not path:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(self, title, os.path.join(self._last_dir(), default),
                                                            filters)
        if not path:
            return False
        try:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(make_text())
        except OSError as e:
            self._warn(tr("The file could not be saved"), f"{path}: {e.strerror or e}")
            return False
        return True

    def _shown_input(self):
        """The drawing the maps are computed from, if one replaces the project's input."""
        ov = self.session.input_override
        return ov[0] if ov is not None else None

    def export_code(self, path: str | None = None) -> bool:
        def code() -> str:  # with the training loop when the project is trained or has settings
            if self.project.training is not None or self.training_panel.weights_to_save():
                from convviz.export import to_pytorch_training
                return to_pytorch_training(self.project, base_dir=self.doc.base_dir)
            return to_pytorch(self.project, base_dir=self.doc.base_dir, input=self._shown_input())
        return self._save_text(path, tr("Save PyTorch code"), "model.py", "Python (*.py)", code)

    def export_csv(self, path: str | None = None) -> bool:
        from convviz.report import to_csv
        return self._save_text(path, tr("Save shapes table"), "shapes.csv", "CSV (*.csv)",
                               lambda: to_csv(self.project))

    # --- dialogs -----------------------------------------------------------------------------
    def _warn(self, title: str, text: str) -> None:
        self.status.showMessage(f"{title}: {text}", 15000)
        if os.environ.get("CONVVIZ_NO_DIALOGS"):
            return
        QtWidgets.QMessageBox.warning(self, title, text)

    def show_code(self) -> None:
        dlg = QtWidgets.QDialog(self)
        dlg.setWindowTitle(tr("PyTorch code"))
        text = QtWidgets.QPlainTextEdit(to_pytorch(self.project, base_dir=self.doc.base_dir,
                                                         input=self._shown_input()))
        text.setReadOnly(True)
        text.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        copy = QtWidgets.QPushButton(tr("Copy"))
        copy.clicked.connect(lambda: QtWidgets.QApplication.clipboard().setText(text.toPlainText()))
        close = QtWidgets.QPushButton(tr("Close"))
        close.clicked.connect(dlg.accept)
        bar = QtWidgets.QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(copy)
        bar.addWidget(close)
        lay = QtWidgets.QVBoxLayout(dlg)
        lay.addWidget(text)
        lay.addLayout(bar)
        dlg.resize(760, 560)
        dlg.show()

    def show_settings(self) -> None:
        from .settings import SettingsDialog
        cuda = bool(self.engine_info and self.engine_info.get("cuda"))
        dlg = SettingsDialog(self.device, self.threads, cuda, self)
        if dlg.exec():
            self.device, self.threads = dlg.values()
            self.settings.setValue("compute/device", self.device)
            self.settings.setValue("compute/threads", self.threads)
            self.recompute()  # new device or threads

    def show_shortcuts(self) -> None:
        rows = [(a.text().replace("&", ""), a.shortcut().toString(QtGui.QKeySequence.SequenceFormat.NativeText))
                for a in self.actions() if not a.shortcut().isEmpty()]
        html = "<table>" + "".join(f"<tr><td>{t}</td><td>&nbsp;&nbsp;<b>{k}</b></td></tr>" for t, k in rows) + "</table>"
        QtWidgets.QMessageBox.information(self, tr("Keyboard shortcuts"), html)

    def show_about(self) -> None:
        from convviz import __version__
        QtWidgets.QMessageBox.about(self, tr("About convviz"), tr(
            "<h3>convviz {v}</h3><p>Make convolution visible: stack torch.nn layers over a real image and "
            "watch every layer answer.</p><p>Every shape, count and map is computed by torch.</p>").format(v=__version__))

    def _update_title(self) -> None:
        name = os.path.basename(self.doc.path) if self.doc.path else (tr_title(self.project.title) or tr("Untitled"))
        self.setWindowTitle(f"{name}[*] — convviz")
        self.setWindowModified(self.doc.dirty)


def _one_line(s: str) -> str:
    """Untrusted text (a file name, a message quoting a file) as one printable line."""
    from convviz.messages import escape
    return escape(s)


def recent_label(path: str, number: int = 0) -> str:
    """An Open Recent entry: the file name, then its folder (home as ~, a long folder cut at
    the start), so two projects of the same name are told apart; ``&number`` as accelerator."""
    folder = os.path.dirname(path)
    home = os.path.expanduser("~")
    if home not in ("", os.sep) and (folder == home or folder.startswith(home.rstrip(os.sep) + os.sep)):
        folder = "~" + folder[len(home.rstrip(os.sep)):]
    folder = _one_line(folder)
    if len(folder) > 60:
        folder = "…" + folder[-59:]
    text = f"{_one_line(os.path.basename(path))} — {folder}".replace("&", "&&")
    return f"&{number} {text}" if 0 < number < 10 else text


def _naming(path: str, message: str) -> str:
    """A file's error names the file (once), on one line."""
    message = _one_line(message)
    name = os.path.basename(path)
    return message if name and _one_line(name) in message else f"{_one_line(path)}: {message}"



