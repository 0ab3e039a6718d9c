"""The Training dock: settings, Play/Pause/Step/Reset, progress, the curves, and the trained
weights of the open project.

``TrainingPanel(window)`` makes the window's ``TrainingJob`` (``window.training``: views
subscribe to its ``snapshot`` signal) and owns what the project learned:

- ``trained``: the newest trained weights ({layer: {name: array}}) of the project on show, from
  the snapshots, from the weights file a project names, or carried across an edit
  (weights.carry_over: unchanged layers keep theirs; the status bar names those reset);
- the "trained / initial weights" switch: the session's compute requests carry ``trained``
  (ComputeRequest.weights) or nothing, so the maps show either network on the same input;
- the settings, kept in the project (``Project.training``) without an undo step;
- what the maps are computed from: while training plays (or once a test example was picked in
  the predictions grid, until the project's input changes) the watched test example, given to
  the session as its "watched" input (``watched_input``; a drawing still comes first); paused,
  the project's input.

The window calls ``forget()`` before and ``opened(path)`` after it replaces the project, and
``weights_to_save()`` when it saves (convviz.weights.save_project).
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import replace

import numpy as np

from convviz.datasets import DATASETS
from convviz.spec import LayerSpec
from convviz.training_config import TrainConfig

from .curves import Curves
from .i18n import tr, tr_core
from .qt import QtCore, QtGui, QtWidgets, Qt, Signal
from .training_job import TrainingJob

LR_STEPS_PER_DECADE = 100
LR_MIN_EXP, LR_MAX_EXP = -5, 1  # 1e-5 .. 10
FOLDER, IDX = "__folder__", "__idx__"
PUSH_INTERVAL = 0.2  # seconds between two trained-weights repaints while training plays (5 a second)


def lr_to_slider(lr: float) -> int:
    return int(round((math.log10(max(min(lr, 10.0), 1e-5)) - LR_MIN_EXP) * LR_STEPS_PER_DECADE))


def slider_to_lr(v: int) -> float:
    return float(f"{10 ** (LR_MIN_EXP + v / LR_STEPS_PER_DECADE):.3g}")


def output_problem(project, info, data: str) -> tuple[str | None, int | None]:
    """(a sentence saying what the stack lacks to classify ``data``, or None; the number of
    classes when known).  Torch-free (the GUI thread never imports torch)."""
    ds = DATASETS.get(data)
    k = len(ds.classes) if ds is not None else None
    if not project.layers:
        return (tr("The stack is empty: add layers that end in one output per class."), k)
    bad = next((l for l in info.layers if not l.ok), None)
    if bad is not None:
        return (tr("Layer {i} ({t}) is invalid: fix it before training.").format(i=bad.index, t=bad.spec.type), k)
    if k is None:
        return (None, None)
    out = tuple(info.layers[-1].out_shape)
    if out in ((k,), (k, 1, 1)):
        return (None, k)
    shape = " x ".join(str(d) for d in out)
    return (tr("The stack ends in a {shape} output, but {data} has {k} classes: a classifier ends in {k} numbers, "
               "one per class. Add Flatten and Linear({k}) at the end.").format(shape=shape, data=data, k=k), k)


class TrainingPanel(QtWidgets.QWidget):
    """The dock's contents (see the module doc)."""

    show_trained_changed = Signal(bool)  # the "trained / initial weights" switch moved

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.win = window
        self.session = window.session
        doc_state = getattr(window.doc, "training_state", None)  # kept across a language switch
        project = window.doc.project
        self.config: TrainConfig = project.training or TrainConfig()
        self.job = TrainingJob(self.session, self.config, parent=self)
        self.trained = None  # {layer: {name: array}} of the project on show, or None
        self.trained_project = None  # the project ``trained`` fits
        self.show_trained = True
        self.last = None  # the newest snapshot shown
        self._key = 0
        self._pushed_at = 0.0
        self._push_pending = False
        self._push_timer = QtCore.QTimer(self)
        self._push_timer.setSingleShot(True)
        self._push_timer.timeout.connect(lambda: self._push_pending and self._push())
        self._classes: int | None = None
        self._updating = False
        # the maps show the watched test example while training plays, or after one was picked
        # (the predictions grid) until the project's input changes; else the project's input
        self._pinned = False
        self._watched_key = None  # the key of the watched image the session was given (None: none)
        self._example = None  # (image, key, label) of the newest snapshot's watched test example
        self._was_playing = False
        self._input_seen = project.input

        # --- settings --------------------------------------------------------------------------
        self.data_box = QtWidgets.QComboBox()
        for name in DATASETS:
            self.data_box.addItem(name, name)
        self.data_box.addItem(tr("Folder…"), FOLDER)
        self.data_box.addItem(tr("IDX file…"), IDX)
        self.data_box.setToolTip(tr("The examples to learn from: a bundled data set, a folder with one subfolder "
                                    "per class, or MNIST-format IDX files"))
        self.size_spin = QtWidgets.QSpinBox()
        self.size_spin.setRange(0, 10_000_000)
        self.size_spin.setSpecialValueText(tr("all"))
        self.size_spin.setToolTip(tr("How many examples to use (train and test together); 'all': the data set's own"))
        self.opt_box = QtWidgets.QComboBox()
        self.opt_box.addItem(tr("Adam"), "adam")
        self.opt_box.addItem(tr("SGD with momentum"), "sgd")
        self.lr_slider = QtWidgets.QSlider(Qt.Orientation.Horizontal)
        self.lr_slider.setRange(0, (LR_MAX_EXP - LR_MIN_EXP) * LR_STEPS_PER_DECADE)
        self.lr_slider.setToolTip(tr("Learning rate, on a logarithmic scale from 0.00001 to 10"))
        self.lr_label = QtWidgets.QLabel()
        self.lr_label.setMinimumWidth(56)
        self.batch_spin = QtWidgets.QSpinBox()
        self.batch_spin.setRange(1, 65536)
        self.wd_spin = QtWidgets.QDoubleSpinBox()
        self.wd_spin.setDecimals(5)
        self.wd_spin.setRange(0.0, 1.0)
        self.wd_spin.setSingleStep(0.0001)
        self.epochs_spin = QtWidgets.QSpinBox()
        self.epochs_spin.setRange(1, 100_000)
        self.seed_spin = QtWidgets.QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip(tr("Draws the train/test split, the order of examples and dropout"))

        form = QtWidgets.QFormLayout()
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        data_row = QtWidgets.QHBoxLayout()
        data_row.addWidget(self.data_box, 2)
        data_row.addWidget(QtWidgets.QLabel(tr("examples")))
        data_row.addWidget(self.size_spin, 1)
        form.addRow(tr("Data"), data_row)
        form.addRow(tr("Optimizer"), self.opt_box)
        lr_row = QtWidgets.QHBoxLayout()
        lr_row.addWidget(self.lr_slider, 1)
        lr_row.addWidget(self.lr_label)
        form.addRow(tr("Learning rate"), lr_row)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.batch_spin, 1)
        row.addWidget(QtWidgets.QLabel(tr("Epochs")))
        row.addWidget(self.epochs_spin, 1)
        form.addRow(tr("Batch size"), row)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.wd_spin, 1)
        row.addWidget(QtWidgets.QLabel(tr("Seed")))
        row.addWidget(self.seed_spin, 1)
        form.addRow(tr("Weight decay"), row)

        # --- controls --------------------------------------------------------------------------
        self.play_button = QtWidgets.QPushButton(tr("Play"))
        self.play_button.setToolTip(tr("Train, slice after slice (Space)"))
        self.step_button = QtWidgets.QPushButton(tr("Step"))
        self.step_button.setToolTip(tr("Train one batch"))
        self.reset_button = QtWidgets.QPushButton(tr("Reset"))
        self.reset_button.setToolTip(tr("Back to the weights training started from, step 0"))
        buttons = QtWidgets.QHBoxLayout()
        for b in (self.play_button, self.step_button, self.reset_button):
            buttons.addWidget(b)
        self.trained_box = QtWidgets.QCheckBox(tr("Show trained weights"))
        self.trained_box.setToolTip(tr("Draw the maps with the trained weights (on) or the initial, random ones (off)"))
        self.trained_box.setChecked(True)
        self.stats = QtWidgets.QLabel()
        self.stats.setObjectName("trainingStats")
        self.stats.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QtWidgets.QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a33;")
        self.head_button = QtWidgets.QPushButton()
        self.head_button.hide()
        self.curves = Curves()

        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.trained_box)
        lay.addWidget(self.stats)
        lay.addWidget(self.message)
        lay.addWidget(self.head_button)
        lay.addWidget(self.curves, 1)

        # the window's "Trained / Initial Weights" switch (View menu) is this checkbox
        self.trained_action = QtGui.QAction(tr("&Trained Weights"), window)
        self.trained_action.setCheckable(True)
        self.trained_action.setChecked(True)
        self.trained_action.setStatusTip(tr("Show the maps with the trained weights; off: the initial, random ones"))
        self.trained_action.toggled.connect(self.set_show_trained)
        self.trained_box.toggled.connect(self.set_show_trained)
        self.play_action = QtGui.QAction(tr("Play"), window)
        self.play_action.setStatusTip(tr("Train or pause"))
        self.play_action.triggered.connect(self.toggle_play)
        self.space = QtGui.QShortcut(QtGui.QKeySequence(Qt.Key.Key_Space), self)
        self.space.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.space.activated.connect(self.toggle_play)

        self._show_config(self.config)
        for w, sig in ((self.size_spin, "valueChanged"), (self.opt_box, "currentIndexChanged"),
                       (self.lr_slider, "valueChanged"), (self.batch_spin, "valueChanged"),
                       (self.wd_spin, "valueChanged"), (self.epochs_spin, "valueChanged"),
                       (self.seed_spin, "valueChanged")):
            getattr(w, sig).connect(self._settings_edited)
        self.data_box.activated.connect(self._data_chosen)
        self.play_button.clicked.connect(self.toggle_play)
        self.step_button.clicked.connect(lambda: self.step(1))
        self.reset_button.clicked.connect(self.reset)
        self.head_button.clicked.connect(self.append_head)
        self.job.snapshot.connect(self._snapshot)
        self.job.state_changed.connect(self._state)
        self.job.failed.connect(self._failed)
        self.job.layers_reset.connect(lambda s: self.win.status.showMessage(tr_core(s), 15000))
        self.job.example_picked.connect(self._watch_picked)
        self.session.analysed.connect(self._analysed)
        # what the learner's own project learned waits here while a walkthrough chapter is shown
        # (a chapter's project is not theirs: nothing of theirs is carried onto it, or lost)
        self._in_lesson = bool(window.doc.lesson)
        self._own = getattr(window.doc, "training_aside", None)
        if doc_state is not None:  # a language switch: what was learned is still shown
            self.trained_project, self.trained, self.show_trained = doc_state
            self.job.start_weights = (self.trained_project, self.trained) if self.trained else None
            self.trained_box.setChecked(self.show_trained)
        if getattr(window.doc, "training_playing", False):  # the old window's training ended with it
            window.doc.training_playing = False
            QtCore.QTimer.singleShot(0, lambda: self.message.setText(
                tr("Training stopped when the language changed: press Play to go on.")))
        self._state()
        self._update_stats()

    # --- settings --------------------------------------------------------------------------------
    def _show_config(self, cfg: TrainConfig) -> None:
        self._updating = True
        try:
            i = self.data_box.findData(cfg.data)
            if i < 0:
                label = (tr("Folder: {p}") if cfg.data.startswith("folder:") else tr("IDX: {p}")).format(
                    p=os.path.basename(cfg.data.split(":", 1)[1].split(",")[0].rstrip("/\\")) or cfg.data)
                self.data_box.insertItem(self.data_box.count() - 2, label, cfg.data)
                i = self.data_box.findData(cfg.data)
            self.data_box.setCurrentIndex(i)
            self.size_spin.setValue(cfg.size or 0)
            self.opt_box.setCurrentIndex(self.opt_box.findData(cfg.optimizer))
            self.lr_slider.setValue(lr_to_slider(cfg.lr))
            self.lr_label.setText(f"{cfg.lr:g}")
            self.batch_spin.setValue(cfg.batch_size)
            self.wd_spin.setValue(cfg.weight_decay)
            self.epochs_spin.setValue(cfg.epochs)
            self.seed_spin.setValue(min(cfg.seed, 2**31 - 1))
        finally:
            self._updating = False

    def _config_from_controls(self) -> TrainConfig:
        lr = slider_to_lr(self.lr_slider.value())
        return replace(self.config, data=self.data_box.currentData(), size=self.size_spin.value() or None,
                       optimizer=self.opt_box.currentData(), lr=lr, batch_size=self.batch_spin.value(),
                       weight_decay=float(self.wd_spin.value()), epochs=self.epochs_spin.value(),
                       seed=self.seed_spin.value(), device=getattr(self.win, "device", "cpu") or "cpu")

    def _data_chosen(self, index: int) -> None:
        kind = self.data_box.itemData(index)
        if kind in (FOLDER, IDX):
            if kind == FOLDER:
                path = QtWidgets.QFileDialog.getExistingDirectory(self, tr("A folder with one subfolder per class"))
                spec = "folder:" + path if path else None
            else:
                path, _ = QtWidgets.QFileDialog.getOpenFileName(self, tr("MNIST-format images (IDX)"), "",
                                                                tr("IDX files (*idx* *.gz);;All files (*)"))
                spec = "idx:" + path if path else None
            if spec is None:
                self._show_config(self.config)
                return
            self.set_config(replace(self.config, data=spec))
            return
        self._settings_edited()

    def _settings_edited(self, *_args) -> None:
        if self._updating:
            return
        self.lr_label.setText(f"{slider_to_lr(self.lr_slider.value()):g}")
        self.set_config(self._config_from_controls())

    def set_config(self, cfg: TrainConfig) -> bool:
        """Use ``cfg`` from the next slice on and remember it in the project (no undo step)."""
        problem = cfg.problem()
        if problem:
            self.message.setText(tr_core(problem))
            return False
        self.message.clear()
        self.config = cfg
        self._show_config(cfg)
        self._config_to_job(cfg)
        doc = self.win.doc
        kept = replace(cfg, device="cpu", threads=None)  # the machine's settings are not the project's
        if doc.project.training != kept and not doc.lesson:
            doc.rebase(lambda p: replace(p, training=kept))
        self._check_output()
        return True

    def _config_to_job(self, cfg: TrainConfig) -> None:
        """The job trains with ``cfg`` from its next slice; before any training nothing is made
        (a trainer, and its data set, are made when Play or Step first needs them)."""
        if self.job.latest is None and not self.job.busy and not self.job.playing:
            self.job.config = cfg
            self.job.restart()
        else:
            self.job.set_config(cfg)

    # --- the stack must end in logits ------------------------------------------------------------
    def _check_output(self) -> None:
        info = self.session.info
        project = self.session.project
        if project is None or info is None:
            return
        problem, k = output_problem(project, info, self.config.data)
        self._classes = k
        head = self._head(project, info, k) if problem and k else None
        self.message.setText(problem or "")
        self.head_button.setVisible(bool(head))
        if head:
            self.head_button.setText(tr("Append {layers}").format(layers=" + ".join(
                "Flatten" if s.type == "Flatten" else f"Linear({k})" for s in head)))
        self.play_button.setEnabled(problem is None)
        self.step_button.setEnabled(problem is None)

    @staticmethod
    def _head(project, info, k):
        if not info.layers or not all(l.ok for l in info.layers):
            return None
        out = tuple(info.layers[-1].out_shape)
        linear = LayerSpec.make("Linear", out_features=k)
        return (linear,) if len(out) == 1 else (LayerSpec.make("Flatten"), linear)

    def append_head(self) -> bool:
        """Append Flatten + Linear(classes) (or Linear alone after a vector) as one undoable edit."""
        from convviz import edits
        project, info = self.session.project, self.session.info
        head = self._head(project, info, self._classes) if self._classes else None
        if not head:
            return False
        new = project
        for spec in head:
            new = edits.add_layer(new, len(new.layers), spec)
        self.win._apply(new, tr("Append a classifier head"), select=len(new.layers) - 1)
        return True

    # --- play, pause, step, reset ------------------------------------------------------------------
    def toggle_play(self) -> None:
        if self.job.playing:
            self.job.pause()
        elif self.play_button.isEnabled():
            if self.last is not None and self.last.done:
                self.job.reset()
            self.job.play()

    def step(self, n: int = 1) -> None:
        if self.step_button.isEnabled():
            self.job.step(n)

    def reset(self) -> None:
        self.curves.clear()
        self.job.reset()

    def _state(self) -> None:
        playing = self.job.playing
        self.win.doc.training_playing = playing
        self.play_button.setText(tr("Pause") if playing else tr("Play"))
        self.play_action.setText(tr("Pause") if playing else tr("Play"))
        stopped = self._was_playing and not playing
        self._was_playing = playing
        if stopped and not self._pinned and self._watched_key is not None:
            self._push(force=True)  # the maps go back to the project's input, with the weights reached

    def _watch_picked(self, index: int) -> None:
        """A test example was picked (the predictions grid): the maps show it, playing or not,
        from its snapshot on."""
        self._pinned = True

    def watched_input(self):
        """(image, key, label) of the test example the maps show instead of the project's input,
        or None: while training plays, or once one was picked, the newest snapshot's watched
        example (not a drawing: the pad gives the session its own)."""
        snap = self.last
        project = self.session.project
        if snap is None or project is None or not (self.job.playing or self._pinned):
            return None
        if snap.watched < 0:  # the drawing (which the session shows first): the example watched before it
            shown = self._example
        else:
            img = getattr(snap, "watched_input", None)
            if img is None:
                return None
            import hashlib
            digest = hashlib.blake2b(np.ascontiguousarray(img).tobytes(), digest_size=8).hexdigest()
            label = tr("test example #{i} of {data}").format(i=snap.watched, data=snap.dataset or self.config.data)
            shown = self._example = (img, ("watched", snap.dataset, snap.watched, digest), label)
        if shown is None or tuple(shown[0].shape) != tuple(project.input.shape):
            return None
        return shown

    def _failed(self, sentence: str) -> None:
        if not self.play_button.isEnabled():
            return  # the stack cannot be trained: the panel says what to add already
        self.message.setText(tr_core(sentence))
        self.win.status.showMessage(tr("Training stopped: {s}").format(s=tr_core(sentence)), 20000)
        self._state()

    # --- snapshots and the trained weights -----------------------------------------------------
    def _snapshot(self, snap) -> None:
        self.last = snap
        self.curves.add(snap)
        self._update_stats()
        project = self.session.project
        from convviz.weights import state_shapes
        need = state_shapes(project) if project is not None else []
        fits = all({k: tuple(v.shape) for k, v in snap.state.get(i, {}).items()} == shapes
                   for i, shapes in enumerate(need) if shapes)
        if not fits:
            return  # a snapshot from before an edit: the next one follows the new stack
        # step 0: the weights training starts from (those a project file named, or the initial ones)
        self.trained = dict(snap.state) if snap.step > 0 or self.job.start_weights else None
        self.trained_project = project
        self._remember()
        self._push()

    def _update_stats(self) -> None:
        s = self.last
        if s is None:
            self.stats.setText(tr("Not trained yet: press Play or Step."))
            return

        def pct(v):
            return "–" if v is None else f"{v * 100:.1f}%"

        def num(v):
            return "–" if v is None else f"{v:.4f}"
        epoch = min(s.epoch + (1 if s.batch else 0), s.epochs) if s.step else 0
        self.stats.setText(tr(
            "Examples seen {n:,} · epoch {e} of {E} · step {st:,}\n{r:,.0f} examples/s · elapsed {t:.1f} s\n"
            "train loss {tl} · accuracy {ta}\ntest loss {vl} · accuracy {va}").format(
            n=s.examples_seen, e=epoch, E=s.epochs, st=s.step, r=s.examples_per_second, t=s.seconds,
            tl=num(s.train_loss), ta=pct(s.train_accuracy), vl=num(s.test_loss), va=pct(s.test_accuracy)))

    def set_show_trained(self, on: bool) -> None:
        """The "trained / initial weights" switch: the maps show one network or the other."""
        on = bool(on)
        for w in (self.trained_box, self.trained_action):
            if w.isChecked() != on:
                w.blockSignals(True)
                w.setChecked(on)
                w.blockSignals(False)
        if on == self.show_trained:
            return
        self.show_trained = on
        self._remember()
        self._push(force=True)
        self.show_trained_changed.emit(on)

    def _push(self, force: bool = False) -> None:
        """Hand the weights to show to the session (a recompute; the newest request wins).
        While training plays, at most every PUSH_INTERVAL seconds and never while the previous
        maps are still being computed (each compute request cuts a training slice short, and
        every repaint takes the GUI thread from training): the newest weights wait and go then."""
        weights = self.trained if self.show_trained else None
        shown = self.watched_input()
        moved = self._watched_key != (shown[1] if shown else None)
        if weights is None and self.session.weights is None and not force and not moved:
            return
        if self.job.playing and not force:
            wait = PUSH_INTERVAL - (time.monotonic() - self._pushed_at)
            if self.session.busy or wait > 0:
                self._push_pending = True
                if not self._push_timer.isActive():
                    self._push_timer.start(max(1, int(max(wait, 0.02) * 1000)))
                return
        self._push_pending = False
        self._push_timer.stop()
        self._pushed_at = time.monotonic()
        self._key += 1
        key = ("trained", id(self), self._key) if weights else None
        self._watched_key = shown[1] if shown else None
        img, ikey, label = shown or (None, None, None)
        if self.session.stage_input_override(img, ikey, source="watched", label=label) or (
                moved and weights is None and self.session.weights is None):
            # another input (and maybe weights): every layer again, in one request
            self.session.weights, self.session.weights_key = weights, key
            self.session.recompute()
        else:
            self.session.set_weights(weights, key)

    def _analysed(self, project, info, _first) -> None:
        """Before each compute: the weights follow an edit (unchanged layers keep theirs) and the
        request carries them; the stack is checked for class outputs."""
        self._lesson_boundary(project)
        if project.input != self._input_seen:  # the learner chose another input: the maps show it
            self._input_seen = project.input
            self._pinned = False
            self._watched_key = None
            self.session.stage_input_override(None, source="watched")  # read by the request that follows
        old = self.trained_project
        if self.trained and old is not None and (old.layers, old.kernels, old.input.shape) != (
                project.layers, project.kernels, project.input.shape):
            from convviz.weights import carry_over
            carried = carry_over(old, project, self.trained)
            self.trained = dict(carried.weights) or None
            self.trained_project = project
            sentence = carried.sentence(project)
            if sentence and not self.win.doc.lesson:  # a chapter's kernels are the chapter's business
                self.win.status.showMessage(tr_core(sentence), 15000)
            self._remember()
        elif self.trained:
            self.trained_project = project
        weights = self.trained if self.show_trained else None
        self.session.weights = weights  # read by the compute request that follows this signal
        self.session.weights_key = ("trained", id(self), self._key) if weights else None
        if project.training is not None and not self.job.playing and \
                replace(project.training, device=self.config.device, threads=self.config.threads) != self.config:
            self.config = replace(project.training, device=self.config.device, threads=self.config.threads)
            self._show_config(self.config)
            self._config_to_job(self.config)
        self._check_output()

    def _lesson_boundary(self, project) -> None:
        """A walkthrough chapter replaced the learner's project (its weights are put aside, the
        training pauses), or the learner's project is back (with what it had learned); another
        chapter's project (another title) starts with none of the previous chapter's weights."""
        lesson = bool(self.win.doc.lesson)
        if lesson and self._in_lesson and self.trained_project is not None \
                and self.trained_project.title != project.title:
            self.trained = self.trained_project = None
            self._remember()
        if lesson == self._in_lesson:
            return
        self._in_lesson = lesson
        if lesson:
            self.job.pause()
            self._own = (self.trained_project, self.trained)
            self.trained = self.trained_project = None
        elif self._own is not None:
            self.trained_project, self.trained = self._own
            self._own = None
            self.job.start_weights = (self.trained_project, self.trained) if self.trained else None
            self.job.restart()
        self.win.doc.training_aside = self._own
        self._remember()

    def _remember(self) -> None:
        """What survives a language switch: the document carries it to the next window."""
        self.win.doc.training_state = (self.trained_project, self.trained, self.show_trained)

    def show_weights(self, weights) -> None:
        """Take ``weights`` ({layer: {name: array}} fitting the project on show; None: none) as
        the trained weights of the project on show and draw the maps with them (when the
        trained / initial switch is on): a walkthrough chapter's trained kernels."""
        self.job.pause()
        self.trained = dict(weights) if weights else None
        self.trained_project = self.win.doc.project if weights else None
        self._remember()
        self._push(force=True)

    # --- files ---------------------------------------------------------------------------------------
    def forget(self) -> None:
        """Another project is about to replace this one: training stops, nothing is carried."""
        self.job.pause()
        self.trained = None
        self.trained_project = None
        self._own = self.win.doc.training_aside = None  # the learner's project put aside goes too
        self._pinned = False
        self._watched_key = None
        self.session.stage_input_override(None, source="watched")
        self.job.start_weights = None
        self.session.weights = self.session.weights_key = None
        self.last = None
        self.curves.clear()
        self._remember()
        self._update_stats()

    def opened(self, path: str | None) -> None:
        """The project on show came from ``path``: its weights file, if it names one, is loaded
        (what does not fit is one sentence in the status bar; those layers keep their initial
        weights) and shown; training starts from it; the training settings are the project's."""
        project = self.win.doc.project
        loaded = None
        if project.weights:
            from convviz.weights import load_project_weights
            loaded = load_project_weights(project, path)
            if loaded.problems:
                more = len(loaded.problems) - 1
                text = tr_core(loaded.problems[0]) + (
                    tr(" (and {n} more: those layers keep their initial weights)").format(n=more) if more else "")
                # after the window's "Opened …", which follows this call
                QtCore.QTimer.singleShot(0, self, lambda: self.win.status.showMessage(text, 30000))
        if loaded is not None and loaded.weights:
            self.trained = dict(loaded.weights)
            self.trained_project = project
        # first: a trainer made from here on (on the compute thread) starts from these weights
        self.job.start_weights = (project, self.trained) if self.trained else None
        self.job.restart()
        self.config = replace(project.training or TrainConfig(), device=self.config.device)
        self._show_config(self.config)
        self._config_to_job(self.config)
        self._remember()
        if self.trained:
            self._push()

    def adopt(self, weights) -> None:
        """Show ``weights`` (checked to fit the project on show: a file the user loaded) as the
        trained weights: the maps use them (the switch goes to "trained"), training starts from
        them, Save writes them beside the project.  The project and its history are untouched."""
        self.job.pause()
        project = self.win.doc.project
        self.trained = dict(weights) if weights else None
        self.trained_project = project if self.trained else None
        self.job.start_weights = (project, self.trained) if self.trained else None
        self.job.restart()
        self.last = None
        self.curves.clear()
        self._update_stats()
        self._remember()
        if not self.show_trained:
            self.set_show_trained(True)  # pushes
        else:
            self._push(force=True)

    def weights_to_save(self):
        """The trained weights of the project on show (None: none)."""
        if self.trained and self.trained_project is not None and \
                self.trained_project.layers == self.win.doc.project.layers:
            return self.trained
        return None

    def close_training(self) -> None:
        self.job.close()
