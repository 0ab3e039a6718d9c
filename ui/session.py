"""The compute session and the job runner: the one owner of background threads and results.

``JobRunner`` runs every background job (the compute worker, the effective receptive field,
GIF encoding, and the training to come), each on its own QThread.  A job is a function
``fn(job)`` that polls ``job.cancelled()``, may ``job.report(fraction, text)`` its progress
and ``job.post(message)`` anything to the GUI thread.  Everything a job hands over travels on
the job's own signals, and the job object lives in a module registry until its thread has been
joined, so a window deleted while a job finishes its last step can never be written to, and no
QThread is destroyed while it runs (napari's ``_layer_slicer.shutdown``; ``QtViewer`` stopping
its thread on close).  Closing a window cancels its jobs and joins them for a bounded time;
what is still in a long torch call finishes in the background and is joined when the
application quits (``QApplication.aboutToQuit``, and ``atexit``).

``ComputeSession`` owns what the views show: the project being computed, its analysis, the
generation number, the last result and the layer maps of the current generation.  Views
subscribe to its signals and read maps through ``map(index)``, which never answers with a map
of an older generation that an edit has made invalid.  A request carries the generation; the
worker takes the newest, abandons a superseded one (the engine polls ``cancelled``), and the
session drops anything of an older generation.  ``run_on_compute_thread(fn)`` runs other work
on that same thread between computes (training slices), giving way to every edit.
"""
from __future__ import annotations

import atexit
import collections
import threading
import time
import traceback
from typing import Any, Callable

import numpy as np

from convviz.engine_api import DEFAULT_MACS_PER_SECOND, ComputeRequest, ComputeResult, estimate_seconds, layer_work
from convviz.project import Project
from convviz.validate import StackInfo

from .qt import QtCore, QtWidgets, Signal

# --- jobs ----------------------------------------------------------------------------------------

JOIN_ON_CLOSE_S = 0.25  # how long closing a window waits for a cancelled job before leaving it
JOIN_ON_QUIT_S = 30.0  # at quit: cancelled jobs are finishing their last step


class Job(QtCore.QObject):
    """One background job.  Its signals are emitted from the job's thread and delivered on the
    GUI thread; the job object outlives its window until the thread is joined."""

    done = Signal(object)  # the function's return value (not emitted when cancelled)
    failed = Signal(str)  # a sentence (not emitted when cancelled)
    progress = Signal(float, str)  # fraction 0..1 (or -1: unknown), text
    posted = Signal(object)  # anything the job hands over while running
    ended = Signal(object)  # always, last: the job itself

    def __init__(self, name: str, fn: Callable[["Job"], Any], label: str = "", shown: bool = True):
        super().__init__()
        self.name = name
        self.label = label or name
        self.shown = shown  # listed in the status bar while it runs
        self.fn = fn
        self.fraction = -1.0
        self.text = ""
        self.started_at: float | None = None
        self._cancel = threading.Event()
        self._wakers: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self.finished_ok = False
        self.thread: QtCore.QThread | None = None

    def running(self) -> bool:
        """Its thread has started and not yet ended."""
        return self.thread is not None and self.thread.isRunning()

    def cancel(self) -> None:
        """Ask the job to stop; it stops at its next check (never waited for here)."""
        self._cancel.set()
        with self._lock:
            wakers = list(self._wakers)
        for w in wakers:
            w()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def on_cancel(self, waker: Callable[[], None]) -> None:
        """Call ``waker`` (from the cancelling thread) when the job is cancelled: a job that
        sleeps on a condition registers how to wake it."""
        with self._lock:
            self._wakers.append(waker)
        if self.cancelled():
            waker()

    def report(self, fraction: float, text: str = "") -> None:
        if not self.cancelled():
            self.progress.emit(float(fraction), text)

    def post(self, message: object) -> None:
        if not self.cancelled():
            self.posted.emit(message)


