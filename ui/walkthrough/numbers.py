"""Chapter 3's extra: the source lesson's own numbers.

The lesson ran ``nn.Conv2d(1, 1, 2)`` on the 4x4 matrix 1..16 and printed a 3x3 map.  The
learner first sees only its first row and predicts the row below (a ramp in, a ramp out: one row
down adds the input's width to every pixel under the kernel); then says why the numbers step by
a constant; then types a 2x2 kernel that reproduces the whole printed map, checked on the map the
engine (torch) computes for it; then predicts what the stepper's "True convolution (flip the
kernel)" switch does to the step, and flips it.  Predict-then-reveal: the rest of the printed map
is hidden until the first question is answered; Show me reveals the next open step and never
counts as the learner's answer.  The expected answers come from convviz.lesson_numbers.
"""
from __future__ import annotations

import numpy as np

from convviz import lesson_numbers as ln

from ..i18n import tr
from ..qt import QtCore, QtWidgets

GREEN, RED = "#1a7f37", "#b00020"
OPEN, ANSWERED, SHOWN = "open", "answered", "shown"


def _ok(text: str) -> str:
    return f"<span style='color:{GREEN}'>✓ {text}</span>"


def _no(text: str) -> str:
    return f"<span style='color:{RED}'>✗ {text}</span>"


def _f(v: float) -> str:
    return f"{v:.4f}"


class _Choice(QtWidgets.QWidget):
    """A multiple-choice question: options as radio buttons, Check, one feedback per option."""

    def __init__(self, question: str, options: list[tuple[str, str]], right: int, parent=None):
        super().__init__(parent)
        self.right = right
        self.feedback = [fb for _, fb in options]
        self.status, self.last = OPEN, None
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        q = QtWidgets.QLabel(question)
        q.setWordWrap(True)
        lay.addWidget(q)
        self.group = QtWidgets.QButtonGroup(self)
        self.buttons, self.texts, self.labels = [], [text for text, _ in options], []
        for i, text in enumerate(self.texts):
            # a radio button's own text does not wrap: the option is a wrapping label beside it
            b = QtWidgets.QRadioButton()
            label = QtWidgets.QLabel(text)
            label.setWordWrap(True)
            label.mousePressEvent = lambda _ev, b=b: b.isEnabled() and b.setChecked(True)
            self.group.addButton(b, i)
            self.buttons.append(b)
            self.labels.append(label)
            row = QtWidgets.QHBoxLayout()
            row.setContentsMargins(8, 0, 0, 0)
            row.addWidget(b, 0, QtCore.Qt.AlignmentFlag.AlignTop)
            row.addWidget(label, 1)
            lay.addLayout(row)
        self.check_button = QtWidgets.QPushButton(tr("Check"))
        self.result = QtWidgets.QLabel()
        self.result.setWordWrap(True)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.check_button)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.result)


