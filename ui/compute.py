"""The compute thread: one long-lived QThread owns torch (imported there, after the window is
up).  The GUI submits immutable requests with a generation number; the worker always takes the
newest, abandons a compute between layers when a newer one arrives, and the GUI drops any
result whose generation is stale."""
from __future__ import annotations

import threading
import traceback

from .qt import QtCore, Signal


class ComputeThread(QtCore.QThread):
    engine_ready = Signal(object)  # {"torch": version, "cuda": bool, "threads": n}
    layer_ready = Signal(int, int, object)  # generation, layer index, (C, H, W) array
    result_ready = Signal(object)  # ComputeResult
    failed = Signal(int, str)  # generation, message

    def __init__(self, parent=None):
        super().__init__(parent)
        self._cond = threading.Condition()
        self._pending = None
        self._stopping = False
        self.progressive = True  # emit each layer as it is computed (not only the whole result)
        self.setObjectName("convviz-compute")

    def submit(self, request) -> None:
        """Queue ``request``, replacing any that has not started."""
        with self._cond:
            self._pending = request
            self._cond.notify()

    def stop(self) -> None:
        """Stop after the current layer and join the thread."""
        with self._cond:
            self._stopping = True
            self._pending = None
            self._cond.notify()
        self.wait()

    def _superseded(self) -> bool:
        return self._pending is not None or self._stopping

    def run(self) -> None:  # the worker thread
        try:
            import torch

            from convviz.engine import Cancelled, Engine
            engine = Engine()
            self.engine_ready.emit({"torch": torch.__version__, "cuda": bool(torch.cuda.is_available()),
                                    "threads": torch.get_num_threads()})
        except Exception as e:  # noqa: BLE001 - reported to the GUI, the app stays up
            self.failed.emit(-1, f"The compute engine could not start: {e}")
            return
        while True:
            with self._cond:
                while self._pending is None and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                req, self._pending = self._pending, None
            gen = req.generation
            try:
                res = engine.run(req, cancelled=self._superseded,
                                 on_layer=(lambda i, arr, g=gen: self.layer_ready.emit(g, i, arr))
                                 if self.progressive and req.progressive else None)
            except Cancelled:
                continue
            except Exception as e:  # noqa: BLE001
                engine.clear()
                self.failed.emit(gen, f"The computation failed: {e}\n{traceback.format_exc(limit=3)}")
                continue
            self.result_ready.emit(res)


class JobThread(QtCore.QThread):
    """A one-off computation off the GUI thread (the effective receptive field)."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, fn, parent=None):
        super().__init__(parent)
        self._fn = fn

    def run(self) -> None:
        try:
            self.done.emit(self._fn())
        except Exception as e:  # noqa: BLE001 - reported, never raised in the GUI
            self.failed.emit(f"The computation failed: {e}")
