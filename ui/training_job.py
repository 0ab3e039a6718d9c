"""Training in the app: a convviz.training.Trainer run on the compute session's thread (the one
that owns torch) in short slices, its snapshots coalesced for the GUI.

``TrainingJob(session, config)`` follows the session's project: ``play()`` trains slice after
slice (each about SLICE_SECONDS, fewer batches when a compute request arrives: the session's
``cancelled()`` turns true and the slice returns what it has, so an edit is answered within one
slice), ``pause()`` stops after the slice under way, ``step(n)`` trains n batches, ``reset()``
goes back to the initial weights.  Each slice's snapshot replaces the previous one; the
``snapshot`` signal carries only the newest, at most every MIN_INTERVAL seconds (the GUI
repaints at its own rate and never queues stale snapshots).  An edit of the layers or the input
size reaches the trainer between slices: layers whose weights keep their shapes keep what they
learned, and ``layers_reset`` says which did not.  Everything torch happens on the compute
thread; this object lives on the GUI thread and is closed with the session (``close()``, or the
session's shutdown cancels the queued slice; the JobRunner joins the thread).
"""
from __future__ import annotations

import gc
import time
from dataclasses import replace
from typing import Any, Callable

from convviz.project import Project
from convviz.training_config import TrainConfig

from .qt import QtCore, Signal
from .session import ComputeSession, EngineTask

# training time per slice: edits wait at most about this long.  A slice's snapshot costs ~2 ms
# (weights copied, the watched example's maps and gradients): slices of 0.075 s, with that and
# the maps' computes between them, hand the dashboard 10 to 12 snapshots a second
SLICE_SECONDS = 0.075
MIN_INTERVAL = 0.08  # seconds between two snapshots handed to the GUI (at most 12.5 a second)


_playing_jobs: set[int] = set()  # the TrainingJobs playing now (ids), for the collector's freeze


def _hold_collector(job_id: int, playing: bool) -> None:
    """While any training plays, the objects that existed before it are frozen out of the cyclic
    garbage collector (gc.freeze): a full collection of the app's ~340,000 objects (torch,
    Qt, pyqtgraph) holds the interpreter lock for ~150 ms, stalling the GUI and the training
    thread alike, and training makes enough garbage to trigger several a minute.  Pausing
    unfreezes them, so cycles among them are collected again as before (nothing leaks)."""
    was = bool(_playing_jobs)
    (_playing_jobs.add if playing else _playing_jobs.discard)(job_id)
    if bool(_playing_jobs) != was:
        gc.freeze() if _playing_jobs else gc.unfreeze()


