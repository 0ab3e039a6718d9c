"""The stepper's GIF export: every step asked for, rendered and written off the GUI thread.

A ``FramePlan`` freezes what the view shows (the slider, the shape, the state, the words, the
cell size and the fonts' names); a background job of the session's JobRunner renders each step
with the same painter the screen uses, on a QImage (which Qt allows in a worker thread), maps it
to one palette and streams it to the file: ``GifWriter`` writes a frame as soon as it is made
(only the part that changed since the previous frame), so memory holds one frame whatever the
length.  The file is written under a temporary name and renamed when complete: Cancel, a
failure or closing the window leaves no partial file.  ``GifDialog`` offers the range of steps
and the size, with an estimate of the file's size and of the time it takes, before writing.
"""
from __future__ import annotations

import io
import os
import threading
import time
from dataclasses import dataclass

import numpy as np

from ..i18n import tr
from ..qt import QtCore, QtWidgets
from . import frame as fr
from .paint import Painter, render, to_rgb

SCALES = (0.5, 0.75, 1.0, 1.5, 2.0)
LARGE_FILE = 100 * 1024 * 1024  # the dialog says so above this


# --- frames -------------------------------------------------------------------------------------

_local = threading.local()


@dataclass(frozen=True)
class FramePlan:
    """Everything needed to render any step of the view as it is now, in any thread."""

    model: object  # convviz.sliding.Slider (read only)
    shape: fr.Shape
    stats: fr.Stats
    state: fr.State
    words: dict
    cell: float
    mono: str
    sans: str

    @property
    def layout(self) -> fr.Layout:
        return fr.geometry(self.shape).scaled(self.cell)

    @property
    def size(self) -> tuple[int, int]:
        return self.layout.size

    def scaled(self, cell: float) -> "FramePlan":
        from dataclasses import replace
        return replace(self, cell=float(cell))

    def image(self, t: int):
        """Step ``t`` as a QImage (a Painter per thread: the text cache is not shared)."""
        painters = getattr(_local, "painters", None)
        if painters is None:
            painters = _local.painters = {}
        key = (self.mono, self.sans)
        painter = painters.get(key)
        if painter is None:
            painter = painters[key] = Painter(self.mono, self.sans)
        frame, _ = fr.build_frame(self.model, self.shape, self.stats, fr.with_t(self.state, t), self.words)
        return render(painter, frame, self.layout)

    def rgb(self, t: int) -> np.ndarray:
        return to_rgb(self.image(t))


# --- the GIF file -------------------------------------------------------------------------------

def _o16(v: int) -> bytes:
    return int(v).to_bytes(2, "little")


CLEAR = 255  # the palette index a frame leaves transparent: "as in the previous frame"