class _JobThread(QtCore.QThread):
    def __init__(self, job: Job):
        super().__init__()
        self.job = job
        self.setObjectName(f"convviz-{job.name}")

    def run(self) -> None:  # the job's thread
        job = self.job
        try:
            result = job.fn(job)
        except Exception as e:  # noqa: BLE001 - reported as a sentence, never raised in the GUI
            if not job.cancelled():
                job.failed.emit(_sentence(e))
        else:
            if not job.cancelled():
                job.finished_ok = True
                job.done.emit(result)
            del result
        job.fn = None  # what it captured (GIF frames, an input) is not kept by a finished job
        job.ended.emit(job)


def _sentence(e: Exception) -> str:
    from .i18n import tr, tr_core
    if isinstance(e, MemoryError):
        return tr("The computation ran out of memory.")
    msg = e.args[0] if e.args else e
    return tr("The computation failed: {e}").format(e=tr_core(msg) if not isinstance(msg, str) else msg)


# Every job thread, running or finished-but-not-joined, with its job: the registry keeps both
# alive (a QThread must not be destroyed while it runs), whatever happens to the window.
_THREADS: dict[_JobThread, Job] = {}
_quit_hooked: list[bool] = []


class _Reaper(QtCore.QObject):
    """Lives on the GUI thread: joins a job's thread once it has ended and forgets it."""

    def reap(self, job: Job) -> None:
        for t, j in list(_THREADS.items()):
            if j is job:
                t.wait()
                _THREADS.pop(t, None)
        job.thread = None


_reaper: list[_Reaper] = []


def _reaper_obj() -> _Reaper:
    if not _reaper:
        _reaper.append(_Reaper())
    return _reaper[0]


def reap() -> None:
    """Join and forget the threads that have ended (their ``ended`` may still be queued)."""
    for t in list(_THREADS):
        if t.isFinished():
            t.wait()
            _THREADS.pop(t, None).thread = None


def running_threads() -> list[QtCore.QThread]:
    """Threads of ours that have not ended yet (tests check none survive a window)."""
    reap()
    return [t for t in _THREADS if t.isRunning()]


def shutdown_all(timeout: float = JOIN_ON_QUIT_S) -> bool:
    """Cancel every job of every window and join them (application quit)."""
    for t, job in list(_THREADS.items()):
        job.cancel()
    deadline = time.monotonic() + timeout
    for t in list(_THREADS):
        t.wait(max(0, int((deadline - time.monotonic()) * 1000)))
    reap()
    left = [t for t in _THREADS if t.isRunning()]
    if left:
        import ctypes
        import sys
        # Still inside a torch call that cannot be interrupted: never destroy a running QThread
        # (that aborts the process); keep a reference the interpreter's teardown cannot drop.
        for t in left:
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(t))
        print(f"convviz: {len(left)} background job(s) still finishing at exit", file=sys.stderr)
    return not left


def _hook_quit() -> None:
    if _quit_hooked:
        return
    app = QtCore.QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(shutdown_all)
        _quit_hooked.append(True)


atexit.register(shutdown_all)


