"""The layer stack panel: the list (add, remove, duplicate, drag to reorder), the argument form
of the selected layer (one fitting editor per argument, built from the schema) and its kernel.

The panel never changes the project itself: it emits requests that the main window turns into
undoable document edits, and it follows the document when it changes.
"""
from __future__ import annotations

import numpy as np

from convviz.kernels import LABELS as KERNEL_LABELS, NAMES as KERNEL_NAMES
from convviz.spec import LAYER_TYPES, LayerSpec
from convviz.validate import StackInfo

from .arg_widgets import guard_wheel, make_editor
from .i18n import tr, tr_core, tr_in
from .qt import QtGui, QtWidgets, Qt, Signal

MAX_GRID_WEIGHTS = 4096  # typed kernels are stored in the project file; keep them small




def tr_spec(text: str) -> str:
    return tr_in("spec", text)


DEFAULTS = {
    "Conv2d": dict(out_channels=8, kernel_size=3, padding=1),
    "ConvTranspose2d": dict(out_channels=8, kernel_size=2, stride=2),
    "DepthwiseSeparable": dict(out_channels=16, kernel_size=3, padding=1),
    "MaxPool2d": dict(kernel_size=2),
    "AvgPool2d": dict(kernel_size=2),
    "AdaptiveAvgPool2d": dict(output_size=7),
    "AdaptiveMaxPool2d": dict(output_size=1),  # global max pooling
    "Linear": dict(out_features=10),  # ten classes
}


def default_spec(type_: str) -> LayerSpec:
    return LayerSpec.make(type_, **DEFAULTS.get(type_, {}))


class StackList(QtWidgets.QListWidget):
    """The layers, one row each, reordered by dragging."""

    reordered = Signal(list)  # new order as a list of old indices

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDragDropMode(QtWidgets.QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setUniformItemSizes(True)
        self.setObjectName("stackList")

    def dropEvent(self, ev):  # noqa: N802
        super().dropEvent(ev)
        order = [self.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.count())]
        if order != sorted(order):
            self.reordered.emit(order)