def palette_of(samples: list[np.ndarray]) -> bytes:
    """One palette (768 bytes) for frames like ``samples`` (RGB arrays): 255 colours, index
    CLEAR kept for the pixels a frame does not change."""
    from PIL import Image
    h = sum(s.shape[0] for s in samples)
    w = max(s.shape[1] for s in samples)
    sheet = np.full((h, w, 3), 255, np.uint8)
    y = 0
    for s in samples:
        sheet[y:y + s.shape[0], :s.shape[1]] = s
        y += s.shape[0]
    q = Image.fromarray(sheet).quantize(colors=CLEAR, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    pal = bytes(q.getpalette() or [])[:3 * CLEAR]
    return pal + bytes(768 - len(pal))


class Quantizer:
    """Maps RGB frames to the indices of one palette (no dithering: flat cells stay flat)."""

    def __init__(self, palette: bytes):
        from PIL import Image
        self.palette = palette
        self._image = Image.new("P", (1, 1))
        self._image.putpalette(palette[:3 * CLEAR])  # never maps a colour to CLEAR

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        from PIL import Image
        q = Image.fromarray(rgb).quantize(palette=self._image, dither=Image.Dither.NONE)
        return np.asarray(q, dtype=np.uint8)


class GifWriter:
    """An animated GIF written frame by frame to ``fp``: the header and palette first, then each
    frame as soon as it is given — only the rectangle that changed since the previous frame, its
    unchanged pixels transparent (index CLEAR), which LZW packs into almost nothing."""

    def __init__(self, fp, width: int, height: int, palette: bytes, delay_ms: int, loop: int = 0):
        self.fp = fp
        self.size = (int(width), int(height))
        self.delay = int(delay_ms)
        self.frames = 0
        self._prev: np.ndarray | None = None
        fp.write(b"GIF89a" + _o16(width) + _o16(height) + bytes([0xF7, 0, 0]) + bytes(palette[:768]).ljust(768, b"\0"))
        fp.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + _o16(loop) + b"\x00")

    def add(self, indices: np.ndarray) -> None:
        """Write the next frame (palette indices below CLEAR, shape (height, width))."""
        from PIL import GifImagePlugin, Image
        idx = np.ascontiguousarray(indices, dtype=np.uint8)
        assert idx.shape == (self.size[1], self.size[0]), (idx.shape, self.size)
        extra = {}
        if self._prev is None:
            r0, r1, c0, c1 = 0, idx.shape[0] - 1, 0, idx.shape[1] - 1
            crop = idx
        else:
            diff = idx != self._prev
            rows, cols = np.flatnonzero(diff.any(axis=1)), np.flatnonzero(diff.any(axis=0))
            if rows.size == 0:  # the same picture: one transparent pixel, the frame still counts
                r0 = r1 = c0 = c1 = 0
            else:
                r0, r1, c0, c1 = rows[0], rows[-1], cols[0], cols[-1]
            crop = np.where(diff[r0:r1 + 1, c0:c1 + 1], idx[r0:r1 + 1, c0:c1 + 1], CLEAR).astype(np.uint8)
            extra["transparency"] = CLEAR
        crop = np.ascontiguousarray(crop)
        im = Image.frombytes("P", (crop.shape[1], crop.shape[0]), crop.tobytes())
        for chunk in GifImagePlugin.getdata(im, offset=(int(c0), int(r0)), duration=self.delay, disposal=1, **extra):
            self.fp.write(chunk)
        self._prev = idx
        self.frames += 1

    def close(self) -> None:
        self.fp.write(b";")


class GifError(Exception):
    """A file problem, said in one sentence."""


