"""Training curves: train and test loss and accuracy against examples seen (pyqtgraph).

``Curves.add(snapshot)`` takes each snapshot the training job hands over: the train curves get
one point per snapshot (the running mean of the epoch under way), the test curves one point per
finished epoch (from the snapshot's history, so none is missed however snapshots are
coalesced).  Pause and resume keep the points; a snapshot that goes back in steps (Reset, a new
data set) starts the curves again.  Hovering shows the nearest point's values; the loss axis
can be logarithmic; ``save_png`` and ``save_csv`` export what is drawn.
"""
from __future__ import annotations

import csv

import pyqtgraph as pg

from .i18n import tr
from .qt import QtCore, QtWidgets

SERIES = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
COLOURS = {"train_loss": "#1f77b4", "test_loss": "#d62728", "train_accuracy": "#1f77b4",
           "test_accuracy": "#d62728"}


def nice_ceil(v: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of ten) at least ``v``
    (> 0): a round axis end that moves about ten times a decade."""
    import math
    if not v > 0 or not math.isfinite(v):
        return 1.0
    e = 10.0 ** math.floor(math.log10(v))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * e >= v * (1 - 1e-12):
            return m * e
    return 10 * e


class Curves(QtWidgets.QWidget):
    """Loss (top) and accuracy (bottom) against examples seen."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.points: dict[str, list[tuple[int, float]]] = {k: [] for k in SERIES}
        self._last_step = -1
        self.loss_plot = pg.PlotWidget(background="w")
        self.acc_plot = pg.PlotWidget(background="w")
        for plot, label in ((self.loss_plot, tr("loss")), (self.acc_plot, tr("accuracy (%)"))):
            plot.setLabel("left", label)
            plot.setLabel("bottom", tr("examples seen"))
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMinimumHeight(120)
            # loss falls and accuracy rises: the legends sit where the curves are not
            plot.addLegend(offset=(-10, 10) if plot is self.loss_plot else (-10, -10))
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
        self.acc_plot.setYRange(0, 100)
        self.acc_plot.setXLink(self.loss_plot)
        # The axes are the costly part of a repaint (their tick labels, ~5 ms each here): each is
        # cached as a pixmap, and the ranges grow in round steps (nice_ceil), so most snapshots
        # redraw the lines only.
        self._ranges = (None, None)
        for plot in (self.loss_plot, self.acc_plot):
            plot.disableAutoRange()
            for name in ("left", "bottom"):
                plot.getAxis(name).setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.lines = {}
        for key in SERIES:
            plot = self.loss_plot if key.endswith("loss") else self.acc_plot
            test = key.startswith("test")
            name = tr("test") if test else tr("train")
            pen = pg.mkPen(COLOURS[key], width=2, style=QtCore.Qt.PenStyle.SolidLine)
            self.lines[key] = plot.plot([], [], pen=pen, name=name,
                                        symbol="o" if test else None, symbolSize=6,
                                        symbolBrush=COLOURS[key] if test else None)
        self.hover_text = pg.TextItem("", color="k", anchor=(0, 1), fill=pg.mkBrush(255, 255, 255, 220))
        self.hover_text.hide()
        self.loss_plot.addItem(self.hover_text, ignoreBounds=True)
        self.acc_text = pg.TextItem("", color="k", anchor=(0, 1), fill=pg.mkBrush(255, 255, 255, 220))
        self.acc_text.hide()
        self.acc_plot.addItem(self.acc_text, ignoreBounds=True)
        self.loss_plot.scene().sigMouseMoved.connect(lambda pos: self._hover(self.loss_plot, pos))
        self.acc_plot.scene().sigMouseMoved.connect(lambda pos: self._hover(self.acc_plot, pos))

        self.log_box = QtWidgets.QCheckBox(tr("Log-scale loss"))
        self.log_box.setToolTip(tr("Show the loss on a logarithmic axis"))
        self.log_box.toggled.connect(self.set_log)
        self.png_button = QtWidgets.QPushButton(tr("PNG…"))
        self.png_button.setToolTip(tr("Save the curves as a picture"))
        self.png_button.clicked.connect(lambda: self.save_png())
        self.csv_button = QtWidgets.QPushButton(tr("CSV…"))
        self.csv_button.setToolTip(tr("Save the curves' points as CSV"))
        self.csv_button.clicked.connect(lambda: self.save_csv())
        bar = QtWidgets.QHBoxLayout()
        bar.addWidget(self.log_box)
        bar.addStretch(1)
        bar.addWidget(self.png_button)
        bar.addWidget(self.csv_button)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        self.plots = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self.plots.addWidget(self.loss_plot)
        self.plots.addWidget(self.acc_plot)
        lay.addWidget(self.plots, 1)

    # --- data ------------------------------------------------------------------------------------
    def clear(self) -> None:
        for k in SERIES:
            self.points[k] = []
        self._last_step = -1
        self._redraw()

    def add(self, snap) -> None:
        """One snapshot: a train point (when it has trained since the last), the test points of
        its history; a snapshot from before the last one (Reset) starts again."""
        if snap.step < self._last_step or (snap.step == 0 and self._last_step > 0):
            self.clear()
        self._last_step = snap.step
        x = int(snap.examples_seen)
        if snap.train_loss is not None and snap.step > 0:
            for key, value in (("train_loss", snap.train_loss), ("train_accuracy", snap.train_accuracy)):
                pts = self.points[key]
                if pts and pts[-1][0] == x:
                    pts[-1] = (x, float(value))
                else:
                    pts.append((x, float(value)))
        self.points["test_loss"] = [(r.examples_seen, float(r.test_loss)) for r in snap.history]
        self.points["test_accuracy"] = [(r.examples_seen, float(r.test_accuracy)) for r in snap.history]
        self._redraw()

    def _redraw(self) -> None:
        log = self.log_box.isChecked()
        for key, line in self.lines.items():
            pts = self.points[key]
            xs = [p[0] for p in pts]
            scale = 100.0 if key.endswith("accuracy") else 1.0
            ys = [p[1] * scale for p in pts]
            if log and key.endswith("loss"):  # a zero loss has no logarithm: drawn at the smallest shown
                ys = [max(y, 1e-8) for y in ys]
            line.setData(xs, ys)
        self._fit_ranges()

    def _fit_ranges(self) -> None:
        """x from 0 to a round number past the last point; the loss from 0 to a round number
        over its largest (on a log axis: its own range, padded); accuracy 0 to 100."""
        xs = [p[0] for k in SERIES for p in self.points[k]]
        losses = [p[1] for k in ("train_loss", "test_loss") for p in self.points[k]]
        x_hi = nice_ceil(max(xs) * 1.02) if xs else 1.0
        if self.log_box.isChecked():
            pos = [v for v in losses if v > 0] or [1.0]
            import math
            y = (math.floor(math.log10(min(pos))), math.ceil(math.log10(max(pos)) + 1e-9))
            y = y if y[1] > y[0] else (y[0], y[0] + 1)
        else:
            y = (0.0, nice_ceil(max(losses) * 1.02) if losses and max(losses) > 0 else 1.0)
        if self._ranges != (x_hi, y):
            self._ranges = (x_hi, y)
            self.loss_plot.setXRange(0, x_hi, padding=0)
            self.loss_plot.setYRange(*y, padding=0)

    def set_log(self, on: bool) -> None:
        if self.log_box.isChecked() != on:
            self.log_box.setChecked(on)
            return
        self.loss_plot.setLogMode(y=on)
        self._ranges = (None, None)
        self._redraw()

    # --- hover -----------------------------------------------------------------------------------
    def _hover(self, plot, pos) -> None:
        text = self.hover_text if plot is self.loss_plot else self.acc_text
        keys = ("train_loss", "test_loss") if plot is self.loss_plot else ("train_accuracy", "test_accuracy")
        if not plot.sceneBoundingRect().contains(pos):
            text.hide()
            return
        p = plot.getViewBox().mapSceneToView(pos)
        lines = []
        best_x = None
        for key in keys:
            pts = self.points[key]
            if not pts:
                continue
            x, y = min(pts, key=lambda q: abs(q[0] - p.x()))
            best_x = x if best_x is None else best_x
            name = tr("train") if key.startswith("train") else tr("test")
            lines.append(f"{name}: {y * 100:.1f}%" if key.endswith("accuracy") else f"{name}: {y:.4g}")
        if not lines:
            text.hide()
            return
        text.setText(tr("{n:,} examples").format(n=best_x) + "\n" + "\n".join(lines))
        text.setPos(p.x(), p.y())
        text.show()

    def hover_at(self, plot, x: float, y: float) -> str:
        """Hover the point (x, y) in data coordinates (for tests); returns the text shown."""
        view = plot.getViewBox()
        if plot is self.loss_plot and self.log_box.isChecked():
            import math
            y = math.log10(max(y, 1e-8))
        self._hover(plot, view.mapViewToScene(QtCore.QPointF(x, y)))
        text = self.hover_text if plot is self.loss_plot else self.acc_text
        return text.toPlainText() if text.isVisible() else ""

    # --- export ----------------------------------------------------------------------------------
    def _path(self, path, title, default, filters):
        if path:
            return path
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, title, default, filters)
        return path or None

    def save_png(self, path: str | None = None) -> bool:
        path = self._path(path, tr("Save curves as PNG"), "curves.png", "PNG (*.png)")
        if not path:
            return False
        return self.plots.grab().save(path, "PNG")

    def csv_text_rows(self) -> list[list]:
        rows = [["series", "examples_seen", "value"]]
        for key in SERIES:
            rows += [[key, x, repr(float(y))] for x, y in self.points[key]]
        return rows

    def save_csv(self, path: str | None = None) -> bool:
        path = self._path(path, tr("Save curves as CSV"), "curves.csv", "CSV (*.csv)")
        if not path:
            return False
        try:
            with open(path, "w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows(self.csv_text_rows())
        except OSError as e:
            QtWidgets.QToolTip.showText(self.mapToGlobal(self.rect().center()), f"{path}: {e.strerror or e}")
            return False
        return True