class TrainingJob(QtCore.QObject):
    """Play, pause, step and reset a training of the session's project (see the module doc)."""

    snapshot = Signal(object)  # the newest convviz.training.Snapshot
    state_changed = Signal()  # playing, paused, finished or busy changed
    failed = Signal(str)  # training stopped: a sentence
    layers_reset = Signal(str)  # an edit sent some layers back to their initial weights: a sentence
    example_picked = Signal(int)  # the learner picked this test example to watch (watch(i, picked=True))

    def __init__(self, session: ComputeSession, config: TrainConfig = TrainConfig(), watch: int = 0,
                 dataset_loader: Callable[..., Any] | None = None, parent=None):
        super().__init__(parent)
        self.session = session
        self.config = config
        self.watch_index = watch
        self._load = dataset_loader
        self._trainer = None  # touched only on the compute thread
        # (project, weights) a new trainer starts from (carried onto the project it trains), e.g.
        # the weights a project file named; None: the initial weights.  Set before play().
        self.start_weights: tuple[Project, Any] | None = None
        self._trained_project: Project | None = None  # the project the trainer has (compute thread)
        self.project: Project | None = session.project
        self._playing = False
        self.steps_wanted = 0  # batches asked for by step()
        self.latest = None  # the newest snapshot that arrived
        self.last_slice = None  # the newest slice's snapshot (its examples/s, batches trained)
        self.emitted = None  # the newest snapshot handed to the GUI
        self.slices = 0  # slices finished
        self.closed = False
        self.want_gradients = False  # snapshots carry the activation gradients (a view shows them)
        self._inflight: EngineTask | None = None
        self._last_emit = 0.0
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._emit_latest)
        session.analysed.connect(self._on_analysed)

    # --- the GUI's side --------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._playing

    @playing.setter
    def playing(self, on: bool) -> None:
        self._playing = bool(on)
        _hold_collector(id(self), self._playing)

    @property
    def busy(self) -> bool:
        """A slice is queued or running."""
        return self._inflight is not None

    def play(self) -> None:
        if self.closed:
            return
        self.playing = True
        self.state_changed.emit()
        self._pump()

    def pause(self) -> None:
        """Stop after the slice under way (its snapshot still arrives)."""
        self.playing = False
        self.steps_wanted = 0
        self._command(lambda tr: tr.pause(), create=False)
        self.state_changed.emit()

    def step(self, n: int = 1) -> None:
        """Train ``n`` more batches, then stop (while paused)."""
        if self.closed:
            return
        self.steps_wanted += int(n)
        self._pump()

    def reset(self) -> None:
        """Back to the initial weights and step 0, paused."""
        self.pause()
        self._command(lambda tr: tr.reset() or tr.snapshot())

    def restart(self) -> None:
        """Paused, and the next play or step starts a new trainer (from ``start_weights``): the
        project was replaced, nothing of the previous training goes on."""
        self.pause()
        self.latest = self.last_slice = None
        self._command(lambda tr: None, rebuild=True, create=False)

    def set_config(self, config: TrainConfig) -> None:
        """New settings from the next slice on (a new data set or seed starts afresh)."""
        old, self.config = self.config, config
        if (config.data, config.size, config.seed, config.device) != (old.data, old.size, old.seed, old.device):
            self._command(lambda tr: None, rebuild=True)
        else:
            self._command(lambda tr: tr.set_config(config) or tr.snapshot())

    def watch(self, example, picked: bool = False) -> None:
        """The test example (an index) or an image whose maps the snapshots carry; ``picked``:
        the learner chose this test example (the predictions grid), so the maps show it."""
        if isinstance(example, int):
            self.watch_index = example
        self._command(lambda tr: tr.watch(example) or tr.snapshot())
        if picked and isinstance(example, int):
            self.example_picked.emit(example)

    @property
    def dataset(self):
        """The data set the trainer learns from (convviz.datasets.Dataset, immutable), or None
        before the first slice made one."""
        tr = self._trainer
        return tr.dataset if tr is not None else None

    def run_with_trainer(self, fn: Callable[[Any, Callable[[], bool]], Any],
                         on_done: Callable[[Any], None] | None = None,
                         on_failed: Callable[[str], None] | None = None):
        """Run ``fn(trainer, cancelled)`` on the compute thread (the trainer's own), in order
        with the slices, and hand its result to ``on_done`` on the GUI thread: what the views ask
        of the current weights (predictions on the test set, saliency, Grad-CAM).  With no trainer
        yet, ``fn`` is not called and ``on_done`` gets None; ``cancelled()`` turns true when a
        compute request (an edit) is waiting, so a long ``fn`` gives way.  Returns the queued
        task (``cancel()`` it to drop the answer), or None once the job is closed."""
        if self.closed:
            return None

        def task(engine, cancelled):
            tr = self._trainer
            return None if tr is None else fn(tr, cancelled)
        return self.session.run_on_compute_thread(task, on_done, on_failed)

    def refresh(self) -> None:
        """A snapshot of where training stands now (e.g. a view now wants the gradients)."""
        self._command(lambda tr: tr.snapshot(), create=False)

    def close(self) -> None:
        """Stop: nothing more is queued; a slice under way is cancelled (the session's JobRunner
        joins the thread when the window closes)."""
        if self.closed:
            return
        self.closed = True
        self.playing = False
        self.steps_wanted = 0
        self._timer.stop()
        if self._inflight is not None:
            self._inflight.cancel()
            self._inflight = None
        try:
            self.session.analysed.disconnect(self._on_analysed)
        except (RuntimeError, TypeError):
            pass

    # --- following the project -------------------------------------------------------------------
    def _on_analysed(self, project, info, first) -> None:
        old, self.project = self.project, project
        if old is not None and (old.layers, old.kernels, old.input.shape) == (project.layers, project.kernels,
                                                                               project.input.shape):
            return  # another image or title: training goes on undisturbed
        self._command(lambda tr: self._follow(tr, project), create=False)

    def _follow(self, tr, project: Project):  # the compute thread
        from convviz.training import TrainingError
        if tr.dataset.shape != tuple(project.input.shape):
            self._trainer = None  # another input size: the data set is loaded again at it
            return ("rebuilt", self._ensure(carry_from=(tr.project, tr.state())).snapshot())
        try:
            carried = tr.set_project(project)
        except TrainingError as e:
            return ("refused", str(e))
        self._trained_project = project
        return ("carried", carried.sentence(project), tr.snapshot())

    # --- the compute thread's side ---------------------------------------------------------------
    def _ensure(self, carry_from=None):  # the compute thread
        """The trainer, made on first use (the data set loaded at the project's input size)."""
        if self._trainer is not None:
            return self._trainer
        from convviz.datasets import load_dataset
        from convviz.training import Trainer, TrainingError
        from convviz.weights import carry_over
        project = self.project
        if project is None:
            raise TrainingError("there is no project to train")
        c, h, w = project.input.shape
        load = self._load or load_dataset
        cfg = self.config
        ds = load(cfg.data, c, h, w, seed=cfg.seed, size=cfg.size, base_dir=self.session.base_dir)
        weights = None
        if carry_from is None and self.start_weights is not None:  # weights loaded with the project
            carry_from = self.start_weights
        if carry_from is not None:
            weights = carry_over(carry_from[0], project, carry_from[1]).weights
        watch = min(self.watch_index, len(ds.test_y) - 1)
        self._trainer = Trainer(project, ds, replace(cfg), weights=weights, watch=watch)
        self._trained_project = project
        return self._trainer

    def _slice(self, engine, cancelled, steps: int | None):  # the compute thread
        """Train one slice; while playing, the next slice is queued from here, before the GUI
        hears of this one (the training thread does not wait for the GUI between slices).
        Returns (snapshot, the next slice's task or None, whether this was a Step's slice)."""
        tr = self._ensure()
        tr.activation_gradients_wanted = self.want_gradients
        if steps is None and not self.playing:  # paused since it was queued: nothing more
            tr.pause()
            return tr.snapshot(), None, False
        tr.resume() if steps is None else tr.pause()
        n = steps if steps is not None else 1 << 30
        snap = tr.step(n, cancelled, seconds=SLICE_SECONDS)
        nxt = None
        if steps is None and self.playing and not self.closed and not snap.done:
            nxt = self._queue_slice(None)
        return snap, nxt, steps is not None

    def _queue_slice(self, steps: int | None):
        return self.session.run_on_compute_thread(
            lambda engine, cancelled: self._slice(engine, cancelled, steps), self._slice_done, self._failed)

    def _pump(self) -> None:
        """Queue the next slice when one is wanted and none is queued."""
        if self.closed or self._inflight is not None:
            return
        if not self.playing and self.steps_wanted <= 0:
            return
        steps = None if self.playing else self.steps_wanted
        self._inflight = self._queue_slice(steps)
        self.state_changed.emit()

    def _slice_done(self, result) -> None:
        snap, nxt, stepped = result
        self._inflight = nxt if nxt is not None and not nxt.cancelled() else None
        self.slices += 1
        self.last_slice = snap
        if stepped:
            self.steps_wanted = max(0, self.steps_wanted - snap.trained)
        if snap.done:
            self.playing = False
            self.steps_wanted = 0
        self._offer(snap)
        self.state_changed.emit()
        self._pump()

    def _command(self, fn, rebuild: bool = False, create: bool = True) -> None:
        """Run ``fn(trainer)`` on the compute thread, in order with the slices (with no trainer
        yet: make one when ``create``, else nothing)."""
        if self.closed:
            return

        def task(engine, cancelled):
            if rebuild:
                self._trainer = None
            if self._trainer is None and (self.project is None or not create):
                return None
            if self._trainer is None:
                tr = self._ensure()
                tr.activation_gradients_wanted = self.want_gradients
                return ("snapshot", tr.snapshot())
            self._trainer.activation_gradients_wanted = self.want_gradients
            return fn(self._trainer)
        self.session.run_on_compute_thread(task, self._command_done, self._failed)

    def _command_done(self, result) -> None:
        if result is None:
            return
        if isinstance(result, tuple):
            kind = result[0]
            if kind == "refused":
                self.pause()
                self.failed.emit(result[1])
                return
            if kind == "carried":
                if result[1]:
                    self.layers_reset.emit(result[1])
                result = result[2]
            else:
                result = result[1]
        self._offer(result)

    def _failed(self, sentence: str) -> None:
        self._inflight = None
        self.playing = False
        self.steps_wanted = 0
        self.failed.emit(sentence)
        self.state_changed.emit()

    # --- coalescing ------------------------------------------------------------------------------
    def _offer(self, snap) -> None:
        """Keep ``snap`` as the newest; hand it over now or when MIN_INTERVAL has passed."""
        self.latest = snap
        wait = MIN_INTERVAL - (time.monotonic() - self._last_emit)
        if wait <= 0:
            self._emit_latest()
        elif not self._timer.isActive():
            self._timer.start(max(1, int(wait * 1000)))

    def _emit_latest(self) -> None:
        if self.closed or self.latest is None or self.latest is self.emitted:
            return
        self._last_emit = time.monotonic()
        self.emitted = self.latest
        self.snapshot.emit(self.latest)