class KernelEditor(QtWidgets.QGroupBox):
    """A convolution's weights: random from the seed, a named kernel, or numbers typed in a grid."""

    init_chosen = Signal(object)  # None (random), a kernel name, or ("values", nested tuples)

    def __init__(self, parent=None):
        super().__init__(tr("Kernel"), parent)
        self.combo = QtWidgets.QComboBox()
        self.combo.addItem(tr_kernel("random"), None)
        for n in KERNEL_NAMES:
            self.combo.addItem(tr_kernel(n), n)
        self.combo.addItem(tr("Typed numbers"), "values")
        self.combo.setToolTip(tr("Where this layer's weights come from: the seed, a classic named kernel, "
                                 "or numbers you type in the grid"))
        self.out_spin = QtWidgets.QSpinBox()
        self.in_spin = QtWidgets.QSpinBox()
        self.out_spin.setToolTip(tr("Which kernel (output channel) the grid shows"))
        self.in_spin.setToolTip(tr("Which input channel of that kernel the grid shows"))
        self.grid = QtWidgets.QTableWidget()
        self.grid.setObjectName("kernelGrid")
        self.grid.horizontalHeader().setDefaultSectionSize(54)
        self.grid.verticalHeader().setDefaultSectionSize(24)
        self.grid.setToolTip(tr("Double-click a number to change it; the layer then keeps typed numbers"))
        self.note = QtWidgets.QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #666")
        sel = QtWidgets.QHBoxLayout()
        sel.addWidget(QtWidgets.QLabel(tr("kernel")))
        sel.addWidget(self.out_spin)
        sel.addWidget(QtWidgets.QLabel(tr("channel")))
        sel.addWidget(self.in_spin)
        sel.addStretch(1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addWidget(self.combo)
        lay.addLayout(sel)
        lay.addWidget(self.grid)
        lay.addWidget(self.note)
        self.weight: np.ndarray | None = None
        self.spec: LayerSpec | None = None
        self.init = None
        self._quiet = False
        guard_wheel(self)
        self.combo.activated.connect(self._combo_activated)
        self.out_spin.valueChanged.connect(self._fill_grid)
        self.in_spin.valueChanged.connect(self._fill_grid)
        self.grid.itemChanged.connect(self._cell_edited)

    def set_layer(self, spec: LayerSpec, init, weight: np.ndarray | None) -> None:
        self.spec, self.init, self.weight = spec, init, weight
        self._quiet = True
        key = "values" if isinstance(init, tuple) else init
        self.combo.setCurrentIndex(max(0, self.combo.findData(key)))
        if weight is not None:
            a, b = weight.shape[0], weight.shape[1]
            self.out_spin.setRange(0, a - 1)
            self.in_spin.setRange(0, b - 1)
        self._quiet = False
        self._fill_grid()

    def _fill_grid(self, *_):
        self._quiet = True
        w = self.weight
        if w is None:
            self.grid.setRowCount(0)
            self.grid.setColumnCount(0)
            self.note.setText(tr("The numbers appear once the layer is computed."))
        else:
            k = w[self.out_spin.value(), self.in_spin.value()]
            self.grid.setRowCount(k.shape[0])
            self.grid.setColumnCount(k.shape[1])
            # rows and columns numbered from 0, as the stepper, the maps and torch index them
            self.grid.setVerticalHeaderLabels([str(r) for r in range(k.shape[0])])
            self.grid.setHorizontalHeaderLabels([str(c) for c in range(k.shape[1])])
            for r in range(k.shape[0]):
                for c in range(k.shape[1]):
                    it = QtWidgets.QTableWidgetItem(f"{k[r, c]:.4g}")
                    it.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.grid.setItem(r, c, it)
            editable = w.size <= MAX_GRID_WEIGHTS
            self.grid.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.DoubleClicked |
                                      QtWidgets.QAbstractItemView.EditTrigger.EditKeyPressed
                                      if editable else QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
            shape = "×".join(str(s) for s in w.shape)
            self.note.setText(tr("Weight tensor {shape}.").format(shape=shape) + " " +
                              (tr("Double-click a number to edit it.") if editable else
                               tr("Too many weights to type by hand; choose a named kernel.")))
        self.grid.resizeColumnsToContents()  # a number is never cut to "-0.001…"
        for c in range(self.grid.columnCount()):
            self.grid.setColumnWidth(c, max(54, self.grid.columnWidth(c)))
        h = min(7, self.grid.rowCount()) * 24 + 28
        self.grid.setFixedHeight(max(60, h))
        self._quiet = False

    def _combo_activated(self, *_):
        if self._quiet:
            return
        data = self.combo.currentData()
        if data == "values":
            if self.weight is not None and self.weight.size <= MAX_GRID_WEIGHTS:
                self.init_chosen.emit(("values", _nested(self.weight)))
            return
        self.init_chosen.emit(data)

    def _cell_edited(self, item: QtWidgets.QTableWidgetItem):
        if self._quiet or self.weight is None:
            return
        try:
            v = float(item.text().replace(",", "."))
        except ValueError:
            self._fill_grid()
            return
        if not np.isfinite(v):
            self._fill_grid()
            return
        w = np.array(self.weight, dtype=np.float64)
        w[self.out_spin.value(), self.in_spin.value(), item.row(), item.column()] = v
        self.init_chosen.emit(("values", _nested(w)))


def tr_kernel(name: str) -> str:
    return tr_in("kernels", KERNEL_LABELS[name])


def _nested(w: np.ndarray):
    return tuple(tuple(tuple(tuple(float(x) for x in row) for row in ch) for ch in o) for o in w)


class LayerPanel(QtWidgets.QWidget):
    """The stack and the selected layer's editors."""

    add_requested = Signal(str)  # layer type
    remove_requested = Signal(int)
    duplicate_requested = Signal(int)
    move_requested = Signal(int, int)  # index, +1/-1
    reorder_requested = Signal(list)
    arg_edited = Signal(int, str, object)  # layer index, argument, value
    kernel_edited = Signal(int, object)
    selection_changed = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.list = StackList()
        self.list.reordered.connect(self.reorder_requested)
        self.list.currentRowChanged.connect(self._row_changed)

        self.add_button = QtWidgets.QToolButton()
        self.add_button.setText(tr("Add"))
        self.add_button.setToolTip(tr("Add a layer after the selected one"))
        self.add_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_menu = build_add_menu(self, self.add_requested.emit)
        self.add_button.setMenu(self.add_menu)
        self.dup_button = self._tool(tr("Duplicate"), tr("Duplicate the selected layer (Ctrl+D)"),
                                     lambda: self.duplicate_requested.emit(self.current()))
        self.remove_button = self._tool(tr("Remove"), tr("Remove the selected layer (Delete)"),
                                        lambda: self.remove_requested.emit(self.current()))
        self.up_button = self._tool("↑", tr("Move the selected layer up (Ctrl+Up)"),
                                    lambda: self.move_requested.emit(self.current(), -1))
        self.down_button = self._tool("↓", tr("Move the selected layer down (Ctrl+Down)"),
                                      lambda: self.move_requested.emit(self.current(), 1))
        bar = QtWidgets.QHBoxLayout()
        for b in (self.add_button, self.dup_button, self.remove_button, self.up_button, self.down_button):
            bar.addWidget(b)
        bar.addStretch(1)
        # an empty stack (File > New) says how to begin, where the layers will appear
        self.empty_hint = QtWidgets.QLabel(tr(
            "The stack is empty: the maps show only the input. <a href=\"Conv2d\">Add a Conv2d layer</a>, "
            "or choose any layer from <b>Add</b>."))
        self.empty_hint.setObjectName("emptyStackHint")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet("background: #fff8d6; border: 1px solid #e0c870; padding: 6px;")
        self.empty_hint.linkActivated.connect(self.add_requested.emit)
        self.empty_hint.hide()

        self.form_box = QtWidgets.QGroupBox(tr("Arguments"))
        self.form = QtWidgets.QFormLayout(self.form_box)
        self.form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.problem = QtWidgets.QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setObjectName("layerProblem")
        self.problem.setStyleSheet("color: #b00020; font-weight: 600;")
        self.problem.hide()
        self.kernel = KernelEditor()
        self.kernel.init_chosen.connect(lambda init: self.kernel_edited.emit(self.current(), init))

        detail = QtWidgets.QWidget()
        dl = QtWidgets.QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.problem)
        dl.addWidget(self.form_box)
        dl.addWidget(self.kernel)
        dl.addStretch(1)
        scroll = QtWidgets.QScrollArea()
        scroll.setObjectName("layerDetail")
        scroll.setWidgetResizable(True)
        scroll.setWidget(detail)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.detail_scroll = scroll

        split = QtWidgets.QSplitter(Qt.Orientation.Vertical)
        self.split = split
        top = QtWidgets.QWidget()
        tl = QtWidgets.QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(bar)
        tl.addWidget(self.empty_hint)
        tl.addWidget(self.list)
        split.addWidget(top)
        split.addWidget(scroll)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        self._split_by_user = False
        split.splitterMoved.connect(self._split_moved)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)

        self.editors: dict = {}
        self._form_key = None
        self.project = None
        self.info: StackInfo | None = None
        self.weights: dict[int, np.ndarray] = {}

    # --- sizing -----------------------------------------------------------------------------------
    LIST_ROWS = 8  # layers the list shows when there is room
    FORM_ROWS = 9  # the longest form (Conv2d) shown whole when there is room

    def _split_moved(self, *_):
        self._split_by_user = True  # from now on the user's split stays

    def resizeEvent(self, ev):  # noqa: N802
        super().resizeEvent(ev)
        self.place_split()

    def place_split(self) -> None:
        """Share the height between the layer list and the selected layer's form: the whole
        Conv2d form and eight layers when both fit; else the form first, the list keeping at
        least three layers (the form then scrolls).  Space left over goes to the kernel."""
        if self._split_by_user:
            return
        total = self.split.height() - self.split.handleWidth()
        if total <= 0:
            return
        row = self.list.sizeHintForRow(0) if self.list.count() else 2 * self.list.fontMetrics().lineSpacing() + 2
        frame = 2 * self.list.frameWidth()
        top = self.add_button.sizeHint().height() + 6 + (self.empty_hint.sizeHint().height() + 6
                                                         if self.empty_hint.isVisibleTo(self) else 0)
        want_list = top + self.LIST_ROWS * row + frame
        least_list = top + 3 * row + frame
        editor_h = max(QtWidgets.QSpinBox().sizeHint().height(), QtWidgets.QComboBox().sizeHint().height())
        spacing = max(0, self.form.verticalSpacing())
        form = self.FORM_ROWS * (editor_h + spacing) + 2 * self.fontMetrics().lineSpacing() + 16
        form = max(form, self.form_box.sizeHint().height()) + (self.problem.sizeHint().height()
                                                              if self.problem.isVisibleTo(self) else 0)
        list_h = max(least_list, min(want_list, total - form))
        self.split.blockSignals(True)
        self.split.setSizes([list_h, max(0, total - list_h)])
        self.split.blockSignals(False)

    def _tool(self, text, tip, slot):
        b = QtWidgets.QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.clicked.connect(slot)
        return b

    def current(self) -> int:
        return self.list.currentRow()

    def select(self, index: int) -> None:
        if 0 <= index < self.list.count():
            self.list.setCurrentRow(index)

    # --- following the document ----------------------------------------------------------------
    def set_project(self, project, info: StackInfo, keep: int | None = None) -> None:
        self.project, self.info = project, info
        row = self.current() if keep is None else keep
        self.list.blockSignals(True)
        self.list.clear()
        style = self.style()
        warn = style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MessageBoxWarning)
        for l in info.layers:
            shape = str(list(l.out_shape)) if l.out_shape else ("✗" if l.error else "—")
            it = QtWidgets.QListWidgetItem(f"{l.index}  {l.spec}\n     → {shape}")
            it.setData(Qt.ItemDataRole.UserRole, l.index)
            tip = str(l.spec)
            if l.error:
                it.setIcon(warn)
                it.setForeground(QtGui.QColor("#b00020"))
                tip += "\n" + tr_core(l.error)
            elif l.blocked_by is not None:
                it.setForeground(QtGui.QColor("#999"))
                tip += "\n" + tr("Not computed: layer {i} is invalid").format(i=l.blocked_by)
            it.setToolTip(tip)
            self.list.addItem(it)
        self.list.blockSignals(False)
        row = min(max(row, 0), self.list.count() - 1)
        if row >= 0:
            self.list.setCurrentRow(row)
        self._refresh_detail()
        has = self.list.count() > 0
        for b in (self.dup_button, self.remove_button, self.up_button, self.down_button):
            b.setEnabled(has)
        self.empty_hint.setVisible(not has)

    def set_weights(self, weights: dict[int, np.ndarray]) -> None:
        self.weights = weights
        self._refresh_kernel()

    def _row_changed(self, row: int) -> None:
        self._refresh_detail()
        self.selection_changed.emit(row)

    def _refresh_detail(self) -> None:
        i = self.current()
        if self.project is None or not (0 <= i < len(self.project.layers)):
            self._clear_form()
            self.form_box.setTitle(tr("Arguments"))
            self.form_box.hide()  # nothing selected (an empty stack): no empty box
            self.problem.hide()
            self.kernel.hide()
            return
        self.form_box.show()
        spec = self.project.layers[i]
        layer = self.info.layers[i]
        self.form_box.setTitle(tr("Layer {i}: {type}").format(i=i, type=spec.type))
        self.form_box.setToolTip(tr_spec(spec.layer_type.help))
        key = (i, spec.type)
        if key != self._form_key:
            self._build_form(i, spec)
        for name, ed in self.editors.items():
            ed.set_value(spec.get(name))
            if hasattr(ed, "set_auto_hint"):
                ed.set_auto_hint(layer.fan_in)  # in_channels, or Linear's in_features
        if layer.error:
            self.problem.setText(tr_core(layer.error))
            self.problem.show()
        elif layer.blocked_by is not None:
            self.problem.setText(tr("Not computed: layer {i} is invalid").format(i=layer.blocked_by))
            self.problem.show()
        else:
            self.problem.hide()
        self._refresh_kernel()

    def _refresh_kernel(self) -> None:
        i = self.current()
        if self.project is None or not (0 <= i < len(self.project.layers)):
            self.kernel.hide()
            return
        spec = self.project.layers[i]
        if spec.layer_type.category != "conv":
            self.kernel.hide()
            return
        self.kernel.show()
        self.kernel.set_layer(spec, self.project.kernels[i], self.weights.get(i))

    def _clear_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}
        self._form_key = None

    def _build_form(self, index: int, spec: LayerSpec) -> None:
        self._clear_form()
        self._form_key = (index, spec.type)
        for a in spec.layer_type.args:
            ed = make_editor(a)
            tip = tr_spec(a.help)
            ed.setToolTip(tip)
            label = QtWidgets.QLabel(a.name)
            label.setToolTip(tip)
            ed.edited.connect(lambda v, name=a.name: self.arg_edited.emit(self.current(), name, v))
            self.form.addRow(label, ed)
            self.editors[a.name] = ed
        if not spec.layer_type.args:
            self.form.addRow(QtWidgets.QLabel(tr("This layer has no arguments.")))
        guard_wheel(self.form_box)


def build_add_menu(parent, slot) -> QtWidgets.QMenu:
    menu = QtWidgets.QMenu(tr("Add Layer"), parent)
    groups = (("conv", tr("Convolution")), ("pool", tr("Pooling")), ("norm", tr("Normalisation")),
              ("activation", tr("Activation")), ("classifier", tr("Classifier")))
    for cat, label in groups:
        menu.addSection(label)
        for t in LAYER_TYPES.values():
            if t.category == cat:
                act = menu.addAction(t.name)
                act.setToolTip(tr_spec(t.help))
                act.setStatusTip(tr_spec(t.help))
                act.triggered.connect(lambda _=False, name=t.name: slot(name))
    menu.setToolTipsVisible(True)
    return menu
