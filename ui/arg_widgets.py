"""Editors for layer arguments, one per argument kind of the schema in convviz/spec.py.

Each editor emits ``edited(value)`` with a value in the spec's canonical form and takes
``set_value(value)`` without emitting, so the form can follow undo and redo silently.
"""
from __future__ import annotations

from convviz.spec import Arg

from .i18n import tr
from .qt import QtCore, QtGui, QtWidgets, Signal

INVALID_BASE = "#ffd6dc"  # the field's background while it holds a number out of range


class _WheelGuard(QtCore.QObject):
    """The mouse wheel over an editor that does not have the keyboard focus scrolls the panel
    around it and never changes the value (scrolling a form must not turn stride 1 into 4).
    A value changes by the wheel only in the editor the user clicked or tabbed into."""

    def eventFilter(self, obj, ev):  # noqa: N802 - Qt's name
        if ev.type() != QtCore.QEvent.Type.Wheel or not isinstance(obj, QtWidgets.QWidget) or obj.hasFocus():
            return False
        area = _scroll_area_of(obj)
        if area is not None:  # scroll it, as if the editor were not there
            view = area.viewport()
            fwd = QtGui.QWheelEvent(view.mapFromGlobal(ev.globalPosition()), ev.globalPosition(), ev.pixelDelta(),
                                    ev.angleDelta(), ev.buttons(), ev.modifiers(), ev.phase(), ev.inverted())
            QtCore.QCoreApplication.sendEvent(view, fwd)
        else:
            ev.ignore()  # a real wheel event then goes on to the widgets around the editor
        return True


def _scroll_area_of(w: QtWidgets.QWidget) -> QtWidgets.QAbstractScrollArea | None:
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, QtWidgets.QAbstractScrollArea):
            return p
        p = p.parentWidget()
    return None


_guard: list[_WheelGuard] = []


def guard_wheel(*roots: QtWidgets.QWidget) -> None:
    """Every spin box and combo box in ``roots`` (and the roots themselves) takes the keyboard
    focus only by a click or Tab, and the wheel over it scrolls the panel unless it has the
    focus.  Call again after adding editors; installing twice is harmless."""
    if not _guard:
        _guard.append(_WheelGuard())
    g = _guard[0]
    for root in roots:
        found = [root] + root.findChildren(QtWidgets.QAbstractSpinBox) + root.findChildren(QtWidgets.QComboBox)
        for w in found:
            if isinstance(w, (QtWidgets.QAbstractSpinBox, QtWidgets.QComboBox)):
                w.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
                w.installEventFilter(g)


def show_problem(widget: QtWidgets.QWidget, message: str) -> None:
    """Say what is wrong with a value in the window's status bar (the editor itself is marked
    red and its tooltip says the same)."""
    win = widget.window()
    if isinstance(win, QtWidgets.QMainWindow):
        win.statusBar().showMessage(message, 15000)


