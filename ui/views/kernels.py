"""Kernels learning: every convolution's weights as one mosaic (a block per layer, a row per
kernel, a column per input channel), in a diverging colour map symmetric about 0, updated from
the training snapshots (at most as often as they arrive, ~10 a second).  The window's
"trained / initial weights" switch sits in its bar and the mosaic follows it as the maps do; a
toggle shows the change since the start (where training started: the snapshot's ``start``);
clicking a kernel opens its layer in the stepper; Gradients plots each layer's gradient
magnitudes; the mosaic exports as PNG (one pixel per weight, scaled up)."""
from __future__ import annotations

import os

import numpy as np

from convviz.predict import Mosaic, cell_at, kernel_mosaic, transposed_layers

from ..feature_view import DIVERGING, lut, lut4
from ..i18n import tr
from ..qt import QtCore, QtGui, QtWidgets, Signal, pg


def _block_limit(m: Mosaic, b) -> float:
    v = np.abs(m.image[b.y:b.y + b.height, b.x:b.x + b.width])
    top = float(np.nanmax(v)) if np.isfinite(v).any() else 0.0
    return top if top > 0 else 1.0


def display_image(m: Mosaic, per_layer: bool) -> np.ndarray:
    """What is drawn: the weights, or with ``per_layer`` each layer's block divided by its own
    largest |weight| (levels -1..1), so a layer of small weights is not washed out."""
    if not per_layer:
        return m.image
    out = m.image.copy()
    for b in m.blocks:
        out[b.y:b.y + b.height, b.x:b.x + b.width] /= _block_limit(m, b)
    return out


def mosaic_rgb(m: Mosaic, per_layer: bool = False) -> np.ndarray:
    """The mosaic as (H, W, 3) uint8 through the diverging map, levels symmetric about 0 (the
    largest |weight|, or 1 for each layer's own scale); gaps white."""
    table = lut(DIVERGING)
    img = display_image(m, per_layer)
    lim = 1.0 if per_layer else m.limit
    idx = np.clip(np.round((np.nan_to_num(img) / lim + 1) * 127.5), 0, 255).astype(np.uint8)
    rgb = table[idx]
    rgb[~np.isfinite(m.image)] = 255
    return np.ascontiguousarray(rgb)


