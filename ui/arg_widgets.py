"""Editors for layer arguments, one per argument kind of the schema in convviz/spec.py.

Each editor emits ``edited(value)`` with a value in the spec's canonical form and takes
``set_value(value)`` without emitting, so the form can follow undo and redo silently.
"""
from __future__ import annotations

from convviz.spec import Arg

from .i18n import tr
from .qt import QtWidgets, Signal




def _spin(lo: int, hi: int) -> QtWidgets.QSpinBox:
    s = QtWidgets.QSpinBox()
    s.setRange(int(lo), int(hi))
    s.setKeyboardTracking(False)  # emit on arrows, Enter and focus-out, not on every keystroke
    s.setAccelerated(True)
    return s


class ArgEditor(QtWidgets.QWidget):
    edited = Signal(object)

    def __init__(self, arg: Arg, parent=None):
        super().__init__(parent)
        self.arg = arg
        self._lay = QtWidgets.QHBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._lay.setSpacing(4)
        self._quiet = False

    def _emit(self, *_):
        if not self._quiet:
            self.edited.emit(self.value())

    def set_value(self, v) -> None:
        self._quiet = True
        try:
            self._set(v)
        finally:
            self._quiet = False

    def value(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _set(self, v) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class IntEditor(ArgEditor):
    """An int; for an inferred argument (in_channels) 0 means 'auto' (taken from the layer before)."""

    def __init__(self, arg: Arg, parent=None):
        super().__init__(arg, parent)
        lo = 0 if arg.inferred else (arg.min if arg.min is not None else 0)
        self.spin = _spin(lo, arg.max if arg.max is not None else 1 << 20)
        if arg.inferred:
            self.spin.setSpecialValueText(tr("auto"))
        self._lay.addWidget(self.spin)
        self.spin.valueChanged.connect(self._emit)

    def set_auto_hint(self, n: int | None) -> None:
        if self.arg.inferred:
            self.spin.setSpecialValueText(tr("auto ({n})").format(n=n) if n else tr("auto"))

    def value(self):
        v = self.spin.value()
        return None if (self.arg.inferred and v == 0) else v

    def _set(self, v) -> None:
        self.spin.setValue(0 if v is None else int(v))


class PairEditor(ArgEditor):
    """An int or a pair: one spin box for square values, two (height, width) when unlinked."""

    def __init__(self, arg: Arg, parent=None, lo=None):
        super().__init__(arg, parent)
        lo = arg.min if lo is None else lo
        self.h = _spin(lo if lo is not None else 0, arg.max if arg.max is not None else 4096)
        self.w = _spin(lo if lo is not None else 0, arg.max if arg.max is not None else 4096)
        self.h.setToolTip(tr("height"))
        self.w.setToolTip(tr("width"))
        self.link = QtWidgets.QToolButton()
        self.link.setCheckable(True)
        self.link.setChecked(True)
        self.link.setText("=")
        self.link.setToolTip(tr("Same value for height and width; untick to set them apart"))
        self.times = QtWidgets.QLabel("×")
        for w in (self.h, self.times, self.w, self.link):
            self._lay.addWidget(w)
        self.h.valueChanged.connect(self._h_changed)
        self.w.valueChanged.connect(self._emit)
        self.link.toggled.connect(self._link_toggled)
        self._show_link()

    def _show_link(self):
        linked = self.link.isChecked()
        self.w.setVisible(not linked)
        self.times.setVisible(not linked)

    def _h_changed(self, v):
        if self.link.isChecked():
            self.w.blockSignals(True)
            self.w.setValue(v)
            self.w.blockSignals(False)
        self._emit()

    def _link_toggled(self, on):
        self._show_link()
        if on and self.h.value() != self.w.value():
            self.w.blockSignals(True)
            self.w.setValue(self.h.value())
            self.w.blockSignals(False)
        self._emit()

    def value(self):
        if self.link.isChecked():
            return self.h.value()
        return (self.h.value(), self.w.value())

    def _set(self, v) -> None:
        h, w = (v, v) if not isinstance(v, (tuple, list)) else v
        for s in (self.h, self.w, self.link):
            s.blockSignals(True)
        self.link.setChecked(not isinstance(v, (tuple, list)))
        self.h.setValue(int(h))
        self.w.setValue(int(w))
        for s in (self.h, self.w, self.link):
            s.blockSignals(False)
        self._show_link()


class PaddingEditor(ArgEditor):
    """Conv2d padding: numbers, 'same' or 'valid'."""

    def __init__(self, arg: Arg, parent=None):
        super().__init__(arg, parent)
        self.mode = QtWidgets.QComboBox()
        self.mode.addItem(tr("numbers"), "numbers")
        self.mode.addItem("'same'", "same")
        self.mode.addItem("'valid'", "valid")
        self.mode.setToolTip(tr("'same' keeps the size (stride 1 only); 'valid' adds no padding"))
        self.pair = PairEditor(arg)
        self._lay.addWidget(self.mode)
        self._lay.addWidget(self.pair, 1)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.pair.edited.connect(self._emit)

    def _mode_changed(self, *_):
        self.pair.setVisible(self.mode.currentData() == "numbers")
        self._emit()

    def value(self):
        m = self.mode.currentData()
        return self.pair.value() if m == "numbers" else m

    def _set(self, v) -> None:
        self.mode.blockSignals(True)
        if isinstance(v, str):
            self.mode.setCurrentIndex(self.mode.findData(v))
        else:
            self.mode.setCurrentIndex(0)
            self.pair.set_value(v)
        self.mode.blockSignals(False)
        self.pair.setVisible(not isinstance(v, str))


class OptionalEditor(ArgEditor):
    """A value that may be left to its default (None): pool stride (= kernel_size), divisor_override."""

    def __init__(self, arg: Arg, label: str, parent=None):
        super().__init__(arg, parent)
        self.check = QtWidgets.QCheckBox(label)
        inner_arg = Arg(arg.name, "pair" if arg.kind == "opt_pair" else "int", 1, arg.min, arg.max)
        self.inner = PairEditor(inner_arg) if arg.kind == "opt_pair" else IntEditor(inner_arg)
        self._lay.addWidget(self.check)
        self._lay.addWidget(self.inner, 1)
        self.check.toggled.connect(self._toggled)
        self.inner.edited.connect(self._emit)

    def _toggled(self, on):
        self.inner.setEnabled(not on)
        self._emit()

    def value(self):
        return None if self.check.isChecked() else self.inner.value()

    def _set(self, v) -> None:
        self.check.blockSignals(True)
        self.check.setChecked(v is None)
        self.check.blockSignals(False)
        self.inner.setEnabled(v is not None)
        if v is not None:
            self.inner.set_value(v)


class BoolEditor(ArgEditor):
    def __init__(self, arg: Arg, parent=None):
        super().__init__(arg, parent)
        self.check = QtWidgets.QCheckBox()
        self._lay.addWidget(self.check)
        self._lay.addStretch(1)
        self.check.toggled.connect(self._emit)

    def value(self):
        return self.check.isChecked()

    def _set(self, v) -> None:
        self.check.setChecked(bool(v))


class FloatEditor(ArgEditor):
    def __init__(self, arg: Arg, parent=None):
        super().__init__(arg, parent)
        self.spin = QtWidgets.QDoubleSpinBox()
        self.spin.setDecimals(6 if arg.name == "eps" else 3)
        self.spin.setRange(arg.min if arg.min is not None else -1e6, arg.max if arg.max is not None else 1e6)
        self.spin.setSingleStep(1e-5 if arg.name == "eps" else 0.01)
        self.spin.setKeyboardTracking(False)
        self._lay.addWidget(self.spin)
        self.spin.valueChanged.connect(self._emit)

    def value(self):
        return float(self.spin.value())

    def _set(self, v) -> None:
        self.spin.setValue(float(v))


class ChoiceEditor(ArgEditor):
    def __init__(self, arg: Arg, parent=None):
        super().__init__(arg, parent)
        self.combo = QtWidgets.QComboBox()
        for c in arg.choices:
            self.combo.addItem(str(c), c)
        self._lay.addWidget(self.combo)
        self.combo.currentIndexChanged.connect(self._emit)

    def value(self):
        return self.combo.currentData()

    def _set(self, v) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(v)))


def make_editor(arg: Arg) -> ArgEditor:
    if arg.kind == "int":
        return IntEditor(arg)
    if arg.kind == "pair":
        return PairEditor(arg)
    if arg.kind == "padding":
        return PaddingEditor(arg)
    if arg.kind == "opt_pair":
        return OptionalEditor(arg, tr("= kernel_size"))
    if arg.kind == "opt_int":
        return OptionalEditor(arg, tr("window size"))
    if arg.kind == "bool":
        return BoolEditor(arg)
    if arg.kind == "float":
        return FloatEditor(arg)
    if arg.kind == "choice":
        return ChoiceEditor(arg)
    raise ValueError(arg.kind)
