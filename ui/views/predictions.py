"""Predictions while training: probability bars for the watched example (its top classes, by
name), a grid of test examples with their predicted and true class (mistakes marked in red;
click one to watch it), and the confusion matrix of the whole test set as a heat map (counts
written in the cells and on hover), and the saliency of the watched example: the gradient of
the predicted class's score with respect to the input, as a heat map beside the image, and its
Grad-CAM on the last convolution as a heat map over the image.

The grid, the matrix and the saliency need the model's answers on the test set: they are computed on the
compute thread (which owns the trainer) from the current weights, at most once every
PREDICT_INTERVAL seconds while training runs; one at a time, and the newest snapshot wins."""
from __future__ import annotations

import time

import numpy as np

from ..feature_view import GRAY, SEQUENTIAL, lut4
from ..i18n import tr
from ..qt import QtCore, QtGui, QtWidgets, Qt, Signal, pg

HEAT = "inferno"  # the saliency's colour map (black: no influence)
PREDICT_INTERVAL = 1.0  # seconds between two predictions on the test set
TOP = 5  # classes shown as bars
GRID = 48  # test examples in the grid
ICON = 48  # their size on screen (pixels)


def overlay_lut(name: str) -> np.ndarray:
    """``name``'s colours with an alpha that rises with the value (0: transparent, the top: 80%
    opaque), so a heat map over an image hides nothing where it is cold."""
    out = lut4(name).copy()
    out[:, 3] = np.round(np.linspace(0, 0.8, 256) ** 0.7 * 255).astype(np.uint8)
    return out


def _pixmap(img: np.ndarray, size: int = ICON) -> QtGui.QPixmap:
    """(C, H, W) uint8 as a pixmap (grey for one channel, the first three as RGB otherwise)."""
    a = np.asarray(img)
    if a.shape[0] >= 3:
        rgb = np.ascontiguousarray(a[:3].transpose(1, 2, 0))
    else:
        rgb = np.ascontiguousarray(np.repeat(a[0][:, :, None], 3, 2))
    h, w, _ = rgb.shape
    q = QtGui.QImage(rgb.data, w, h, 3 * w, QtGui.QImage.Format.Format_RGB888).copy()
    return QtGui.QPixmap.fromImage(q.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.FastTransformation))