class KernelsView(QtWidgets.QWidget):
    """The live kernel mosaic (see the module doc)."""

    kernel_clicked = Signal(int, int, int)  # layer, kernel, input channel

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("kernelsView")
        self.conv_weights = None  # the mapping shown: {layer: (weight, bias)}
        self.baseline = None  # the initial weights, for "change since start"
        self.mosaic: Mosaic | None = None  # the weights as laid out (raw values)
        self.shown: np.ndarray | None = None  # what the image item draws
        self.labels: list = []  # a text item per layer block ("3 Conv2d")
        self.step: int | None = None  # the snapshot's step shown (None: the maps' weights)
        self.session = None
        self.show_trained = True
        self.snap_convs = None  # the newest snapshot's {layer: (weight, bias)}, and its step
        self.snap_step: int | None = None
        self.start = None  # where training started ({layer: (weight, bias)})
        self.engine_convs = None  # what the maps are computed with, and whether those are the initial weights
        self.engine_initial = True
        self.initial = None  # the initial weights, from a result computed with them
        self.switch = None
        self.job = None
        self._dirty = False  # the mosaic waits to be shown
        bar = self.bar = QtWidgets.QHBoxLayout()
        self.delta = QtWidgets.QCheckBox(tr("Change since start"))
        self.delta.setToolTip(tr("Show each weight minus its initial value"))
        self.delta.toggled.connect(lambda _on: self._redraw())
        self.per_layer = QtWidgets.QCheckBox(tr("Scale each layer"))
        self.per_layer.setToolTip(tr("Colours run to each layer's own largest weight (off: one scale for all layers)"))
        self.per_layer.setChecked(True)
        self.per_layer.toggled.connect(lambda _on: self._redraw())
        self.grads_box = QtWidgets.QCheckBox(tr("Gradients"))
        self.grads_box.setToolTip(tr("Each layer's mean |gradient|: of its weights in the last training batch, and "
                                     "of the watched example's loss at the layer's output"))
        self.grads_box.toggled.connect(self._show_gradients)
        self.export_btn = QtWidgets.QPushButton(tr("Export PNG…"))
        self.export_btn.clicked.connect(lambda: self.export_png())
        self.label = QtWidgets.QLabel(tr("No convolution weights yet"))
        self.label.setWordWrap(True)
        bar.addWidget(self.delta)
        bar.addWidget(self.per_layer)
        bar.addWidget(self.grads_box)
        bar.addStretch(1)
        bar.addWidget(self.export_btn)
        self.plot = pg.GraphicsLayoutWidget()
        self.plot.setBackground("w")
        self.plot.setMinimumHeight(220)
        self.vb = self.plot.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(lut4(DIVERGING))
        self.vb.addItem(self.image)
        self.vb.setContentsMargins(60, 0, 0, 0)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self.plot.scene().sigMouseMoved.connect(self._moved)
        # the gradient magnitudes per layer (ConvNetJS shows both), on a log axis
        self.gradients: tuple[tuple, tuple] | None = None  # (weights', activations') of the newest snapshot
        self.grad_plot = pg.PlotWidget(background="w")
        self.grad_plot.setLogMode(y=True)
        self.grad_plot.setLabel("left", tr("mean |gradient|"))
        self.grad_plot.setLabel("bottom", tr("layer"))
        self.grad_plot.showGrid(x=True, y=True, alpha=0.25)
        self.grad_plot.setMouseEnabled(x=False, y=False)
        self.grad_plot.hideButtons()
        self.grad_plot.setMinimumHeight(150)
        self.grad_plot.getAxis("left").enableAutoSIPrefix(False)
        self.grad_plot.setTitle('<span style="color:#1f77b4">● {w}</span> &nbsp; <span style="color:#d62728">■ {a}</span>'.format(
            w=tr("weights (last batch)"), a=tr("layer outputs (watched example)")), size="9pt")
        for name in ("left", "bottom"):
            self.grad_plot.getAxis(name).setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.grad_lines = {
            "weights": self.grad_plot.plot([], [], pen=pg.mkPen("#1f77b4", width=2), symbol="o", symbolSize=7,
                                           symbolBrush="#1f77b4"),
            "activations": self.grad_plot.plot([], [], pen=pg.mkPen("#d62728", width=2), symbol="s", symbolSize=7,
                                               symbolBrush="#d62728")}
        self._grad_range = None
        self.grad_plot.hide()
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.label)
        lay.addWidget(self.grad_plot)

    # --- sources ------------------------------------------------------------------------------
    def attach(self, session, job=None) -> None:
        """Show the engine's initial kernels from ``session``'s results, then ``job``'s snapshots."""
        self.session = session
        session.result_ready.connect(self._result)
        if session.result is not None:
            self._result(session.result)
        if job is not None:
            self.attach_job(job)

    def attach_job(self, job) -> None:
        self.job = job
        job.snapshot.connect(self.set_snapshot)

    def _result(self, res) -> None:
        project = self.session.project if self.session is not None else None
        if project is None or not res.weights:
            return
        convs = {i: tuple(res.weights[i]) for i, s in enumerate(project.layers)
                 if i < len(res.weights) and s.layer_type.category == "conv" and res.weights[i]}
        self.engine_convs = convs  # what the maps are computed with
        self.engine_initial = self.session.weights is None
        if self.engine_initial:
            self.initial = convs
        self._choose()

    @staticmethod
    def _fits(a, b) -> bool:
        return bool(a) and bool(b) and set(a) == set(b) and all(np.shape(a[i][0]) == np.shape(b[i][0]) for i in a)

    @staticmethod
    def _same(a, b) -> bool:
        return KernelsView._fits(a, b) and all(a[i][0] is b[i][0] or np.array_equal(a[i][0], b[i][0]) for i in a)

    def set_snapshot(self, snap) -> None:
        self.snap_convs, self.snap_step = snap.conv_weights, snap.step
        start = snap.start_conv_weights if getattr(snap, "start", None) is not None else None
        self.start = dict(start) if start else (dict(snap.conv_weights) if snap.step == 0 else self.start)
        self._choose()
        self.gradients = (tuple(getattr(snap, "weight_gradients", ())), tuple(getattr(snap, "activation_gradients", ())))
        if self.grads_box.isChecked():
            self._draw_gradients()

    def add_switch(self, action, changed=None) -> None:
        """Show the window's "trained / initial weights" switch (a checkable QAction) in the bar;
        the mosaic follows ``changed(bool)`` (the switch's signal; default the action's toggled)
        as the maps do."""
        button = QtWidgets.QToolButton()
        button.setDefaultAction(action)
        self.bar.insertWidget(0, button)
        self.switch = button
        (changed or action.toggled).connect(self.set_show_trained)
        self.set_show_trained(action.isChecked())

    def set_show_trained(self, on: bool) -> None:
        """On: the newest snapshot's weights (as the maps show the trained network); off: the
        initial ones the maps are then computed with."""
        self.show_trained = bool(on)
        self._choose()

    def _choose(self) -> None:
        """Draw the trained weights of the newest snapshot that fits the stack (switch on), else
        what the maps are computed with; "change since start" against where training started
        (else the initial weights)."""
        snap = self.snap_convs
        if self.show_trained and snap and (not self.engine_convs or self._fits(snap, self.engine_convs)):
            convs, step = snap, self.snap_step
        else:
            convs, step = self.engine_convs, None
        if not convs:
            return
        base = self.start if self.start and self._fits(self.start, convs) else self.initial
        if step == self.step and base is self.baseline and self._same(convs, self.conv_weights):
            return  # another stroke or image: the same weights
        self.conv_weights, self.step, self.baseline = convs, step, base
        self._redraw()

    def _show_gradients(self, on: bool) -> None:
        self.grad_plot.setVisible(on)
        if self.job is not None:
            self.job.want_gradients = bool(on)  # the training differentiates the watched example only for this
            if on and self.job.latest is not None and not self.job.playing:
                self.job.refresh()  # paused: the gradients of where training stands
        if on:
            self._draw_gradients()

    @staticmethod
    def gradient_points(values) -> tuple[list[int], list[float]]:
        """(layers, magnitudes) of the layers that have a positive magnitude (a log axis)."""
        pts = [(i, float(v)) for i, v in enumerate(values) if v is not None and np.isfinite(v) and v > 0]
        return [p[0] for p in pts], [p[1] for p in pts]

    def _draw_gradients(self) -> None:
        if not self.gradients:
            return
        every = []
        for key, values in zip(("weights", "activations"), self.gradients):
            xs, ys = self.gradient_points(values)
            self.grad_lines[key].setData(xs, ys)
            every += ys
        n = max((len(v) for v in self.gradients), default=0)
        if every:  # whole decades, so the cached axes are drawn again only when a decade is crossed
            y = (int(np.floor(np.log10(min(every)))), int(np.ceil(np.log10(max(every)) + 1e-12)))
            rng = ((-0.5, max(n, 1) - 0.5), (y[0], max(y[1], y[0] + 1)))
            if rng != self._grad_range:
                self._grad_range = rng
                self.grad_plot.setXRange(*rng[0], padding=0)
                self.grad_plot.setYRange(*rng[1], padding=0)
                self.grad_plot.getAxis("bottom").setTicks([[(i, str(i)) for i in range(n)]])

    # --- drawing ------------------------------------------------------------------------------
    def showEvent(self, ev):  # noqa: N802
        super().showEvent(ev)
        if self._dirty:
            self._redraw()

    def _redraw(self, force: bool = False) -> None:
        if not self.conv_weights:
            return
        if not (force or self.isVisible()):
            self._dirty = True  # a hidden dock costs nothing while training runs: drawn when shown
            return
        self._dirty = False
        base = self.baseline if self.delta.isChecked() and self.baseline else None
        project = self.session.project if self.session is not None else None
        m = kernel_mosaic(self.conv_weights, base, transposed=transposed_layers(project) if project else None)
        first = self.mosaic is None or self.mosaic.image.shape != m.image.shape
        self.mosaic = m
        self.shown = shown = display_image(m, self.per_layer.isChecked())
        lim = 1.0 if self.per_layer.isChecked() else m.limit
        self.image.setImage(shown, levels=(-lim, lim), autoLevels=False)
        if first:
            for t in self.labels:
                self.vb.removeItem(t)
            self.labels = []
            project = self.session.project if self.session is not None else None
            for b in m.blocks:
                name = project.layers[b.layer].type if project is not None and b.layer < len(project.layers) else ""
                t = pg.TextItem(f"{b.layer} {name}", color="#444", anchor=(1, 0))
                t.setPos(b.x - 0.5, b.y - 0.5)
                self.vb.addItem(t)
                self.labels.append(t)
            self.vb.autoRange(padding=0.02)
        what = tr("change since start") if base is not None else tr("weights")
        if self.step is not None:
            step = tr("step {n}").format(n=self.step)
        else:
            step = tr("initial") if self.engine_initial else tr("trained")
        cut = any(b.rows < b.kernels or b.cols < b.inputs for b in m.blocks)
        if self.per_layer.isChecked():
            scales = ", ".join(f"{b.layer}: ±{_block_limit(m, b):.3g}" for b in m.blocks)
            text = tr("{what} · {step} · colours per layer ({s}; blue below 0, red above)").format(
                what=what, step=step, s=scales)
        else:
            text = tr("{what} · {step} · colour scale ±{v:.3g} (blue below 0, red above)").format(
                what=what, step=step, v=m.limit)
        if cut:
            text += " · " + tr("the first 64 kernels and input channels of each layer")
        self.label.setText(text)

    def _cell(self, scene_pos):
        if self.mosaic is None or not self.mosaic.blocks:
            return None
        p = self.image.mapFromScene(scene_pos)
        return cell_at(self.mosaic, p.y(), p.x())

    def _moved(self, pos) -> None:
        c = self._cell(pos)
        if c is None:
            self.plot.setToolTip("")
            return
        layer, k, i = c
        self.plot.setToolTip(tr("layer {l} · kernel {k} · input channel {i} · click to open it in the stepper").format(
            l=layer, k=k, i=i))

    def _clicked(self, ev) -> None:
        c = self._cell(ev.scenePos())
        if c is not None:
            self.kernel_clicked.emit(*c)

    # --- export -------------------------------------------------------------------------------
    def export_png(self, path: str | None = None, scale: int = 8) -> bool:
        """Save the mosaic as PNG, each weight ``scale`` x ``scale`` pixels."""
        if self._dirty:
            self._redraw(force=True)
        if self.mosaic is None or not self.mosaic.blocks:
            return False
        if path is None:
            if os.environ.get("CONVVIZ_NO_DIALOGS"):
                return False
            path, _ = QtWidgets.QFileDialog.getSaveFileName(self, tr("Export kernels as PNG"), "kernels.png",
                                                            tr("PNG images (*.png)"))
            if not path:
                return False
        rgb = np.repeat(np.repeat(mosaic_rgb(self.mosaic, self.per_layer.isChecked()), scale, 0), scale, 1)
        h, w, _ = rgb.shape
        img = QtGui.QImage(rgb.data, w, h, 3 * w, QtGui.QImage.Format.Format_RGB888).copy()
        ok = img.save(path, "PNG")
        if not ok:
            QtWidgets.QMessageBox.warning(self, tr("Export kernels as PNG"),
                                          tr("Could not write {p}: choose another folder.").format(p=path))
        return ok


__all__ = ["KernelsView", "display_image", "mosaic_rgb"]