def write(plan: FramePlan, path: str, start: int, count: int, delay_ms: int,
          cancelled=lambda: False, report=lambda fraction, text: None) -> int:
    """Render steps start .. start+count-1 and write them to ``path``; returns the number of
    frames written, or 0 when cancelled (no file is left then, nor after an error)."""
    tmp = f"{path}.part"
    try:
        samples = sorted({start, start + count // 2, start + count - 1})
        quant = Quantizer(palette_of([plan.rgb(t) for t in samples]))
        w, h = plan.size
        try:
            fp = open(tmp, "wb")
        except OSError as e:
            raise GifError(tr("The GIF cannot be written to {path}: {reason}").format(
                path=path, reason=e.strerror or e)) from e
        with fp:
            writer = GifWriter(fp, w, h, quant.palette, delay_ms)
            for k in range(count):
                if cancelled():
                    return 0
                writer.add(quant(plan.rgb(start + k)))
                report((k + 1) / count, f"{k + 1}/{count}")
            writer.close()
        try:
            os.replace(tmp, path)
        except OSError as e:
            raise GifError(tr("The GIF cannot be written to {path}: {reason}").format(
                path=path, reason=e.strerror or e)) from e
        return count
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def estimate(plan: FramePlan, start: int, count: int, delay_ms: int) -> tuple[int, float]:
    """(bytes, seconds): the file's size and the time to write it, from a few frames encoded
    here (the first whole, and the changes between two pairs of neighbouring steps)."""
    n = plan.model.positions
    pairs = [t for t in (start, start + count // 2) if t + 1 < n and t + 1 < start + count] or [start]
    t0 = time.perf_counter()
    ts = sorted({start} | {t for p in pairs for t in (p, min(p + 1, n - 1))})
    frames = {t: plan.rgb(t) for t in ts}
    quant = Quantizer(palette_of(list(frames.values())))
    w, h = plan.size
    buf = io.BytesIO()
    writer = GifWriter(buf, w, h, quant.palette, delay_ms)
    header = buf.tell()
    writer.add(quant(frames[start]))
    first = buf.tell() - header
    deltas = []
    for p in pairs:
        if p + 1 in frames:
            writer._prev = quant(frames[p])
            before = buf.tell()
            writer.add(quant(frames[p + 1]))
            deltas.append(buf.tell() - before)
    per_frame = (time.perf_counter() - t0) / max(1, len(ts) + len(deltas))
    delta = float(np.mean(deltas)) if deltas else float(first)
    size = header + first + (count - 1) * delta + 1
    return int(size), per_frame * count


# --- the job and the dialog ---------------------------------------------------------------------

def start(view, plan: FramePlan, path: str, first: int, count: int, delay_ms: int):
    """Write the GIF as a background job of the view's session (cancellable; its progress in the
    status bar and in the stepper); returns the job."""
    from ..session import JobRunner
    runner = view.session.runner if view.session is not None else getattr(view, "_runner", None)
    if runner is None:
        runner = view._runner = JobRunner(view)

    def done(n):
        view.gif_bar.hide()
        if isinstance(n, str):  # a sentence: the file could not be written
            _say(view, n)
        elif n:
            _say(view, tr("Wrote {n} frames to {file}.").format(n=n, file=os.path.basename(path)))

    def failed(message):
        view.gif_bar.hide()
        _say(view, message)

    def run(job):
        try:
            return write(plan, path, first, count, delay_ms, job.cancelled, job.report)
        except GifError as e:
            return str(e)
    job = runner.submit("gif", run, label=tr("Writing the GIF"), exclusive=False, on_done=done, on_failed=failed)
    job.progress.connect(view.gif_progress_changed)
    job.ended.connect(view.gif_ended)  # a method of the view: nothing is called once it is gone
    view.gif_progress.setValue(0)
    view.gif_label.setText(f"GIF 0/{count}")
    view.gif_bar.show()
    return job


def _say(view, text: str) -> None:
    win = view.window()
    bar = win.statusBar() if isinstance(win, QtWidgets.QMainWindow) else None
    if bar is not None:
        bar.showMessage(text, 10000)
    view.gif_label.setText(text)


def join(job) -> None:
    """Run the event loop until ``job`` has ended (scripted use and tests)."""
    from ..session import running_threads
    loop = QtCore.QEventLoop()
    job.ended.connect(lambda _j: loop.quit())
    if any(t.job is job for t in running_threads()):
        loop.exec()


def _size_text(n: float) -> str:
    if n >= 1024 * 1024:
        return tr("{n} MB").format(n=f"{n / 1024 / 1024:.1f}")
    return tr("{n} KB").format(n=f"{max(1.0, n / 1024):.0f}")


def _time_text(s: float) -> str:
    if s < 60:
        return tr("{n} s").format(n=f"{max(1.0, s):.0f}")
    return tr("{n} min").format(n=f"{s / 60:.1f}")


class GifDialog(QtWidgets.QDialog):
    """The range of steps, the size, and what that makes, before anything is written."""

    def __init__(self, view, parent=None):
        super().__init__(parent or view)
        self.setObjectName("gifDialog")
        self.setWindowTitle(tr("Export GIF"))
        self.view = view
        self.base = view.plan()
        n = view.slider_model.positions
        self.positions = n
        self.delay = max(20, int(round(1000 / view.speed.value())))
        self.from_spin = QtWidgets.QSpinBox()
        self.to_spin = QtWidgets.QSpinBox()
        for s in (self.from_spin, self.to_spin):
            s.setRange(0, n - 1)
        self.from_spin.setValue(0)
        self.to_spin.setValue(n - 1)
        self.size_combo = QtWidgets.QComboBox()
        for k in SCALES:
            w, h = self.base.scaled(self.base.cell * k).size
            self.size_combo.addItem(tr("{p}% · {w} × {h} px").format(p=f"{k * 100:.0f}", w=w, h=h), k)
        self.size_combo.setCurrentIndex(SCALES.index(1.0))
        self.frames_label = QtWidgets.QLabel()
        self.estimate_label = QtWidgets.QLabel()
        self.estimate_label.setObjectName("gifEstimate")
        self.estimate_label.setWordWrap(True)
        speed = view.speed.value()
        note = tr("{s} steps per second, the stepper's speed.").format(s=speed)
        if speed > 50:
            note += " " + tr("GIF viewers show at most 50 frames a second; each frame lasts 20 ms.")
        self.speed_label = QtWidgets.QLabel(note)
        self.speed_label.setWordWrap(True)
        info = QtWidgets.QLabel(tr("Every step of the range is written, in the background: the window stays usable, "
                                   "and Cancel stops and deletes the unfinished file."))
        info.setWordWrap(True)
        info.setStyleSheet("color: #555")
        rng = QtWidgets.QHBoxLayout()
        rng.addWidget(self.from_spin)
        rng.addWidget(QtWidgets.QLabel(tr("to")))
        rng.addWidget(self.to_spin)
        rng.addWidget(QtWidgets.QLabel(tr("(steps 0 to {last})").format(last=n - 1)))
        rng.addStretch(1)
        form = QtWidgets.QFormLayout()
        form.addRow(tr("Steps"), rng)
        form.addRow(tr("Size"), self.size_combo)
        form.addRow(tr("Speed"), self.speed_label)
        form.addRow(tr("Frames"), self.frames_label)
        form.addRow(tr("File"), self.estimate_label)
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Save |
                                                  QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(info)
        lay.addWidget(self.buttons)
        self.estimate_bytes: int | None = None
        self._job = None
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._estimate)
        self.from_spin.valueChanged.connect(self._changed)
        self.to_spin.valueChanged.connect(self._changed)
        self.size_combo.currentIndexChanged.connect(self._changed)
        self.finished.connect(self._stop)
        self._changed()

    @property
    def start(self) -> int:
        return min(self.from_spin.value(), self.to_spin.value())

    @property
    def count(self) -> int:
        return abs(self.to_spin.value() - self.from_spin.value()) + 1

    @property
    def scale(self) -> float:
        return float(self.size_combo.currentData())

    @property
    def plan(self) -> FramePlan:
        """The frames as chosen: the view as it was when the dialog opened, at the size chosen."""
        return self.base.scaled(self.base.cell * self.scale)

    def _changed(self, *_):
        self.frames_label.setText(tr("{n} frames, every step from {a} to {b}").format(
            n=self.count, a=self.start, b=self.start + self.count - 1))
        self.estimate_bytes = None
        self.estimate_label.setText(tr("Estimating the file's size…"))
        self._timer.start()

    def _estimate(self) -> None:
        runner = self.view.session.runner if self.view.session is not None else None
        plan = self.plan
        args = (self.start, self.count, self.delay)
        key = (args, self.scale)
        if runner is None:
            self._show(key, estimate(plan, *args))
            return
        if self._job is not None:
            self._job.cancel()
        self._job = runner.submit("gif-estimate", lambda job: estimate(plan, *args), exclusive=True, shown=False,
                                  on_done=lambda r, k=key: self._show(k, r))

    def _show(self, key, result) -> None:
        if key != ((self.start, self.count, self.delay), self.scale):
            return  # the choice changed meanwhile
        size, seconds = result
        self.estimate_bytes = size
        text = tr("about {size}; about {time} to write").format(size=_size_text(size), time=_time_text(seconds))
        if size > LARGE_FILE:
            text += "\n" + tr("That is a large file: fewer steps or a smaller size make it smaller.")
        self.estimate_label.setText(text)

    def _stop(self, *_):
        self._timer.stop()
        if self._job is not None:
            self._job.cancel()


def ask(view):
    """The dialog, then where to save: (start, count, plan, path), or None."""
    dlg = GifDialog(view)
    try:
        if dlg.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return None
        path, _ = QtWidgets.QFileDialog.getSaveFileName(view, tr("Save animation as GIF"), "stepper.gif", "GIF (*.gif)")
        if not path:
            return None
        return dlg.start, dlg.count, dlg.plan, path
    finally:
        dlg.deleteLater()