class PredictionsView(QtWidgets.QWidget):
    """See the module doc.  ``attach(session, job)``; ``predictions`` is the newest result."""

    predicted = Signal(object)  # convviz.predict.Predictions, on the GUI thread

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("predictionsView")
        self.session = None
        self.job = None
        self.predictions = None
        self.probabilities: np.ndarray | None = None
        self.classes: tuple[str, ...] = ()
        self._task = None
        self._want = False  # a newer snapshot arrived while a prediction ran
        self._last = -1e9
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._request)

        self.bars_title = QtWidgets.QLabel(tr("Watched example: no prediction yet"))
        self.bars = pg.PlotWidget()
        self.bars.setBackground("w")
        self.bars.setMenuEnabled(False)
        self.bars.setMouseEnabled(False, False)
        self.bars.setXRange(0, 1, padding=0)
        self.bars.getAxis("bottom").setLabel(tr("probability"))
        self.bars.setFixedHeight(150)
        self.bar_item = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[], brush="#3b6fb6")
        self.bars.addItem(self.bar_item)
        self.bars.getViewBox().invertY(True)
        self._bar_ticks = None  # the class names on the bars' axis (set again only when they change)

        self.grid = QtWidgets.QListWidget()
        self.grid.setViewMode(QtWidgets.QListView.ViewMode.IconMode)
        self.grid.setIconSize(QtCore.QSize(ICON, ICON))
        self.grid.setResizeMode(QtWidgets.QListView.ResizeMode.Adjust)
        self.grid.setMovement(QtWidgets.QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)
        self.grid.setMinimumHeight(150)
        self.grid.setGridSize(QtCore.QSize(ICON + 34, ICON + 34))
        self.grid.setToolTip(tr("Test examples: predicted class (true class when wrong); click one to watch it"))
        self.grid.itemClicked.connect(self._grid_clicked)

        self.cm_plot = pg.PlotWidget()
        self.cm_plot.setBackground("w")
        self.cm_plot.setMinimumHeight(240)
        self.cm_plot.setMenuEnabled(False)
        self.cm_plot.setAspectLocked(True)
        self.cm_plot.getViewBox().invertY(True)
        self.cm_plot.getAxis("left").setLabel(tr("true class"))
        self.cm_plot.getAxis("bottom").setLabel(tr("predicted class"))
        self.cm_image = pg.ImageItem(axisOrder="row-major")
        self.cm_image.setLookupTable(lut4(SEQUENTIAL))
        self.cm_plot.addItem(self.cm_image)
        self.cm_texts: list[pg.TextItem] = []
        self.cm_plot.scene().sigMouseMoved.connect(self._cm_moved)
        self.cm_hover = QtWidgets.QLabel(" ")
        self.summary = QtWidgets.QLabel(tr("Start training to see predictions on the test set"))
        self.summary.setWordWrap(True)

        # axes are costly to paint (their labels): each is cached as a pixmap, drawn again only
        # when its ticks change (the bars are updated with every snapshot)
        for plot in (self.bars, self.cm_plot):
            for name in ("left", "bottom"):
                plot.getAxis(name).setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        tabs = QtWidgets.QTabWidget()
        tabs.addTab(self.grid, tr("Test examples"))
        cm = QtWidgets.QWidget()
        cl = QtWidgets.QVBoxLayout(cm)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.cm_plot, 1)
        cl.addWidget(self.cm_hover)
        tabs.addTab(cm, tr("Confusion matrix"))
        sal = QtWidgets.QWidget()
        sl = QtWidgets.QVBoxLayout(sal)
        sl.setContentsMargins(0, 0, 0, 0)
        self.sal_plot = pg.GraphicsLayoutWidget()
        self.sal_plot.setBackground("w")
        self.sal_plot.setMinimumHeight(200)
        self.sal_titles = [self.sal_plot.addLabel(t, color="#333", size="9pt") for t in (
            tr("the image"), tr("saliency"), tr("Grad-CAM"))]
        self.sal_plot.nextRow()
        self.sal_input_vb = self.sal_plot.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.sal_vb = self.sal_plot.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.sal_input = pg.ImageItem(axisOrder="row-major")
        self.sal_input.setLookupTable(lut4(GRAY))
        self.sal_input_vb.addItem(self.sal_input)
        self.sal_image = pg.ImageItem(axisOrder="row-major")
        self.sal_image.setLookupTable(lut4(HEAT))
        self.sal_vb.addItem(self.sal_image)
        # Grad-CAM on the last convolution, as a heat map over the input
        self.cam_vb = self.sal_plot.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.cam_input = pg.ImageItem(axisOrder="row-major")
        self.cam_input.setLookupTable(lut4(GRAY))
        self.cam_vb.addItem(self.cam_input)
        self.cam_image = pg.ImageItem(axisOrder="row-major")
        self.cam_image.setLookupTable(overlay_lut(HEAT))
        self.cam_vb.addItem(self.cam_image)
        self.grad_cam = None
        self.sal_label = QtWidgets.QLabel(tr("Saliency: how strongly each input pixel moves the predicted class's score "
                                             "(|gradient|, brightest = most)"))
        self.sal_label.setWordWrap(True)
        self.cam_label = QtWidgets.QLabel(tr("Grad-CAM: where the last convolution's maps speak for the predicted "
                                             "class (brightest = most)"))
        self.cam_label.setWordWrap(True)
        sl.addWidget(self.sal_plot, 1)
        sl.addWidget(self.sal_label)
        sl.addWidget(self.cam_label)
        tabs.addTab(sal, tr("Saliency"))
        self.saliency = None
        self.tabs = tabs
        self._pending: set[str] = set()  # what waits for its tab to be shown: grid, cm, sal, cam
        self._grid_for = None  # the test images the grid's icons show
        self._cm_classes = None  # the class names the confusion matrix's ticks and cells were made for
        tabs.currentChanged.connect(lambda _i: self._draw_shown())
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.bars_title)
        lay.addWidget(self.bars)
        lay.addWidget(self.summary)
        lay.addWidget(tabs, 1)

    # --- sources ------------------------------------------------------------------------------
    def attach(self, session, job) -> None:
        self.session, self.job = session, job
        job.snapshot.connect(self.set_snapshot)

    def close_view(self) -> None:
        """Nothing more is asked of the compute thread (the window is closing)."""
        self._timer.stop()
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.job = None

    def set_snapshot(self, snap) -> None:
        self.show_probabilities(np.asarray(snap.probabilities), snap.watched, snap.watched_label)
        if self.job is None:
            return
        self._want = True
        if self._task is None and not self._timer.isActive():
            wait = PREDICT_INTERVAL - (time.monotonic() - self._last)
            self._timer.start(max(0, int(wait * 1000)))

    def _request(self) -> None:
        job = self.job
        if job is None or job.closed or self._task is not None or not self._want:
            return
        if not self.isVisible():
            return  # a hidden dock asks nothing of the training thread: asked when it is shown
        self._want = False
        self._last = time.monotonic()

        def task(trainer, cancelled):  # the compute thread, which owns the trainer
            from convviz.predict import grad_cam, predict, saliency
            p = predict(trainer, GRID, cancelled=cancelled)
            return "again" if p is None else (p, saliency(trainer), grad_cam(trainer))
        self._task = job.run_with_trainer(task, self._done, self._failed)

    def _done(self, result) -> None:
        self._task = None
        if result == "again":
            self._want = True  # it gave way to an edit: asked again a second later
        elif result is not None:
            self.set_predictions(result[0])
            self.set_saliency(result[1])
            self.set_grad_cam(result[2])
        if self._want:
            self._timer.start(max(0, int((PREDICT_INTERVAL - (time.monotonic() - self._last)) * 1000)))

    def _failed(self, sentence: str) -> None:
        self._task = None
        self.summary.setText(sentence)

    # --- drawing ------------------------------------------------------------------------------
    def _name(self, k: int) -> str:
        return self.classes[k] if 0 <= k < len(self.classes) else str(k)

    def show_probabilities(self, probs: np.ndarray, watched: int = -1, label: int | None = None) -> None:
        """Bars of the top classes of ``probs`` (best at the top)."""
        self.probabilities = probs = np.asarray(probs, dtype=np.float64).ravel()
        if probs.size == 0:
            return
        top = np.argsort(-probs, kind="stable")[:TOP]
        self.bar_item.setOpts(x0=np.zeros(len(top)), y=np.arange(len(top)), width=probs[top], height=0.7)
        ticks = [(i, self._name(int(k))) for i, k in enumerate(top)]
        if ticks != self._bar_ticks:
            self._bar_ticks = ticks
            self.bars.getAxis("left").setTicks([ticks])
            self.bars.setYRange(-0.5, TOP - 0.5, padding=0)
        who = tr("drawn image") if watched < 0 else tr("test example {i}").format(i=watched)
        text = tr("{who}: predicted {p} ({v:.0%})").format(who=who, p=self._name(int(top[0])), v=probs[top[0]])
        if label is not None:
            text += " · " + tr("true class {t}").format(t=self._name(label))
        self.bars_title.setText(text)

    def set_predictions(self, p) -> None:
        """The answers on the test set: the summary now; the grid and the confusion matrix when
        their tab is on screen (a hidden dock or tab costs nothing while training runs)."""
        self.predictions = p
        self.classes = p.classes
        n = len(p.true)
        self.summary.setText(tr("Step {s}: {c} of {n} test examples right ({a:.1%})").format(
            s=p.step, c=int((p.true == p.pred).sum()), n=n, a=p.accuracy))
        self._pending |= {"grid", "cm"}
        self._draw_shown()
        self.predicted.emit(p)

    def set_saliency(self, s) -> None:
        """The watched image beside its saliency map (drawn when the Saliency tab is shown)."""
        self.saliency = s
        self._pending.add("sal")
        self._draw_shown()

    def set_grad_cam(self, g) -> None:
        """Grad-CAM over the watched image, or why there is none (drawn when its tab is shown)."""
        self.grad_cam = g
        self._pending.add("cam")
        self._draw_shown()

    TABS = {"grid": 0, "cm": 1, "sal": 2, "cam": 2}

    def _draw_shown(self) -> None:
        """Draw what waits for the tab on screen (the others when they are shown)."""
        if not self.isVisible():
            return
        tab = self.tabs.currentIndex()
        for name in sorted(self._pending):
            if self.TABS[name] == tab:
                self._pending.discard(name)
                getattr(self, "_draw_" + name)()

    def showEvent(self, ev):  # noqa: N802
        super().showEvent(ev)
        self._draw_shown()
        if self._want and self._task is None and not self._timer.isActive():
            self._timer.start(0)  # the answers of the newest weights, which a hidden dock did not ask for

    def _draw_grid(self) -> None:
        p = self.predictions
        m = len(p.images)
        if self.grid.count() != m or self._grid_for is not p.images:
            self.grid.clear()
            for i in range(m):
                it = QtWidgets.QListWidgetItem(QtGui.QIcon(_pixmap(p.images[i])), "")
                it.setData(Qt.ItemDataRole.UserRole, i)
                self.grid.addItem(it)
            self._grid_for = p.images
        for i in range(m):
            it = self.grid.item(i)
            t, k = int(p.true[i]), int(p.pred[i])
            wrong = t != k
            it.setText(f"{self._name(k)} ✗ {self._name(t)}" if wrong else self._name(k))
            it.setForeground(QtGui.QBrush(QtGui.QColor("#c62828" if wrong else "#1b5e20")))
            it.setBackground(QtGui.QBrush(QtGui.QColor("#ffd7d7" if wrong else "#ffffff")))
            it.setToolTip(tr("test example {i}: predicted {p} ({v:.0%}), true {t}").format(
                i=i, p=self._name(k), v=float(p.confidence[i]), t=self._name(t)))

    def _draw_cm(self) -> None:
        p = self.predictions
        cm = p.confusion
        k = cm.shape[0]
        self.cm_image.setImage(cm.astype(np.float32), levels=(0, max(1, int(cm.max()))), autoLevels=False)
        self.cm_image.setRect(QtCore.QRectF(-0.5, -0.5, k, k))
        if self._cm_classes != p.classes or len(self.cm_texts) != (k * k if k <= 12 else 0):
            self._cm_classes = p.classes
            ticks = [(i, self._name(i)) for i in range(k)] if k <= 20 else None
            for ax in ("left", "bottom"):
                self.cm_plot.getAxis(ax).setTicks([ticks] if ticks else None)
            for t in self.cm_texts:
                self.cm_plot.removeItem(t)
            self.cm_texts = []
            if k <= 12:
                for r in range(k):
                    for c in range(k):
                        ti = pg.TextItem("", anchor=(0.5, 0.5), color="w")
                        ti.setPos(c, r)
                        self.cm_plot.addItem(ti)
                        self.cm_texts.append(ti)
            self.cm_plot.getViewBox().setRange(xRange=(-0.5, k - 0.5), yRange=(-0.5, k - 0.5), padding=0.02)
        hi = max(1, int(cm.max()))
        for idx, ti in enumerate(self.cm_texts):
            v = int(cm.flat[idx])
            ti.setText(str(v) if v else "")
            ti.setColor("k" if v > hi * 0.6 else "w")

    def _draw_sal(self) -> None:
        s = self.saliency
        img = s.image[0] if s.image.shape[0] < 3 else np.ascontiguousarray(s.image[:3].mean(0))
        self.sal_input.setImage(img, levels=(0, 1), autoLevels=False)
        top = float(s.map.max())
        self.sal_image.setImage(s.map, levels=(0, top if top > 0 else 1), autoLevels=False)
        self.sal_input_vb.enableAutoRange()  # follows the pane's size too
        self.sal_vb.enableAutoRange()
        who = tr("drawn image") if s.watched < 0 else tr("test example {i}").format(i=s.watched)
        self.sal_label.setText(tr("{who}, step {n}: the pixels that most move the score of {p} (|gradient|, "
                                  "largest {v:.3g})").format(who=who, n=s.step, p=self._name(s.predicted), v=top))

    def _draw_cam(self) -> None:
        g = self.grad_cam
        if g is None:
            self.cam_image.clear()
            self.cam_input.clear()
            self.cam_label.setText(tr("Grad-CAM needs a convolution whose output is a map: the stack has none"))
            return
        img = g.image[0] if g.image.shape[0] < 3 else np.ascontiguousarray(g.image[:3].mean(0))
        self.cam_input.setImage(img, levels=(0, 1), autoLevels=False)
        top = float(g.map.max())
        self.cam_image.setImage(g.map, levels=(0, top if top > 0 else 1), autoLevels=False)
        self.cam_vb.enableAutoRange()
        who = tr("drawn image") if g.watched < 0 else tr("test example {i}").format(i=g.watched)
        if top > 0:
            text = tr("{who}, step {n}: Grad-CAM of layer {l} for {p} over the image (largest {v:.3g})")
        else:
            text = tr("{who}, step {n}: Grad-CAM of layer {l} for {p} is zero everywhere (no map of it speaks "
                      "for the class yet)")
        self.cam_label.setText(text.format(who=who, n=g.step, l=g.layer, p=self._name(g.predicted), v=top))

    def confusion_at(self, scene_pos) -> tuple[int, int, int] | None:
        """(true, predicted, count) of the confusion-matrix cell under ``scene_pos``, or None."""
        p = self.predictions
        if p is None:
            return None
        q = self.cm_plot.getViewBox().mapSceneToView(scene_pos)
        r, c = int(np.floor(q.y() + 0.5)), int(np.floor(q.x() + 0.5))
        k = p.confusion.shape[0]
        if 0 <= r < k and 0 <= c < k:
            return r, c, int(p.confusion[r, c])
        return None

    def _cm_moved(self, pos) -> None:
        hit = self.confusion_at(pos)
        if hit is None:
            self.cm_hover.setText(" ")
            return
        t, k, n = hit
        self.cm_hover.setText(tr("true {t}, predicted {p}: {n} test examples").format(
            t=self._name(t), p=self._name(k), n=n))

    def _grid_clicked(self, item) -> None:
        i = item.data(Qt.ItemDataRole.UserRole)
        if self.job is not None and i is not None:
            self.job.watch(int(i), picked=True)


__all__ = ["PredictionsView"]