class JobRunner(QtCore.QObject):
    """Starts, lists, cancels and joins the background jobs of one window.

    ``submit(name, fn, ...)`` runs ``fn(job)`` on a new thread.  With ``exclusive`` a job of the
    same name still running is cancelled, and the new one starts when it has ended (latest
    wins: at most one running and one waiting per name, however fast the requests come)."""

    changed = Signal()  # a job started, progressed or ended (for the status bar)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._mine: list[Job] = []
        self._waiting: dict[str, tuple[Job, dict]] = {}
        self._callbacks: dict[Job, dict] = {}
        self._closed = False
        _hook_quit()

    def submit(self, name: str, fn: Callable[[Job], Any], *, label: str = "", exclusive: bool = True,
               shown: bool = True, on_done: Callable[[Any], None] | None = None,
               on_failed: Callable[[str], None] | None = None,
               on_posted: Callable[[object], None] | None = None) -> Job:
        """Run ``fn(job)`` on its own thread.  The callbacks run on the GUI thread while this
        runner lives: ``on_done(result)`` and ``on_failed(sentence)`` unless the job was
        cancelled, ``on_posted(message)`` for each ``job.post``; all are connected before the
        thread starts, so nothing the job hands over is missed."""
        job = Job(name, fn, label, shown)
        callbacks = {"done": on_done, "failed": on_failed, "posted": on_posted}
        if self._closed:
            job.cancel()
            return job
        if exclusive:
            old = self._waiting.pop(name, None)
            if old is not None:
                old[0].cancel()
            busy = [j for j in self._mine if j.name == name]
            for j in busy:
                j.cancel()
            if busy:
                self._waiting[name] = (job, callbacks)
                self.changed.emit()
                return job
        self._start(job, callbacks)
        return job

    def _start(self, job: Job, callbacks: dict) -> None:
        reap()
        self._callbacks[job] = callbacks
        job.done.connect(self._job_done)
        job.failed.connect(self._job_failed)
        job.progress.connect(self._job_progress)
        job.posted.connect(self._job_posted)
        job.ended.connect(self._job_ended)
        job.ended.connect(_reaper_obj().reap)
        thread = _JobThread(job)
        job.thread = thread
        _THREADS[thread] = job
        self._mine.append(job)
        job.started_at = time.monotonic()
        thread.start()
        self.changed.emit()

    def _job_done(self, result) -> None:
        job = self.sender()
        cb = self._callbacks.get(job, {}).get("done")
        if cb is not None and not job.cancelled():
            cb(result)

    def _job_failed(self, message: str) -> None:
        job = self.sender()
        cb = self._callbacks.get(job, {}).get("failed")
        if cb is not None and not job.cancelled():
            cb(message)

    def _job_posted(self, message) -> None:
        job = self.sender()
        cb = self._callbacks.get(job, {}).get("posted")
        if cb is not None and not job.cancelled():
            cb(message)

    def _job_progress(self, fraction: float, text: str) -> None:
        job = self.sender()
        job.fraction, job.text = fraction, text
        self.changed.emit()

    def _job_ended(self, job: Job) -> None:
        if job in self._mine:
            self._mine.remove(job)
        self._callbacks.pop(job, None)
        waiting = self._waiting.get(job.name)
        if waiting is not None and not any(j.name == job.name for j in self._mine):
            del self._waiting[job.name]
            if not waiting[0].cancelled() and not self._closed:
                self._start(*waiting)
        self.changed.emit()

    def jobs(self, name: str | None = None) -> list[Job]:
        """Running (not yet ended) jobs, and those waiting for a predecessor of their name."""
        out = [j for j in self._mine if name is None or j.name == name]
        out += [j for n, (j, _) in self._waiting.items() if name is None or n == name]
        return out

    def cancel(self, name: str | None = None) -> None:
        for n in list(self._waiting):
            if name is None or n == name:
                self._waiting.pop(n)[0].cancel()
        for j in self._mine:
            if name is None or j.name == name:
                j.cancel()
        self.changed.emit()

    def shutdown(self, timeout: float = JOIN_ON_CLOSE_S) -> bool:
        """Cancel every job of this runner and join them for at most ``timeout`` seconds; a job
        still inside an uninterruptible call is left to end on its own (the registry keeps it,
        the application joins it at quit).  True when all have ended."""
        self._closed = True
        self.cancel()
        deadline = time.monotonic() + timeout
        mine = [t for t, j in _THREADS.items() if j in self._mine]
        for t in mine:
            t.wait(max(0, int((deadline - time.monotonic()) * 1000)))
        reap()
        return not any(t.isRunning() for t in mine)


# --- the compute session -------------------------------------------------------------------------

LONG_SECONDS = 10.0  # estimated longer than this: say so before running, and offer Stop
PROGRESSIVE_SECONDS = 0.4  # hand out layers one by one when the recompute is slow enough to watch
# A recompute of at most this many multiply-accumulates runs on one torch thread: on 2 cores the
# GUI thread (or any other process) stalls a second one, and a small forward then waits for it
# (teaching preset, measured here: p50 2.0 ms on one thread against 13.8 ms on two, p95 14 vs 93).
ONE_THREAD_MACS = 50_000_000