class _RangeChecked:
    """A spin box that says when a typed number is out of its range instead of silently
    refusing the keystroke (typing 99 where 64 is the most used to leave 9).  While the typed
    number is out of range the box is red and its tooltip says the range; on Enter or
    leaving the box the last valid value is kept and the status bar says so."""

    what = ""
    _tip = ""
    _marked = False

    def _init_range(self, what: str) -> None:
        self.what = what
        self._tip = self.toolTip()
        self._marked = False
        self.lineEdit().textEdited.connect(lambda _t: self._mark(None) if self._marked and self._typed() is None
                                           else None)
        self.valueChanged.connect(lambda *_: self._mark(None))

    def setToolTip(self, tip: str) -> None:  # noqa: N802 - Qt's name; remembered to restore it
        self._tip = tip
        if not getattr(self, "_marked", False):
            super().setToolTip(tip)

    def _parse(self, text: str):  # pragma: no cover - overridden
        raise NotImplementedError

    def _typed(self, text: str | None = None):
        """The number typed, when it is a number outside the range; else None."""
        t = self.lineEdit().text() if text is None else text
        t = t.strip()
        if self.prefix() and t.startswith(self.prefix()):
            t = t[len(self.prefix()):]
        if self.suffix() and t.endswith(self.suffix()):
            t = t[:-len(self.suffix())]
        t = t.strip()
        if not t or len(t) > 16:
            return None
        try:
            v = self._parse(t)
        except ValueError:
            return None
        return v if not self.minimum() <= v <= self.maximum() else None

    def _range_text(self) -> str:
        return tr("{what} can be {lo} to {hi}").format(what=self.what, lo=self._fmt(self.minimum()),
                                                       hi=self._fmt(self.maximum()))

    def _fmt(self, v) -> str:
        return str(v)

    def _mark(self, message: str | None) -> None:
        """Red while out of range (the palette, not a style sheet, so the arrows keep their look)."""
        was, self._marked = self._marked, message is not None
        if self._marked != was:
            pal = self.lineEdit().palette()
            base = QtGui.QColor(INVALID_BASE) if self._marked else self.style().standardPalette().color(
                QtGui.QPalette.ColorRole.Base)
            pal.setColor(QtGui.QPalette.ColorRole.Base, base)
            self.lineEdit().setPalette(pal)
            self.setProperty("outOfRange", self._marked)
        super().setToolTip(message if self._marked else self._tip)

    def validate(self, text: str, pos: int):
        res = super().validate(text, pos)
        state = res[0] if isinstance(res, tuple) else res
        if state != QtGui.QValidator.State.Acceptable:  # e.g. 99 (Qt: invalid) or 0 where 1 is the least
            if state == QtGui.QValidator.State.Invalid and text.strip() == "-" and self.minimum() >= 0:
                return (QtGui.QValidator.State.Intermediate, text, pos)  # the start of a negative number
            v = self._typed(text)
            if v is not None:
                self._mark(tr("{v} is out of range: {range}").format(v=self._fmt(v), range=self._range_text()))
                return (QtGui.QValidator.State.Intermediate, text, pos)
            if self._marked and self.hasFocus():
                self._mark(None)
        elif self._marked and self.hasFocus():
            self._mark(None)
        return res

    def fixup(self, text: str) -> str:
        """Called when the text is committed but not acceptable: the value is kept as it was."""
        v = self._typed(text)
        if v is not None:
            msg = tr("{v} is out of range: {range}; kept {old}").format(
                v=self._fmt(v), range=self._range_text(), old=self._fmt(self.value()))
            self._mark(msg)
            show_problem(self, msg)
            self.rejected.emit(msg)
        return super().fixup(text)


class SpinBox(_RangeChecked, QtWidgets.QSpinBox):
    """A whole-number editor that says when a typed number is out of range (see _RangeChecked)."""

    rejected = Signal(str)

    def __init__(self, what: str = "", parent=None):
        super().__init__(parent)
        self._init_range(what or tr("the value"))

    def _parse(self, text: str):
        if text == "-":
            raise ValueError(text)
        return int(text)


class DoubleSpinBox(_RangeChecked, QtWidgets.QDoubleSpinBox):
    """A decimal editor that says when a typed number is out of range (see _RangeChecked)."""

    rejected = Signal(str)

    def __init__(self, what: str = "", parent=None):
        super().__init__(parent)
        self._init_range(what or tr("the value"))

    def _parse(self, text: str):
        v, ok = self.locale().toDouble(text)
        if not ok:
            v = float(text.replace(",", "."))
        return v

    def _fmt(self, v) -> str:
        return f"{v:g}"


def _spin(lo: int, hi: int, what: str = "") -> SpinBox:
    s = SpinBox(what)
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
        self.spin = _spin(lo, arg.max if arg.max is not None else 1 << 20, arg.name)
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
        self.h = _spin(lo if lo is not None else 0, arg.max if arg.max is not None else 4096, arg.name)
        self.w = _spin(lo if lo is not None else 0, arg.max if arg.max is not None else 4096,
                       tr("{arg} (width)").format(arg=arg.name))
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
        self.h.what = self.arg.name if linked else tr("{arg} (height)").format(arg=self.arg.name)

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
        self.spin = DoubleSpinBox(arg.name)
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
