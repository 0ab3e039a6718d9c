"""The input panel: a bundled sample, a synthetic pattern or an image file; grayscale or RGB;
the size (height x width, as the tensor has it) and how an image of other proportions is fitted
to it; the seed of the random weights."""
from __future__ import annotations

import os

from convviz.project import InputSpec
from convviz.samples import PATTERNS, SAMPLES
from convviz.spec import MAX_SPATIAL

from .arg_widgets import SpinBox, guard_wheel
from .i18n import tr, tr_in
from .qt import QtCore, QtWidgets, Qt, Signal

PATTERN_LABELS = {
    "impulse": QtCore.QT_TRANSLATE_NOOP("InputPanel", "Impulse (one bright pixel)"),
    "vertical_edge": QtCore.QT_TRANSLATE_NOOP("InputPanel", "Vertical edge"),
    "horizontal_edge": QtCore.QT_TRANSLATE_NOOP("InputPanel", "Horizontal edge"),
    "checkerboard": QtCore.QT_TRANSLATE_NOOP("InputPanel", "Checkerboard"),
    "gradient": QtCore.QT_TRANSLATE_NOOP("InputPanel", "Gradient"),
    "lesson": QtCore.QT_TRANSLATE_NOOP("InputPanel", "The lesson's matrix 1, 2, 3, ..."),
    "embedding": QtCore.QT_TRANSLATE_NOOP("InputPanel", "Word embeddings (a sentence for TextCNN)"),
}
SAMPLE_LABELS = {
    "astronaut": QtCore.QT_TRANSLATE_NOOP("InputPanel", "Astronaut (photo)"),
    "coffee": QtCore.QT_TRANSLATE_NOOP("InputPanel", "Coffee cup (photo)"),
    "cat": QtCore.QT_TRANSLATE_NOOP("InputPanel", "Cat (photo)"),
    "horse": QtCore.QT_TRANSLATE_NOOP("InputPanel", "Horse (silhouette)"),
    "camera": QtCore.QT_TRANSLATE_NOOP("InputPanel", "Cameraman (grayscale photo)"),
}