def first_difference(a: Project | None, b: Project) -> int:
    """Index of the first layer whose output may differ between a and b (0 if the input or seed
    changed; len(b.layers) if nothing did)."""
    if a is None or a.input != b.input or a.seed != b.seed:
        return 0
    n = min(len(a.layers), len(b.layers))
    for i in range(n):
        if a.layers[i] != b.layers[i] or a.kernels[i] != b.kernels[i]:
            return i
    return n


def _new_engine():
    from convviz.engine import Engine
    return Engine()


class EngineTask:
    """Work queued for the compute thread (see ComputeSession.run_on_compute_thread)."""

    def __init__(self, fn, on_done, on_failed):
        self.fn, self.on_done, self.on_failed = fn, on_done, on_failed
        self._cancel = threading.Event()
        self.finished = False  # set on the GUI thread when its result (or failure) has arrived

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()


# which source's image the maps are computed from when several replace the input (set_input_override)
OVERRIDE_ORDER = ("drawing", "watched")


class ComputeSession(QtCore.QObject):
    """The project on screen, its analysis and its maps, tagged by generation.

    Signals, in the order a change produces them:
      analysed(project, info, first)  shapes and messages known (pure arithmetic, instant);
                                      maps of layers >= first are no longer current
      layer_ready(generation, index)  a slow compute delivered layer ``index``: ``map(index)``
      result_ready(result)            the whole result of the current generation
      maps_updated(generation)        after every view has taken the result
    plus engine_ready(info), failed(message), stopped(generation), state_changed().
    """

    analysed = Signal(object, object, int)
    layer_ready = Signal(int, int)
    result_ready = Signal(object)
    maps_updated = Signal(int)
    failed = Signal(str)
    engine_ready = Signal(object)
    stopped = Signal(int)
    state_changed = Signal()

    def __init__(self, runner: JobRunner | None = None, parent=None):
        super().__init__(parent)
        self.runner = runner or JobRunner(self)
        self.engine_factory: Callable[[], Any] = _new_engine
        self.project: Project | None = None
        self.info: StackInfo | None = None
        self.base_dir: str | None = None
        self.generation = 0
        self.result: ComputeResult | None = None
        self.engine_info: dict | None = None
        self.device = "cpu"
        self.threads: int | None = None
        self.rate = DEFAULT_MACS_PER_SECOND  # the engine's measured rate (multiply-accumulates a second)
        self.progressive = "auto"  # or "always" / "never"
        self.estimate = 0.0  # seconds the running compute is expected to take
        self.busy = False
        self.stopped_gen = 0
        self.done_macs = 0
        self._maps: dict[int, np.ndarray] = {}  # index (-1: input) -> map of the current generation
        self._layer_work: dict[int, int] = {}
        self._submitted_macs = 0
        self._job: Job | None = None
        self._cond = threading.Condition()
        self._pending: ComputeRequest | None = None
        self._stop_through = 0  # generations up to this one are stopped by the user
        self.computing: int | None = None  # the generation the worker is computing (set by the worker)
        self._tasks: collections.deque[EngineTask] = collections.deque()
        # "trained / initial": weights every request shows instead of the initial ones (None:
        # initial), and the key naming that version for the engine's cache (set_weights)
        self.weights = None
        self.weights_key = None
        # what the maps are computed from instead of the project's input: (array, key) or None,
        # chosen from the sources that ask (the drawing pad's "drawing" wins over training's
        # "watched" test example), and the words naming it for the input's header
        self.input_override: tuple[np.ndarray, Any] | None = None
        self.input_label: str | None = None
        self._overrides: dict[str, tuple[np.ndarray, Any, str | None]] = {}

    # --- the worker ------------------------------------------------------------------------
    def start(self) -> None:
        """Start the compute worker (torch is imported there, after the window is up)."""
        if self._job is None or (not self._job.running() and self._job not in self.runner.jobs("compute")):
            self._job = self.runner.submit("compute", self._work, label="compute", exclusive=True, shown=False,
                                           on_posted=self._on_posted)

    @property
    def running(self) -> bool:
        """The compute thread is running."""
        return self._job is not None and self._job.running()

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def _work(self, job: Job) -> None:  # the compute thread
        try:
            import torch

            from convviz.engine import Cancelled
            engine = self.engine_factory()
            job.post(("engine", {"torch": torch.__version__, "cuda": bool(torch.cuda.is_available()),
                                 "threads": torch.get_num_threads()}))
        except Exception as e:  # noqa: BLE001 - reported to the GUI, the app stays up
            job.post(("failed", -1, f"The compute engine could not start: {e}"))
            return
        job.on_cancel(self._wake)
        while True:
            with self._cond:
                while self._pending is None and not self._tasks and not job.cancelled():
                    self._cond.wait()
                if job.cancelled():
                    return
                task = self._tasks.popleft() if self._pending is None else None
                if task is None:
                    req, self._pending = self._pending, None
            if task is not None:
                self._run_task(job, engine, task)
                continue
            gen = req.generation

            def cancelled(g=gen) -> bool:
                return job.cancelled() or self._pending is not None or g <= self._stop_through

            def on_layer(i, arr, g=gen):
                job.post(("layer", g, i, arr))
            self.computing = gen
            try:
                res = engine.run(req, cancelled=cancelled, on_layer=on_layer if req.progressive else None)
            except Cancelled:
                continue
            except Exception as e:  # noqa: BLE001
                engine.clear()
                job.post(("failed", gen, f"The computation failed: {e}\n{traceback.format_exc(limit=3)}"))
                continue
            finally:
                self.computing = None
            job.post(("result", res))

    def _run_task(self, job: Job, engine, task: EngineTask) -> None:  # the compute thread
        if task.cancelled():
            return

        def cancelled() -> bool:  # a compute request comes first
            return job.cancelled() or task.cancelled() or self._pending is not None
        try:
            result = task.fn(engine, cancelled)
        except Exception as e:  # noqa: BLE001 - a sentence for the GUI
            job.post(("task", task, False, _sentence(e)))
        else:
            job.post(("task", task, True, result))

    def run_on_compute_thread(self, fn: Callable[[Any, Callable[[], bool]], Any],
                              on_done: Callable[[Any], None] | None = None,
                              on_failed: Callable[[str], None] | None = None) -> EngineTask:
        """Run ``fn(engine, cancelled)`` on the compute thread, which owns torch, between computes
        (training runs this way, slice by slice).  Compute requests go first: a task waits while
        one is pending, and its ``cancelled()`` turns true as soon as one arrives (or the task is
        cancelled, or the session closes), so a slice that checks it yields to the user's edits
        and returns what it has.  Tasks run in the order given; ``on_done(result)`` or
        ``on_failed(sentence)`` run on the GUI thread unless the task was cancelled."""
        task = EngineTask(fn, on_done, on_failed)
        with self._cond:
            self._tasks.append(task)
            self._cond.notify_all()
        return task

    # --- requests --------------------------------------------------------------------------
    def set_project(self, project: Project, base_dir: str | None = None) -> int:
        """Analyse ``project`` (views get shapes and messages at once) and compute it; returns
        the new generation."""
        same_input = self.project is not None and self.project.input == project.input and base_dir == self.base_dir
        first = first_difference(self.project, project) if base_dir == self.base_dir else 0
        info = project.analyze()
        for src, ov in list(self._overrides.items()):
            if ov[0].shape != tuple(project.input.shape):
                del self._overrides[src]  # the drawing no longer fits the input
        if self._choose_override():
            same_input = False
        self.project, self.info, self.base_dir = project, info, base_dir
        self.generation += 1
        # maps of the unchanged prefix stay current; the rest are of an older generation now
        self._maps = {i: a for i, a in self._maps.items()
                      if (i < 0 and same_input) or (0 <= i < first and i < len(info.layers) and info.layers[i].ok)}
        self.analysed.emit(project, info, first)
        self._submit(first)
        return self.generation

    def recompute(self) -> int:
        """Compute the current project again (after Stop, or a change of device or threads)."""
        if self.project is None:
            return self.generation
        self.generation += 1
        self._maps = {}
        self.analysed.emit(self.project, self.info, 0)
        self._submit(0)
        return self.generation

    def set_weights(self, weights, key=None) -> int:
        """Show ``weights`` ({layer: {name: array}}, checked to fit the project; None: the
        initial weights) from now on and compute the maps again with them (latest wins, as an
        edit does); ``key`` names this version for the engine's cache."""
        changed = set(self.weights or ()) | set(weights or ())
        self.weights, self.weights_key = weights, key
        if self.project is None:
            return self.generation
        first = min(changed) if changed else 0
        self.generation += 1
        self._maps = {i: a for i, a in self._maps.items() if i < first}
        self.analysed.emit(self.project, self.info, first)
        self._submit(first)
        return self.generation

    def set_input_override(self, image: np.ndarray | None, key: Any = None, source: str = "drawing",
                           label: str | None = None) -> int:
        """Compute ``image`` ((C, H, W) float32 in [0, 1], the project's input shape; read-only)
        instead of the project's input, ``key`` naming it for the engine's cache (the drawing
        pad: a new key per stroke) and ``label`` for the input's header; None withdraws
        ``source``'s image (with none left, the project's input is computed again).  Returns
        the generation."""
        self.stage_input_override(image, key, source, label)
        return self.recompute()

    def stage_input_override(self, image: np.ndarray | None, key: Any = None, source: str = "drawing",
                             label: str | None = None) -> bool:
        """``set_input_override`` without computing: True when the image the maps are computed
        from changed (the caller then recomputes, e.g. with new weights in the same request)."""
        if image is None:
            self._overrides.pop(source, None)
        else:
            self._overrides[source] = (image, key, label)
        return self._choose_override()

    def _choose_override(self) -> bool:
        chosen = next((self._overrides[s] for s in OVERRIDE_ORDER if s in self._overrides), None)
        if chosen is None:
            chosen = next(iter(self._overrides.values()), None)
        old = self.input_override
        self.input_override = None if chosen is None else (chosen[0], chosen[1])
        self.input_label = None if chosen is None else chosen[2]
        if old is None or self.input_override is None:
            return old is not self.input_override
        return old[1] != chosen[1] or (old[1] is None and old[0] is not chosen[0])

    def _submit(self, first: int) -> None:
        info = self.info
        layers = [l for l in info.layers[first:] if l.ok] if info else []
        self._layer_work = {l.index: layer_work(l) for l in layers}
        self._submitted_macs = sum(self._layer_work.values())
        self.done_macs = 0
        self.estimate = estimate_seconds(info, self.rate, first) if info else 0.0
        progressive = {"always": True, "never": False}.get(self.progressive, self.estimate > PROGRESSIVE_SECONDS)
        self.busy = True
        ov = self.input_override
        req = ComputeRequest(self.generation, self.project, self.base_dir, device=self.device,
                             threads=1 if self._submitted_macs <= ONE_THREAD_MACS else self.threads,
                             progressive=progressive, weights=self.weights,
                             weights_key=self.weights_key, input_override=ov[0] if ov else None,
                             input_key=ov[1] if ov else None)
        with self._cond:
            self._pending = req
            self._cond.notify_all()
        self.state_changed.emit()

    def stop(self) -> None:
        """Stop the running compute (the user's Stop); the maps not yet computed stay empty."""
        if not self.busy:
            return
        self._stop_through = self.generation
        self.stopped_gen = self.generation
        with self._cond:
            if self._pending is not None and self._pending.generation <= self._stop_through:
                self._pending = None
        self.busy = False
        self.stopped.emit(self.generation)
        self.state_changed.emit()

    @property
    def long(self) -> bool:
        """The running compute is expected to take long enough to say so and offer Stop."""
        return self.busy and self.estimate > LONG_SECONDS

    @property
    def fraction(self) -> float:
        return self.done_macs / self._submitted_macs if self._submitted_macs else 0.0

    # --- results ---------------------------------------------------------------------------
    def map(self, index: int) -> np.ndarray | None:
        """Layer ``index``'s maps (-1: the input) if they belong to the current generation."""
        return self._maps.get(index)

    def current(self) -> bool:
        """The last result is the current generation's."""
        return self.result is not None and self.result.generation == self.generation

    def _on_posted(self, message) -> None:
        kind = message[0]
        if kind == "layer":
            _, gen, index, arr = message
            if gen != self.generation or gen <= self._stop_through:
                return  # stale: a newer edit is on its way (or the user stopped it)
            self._maps[index] = arr
            self.done_macs += self._layer_work.get(index, 0)
            self.layer_ready.emit(gen, index)
            self.state_changed.emit()
        elif kind == "result":
            self._result(message[1])
        elif kind == "failed":
            _, gen, text = message
            if gen in (-1, self.generation):
                self.busy = False
                self.failed.emit(text)
                self.state_changed.emit()
        elif kind == "engine":
            self.engine_info = message[1]
            self.engine_ready.emit(message[1])
        elif kind == "task":
            _, task, ok, value = message
            task.finished = True
            cb = task.on_done if ok else task.on_failed
            if cb is not None and not task.cancelled():
                cb(value)

    def _result(self, res: ComputeResult) -> None:
        if res.generation != self.generation:
            return  # stale
        self.rate = res.macs_per_second or self.rate
        self.result = res
        self._maps = {i: a for i, a in enumerate(res.outputs) if a is not None}
        if res.input is not None:
            self._maps[-1] = res.input
        self.busy = False
        self.done_macs = self._submitted_macs
        self.result_ready.emit(res)
        self.state_changed.emit()
        self.maps_updated.emit(res.generation)

    def shutdown(self, timeout: float = JOIN_ON_CLOSE_S) -> bool:
        """Cancel every job of this session's runner (the compute included) and join them for at
        most ``timeout`` seconds."""
        with self._cond:
            self._pending = None
            for t in self._tasks:
                t.cancel()
            self._tasks.clear()
        self.busy = False
        return self.runner.shutdown(timeout)