class NumbersExercise(QtWidgets.QWidget):
    """The lesson's printed numbers: predict, explain, reproduce, flip."""

    def __init__(self, window, state: dict | None = None, parent=None):
        super().__init__(parent)
        self.window = window
        self.printed = ln.printed(0)
        self.x = ln.lesson_input()
        self.width_in = self.x.shape[1]
        self.top, self.right, self.down = ln.ramp_fit(self.printed)
        self.expected_below = float(self.printed[1, 0])  # the lesson's own number
        self.correct = 0  # the learner's own right answers
        self.asked = 0  # the learner's own answers
        self.shown = 0  # answers revealed by Show me (never counted)
        self.own_kernel: tuple | None = None  # the kernel the learner typed and tried (None: none yet)
        self.shown_kernel = False  # the kernel on show was put there by Show me
        self.predict_status, self.predict_last = OPEN, None
        self.flipped_done = False
        self.revealed_kernel: tuple | None = None  # the kernel Show me put in the boxes
        self._pending_count = False  # the learner's kernel is counted when its map arrives

        self.map_label = QtWidgets.QLabel()
        self.map_label.setObjectName("printedMap")
        self.map_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.map_label.setWordWrap(True)
        # 1. predict the row below
        self.predict_q = QtWidgets.QLabel(tr(
            "Predict: the lesson's input is 1, 2, … 16, four to a row. What did the lesson print below "
            "{v}, the first number of the second row?").format(v=_f(self.printed[0, 0])))
        self.predict_q.setWordWrap(True)
        self.predict_box = QtWidgets.QDoubleSpinBox()
        self.predict_box.setObjectName("predictBelow")
        self.predict_box.setDecimals(4)
        self.predict_box.setRange(-1000, 1000)
        self.predict_box.setSingleStep(0.01)
        self.predict_box.setToolTip(tr("Type your answer and press Enter"))
        self.predict_check = QtWidgets.QPushButton(tr("Check"))
        self.predict_result = QtWidgets.QLabel()
        self.predict_result.setWordWrap(True)
        self.predict_result.setObjectName("predictResult")
        # 2. why a constant step
        self.why = _Choice(tr("Why do the printed numbers grow by the same amount at every step along a row, and "
                              "by another constant amount down a column?"), [
            (tr("The bias grows from one position to the next."),
             tr("The bias is one number added to every output of the kernel: it moves the whole map up or "
                "down, it cannot make a step.")),
            (tr("The input is a ramp and the same weights are used everywhere: a step right adds 1 to every "
                "pixel under the kernel, a row down adds 4, so the output grows by 1× and 4× the sum of the "
                "weights."),
             ""),
            (tr("The lesson's kernel happened to be chosen to count up."),
             tr("The weights were random. Any kernel gives a ramp on this input: try your own below.")),
            (tr("torch rounds the outputs to a grid."),
             tr("torch computes in float32 and the lesson printed four decimals: rounding changes the last "
                "digit, not the step.")),
        ], right=1)
        self.why.setObjectName("whyChoice")
        # 3. reproduce the map
        self.kernel_q = QtWidgets.QLabel(tr(
            "Type a 2×2 kernel (bias 0) that reproduces the whole printed map, then press Try: the engine "
            "computes its map and compares every cell."))
        self.kernel_q.setWordWrap(True)
        self.weight_boxes = []
        grid = QtWidgets.QGridLayout()
        grid.setSpacing(2)
        for i in range(2):
            for j in range(2):
                b = QtWidgets.QDoubleSpinBox()
                b.setObjectName(f"weight{i}{j}")
                b.setDecimals(5)
                b.setRange(-100, 100)
                b.setSingleStep(0.01)
                b.setToolTip(tr("Weight w[{i}][{j}]").format(i=i, j=j))
                b.lineEdit().returnPressed.connect(self.try_kernel)
                grid.addWidget(b, i, j)
                self.weight_boxes.append(b)
        self.try_button = QtWidgets.QPushButton(tr("Try these weights"))
        self.try_button.setObjectName("tryKernel")
        grid.addWidget(self.try_button, 0, 2, 2, 1)
        grid.setColumnStretch(3, 1)
        self.kernel_result = QtWidgets.QLabel()
        self.kernel_result.setWordWrap(True)
        self.kernel_result.setObjectName("kernelResult")
        # 4. cross-correlation vs convolution
        self.flip_q = _Choice(tr("Predict: the stepper's switch “True convolution (flip the kernel)” rotates the "
                                 "kernel by 180°, as the mathematical convolution does (torch computes "
                                 "cross-correlation). What happens to the step along a row?"), [
            (tr("It changes sign: the map runs downhill."),
             tr("Rotating moves each weight to another place; no weight changes sign.")),
            (tr("It stays the same: the step is the sum of the weights, and rotating does not change the sum; "
                "only the top-left value changes."),
             ""),
            (tr("The map becomes constant."),
             tr("The input is still a ramp and the kernel still has the same weights, so the map is still a "
                "ramp.")),
        ], right=1)
        self.flip_q.setObjectName("flipChoice")
        self.flip_button = QtWidgets.QPushButton(tr("Flip the kernel in the stepper"))
        self.flip_button.setObjectName("flipKernel")
        self.flip_result = QtWidgets.QLabel()
        self.flip_result.setWordWrap(True)
        self.flip_result.setObjectName("flipResult")
        self.score = QtWidgets.QLabel()
        self.score.setObjectName("numbersScore")

        inner = QtWidgets.QWidget()
        lay = QtWidgets.QVBoxLayout(inner)
        lay.setContentsMargins(0, 0, 4, 0)
        lay.addWidget(self.map_label)
        lay.addWidget(self.predict_q)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.predict_box)
        row.addWidget(self.predict_check)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(self.predict_result)
        self.why_rule = _rule()
        lay.addWidget(self.why_rule)
        lay.addWidget(self.why)
        lay.addWidget(_rule())
        lay.addWidget(self.kernel_q)
        lay.addLayout(grid)
        lay.addWidget(self.kernel_result)
        lay.addWidget(_rule())
        lay.addWidget(self.flip_q)
        row2 = QtWidgets.QHBoxLayout()
        row2.addWidget(self.flip_button)
        row2.addStretch(1)
        lay.addLayout(row2)
        lay.addWidget(self.flip_result)
        lay.addStretch(1)
        self.inner = inner
        self.scroll = _WrappingScroll()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the texts wrap
        self.scroll.setWidget(inner)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll, 1)
        outer.addWidget(self.score)

        self.predict_box.lineEdit().returnPressed.connect(self.submit_prediction)
        self.predict_check.clicked.connect(self.submit_prediction)
        self.why.check_button.clicked.connect(lambda: self._choose(self.why))
        self.flip_q.check_button.clicked.connect(lambda: self._choose(self.flip_q))
        self.try_button.clicked.connect(self.try_kernel)
        self.flip_button.clicked.connect(self.flip)
        window.session.maps_updated.connect(self._maps_updated)
        # the flip this exercise switched on goes with it: the next chapter's stepper starts plain
        self._flipped_by_us = [False]
        flip, ours = window.stepper.flip, self._flipped_by_us
        self.destroyed.connect(lambda *_: ours[0] and flip.setChecked(False))
        if state is not None:
            self.restore(state)
        self._show()

    # --- 1. predict the row below ---------------------------------------------------------------
    def submit_prediction(self) -> bool | None:
        if self.predict_status != OPEN:
            return None
        self.predict_box.interpretText()
        return self.predict(self.predict_box.value())

    def predict(self, answer: float) -> bool:
        """The learner's own prediction of the first number of the second row."""
        if self.predict_status != OPEN:
            return False
        self.predict_status, self.predict_last = ANSWERED, float(answer)
        ok = abs(self.predict_last - self.expected_below) <= ln.ANSWER_TOLERANCE
        self._count(ok, "weight_sharing")
        self._show()
        return ok

    # --- 2 and 4. choices --------------------------------------------------------------------------
    def _choose(self, q: _Choice) -> bool | None:
        if q.status != OPEN or q.group.checkedId() < 0:
            return None
        return self.choose(q, q.group.checkedId())

    def choose(self, q: _Choice, index: int) -> bool:
        """The learner's own choice ``index`` for question ``q`` (self.why or self.flip_q)."""
        if q.status != OPEN:
            return False
        q.buttons[index].setChecked(True)
        q.status, q.last = ANSWERED, int(index)
        ok = index == q.right
        self._count(ok, "weight_sharing" if q is self.why else "correlation")
        self._show()
        return ok

    # --- 3. reproduce the map ------------------------------------------------------------------------
    def typed_kernel(self) -> np.ndarray:
        for b in self.weight_boxes:
            b.interpretText()
        return np.array([b.value() for b in self.weight_boxes], dtype=np.float64).reshape(2, 2)

    def _layer_problem(self) -> str | None:
        """Why the layer on show cannot be compared with the lesson's first map, or None."""
        p = self.window.project
        if len(p.layers) != 1 or p.layers[0].type != "Conv2d":
            return tr("This needs the lesson's layer: open the chapter again.")
        s = p.layers[0]
        if (s.get("out_channels"), tuple(np.atleast_1d(s.get("kernel_size"))), s.get("padding"),
                s.get("stride"), s.get("dilation")) not in ((1, (2,), 0, 1, 1), (1, (2, 2), 0, 1, 1)):
            return tr("The lesson's first map comes from one 2×2 kernel, stride 1, no padding: set the layer "
                      "back (out_channels = 1, kernel_size = 2) to compare.")
        return None

    def try_kernel(self, _checked=False, shown: bool = False) -> bool:
        """Put the typed kernel on the layer (one edit, undoable); the map the engine computes for it
        is compared with the printed one when it arrives.  Returns whether it was applied."""
        problem = self._layer_problem()
        if problem:
            self.kernel_result.setText(_no(problem))
            return False
        k = self.typed_kernel()
        init = ("values", ((tuple(tuple(float(v) for v in r) for r in k),),))  # [out][in][kh][kw]
        if shown or init == self.revealed_kernel:  # Show me's kernel tried again is still not the learner's
            self.shown_kernel, self.revealed_kernel = True, init
        else:
            self.own_kernel, self.shown_kernel = init, False
            self.asked += 1  # counted right when its map arrives and matches (see _maps_updated)
            self._pending_count = True
        self.kernel_result.setText(tr("Computing its map…"))
        self.window.edit_kernel(0, init)
        self._maps_updated(self.window.generation)
        return True

    def engine_map(self) -> np.ndarray | None:
        """The map the engine computed for the layer on show (None while it computes)."""
        m = self.window.session.map(0)
        if m is None or self.window.last_result is None or self.window.last_result.generation != self.window.generation:
            return None
        m = np.asarray(m, dtype=np.float64)
        return m[0] if m.ndim == 3 else m

    def _kernel_on_show(self):
        p = self.window.project
        return p.kernels[0] if p.kernels else None

    def reproduced(self) -> bool:
        """The learner's own kernel is on the layer and the engine's map matches every printed
        number (the chapter's task)."""
        if self.own_kernel is None or self.shown_kernel or self._kernel_on_show() != self.own_kernel:
            return False
        out = self.engine_map()
        return out is not None and ln.matches(out, self.printed) == self.printed.size

    def _maps_updated(self, _gen: int) -> None:
        init = self._kernel_on_show()
        if not (isinstance(init, tuple) and init and init[0] == "values") or self._layer_problem():
            return
        if init != self.own_kernel and not self.shown_kernel:
            return  # a kernel typed elsewhere (the kernel panel): not this exercise's
        out = self.engine_map()
        if out is None:
            return
        k = np.array(init[1], dtype=np.float64)[0, 0]
        verdict = ln.diagnose(k, out, self.printed)
        n = ln.matches(out, self.printed)
        if getattr(self, "_pending_count", False) and not self.shown_kernel:
            self._pending_count = False
            self.correct += verdict == "ok"
            self._record("weight_sharing", verdict == "ok")
        if verdict == "ok":
            text = tr("All nine cells match the printed map (its first row: {c}). So do infinitely many other "
                      "kernels: the ramp fixes only the sum of the weights ({s}) and the top-left value ({t}).").format(
                c=", ".join(_f(v) for v in out[0]), s=_f(self.right), t=_f(self.top))
            text = _ok(text) if not self.shown_kernel else tr("One kernel that does it (shown, not counted): ") + text
        elif verdict == "sum":
            text = _no(tr("{n} of 9 cells match. Your weights add up to {s}, but the printed map grows by {r} at "
                          "each step along a row: on this input that step is the sum of the weights.").format(
                n=n, s=_f(float(k.sum())), r=_f(self.right)))
        else:
            text = _no(tr("{n} of 9 cells match. The steps are right (the weights add up to {s}), but the top-left "
                          "cell is {v}, not {p}: it is 1·w00 + 2·w01 + 5·w10 + 6·w11.").format(
                n=n, s=_f(float(k.sum())), v=_f(float(out[0, 0])), p=_f(self.printed[0, 0])))
        self.kernel_result.setText(text)
        self._show_score()
        self.scroll.fit()
        walk = getattr(self.window, "walkthrough", None)
        if walk is not None and walk.extra("numbers") is self:
            walk.refresh_task()

    # --- 4. flip ------------------------------------------------------------------------------------
    def flip(self) -> None:
        """Tick the stepper's flip switch and compare the two maps the stepper traces."""
        st = self.window.stepper
        w = self.window
        if w.tabs.currentWidget() is not st:
            w.show_stepper(0)
        if st.flip.isEnabled() and not st.flip.isChecked():
            st.flip.setChecked(True)
            self._flipped_by_us[0] = True
        self.flipped_done = True
        self._show_flip()
        self.scroll.fit()

    def _show_flip(self) -> None:
        st = self.window.stepper
        base, shown = st.base_model, st.slider_model
        if base is None or shown is None or not st.flip.isChecked():
            self.flip_result.setText(tr("Tick “True convolution (flip the kernel)” above the stepper."))
            return
        a, b = np.asarray(base.output(0), dtype=np.float64), np.asarray(shown.output(0), dtype=np.float64)
        ra, rb = ln.steps(a)[0], ln.steps(b)[0]
        self.flip_result.setText(tr("Cross-correlation (torch): top-left {a}, step along a row {ra}. True "
                                    "convolution (flipped): top-left {b}, step {rb}.").format(
            a=_f(a[0, 0]), ra=_f(ra), b=_f(b[0, 0]), rb=_f(rb)))

    # --- Show me, and the handout ---------------------------------------------------------------------
    def show_next(self) -> None:
        """Show me: reveal the first step not done yet; never counted as the learner's answer."""
        if self.predict_status == OPEN:
            self.predict_status = SHOWN
            self.shown += 1
        elif self.why.status == OPEN:
            self.why.status = SHOWN
            self.why.buttons[self.why.right].setChecked(True)
            self.shown += 1
        elif not self.reproduced() and not self.shown_kernel:
            for b, v in zip(self.weight_boxes, ln.reproducing_kernel(self.printed, self.x).ravel()):
                b.setValue(float(v))
            self.shown += 1
            self.try_kernel(shown=True)
        elif self.flip_q.status == OPEN:
            self.flip_q.status = SHOWN
            self.flip_q.buttons[self.flip_q.right].setChecked(True)
            self.shown += 1
            self.flip()
        self._show()

    def solve(self) -> None:
        """Do every step as a learner would, with answers computed by convviz.lesson_numbers."""
        if self.predict_status == OPEN:  # typed into the box and checked, as the learner does
            self.predict_box.setValue(ln.row_below(self.printed, self.width_in))
            self.submit_prediction()
        if self.why.status == OPEN:
            self.choose(self.why, self.why.right)
        for b, v in zip(self.weight_boxes, ln.reproducing_kernel(self.printed, self.x).ravel()):
            b.setValue(float(v))
        self.try_kernel()
        if self.flip_q.status == OPEN:
            self.choose(self.flip_q, self.flip_q.right)

    # --- texts ----------------------------------------------------------------------------------------
    def _count(self, ok: bool, concept: str) -> None:
        self.asked += 1
        self.correct += bool(ok)
        self._record(concept, ok)

    def _record(self, concept: str, ok: bool) -> None:
        """The learner's own answer into the panel's per-concept progress (Show me never comes here)."""
        walk = getattr(self.window, "walkthrough", None)
        if walk is not None and hasattr(walk, "record_answer"):
            walk.record_answer(concept, bool(ok))

    def _map_html(self) -> str:
        full = self.predict_status != OPEN
        rows = []
        for i, r in enumerate(self.printed):
            cells = "".join(f"<td style='padding:1px 8px'>{_f(v) if (full or i == 0) else '?'}</td>" for v in r)
            rows.append(f"<tr>{cells}</tr>")
        return ("<p style='margin:0'>" + tr("The lesson ran nn.Conv2d(1, 1, 2) on this input, with random weights, "
                                             "and printed:") + "</p>"
                "<table style='font-family:monospace; margin-top:2px'>" + "".join(rows) + "</table>")

    def _show(self) -> None:
        self._show_texts()
        self.scroll.fit()

    def _show_texts(self) -> None:
        self.map_label.setText(self._map_html())
        is_open = self.predict_status == OPEN
        self.why.setVisible(not is_open)  # its right answer explains the row below: asked after it
        self.why_rule.setVisible(not is_open)
        self.predict_check.setEnabled(is_open)
        self.predict_box.setReadOnly(not is_open)
        below = _f(self.expected_below)
        why = tr("{t} + 4 × {r} = {v}: a row down adds 4 to every pixel under the kernel.").format(
            t=_f(self.top), r=_f(self.right), v=_f(self.top + 4 * self.right))
        if self.predict_status == ANSWERED and abs(self.predict_last - self.expected_below) <= ln.ANSWER_TOLERANCE:
            self.predict_result.setText(_ok(tr("Right: the lesson printed {v}.").format(v=below) + " " + why))
        elif self.predict_status == ANSWERED:
            kind = ln.prediction_mistake(self.predict_last, self.printed, self.width_in, 2)
            hint = {"right": tr("That is one step to the right. One row down moves the window by a whole row of the "
                                "input, and each pixel there is 4 larger (the row is 4 wide)."),
                    "kernel": tr("You moved by the kernel's size (2). One row down moves the window by one row, "
                                 "and each pixel of the input there is 4 larger, the width of the input."),
                    }.get(kind, tr("Compare the two rows of the input under the kernel: each pixel is 4 larger."))
            self.predict_result.setText(_no(tr("The lesson printed {v}; you said {a}.").format(
                v=below, a=_f(self.predict_last)) + " " + hint) + "<br>" + why)
        elif self.predict_status == SHOWN:
            self.predict_result.setText(tr("The lesson printed {v} (shown, not counted).").format(v=below) + " " + why)
        else:
            self.predict_result.setText("")
        for q in (self.why, self.flip_q):
            q.check_button.setEnabled(q.status == OPEN)
            for b, label in zip(q.buttons, q.labels):
                b.setEnabled(q.status == OPEN)
                label.setEnabled(q.status == OPEN)
            if q.status == ANSWERED and q.last == q.right:
                q.result.setText(_ok(tr("Right.")))
            elif q.status == ANSWERED:
                q.result.setText(_no(q.feedback[q.last]) + " " + tr("The answer: {a}").format(
                    a=q.texts[q.right]))
            elif q.status == SHOWN:
                q.result.setText(tr("The answer (shown, not counted): {a}").format(a=q.texts[q.right]))
            else:
                q.result.setText("")
        if self.why.status != OPEN:  # the lesson's second run says the same: two kernels, two ramps
            steps = [ln.steps(ln.printed(i)) for i in (1, 2)]
            self.why.result.setText(self.why.result.text() + "<br>" + tr(
                "The lesson's run with two kernels printed two more ramps: steps {a} and {b} along a row, "
                "{c} and {d} down a column (4× as much).").format(
                a=_f(steps[0][0]), b=_f(steps[1][0]), c=_f(steps[0][1]), d=_f(steps[1][1])))
        if self.flipped_done:
            self._show_flip()
        self._show_score()

    def _show_score(self) -> None:
        text = tr("Your own answers: {c} of {a} right").format(c=self.correct, a=self.asked) if self.asked else ""
        if self.shown:
            text += (" · " if text else "") + tr("{s} shown (not counted)").format(s=self.shown)
        self.score.setText(text)

    # --- handing over (a language switch) ------------------------------------------------------------
    def state(self) -> dict:
        return {"predict": (self.predict_status, self.predict_last, self.predict_box.value()),
                "why": (self.why.status, self.why.last), "flip": (self.flip_q.status, self.flip_q.last),
                "weights": [b.value() for b in self.weight_boxes], "own_kernel": self.own_kernel,
                "shown_kernel": self.shown_kernel, "revealed_kernel": self.revealed_kernel, "counts": (self.correct, self.asked, self.shown),
                "flipped": self.flipped_done}

    def restore(self, state: dict) -> None:
        self.predict_status, self.predict_last, typed = state["predict"]
        self.predict_box.setValue(typed)
        for q, key in ((self.why, "why"), (self.flip_q, "flip")):
            q.status, q.last = state[key]
            if q.last is not None:
                q.buttons[q.last].setChecked(True)
        for b, v in zip(self.weight_boxes, state["weights"]):
            b.setValue(v)
        self.own_kernel, self.shown_kernel = state["own_kernel"], state["shown_kernel"]
        self.revealed_kernel = state["revealed_kernel"]
        self.correct, self.asked, self.shown = state["counts"]
        self.flipped_done = state["flipped"]
        self._show()


class _WrappingScroll(QtWidgets.QScrollArea):
    """A scroll area whose page is as tall as its wrapped texts need at the width shown (a plain
    QScrollArea sizes it by its minimum size hint and lets wrapped labels overlap)."""

    def fit(self) -> None:
        page = self.widget()
        if page is None or page.layout() is None:
            return
        lay = page.layout()
        lay.activate()
        w = self.viewport().width()
        h = lay.totalHeightForWidth(w) if lay.hasHeightForWidth() else lay.totalSizeHint().height()
        page.setMinimumHeight(max(h, 0))

    def resizeEvent(self, ev):  # noqa: N802
        super().resizeEvent(ev)
        self.fit()


def _rule() -> QtWidgets.QFrame:
    line = QtWidgets.QFrame()
    line.setFrameShape(QtWidgets.QFrame.Shape.HLine)
    line.setFrameShadow(QtWidgets.QFrame.Shadow.Sunken)
    return line