class InputPanel(QtWidgets.QWidget):
    input_edited = Signal(object, str)  # new InputSpec, description of the edit
    seed_edited = Signal(int)
    open_image_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.source = QtWidgets.QComboBox()
        self.source.setObjectName("inputSource")
        self.source.setToolTip(tr("What the first layer sees: a photo, a synthetic pattern, or your own image"))
        self.color = QtWidgets.QComboBox()
        self.color.addItem(tr("Grayscale (1 channel)"), 1)
        self.color.addItem(tr("RGB (3 channels)"), 3)
        self.color.setToolTip(tr("The number of input channels: 1 for grayscale, 3 for red, green and blue"))
        self.height = SpinBox(tr("The input height"))
        self.width = SpinBox(tr("The input width"))
        for s, what in ((self.height, tr("height")), (self.width, tr("width"))):
            s.setRange(1, MAX_SPATIAL)  # the project format's range: a file's size is never rewritten
            s.setKeyboardTracking(False)
            s.setToolTip(tr("Input {what} in pixels; the image is fitted to it").format(what=what))
        self.fit = QtWidgets.QComboBox()
        self.fit.setObjectName("inputFit")
        self.fit.addItem(tr("Stretch to the size"), "stretch")
        self.fit.addItem(tr("Centre crop"), "crop")
        self.fit.addItem(tr("Pad with black bars"), "pad")
        self.fit_tip = tr(
            "How an image whose proportions differ from height × width is fitted: stretched (its proportions "
            "change), centre-cropped (its edges are cut off) or padded (all of it, centred on black bars of 0). "
            "Transparent pixels are composited on white, for grayscale and RGB alike. Patterns are drawn at the "
            "size and need no fitting.")
        self.fit.setToolTip(self.fit_tip)
        # the preprocessing a trained network expects (torchvision's Resize, CenterCrop, Normalize)
        self.resize_spin = SpinBox(tr("Resize the shorter side"))
        self.resize_spin.setObjectName("inputResize")
        self.resize_spin.setRange(0, MAX_SPATIAL)
        self.resize_spin.setKeyboardTracking(False)
        self.resize_spin.setSpecialValueText(tr("no"))
        self.resize_spin.setToolTip(tr(
            "First resize the image so its shorter side has this many pixels, keeping its proportions (bilinear); "
            "then fit it to the size. Resize 256 with Centre crop at 224 × 224 is torchvision's Resize(256) and "
            "CenterCrop(224). 'no': the image goes to the fit as it is."))
        self.mean_edit = QtWidgets.QLineEdit()
        self.mean_edit.setObjectName("inputMean")
        self.std_edit = QtWidgets.QLineEdit()
        self.std_edit.setObjectName("inputStd")
        for e in (self.mean_edit, self.std_edit):
            e.setPlaceholderText(tr("none"))
            e.setToolTip(tr("Normalisation after scaling to [0, 1]: each channel becomes (value − mean) / std. One "
                            "number per channel, separated by commas, or one for all; both empty: none."))
        self.imagenet_button = QtWidgets.QPushButton(tr("ImageNet"))
        self.imagenet_button.setObjectName("inputImagenet")
        self.imagenet_button.setToolTip(tr("The normalisation torchvision's ImageNet weights expect: mean 0.485, "
                                           "0.456, 0.406 and std 0.229, 0.224, 0.225"))
        self.pre_problem = QtWidgets.QLabel("")
        self.pre_problem.setObjectName("inputPreProblem")
        self.pre_problem.setWordWrap(True)
        self.pre_problem.setStyleSheet("color: #a33")
        self.pre_problem.hide()
        self.open_button = QtWidgets.QPushButton(tr("Open image…"))
        self.open_button.setToolTip(tr("Use a PNG, JPEG or BMP file (or drop one on the window); transparent "
                                       "pixels are composited on white"))
        self.seed = SpinBox(tr("The seed"))
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip(tr("Seed of the random weights: the same seed always gives the same numbers"))
        self.reseed = QtWidgets.QPushButton(tr("New seed"))
        self.reseed.setToolTip(tr("Draw new random weights"))
        self.info = QtWidgets.QLabel("")
        self.info.setObjectName("inputInfo")
        self.info.setWordWrap(True)
        self.info.setStyleSheet("color: #555")
        self.info.setToolTip(tr("Sizes are height × width, the order of the tensor's dimensions"))

        source = QtWidgets.QHBoxLayout()
        source.addWidget(self.source, 1)
        source.addWidget(self.open_button)
        size = QtWidgets.QHBoxLayout()
        size.addWidget(self.height)
        size.addWidget(QtWidgets.QLabel("×"))
        size.addWidget(self.width)
        seed = QtWidgets.QHBoxLayout()
        seed.addWidget(self.seed, 1)
        seed.addWidget(self.reseed)
        form = QtWidgets.QFormLayout(self)
        form.setContentsMargins(6, 6, 6, 6)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(tr("Image"), source)
        form.addRow(tr("Colour"), self.color)
        form.addRow(tr("Size (H × W)"), size)
        form.addRow(tr("Fit"), self.fit)
        # the preprocessing rows fold away on stacks that use none (the info line still says it)
        self.pre_toggle = QtWidgets.QToolButton()
        self.pre_toggle.setObjectName("inputPreToggle")
        self.pre_toggle.setText(tr("Preprocessing for trained networks"))
        self.pre_toggle.setToolTip(tr("Resize, centre crop and normalisation, as a trained network's weights expect "
                                      "them (torchvision's transforms)"))
        self.pre_toggle.setCheckable(True)
        self.pre_toggle.setAutoRaise(True)
        self.pre_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.pre_toggle.setArrowType(Qt.ArrowType.RightArrow)
        form.addRow(self.pre_toggle)
        form.addRow(tr("Resize"), self.resize_spin)
        norm = QtWidgets.QHBoxLayout()
        norm.addWidget(self.mean_edit, 1)
        norm.addWidget(self.imagenet_button)
        form.addRow(tr("Mean"), norm)
        form.addRow(tr("Std"), self.std_edit)
        form.addRow(self.pre_problem)
        self._form, self._pre_rows = form, (self.resize_spin, norm, self.std_edit)
        self.pre_toggle.toggled.connect(self.show_preprocessing)
        self.show_preprocessing(False)
        form.addRow(tr("Seed"), seed)
        form.addRow(self.info)

        for combo in (self.source, self.color, self.fit):  # long item texts never widen the dock
            combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        guard_wheel(self)
        self._spec = InputSpec()
        self._fill_sources()
        self.source.activated.connect(self._source_chosen)
        self.color.activated.connect(self._color_chosen)
        self.fit.activated.connect(self._fit_chosen)
        self.resize_spin.valueChanged.connect(lambda v: self._resize_changed())
        self.mean_edit.editingFinished.connect(self._norm_edited)
        self.std_edit.editingFinished.connect(self._norm_edited)
        self.imagenet_button.clicked.connect(self._imagenet)
        self.height.valueChanged.connect(lambda v: self._size_changed())
        self.width.valueChanged.connect(lambda v: self._size_changed())
        self.open_button.clicked.connect(self.open_image_requested)
        self.seed.valueChanged.connect(self.seed_edited)
        self.reseed.clicked.connect(self._new_seed)

    def _fill_sources(self, extra_path: str | None = None) -> None:
        if getattr(self, "_filled_for", object()) == extra_path:
            return  # the list is already right: no rebuild on every edit
        self._filled_for = extra_path
        self.source.clear()
        for name in SAMPLES:
            self.source.addItem(tr_in("InputPanel", SAMPLE_LABELS[name]), f"sample:{name}")
        self.source.insertSeparator(self.source.count())
        for name in PATTERNS:
            self.source.addItem(tr_in("InputPanel", PATTERN_LABELS[name]), f"pattern:{name}")
        if extra_path:
            self.source.insertSeparator(self.source.count())
            self.source.addItem(os.path.basename(extra_path), extra_path)
            self.source.setItemData(self.source.count() - 1, extra_path, Qt.ItemDataRole.ToolTipRole)

    def set_input(self, spec: InputSpec, seed: int, natural_size: tuple[int, int] | None = None) -> None:
        unfold = preprocessed(spec) and not preprocessed(self._spec)
        self._spec = spec
        for w in (self.source, self.color, self.height, self.width, self.seed, self.fit, self.resize_spin):
            w.blockSignals(True)
        is_path = not spec.source.startswith(("sample:", "pattern:"))
        self._fill_sources(spec.source if is_path else None)
        self.source.setCurrentIndex(max(0, self.source.findData(spec.source)))
        idx = self.color.findData(spec.channels)
        if idx < 0:
            self.color.addItem(tr("{n} channels").format(n=spec.channels), spec.channels)
            idx = self.color.findData(spec.channels)
        self.color.setCurrentIndex(idx)
        self.height.setValue(spec.height)
        self.width.setValue(spec.width)
        self.seed.setValue(min(seed, self.seed.maximum()))
        self.fit.setCurrentIndex(max(0, self.fit.findData(spec.fit)))
        pattern = spec.source.startswith("pattern:")
        self.fit.setEnabled(not pattern)
        self.resize_spin.setValue(getattr(spec, "resize", 0))
        self.resize_spin.setEnabled(not pattern)
        for edit, values in ((self.mean_edit, getattr(spec, "mean", ())), (self.std_edit, getattr(spec, "std", ()))):
            edit.setText(numbers_text(values))
            edit.setCursorPosition(0)
        self._say_problem("")
        if unfold:
            self.show_preprocessing(True)  # an input that starts using it shows it; folding it is the user's
        for w in (self.source, self.color, self.height, self.width, self.seed, self.fit, self.resize_spin):
            w.blockSignals(False)
        self.info.setText(info_text(spec, natural_size))
        self._fit_info_height()

    def resizeEvent(self, ev):  # noqa: N802
        super().resizeEvent(ev)
        self._fit_info_height()

    def _fit_info_height(self) -> None:
        """The dock sizes itself from minimum heights, which know nothing of word wrap: the info
        line asks for the height its text needs at its width, so no line is ever cut off."""
        w = self.info.width()
        if w > 20:
            need = self.info.heightForWidth(w)
            if need > 0 and need != self.info.minimumHeight():
                self.info.setMinimumHeight(need)

    def _emit(self, spec: InputSpec, text: str) -> None:
        if spec != self._spec:
            self.input_edited.emit(spec, text)

    def _source_chosen(self, *_):
        from dataclasses import replace
        self._emit(replace(self._spec, source=self.source.currentData()), tr("Change input image"))

    def _fit_chosen(self, *_):
        from dataclasses import replace
        self._emit(replace(self._spec, fit=self.fit.currentData()), tr("Change image fit"))

    def _color_chosen(self, *_):
        from dataclasses import replace
        self._emit(replace(self._spec, channels=int(self.color.currentData())), tr("Change input colour"))

    def _size_changed(self):
        from dataclasses import replace
        self._emit(replace(self._spec, height=self.height.value(), width=self.width.value()),
                   tr("Change input size"))

    def show_preprocessing(self, on: bool) -> None:
        """Unfold (or fold) the resize, mean and std rows."""
        on = bool(on)
        if self.pre_toggle.isChecked() != on:
            self.pre_toggle.setChecked(on)  # comes back here through toggled
            return
        self.pre_toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        for row in self._pre_rows:
            self._form.setRowVisible(row, on)
        if not on:
            self.pre_problem.hide()

    def _resize_changed(self):
        from dataclasses import replace
        self._emit(replace(self._spec, resize=self.resize_spin.value()), tr("Change resize"))

    def _say_problem(self, text: str) -> None:
        self.pre_problem.setText(text)
        self.pre_problem.setVisible(bool(text) and self.pre_toggle.isChecked())

    def _norm_edited(self):
        """Mean and std as typed: applied when both read as numbers that fit the input; else a
        sentence under them, and the project keeps its normalisation."""
        from dataclasses import replace
        from convviz.project import normalisation_problem
        mean, bad_mean = parse_numbers(self.mean_edit.text())
        std, bad_std = parse_numbers(self.std_edit.text())
        bad = bad_mean or bad_std
        if bad:
            self._say_problem(tr("“{t}” is not a number: write numbers separated by commas, e.g. 0.485, 0.456, "
                                 "0.406").format(t=bad))
            return
        if bool(mean) != bool(std):
            self._say_problem(tr("Give both mean and std (or neither)."))
            return  # the other one is probably being typed next
        problem = normalisation_problem(mean, std, self._spec.channels)
        if problem:
            from .i18n import tr_core
            self._say_problem(tr_core(problem))
            return
        self._say_problem("")
        self._emit(replace(self._spec, mean=mean, std=std), tr("Change normalisation"))

    def _imagenet(self):
        from dataclasses import replace
        mean, std = IMAGENET_MEAN, IMAGENET_STD
        if self._spec.channels != 3:  # a grayscale input: one number for its one channel
            mean, std = (round(sum(mean) / 3, 4),), (round(sum(std) / 3, 4),)
        self._say_problem("")
        self._emit(replace(self._spec, mean=mean, std=std), tr("Change normalisation"))

    def _new_seed(self):
        import random
        self.seed.setValue(random.randrange(0, 2**31 - 1))


IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def preprocessed(spec) -> bool:
    """The input is resized or normalised (a trained network's preprocessing)."""
    return bool(getattr(spec, "resize", 0) or getattr(spec, "mean", ()) or getattr(spec, "std", ()))


def numbers_text(values) -> str:
    """(0.485, 0.456) -> '0.485, 0.456' (each as short as it reads back exactly)."""
    return ", ".join(f"{float(v):.6g}" if float(f"{float(v):.6g}") == float(v) else repr(float(v)) for v in values)


def parse_numbers(text: str) -> tuple[tuple[float, ...], str]:
    """'0.485, 0.456 0.406' -> ((0.485, 0.456, 0.406), ''); the first piece that is not a finite
    number is returned as the second item (then the numbers are ())."""
    out = []
    for piece in text.replace(";", ",").replace(",", " ").split():
        try:
            v = float(piece)
        except ValueError:
            return (), piece
        if v != v or v in (float("inf"), float("-inf")):
            return (), piece
        out.append(v)
    return tuple(out), ""


def size_text(h: int, w: int) -> str:
    """A size as the whole app prints it: height × width, the tensor's order."""
    return f"{h} × {w}"


def resized_size(h: int, w: int, shorter: int) -> tuple[int, int]:
    """The size after resizing the shorter side of an h × w image to ``shorter`` pixels
    (torchvision's Resize(int): the longer side is truncated, int(shorter * long / short))."""
    if h <= w:
        return shorter, int(shorter * w / h)
    return int(shorter * h / w), shorter


