"""The receptive field of a clicked pixel, the effective receptive field, the enlarged channel
and a layer's maps exported as a picture: what the window does when the learner points at a map.

``FieldView`` belongs to a MainWindow and works on its feature maps (ui/feature_view.py), its
Channel dock and its compute session; the window only wires its signals and menus here.
The learner's view is never moved: a field's captions lie over the plots, and the Channel dock
is not raised over an open walkthrough chapter.
"""
from __future__ import annotations

import os

from convviz.project import Project

from .feature_view import render_layer_image
from .i18n import tr
from .qt import QtCore, QtWidgets
from .session import first_difference


class FieldView(QtCore.QObject):
    """Receptive fields on the maps, the effective field and the enlarged channel of one window."""

    def __init__(self, window):
        super().__init__(window)
        self.win = window
        self.field: tuple[int, int, int] | None = None  # (layer, y, x) whose receptive field is shown
        self.erf = None  # the effective receptive field on show, its pixel and the project it is of
        self.erf_key: tuple[int, int, int] | None = None
        self.erf_project: Project | None = None
        self.last_export: dict | None = None  # what the last exported picture shows (texts, tiles)
        lesson = getattr(window.doc, "lesson_changed", None)  # a walkthrough chapter shows its project
        if lesson is not None:
            lesson.connect(self._lesson_changed)

    def _lesson_changed(self, _on: bool) -> None:
        self.clear()

    # --- the window's parts, looked up when used (the window builds them after this) ---------
    @property
    def features(self):
        return self.win.features

    @property
    def channel(self):
        return self.win.channel

    def _dock(self, name: str):
        return self.win.findChild(QtWidgets.QDockWidget, name)

    def _status(self, text: str, ms: int) -> None:
        self.win.status.showMessage(text, ms)

    # --- the exact receptive field -------------------------------------------------------------
    def pixel_clicked(self, layer: int, channel: int, y: int, x: int) -> None:
        self.show_field(layer, y, x)
        if layer >= 0 and self.win.act_erf.isChecked():
            self.compute_erf(layer, y, x, channel)

    @staticmethod
    def field_text(s) -> str:
        if s.count == 0:
            return tr("no pixel: this output depends only on the bias (its window lies in the padding)")
        t, l, b, r = s.bbox
        return tr("{n} pixels ({rows} rows × {cols} columns) within rows {t}–{b}, columns {l}–{r}").format(
            n=f"{s.count:,}", rows=len(s.rows), cols=len(s.cols), t=t, b=b, l=l, r=r)

    def show_field(self, layer: int, y: int, x: int) -> bool:
        """Draw the exact receptive field of pixel (y, x) of ``layer`` on the input and on every
        map up to it (layer -1 clears it).  Returns whether a field is shown.  Nothing moves:
        each map's caption is drawn over its plot."""
        from convviz.receptive import exact, theoretical
        for w in self.features.widgets:
            w.set_field(None)
        self.field = None
        info = self.win.info
        if layer < 0 or info is None or layer >= len(info.layers) or not info.layers[layer].ok:
            return False
        shape = info.layers[layer].map_shape  # a vector is clicked on the grid it is drawn as
        if shape is None:
            return False
        _, h, w_ = shape
        if not (0 <= y < h and 0 <= x < w_):
            return False
        sets = exact(info, layer, y, x)
        self.field = (layer, y, x)
        for s in sets:
            first = s.layer + 1  # the field on map s.layer, through layers first .. layer
            f = theoretical(info, first)[layer - first] if first <= layer else None
            box = f.box(y, x) if f is not None else None
            if s.layer == layer:
                text = tr("Clicked pixel (y {y}, x {x}) of layer {l}").format(y=y, x=x, l=layer)
            else:
                text = tr("Receptive field of layer {l} (y {y}, x {x}): {d}").format(
                    l=layer, y=y, x=x, d=self.field_text(s))
                if f is not None:
                    text += tr(" · theoretical box {h}×{w} (dashed)").format(h=f.size[0], w=f.size[1])
            self.features.widget_for(s.layer).set_field(s, box, text)
        self._status(tr("Receptive field of layer {l} (y {y}, x {x}) on the input: {d}").format(
            l=layer, y=y, x=x, d=self.field_text(sets[0])), 10000)
        return True

    def clear(self) -> None:
        """Another project is shown: its fields are not the previous project's."""
        if self.field is not None:
            self.show_field(-1, 0, 0)
        self.field = None
        self.clear_erf()

    def project_changed(self, project: Project) -> None:
        """After an edit: the field follows the stack (or goes if its pixel no longer exists);
        an effective field computed for the stack before the edit goes."""
        if self.field:
            layer, y, x = self.field
            if not self.show_field(layer, y, x):
                self.field = None
        if self.erf_project is not None and first_difference(self.erf_project, project) <= self.erf_key[0]:
            self.clear_erf()

    # --- the effective receptive field -----------------------------------------------------------
    def erf_toggled(self, _on: bool) -> None:
        if self.field and self.win.act_erf.isChecked():
            self.compute_erf(*self.field)

    def compute_erf(self, layer: int, y: int, x: int, channel: int | None = None):
        """The effective receptive field, computed as a background job (a newer click replaces
        it) and shown in the Channel dock beside the theoretical box.  Returns the job."""
        win = self.win
        project, base = win.project, win.doc.base_dir
        n = 16 if win.act_erf_random.isChecked() else 0
        decoded = win.session.map(-1)  # the input as the engine decoded it, if it is current

        def job(j):
            from convviz.engine import effective_rf
            return effective_rf(project, layer, y, x, None, n, base, cancelled=j.cancelled, input=decoded)
        self._status(tr("Computing the effective receptive field…"), 5000)
        return win.runner.submit("erf", job, label=tr("Effective receptive field"),
                                 on_done=lambda arr: self._erf_ready(project, layer, y, x, n, arr),
                                 on_failed=lambda msg: self._status(msg, 10000))

    def _erf_ready(self, project: Project, layer, y, x, n, arr) -> None:
        """Show an effective receptive field, unless it was computed for an older stack: one
        whose input, seed or layers up to ``layer`` differ from the project now."""
        from convviz.receptive import theoretical
        win = self.win
        if first_difference(project, win.project) <= layer or not win.info.layers[layer].ok:
            self._status(tr("The effective receptive field was for the stack before your edit; "
                            "click the pixel again"), 5000)
            return
        f = theoretical(win.info)[layer]
        box = f.box(y, x) if f is not None else None
        src = tr("averaged over {n} random inputs").format(n=n) if n else tr("on this image")
        size = tr("theoretical field {h}×{w} (dashed)").format(h=f.size[0], w=f.size[1]) if f else ""
        self.erf, self.erf_key, self.erf_project = arr, (layer, y, x), project
        self._status(tr("Effective receptive field of layer {l} (y {y}, x {x}) ready").format(
            l=layer, y=y, x=x), 5000)
        self.channel.show_channel(-2, 0, arr, tr("<b>Effective receptive field</b> of layer {l} (y {y}, x {x}), "
                                                 "|∂out/∂input| {src}; {size}").format(
            l=layer, y=y, x=x, src=src, size=size), colormap="inferno", box=box)
        self.bring_channel_dock()

    def clear_erf(self) -> None:
        self.erf = self.erf_key = self.erf_project = None
        if self.channel.key is not None and self.channel.key[0] == -2:
            self.channel.clear()

    # --- the Channel dock ------------------------------------------------------------------------
    def chapter_open(self) -> bool:
        """A walkthrough chapter is on show (its dock visible)."""
        wd = self._dock("walkthroughDock")
        return wd is not None and wd.isVisible()

    def bring_channel_dock(self) -> None:
        """Show the Channel dock in front, unless a walkthrough chapter is open: the lesson stays
        where the learner reads it (the channel is there when they pick the Channel tab)."""
        if self.chapter_open():
            return
        dock = self._dock("channelDock")
        if dock is not None:
            dock.show()
            dock.raise_()

    def enlarge_channel(self, layer: int, channel: int, show: bool = True) -> None:
        if self.channel.show_map(layer, channel) and show:
            self.bring_channel_dock()

    # --- export ----------------------------------------------------------------------------------
    def layer_title(self, index: int) -> str:
        """The title of a layer's picture: which layer, its arguments and its shape."""
        win = self.win
        maps = win.session.map(index)
        shape = list(maps.shape) if maps is not None else []
        if index < 0:
            from .feature_view import source_label
            return tr("Input · {shape} · {src}").format(shape=shape, src=source_label(win.project.input.source))
        spec = win.project.layers[index]
        return tr("Layer {i} · {type}({args}) → {shape}").format(i=index, type=spec.type, args=spec.kwargs_text(),
                                                                 shape=shape)

    def export_layer_png(self, path: str | None = None, index: int | None = None) -> bool:
        """File > Export > Selected Layer's Maps as PNG: a slide-ready picture (title, channel
        labels, a colour bar in real values, at least 1600 pixels wide)."""
        win = self.win
        index = win.layers.current() if index is None else index
        maps = win.session.map(index) if -1 <= index < len(self.features.widgets) - 1 else None
        if maps is None:  # invalid, or not computed for the project as it is now
            win._warn(tr("Nothing to export"), tr("The selected layer has no maps yet."))
            return False
        if not path:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(win, tr("Save the layer's maps as PNG"),
                                                            os.path.join(win._last_dir(), f"layer{index}.png"),
                                                            "PNG (*.png)")
        if not path:
            return False
        f = self.features
        mode = f.mode_for(index)
        img, self.last_export = render_layer_image(maps, self.layer_title(index), mode,
                                                   f.global_levels() if mode == "global" else None, gray=index < 0)
        ok = img.save(path, "PNG")
        if not ok:
            win._warn(tr("The picture could not be saved"), path)
        return ok