class JobStatus(QtWidgets.QWidget):
    """The status bar's view of the background work: what runs, how far, and Stop.

    Shown while a compute expected to take long (LONG_SECONDS) or a user-visible job (effective
    receptive field, GIF) runs; hidden otherwise so quick edits do not flicker it."""

    def __init__(self, session: ComputeSession, parent=None):
        from .i18n import tr
        super().__init__(parent)
        self.session = session
        self.label = QtWidgets.QLabel()
        self.label.setObjectName("jobLabel")
        self.bar = QtWidgets.QProgressBar()
        self.bar.setObjectName("jobProgress")
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(140)
        self.bar.setTextVisible(False)
        self.stop_button = QtWidgets.QPushButton(tr("Stop"))
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip(tr("Stop the running computation; F5 computes again"))
        self.stop_button.setSizePolicy(QtWidgets.QSizePolicy.Policy.Fixed, QtWidgets.QSizePolicy.Policy.Fixed)
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label)
        lay.addWidget(self.bar)
        lay.addWidget(self.stop_button)
        self.stop_button.clicked.connect(self.stop)
        session.state_changed.connect(self.refresh)
        session.runner.changed.connect(self.refresh)
        self.refresh()

    def _jobs(self) -> list[Job]:
        return [j for j in self.session.runner.jobs() if j.shown and not j.cancelled()]

    def refresh(self) -> None:
        from .i18n import tr
        s = self.session
        jobs = self._jobs()
        if s.long:
            left = max(0.0, s.estimate * (1 - s.fraction))
            self.label.setText(tr("This stack takes about {s} s to compute ({left} s left)").format(
                s=f"{s.estimate:,.0f}", left=f"{left:,.0f}"))
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * s.fraction))
        elif jobs:
            j = jobs[0]
            self.label.setText(j.label + (f" · {j.text}" if j.text else "") + "…")
            if j.fraction >= 0:
                self.bar.setRange(0, 1000)
                self.bar.setValue(int(1000 * j.fraction))
            else:
                self.bar.setRange(0, 0)  # busy, no fraction known
        self.setVisible(bool(s.long or jobs))

    def stop(self) -> None:
        """Stop the long compute, or else the newest visible job."""
        if self.session.long:
            self.session.stop()
        else:
            jobs = self._jobs()
            if jobs:
                jobs[-1].cancel()
        self.refresh()
