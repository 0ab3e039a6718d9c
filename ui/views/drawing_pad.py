"""Draw your own input: a pad the size of the project's input (drawn SCALE times larger), pen
width, eraser and clear.  Every stroke segment sends the drawing to the compute session as the
input (ComputeSession.set_input_override, a new key per change; the session keeps only the
newest request), so every layer's maps follow the pen; the probabilities of the last layer are
shown under the pad.  While a training runs, the drawing is also its watched example
(TrainingJob.watch), so the prediction bars answer with the trained weights.  A drawing can be
added to an image-folder data set: written as PNG into FOLDER/CLASS/ (convviz.predict.save_drawing).

White ink on black, as the digits data set is drawn."""
from __future__ import annotations

import itertools
import os
import time

import numpy as np

from convviz.predict import class_folder_problem, probabilities, save_drawing

from ..i18n import tr
from ..qt import QtCore, QtGui, QtWidgets, Qt, Signal

SCALE = 8  # screen pixels per input pixel, at most (large inputs are drawn smaller)
WATCH_INTERVAL = 0.1  # seconds between two drawings handed to a training as its watched example
MAX_SIDE = 320  # the pad's longest side on screen
_keys = itertools.count(1)


class Canvas(QtWidgets.QWidget):
    """The surface: a high-resolution grey image that strokes are painted on, averaged down to
    the input's size."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("drawingCanvas")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.pen_width = 3.0  # in input pixels
        self.eraser = False
        self.h = self.w = 0
        self.scale = SCALE
        self.picture = QtGui.QImage()
        self._last: QtCore.QPointF | None = None
        self.set_size(28, 28)

    def set_size(self, h: int, w: int) -> None:
        """A blank pad for an input of h x w pixels."""
        self.h, self.w = int(h), int(w)
        self.scale = max(1, min(SCALE, MAX_SIDE // max(self.h, self.w, 1)))
        self.picture = QtGui.QImage(self.w * self.scale, self.h * self.scale, QtGui.QImage.Format.Format_Grayscale8)
        self.picture.fill(0)
        self.setFixedSize(self.picture.size())
        k = self.scale
        self._grid = QtGui.QImage(self.picture.size(), QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        self._grid.fill(0)
        g = QtGui.QPainter(self._grid)
        g.setPen(QtGui.QColor(255, 255, 255, 28))
        g.drawLines([QtCore.QLineF(x * k, 0, x * k, self.h * k) for x in range(1, self.w)] +
                    [QtCore.QLineF(0, y * k, self.w * k, y * k) for y in range(1, self.h)])
        g.end()
        self.update()

    def clear(self) -> None:
        self.picture.fill(0)
        self.update()
        self.changed.emit()

    def array(self) -> np.ndarray:
        """The drawing at the input's size: (H, W) float32 in [0, 1], each pixel the mean of
        its SCALE x SCALE block."""
        s = self.scale
        ptr = self.picture.constBits()
        raw = np.frombuffer(ptr, dtype=np.uint8, count=self.picture.sizeInBytes())
        img = raw.reshape(self.picture.height(), self.picture.bytesPerLine())[:, :self.picture.width()]
        a = img.reshape(self.h, s, self.w, s).astype(np.float32).mean(axis=(1, 3)) / 255.0
        return a

    def draw_line(self, a: QtCore.QPointF, b: QtCore.QPointF) -> None:
        """A stroke segment from a to b (widget coordinates)."""
        p = QtGui.QPainter(self.picture)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        colour = QtGui.QColor(0, 0, 0) if self.eraser else QtGui.QColor(255, 255, 255)
        pen = QtGui.QPen(colour, self.pen_width * self.scale * (2 if self.eraser else 1),
                         Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.drawLine(a, b)
        p.end()
        r = pen.widthF() / 2 + 2  # only the stroke's box is painted again
        self.update(QtCore.QRectF(a, b).normalized().adjusted(-r, -r, r, r).toAlignedRect())
        self.changed.emit()

    def paintEvent(self, ev):  # noqa: N802
        p = QtGui.QPainter(self)
        r = ev.rect()
        p.drawImage(r, self.picture, r)
        if self.scale >= 4:  # the input's pixel grid, faintly (drawn once, blended as one image)
            p.drawImage(r, self._grid, r)
        p.end()

    def mousePressEvent(self, ev):  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            self._last = ev.position()
            self.draw_line(self._last, self._last)

    def mouseMoveEvent(self, ev):  # noqa: N802
        if self._last is not None and ev.buttons() & Qt.MouseButton.LeftButton:
            pos = ev.position()
            self.draw_line(self._last, pos)
            self._last = pos

    def mouseReleaseEvent(self, ev):  # noqa: N802
        self._last = None


class DrawingPad(QtWidgets.QWidget):
    """See the module doc.  ``attach(session, job=None)``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("drawingPad")
        self.session = None
        self.job = None
        self.channels = 1
        self.image: np.ndarray | None = None  # the drawing as sent: (C, H, W) float32, read-only
        self.generation = 0  # the session's generation that computes it
        self.probs: np.ndarray | None = None
        self.folder: str | None = None
        self._watched_at = -1e9
        self._watch_timer = QtCore.QTimer(self)
        self._watch_timer.setSingleShot(True)
        self._watch_timer.timeout.connect(self._watch_now)
        self.canvas = Canvas()
        self.canvas.changed.connect(self._changed)

        self.use = QtWidgets.QCheckBox(tr("Use the drawing as the input"))
        self.use.setToolTip(tr("Every layer's maps show the drawing; untick to go back to the project's input"))
        self.use.toggled.connect(self._use_toggled)
        self.width_box = QtWidgets.QDoubleSpinBox()
        self.width_box.setRange(0.5, 8.0)
        self.width_box.setSingleStep(0.5)
        self.width_box.setValue(self.canvas.pen_width)
        self.width_box.setSuffix(" px")
        self.width_box.valueChanged.connect(lambda v: setattr(self.canvas, "pen_width", float(v)))
        self.eraser = QtWidgets.QCheckBox(tr("Eraser"))
        self.eraser.toggled.connect(lambda on: setattr(self.canvas, "eraser", bool(on)))
        self.clear_btn = QtWidgets.QPushButton(tr("Clear"))
        self.clear_btn.clicked.connect(self.canvas.clear)
        tools = QtWidgets.QHBoxLayout()
        tools.addWidget(QtWidgets.QLabel(tr("Pen")))
        tools.addWidget(self.width_box)
        tools.addWidget(self.eraser)
        tools.addWidget(self.clear_btn)
        tools.addStretch(1)
        self.answer = QtWidgets.QLabel(tr("Draw on the pad: every layer answers"))
        self.answer.setWordWrap(True)
        self.class_name = QtWidgets.QLineEdit()
        self.class_name.setPlaceholderText(tr("class name"))
        self.class_name.setMaximumWidth(120)
        self.add_btn = QtWidgets.QPushButton(tr("Add to data set…"))
        self.add_btn.setToolTip(tr("Save the drawing as a PNG in FOLDER/CLASS/ (an image-folder data set)"))
        self.add_btn.clicked.connect(lambda: self.add_to_dataset())
        save = QtWidgets.QHBoxLayout()
        save.addWidget(self.class_name)
        save.addWidget(self.add_btn)
        save.addStretch(1)
        self.note = QtWidgets.QLabel("")
        self.note.setWordWrap(True)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(tools)
        lay.addWidget(self.canvas, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addWidget(self.use)
        lay.addWidget(self.answer)
        lay.addLayout(save)
        lay.addWidget(self.note)
        lay.addStretch(1)

    # --- sources ------------------------------------------------------------------------------
    def attach(self, session, job=None) -> None:
        self.session, self.job = session, job
        session.analysed.connect(self._analysed)
        session.result_ready.connect(self._result)
        if session.project is not None:
            self._analysed(session.project, session.info, 0)

    def _analysed(self, project, info, first) -> None:
        c, h, w = project.input.shape
        self.channels = c
        if (h, w) != (self.canvas.h, self.canvas.w):
            self.canvas.set_size(h, w)
            self.image = None
            if self.use.isChecked():
                self.use.setChecked(False)  # the session dropped the drawing (another input size)

    def _result(self, res) -> None:
        if self.session is None or res.generation != self.generation or self.image is None:
            return
        out = res.outputs[-1] if res.outputs else None
        info = self.session.info
        if out is None or info is None or not info.layers or info.layers[-1].out_shape[-1] > 1000:
            self.answer.setText(tr("The last layer is not a vector of class scores: no probabilities"))
            return
        shape = tuple(info.layers[-1].out_shape)
        if len(shape) == 3 and shape[1:] != (1, 1):
            self.answer.setText(tr("The last layer is not a vector of class scores: no probabilities"))
            return
        self.probs = probabilities(out.ravel())
        top = np.argsort(-self.probs, kind="stable")[:3]
        names = self.class_names(len(self.probs))
        self.answer.setText(tr("This network says: {top}").format(
            top=", ".join(f"{names[k]} {self.probs[k]:.0%}" for k in top)))

    def class_names(self, n: int) -> tuple[str, ...]:
        """The names of ``n`` classes: the training data set's (from its newest snapshot, else
        the bundled data set the settings name), or the numbers when those are not ``n``."""
        job = self.job
        names: tuple[str, ...] = ()
        if job is not None:
            snap = job.latest
            names = tuple(getattr(snap, "classes", ()) or ()) if snap is not None else ()
            if not names:
                from convviz.datasets import DATASETS
                info = DATASETS.get(job.config.data)
                names = tuple(info.classes) if info is not None else ()
        return names if len(names) == n else tuple(str(k) for k in range(n))

    # --- drawing ------------------------------------------------------------------------------
    def drawing(self) -> np.ndarray:
        """The pad's image at the input's shape: (C, H, W) float32 in [0, 1], read-only."""
        a = np.repeat(self.canvas.array()[None], self.channels, 0)
        a.setflags(write=False)
        return a

    def _changed(self) -> None:
        if not self.use.isChecked():
            self.use.blockSignals(True)
            self.use.setChecked(True)
            self.use.blockSignals(False)
        self._send()

    def _use_toggled(self, on: bool) -> None:
        if on:
            self._send()
        elif self.session is not None:
            self.image = None
            self.probs = None
            self.session.set_input_override(None, source="drawing")
            self.answer.setText(tr("Draw on the pad: every layer answers"))
            job = self.job
            if job is not None and not job.closed and job.latest is not None:
                job.watch(job.watch_index)  # training watches its test example again

    def _send(self) -> None:
        if self.session is None or self.session.project is None:
            return
        self.image = self.drawing()
        self.generation = self.session.set_input_override(self.image, ("drawing", next(_keys)), "drawing",
                                                          tr("your drawing"))
        job = self.job
        if job is not None and not job.closed and job.latest is not None:
            # the prediction bars answer with the trained weights: each watch costs the training
            # thread a snapshot, so at most one every WATCH_INTERVAL (the newest drawing wins)
            wait = WATCH_INTERVAL - (time.monotonic() - self._watched_at)
            if wait <= 0:
                self._watch_now()
            elif not self._watch_timer.isActive():
                self._watch_timer.start(max(1, int(wait * 1000)))

    def _watch_now(self) -> None:
        job = self.job
        if self.image is None or job is None or job.closed:
            return
        self._watched_at = time.monotonic()
        job.watch(np.array(self.image))

    # --- saving -------------------------------------------------------------------------------
    def add_to_dataset(self, folder: str | None = None) -> str | None:
        """Write the drawing as PNG into ``folder``/CLASS/ (asked for once, then remembered);
        returns the path, or None (with a sentence under the pad) when it cannot."""
        problem = class_folder_problem(self.class_name.text())
        if problem:
            self.note.setText(tr("Not saved: {why}").format(why=problem))
            return None
        if folder is None:
            folder = self.folder
        if folder is None:
            if os.environ.get("CONVVIZ_NO_DIALOGS"):
                return None
            folder = QtWidgets.QFileDialog.getExistingDirectory(self, tr("Image-folder data set"))
            if not folder:
                return None
        try:
            path = save_drawing(folder, self.class_name.text(), self.drawing())
        except (OSError, ValueError) as e:
            self.note.setText(tr("Not saved: {why}").format(why=str(e)))
            return None
        self.folder = folder
        self.note.setText(tr("Saved {p}").format(p=path))
        return path


__all__ = ["Canvas", "DrawingPad"]