def info_text(spec: InputSpec, natural_size: tuple[int, int] | None) -> str:
    """What the input is: the image file's own size, how it was resized and fitted, the
    normalisation, then the tensor."""
    tensor = tr("Input tensor [{c}, {h}, {w}] (channels, height, width)").format(
        c=spec.channels, h=spec.height, w=spec.width)
    mean, std = getattr(spec, "mean", ()), getattr(spec, "std", ())
    if mean and std:
        tensor += "\n" + tr("Normalised: (value − mean) / std, mean {m}, std {s}").format(
            m=numbers_text(mean), s=numbers_text(std))
    if not natural_size or spec.source.startswith("pattern:"):
        return tensor
    h, w = natural_size
    lines = []
    resize = getattr(spec, "resize", 0)
    if resize:
        rh, rw = resized_size(h, w, resize)
        lines.append(tr("Image {size} (H × W), shorter side resized to {r}: {rsize}").format(
            size=size_text(h, w), r=resize, rsize=size_text(rh, rw)))
        h, w = rh, rw
        name = tr("Resized image {size}")
    else:
        name = tr("Image {size} (H × W)")
    size, target = size_text(h, w), size_text(spec.height, spec.width)
    label = name.format(size=size)
    if (h, w) == (spec.height, spec.width):
        how = tr("{image}, used at its own size").format(image=label)
    elif h * spec.width == w * spec.height and not (resize and spec.fit == "crop"):
        how = tr("{image}, resized to {target}").format(image=label, target=target)
    else:
        how = {"stretch": tr("{image}, stretched to {target}"),
               "crop": tr("{image}, centre-cropped to {target}"),
               "pad": tr("{image}, padded to {target} with black bars")}.get(
            spec.fit, tr("{image}, stretched to {target}")).format(image=label, target=target)
    lines.append(how)
    return "\n".join(lines + [tensor])
