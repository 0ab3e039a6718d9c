"""Questions that teach: the walkthrough's predict-then-reveal questions, their answers and the
diagnosis of the typical wrong answers.  Qt-free and torch-free.

Every answer is computed by convviz's own arithmetic (``arithmetic``, ``receptive``,
``sliding``): one source of truth, with torch as the oracle in the tests.  Every *wrong* answer
a learner typically gives is computed too, by the same formula with one step done wrong
(forgot the floor, padded one side, ignored dilation, forgot the bias ...); a learner's answer
equal to one of them is named (``Question.diagnose``), so the feedback says which step went
wrong instead of only "wrong".

A question is made in two steps, so it can be stored and rebuilt exactly (a language switch,
the tests): ``random_params(kind, rng, project)`` draws the numbers (from the chapter's live
project where the lesson says so), ``build(kind, params)`` computes the question from them.

Scoring lives in ``Progress``: the learner's own answers per concept (right / answered); an
answer revealed by "Show me" is never one.
"""
from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from . import arithmetic as ar
from .messages import Msg
from .receptive import theoretical
from .sliding import source_index
from .spec import QT_TRANSLATE_NOOP, LayerSpec
from .validate import analyze

C = LayerSpec.make

# --- concepts (per-concept progress) ------------------------------------------------------------

CONCEPTS: dict[str, str] = {  # key: name (translated with the "core" context)
    "equivariance": QT_TRANSLATE_NOOP("core", "equivariance"),
    "weight_sharing": QT_TRANSLATE_NOOP("core", "weight sharing"),  # chapter 3's lesson numbers (numbers.py)
    "correlation": QT_TRANSLATE_NOOP("core", "cross-correlation"),
    "parameters": QT_TRANSLATE_NOOP("core", "parameters"),
    "shapes": QT_TRANSLATE_NOOP("core", "tensor shapes"),
    "output_size": QT_TRANSLATE_NOOP("core", "output size"),
    "padding": QT_TRANSLATE_NOOP("core", "padding"),
    "stride": QT_TRANSLATE_NOOP("core", "stride"),
    "receptive_field": QT_TRANSLATE_NOOP("core", "receptive field"),
    "dilation": QT_TRANSLATE_NOOP("core", "dilation"),
    "cost": QT_TRANSLATE_NOOP("core", "cost"),
    "transposed": QT_TRANSLATE_NOOP("core", "transposed convolution"),
    "design": QT_TRANSLATE_NOOP("core", "design"),
}

# --- the typical mistakes, one sentence each ------------------------------------------------------

MISTAKES: dict[str, str] = {
    "floor": QT_TRANSLATE_NOOP("core", "You rounded up: the formula floors the division, so a last window that "
                                       "does not fit is dropped."),
    "one_side": QT_TRANSLATE_NOOP("core", "You padded one side only: padding p adds p rows at the top and p at the "
                                          "bottom, 2p in all."),
    "dilation": QT_TRANSLATE_NOOP("core", "You ignored the dilation: a dilated kernel spans d(k-1)+1 pixels, not k."),
    "no_padding": QT_TRANSLATE_NOOP("core", "You left out the padding: it adds 2p to the input before the kernel "
                                            "slides."),
    "plus_one": QT_TRANSLATE_NOOP("core", "You forgot the + 1: the first window's position is an output too."),
    "stride": QT_TRANSLATE_NOOP("core", "You ignored the stride: the window jumps s pixels, so divide by s."),
    "invariant": QT_TRANSLATE_NOOP("core", "That would be invariance: a convolution is equivariant, its map moves "
                                           "with the input (only pooling over all positions makes a score stand "
                                           "still)."),
    "shift_stride": QT_TRANSLATE_NOOP("core", "The stride shrinks the move: the map moves by the shift divided by "
                                              "the stack's total stride."),
    "no_bias": QT_TRANSLATE_NOOP("core", "You forgot the bias: one per kernel, out_channels of them."),
    "no_in_channels": QT_TRANSLATE_NOOP("core", "You forgot the input channels: each kernel is in_channels deep, "
                                                "k×k weights per channel."),
    "groups": QT_TRANSLATE_NOOP("core", "You forgot the groups: with groups=g each kernel sees only in_channels/g "
                                        "channels."),
    "one_kernel": QT_TRANSLATE_NOOP("core", "You counted one kernel: there are out_channels of them."),
    "macs": QT_TRANSLATE_NOOP("core", "That counts multiplications (MACs), not weights: the same weights are used "
                                      "at every position."),
    "batch": QT_TRANSLATE_NOOP("core", "You forgot the batch: the output holds one map stack per example."),
    "in_not_out": QT_TRANSLATE_NOOP("core", "You used in_channels: the output has one channel per kernel "
                                            "(out_channels)."),
    "no_shrink": QT_TRANSLATE_NOOP("core", "Without padding the map shrinks: n - k + 1 along each side."),
    "replicate": QT_TRANSLATE_NOOP("core", "That is 'replicate' (the edge pixel repeated); 'reflect' mirrors "
                                           "around the edge without repeating it."),
    "symmetric": QT_TRANSLATE_NOOP("core", "You mirrored with the edge pixel repeated; torch's 'reflect' mirrors "
                                           "around the edge pixel, which appears once."),
    "circular": QT_TRANSLATE_NOOP("core", "That is 'circular' (the other side wraps round); 'reflect' mirrors."),
    "zeros": QT_TRANSLATE_NOOP("core", "That is zero padding; 'reflect' copies real pixels."),
    "dropped_no_padding": QT_TRANSLATE_NOOP("core", "You left out the padding: the windows slide over the padded "
                                                    "input, n + 2p."),
    "jump": QT_TRANSLATE_NOOP("core", "You forgot the jump: after a stride s, each step of a later kernel covers s "
                                      "input pixels (r += (k-1)·d·j; j *= s)."),
    "k_not_k1": QT_TRANSLATE_NOOP("core", "You added k instead of k-1: each layer adds (k-1)·d·j to the field."),
    "skip_pool": QT_TRANSLATE_NOOP("core", "You skipped the pooling layers: a pooling window grows the field and its "
                                           "stride multiplies the jump."),
    "rf_dilation": QT_TRANSLATE_NOOP("core", "You ignored the dilation: a dilated layer adds (k-1)·d·j, not "
                                             "(k-1)·j."),
    "old_field": QT_TRANSLATE_NOOP("core", "That is the field before the edit: recompute it with the new dilation."),
    "only_depthwise": QT_TRANSLATE_NOOP("core", "That counts only the depthwise step (1/k²); the pointwise 1×1 "
                                                "convolution adds 1/N."),
    "only_pointwise": QT_TRANSLATE_NOOP("core", "That counts only the pointwise step (1/N); the depthwise k×k step "
                                                "adds 1/k²."),
    "multiplied": QT_TRANSLATE_NOOP("core", "You multiplied: the two steps run one after the other, so their costs "
                                            "add up, 1/N + 1/k²."),
    "no_square": QT_TRANSLATE_NOOP("core", "A k×k kernel has k² weights per channel: 1/k², not 1/k."),
    "conv_formula": QT_TRANSLATE_NOOP("core", "That is the convolution's formula; a transposed convolution runs it "
                                              "backwards: (n-1)s - 2p + d(k-1) + output_padding + 1."),
    "no_output_padding": QT_TRANSLATE_NOOP("core", "You forgot output_padding: it adds that many rows at the "
                                                   "bottom."),
    "padding_added": QT_TRANSLATE_NOOP("core", "In a transposed convolution padding removes rows: - 2p, not + 2p."),
    "n_not_n1": QT_TRANSLATE_NOOP("core", "Start from (n-1)·s: n input pixels are n-1 strides apart."),
}

# the chapter each kind of question belongs to (by the chapter's file stem)
KINDS: dict[str, tuple[str, str]] = {  # kind: (chapter key, concept)
    "shift": ("01-why", "equivariance"),
    "params": ("02-kernel3d", "parameters"),
    "tensor": ("03-conv2d", "shapes"),
    "output_size": ("04-formula", "output_size"),
    "reflect": ("05-padding", "padding"),
    "dropped": ("06-stride", "stride"),
    "field": ("07-receptive", "receptive_field"),
    "field_edit": ("08-dilation", "dilation"),
    "cost": ("09-separable", "cost"),
    "transposed": ("10-beyond", "transposed"),
}


# the mistakes each kind of question can name (a question names those its numbers tell apart)
KIND_MISTAKES: dict[str, tuple[str, ...]] = {
    "shift": ("invariant", "shift_stride"),
    "params": ("no_bias", "groups", "no_in_channels", "one_kernel", "macs"),
    "tensor": ("batch", "in_not_out", "no_shrink", "one_kernel"),
    "output_size": ("floor", "one_side", "dilation", "no_padding", "plus_one", "stride"),
    "reflect": ("replicate", "symmetric", "circular", "zeros"),
    "dropped": ("dropped_no_padding", "dilation", "one_side"),
    "field": ("jump", "k_not_k1", "skip_pool"),
    "field_edit": ("old_field", "rf_dilation", "k_not_k1"),  # and "jump" on a stack with strides
    "cost": ("only_depthwise", "only_pointwise", "multiplied", "no_square"),
    "transposed": ("conv_formula", "no_output_padding", "padding_added", "n_not_n1", "dilation"),
}


@dataclass(frozen=True)
class Question:
    kind: str
    params: dict  # the numbers drawn (JSON-able): build(kind, params) gives this question again
    prompt: Msg  # the question, with the numbers
    answer: float  # the right answer
    work: str  # how the answer comes out, numbers substituted (code, language-neutral)
    mistakes: tuple[tuple[str, float], ...] = ()  # (mistake key, the wrong answer it gives), first wins
    integer: bool = True
    tolerance: float = 0.0  # relative, for non-integer answers

    @property
    def concept(self) -> str:
        return KINDS[self.kind][1]

    def is_right(self, value: float) -> bool:
        return _close(value, self.answer, self.integer, self.tolerance)

    def diagnose(self, value: float) -> str | None:
        """The mistake that gives ``value`` (a key of MISTAKES), or None: right, or not a mistake
        we know."""
        if self.is_right(value):
            return None
        for key, wrong in self.mistakes:
            if _close(value, wrong, self.integer, self.tolerance):
                return key
        return None


def _close(a: float, b: float, integer: bool, tol: float) -> bool:
    if integer:
        return float(a) == float(b)
    return abs(a - b) <= tol * abs(b) + 1e-12


def _mistakes(answer, candidates, integer=True, tol=0.0) -> tuple[tuple[str, float], ...]:
    """Keep the mistakes that give an answer of their own: not the right one, not one an earlier
    mistake already gives (so each wrong answer names one mistake), and a possible one."""
    out: list[tuple[str, float]] = []
    for key, value in candidates:
        if value is None or (isinstance(value, (int, float)) and (math.isnan(value) or value < 0)):
            continue
        if _close(value, answer, integer, tol) or any(_close(value, v, integer, tol) for _, v in out):
            continue
        out.append((key, value))
    return tuple(out)


def parse_answer(text: str) -> float | None:
    """A typed answer as a number: '12', '0.127', '12.7%', '1/64' (None when it is none of them)."""
    t = text.strip().replace(",", "").replace("，", "").replace("％", "%")
    if not t:
        return None
    try:
        if t.endswith("%"):
            return float(t[:-1]) / 100
        if "/" in t or "+" in t.lstrip("+-"):  # fractions and their sums: 1/64 + 1/9
            v = float(sum(Fraction(part.strip()) for part in t.split("+") if part.strip()))
        else:
            v = float(t)
    except (ValueError, ZeroDivisionError):
        return None
    return v if math.isfinite(v) else None


# --- the kinds of question ------------------------------------------------------------------------

def _stack_info(input_shape, layer_dicts):
    return analyze(tuple(input_shape), [LayerSpec.from_dict(d) for d in layer_dicts])


def field_recurrence(layer_dicts, input_shape, upto: int, mode: str = "right") -> int:
    """The receptive-field size (height) of layer ``upto``'s output by the recurrence
    r += (k-1)*d*j; j *= s, done right (``mode`` "right") or with one typical mistake:
    "jump" (j stays 1), "k_not_k1" (adds k*d*j), "skip_pool" (pooling layers left out),
    "rf_dilation" (d taken as 1).  The right one equals receptive.theoretical (tested)."""
    r, j = 1, 1
    for d in layer_dicts[:upto + 1]:
        spec = LayerSpec.from_dict(d)
        w = ar.window(spec)
        if w is None:
            continue
        if mode == "skip_pool" and spec.type in ("MaxPool2d", "AvgPool2d"):
            continue
        k, s, dil = w.kernel[0], w.stride[0], w.dilation[0]
        if mode == "rf_dilation":
            dil = 1
        step = (k * dil) if mode == "k_not_k1" else (k - 1) * dil
        r += step * (1 if mode == "jump" else j)
        j *= s
    return r


def _build_shift(p):
    info = _stack_info((1, 64, 96), p["layers"])
    f = theoretical(info)[-1]
    jump = f.jump[1]
    dx = p["dx"]
    ans = dx // jump
    mistakes = _mistakes(ans, [("invariant", 0), ("shift_stride", dx)])
    stack = " → ".join(LayerSpec.from_dict(d).__str__() for d in p["layers"])
    prompt = Msg(QT_TRANSLATE_NOOP("core", "The horse moves {dx} pixels to the right on a larger canvas, with "
                                           "nothing wrapping round. By how many pixels does the map of {stack} "
                                           "move?"), dx=dx, stack=stack)
    return prompt, ans, f"{dx} / {jump} = {ans}", mistakes


def _build_params(p):
    c, k, kk, g, bias, h = p["c"], p["k"], p["kernel"], p["groups"], p["bias"], p["h"]
    spec = C("Conv2d", in_channels=c, out_channels=k, kernel_size=kk, groups=g, bias=bias, padding=kk // 2)
    ans = ar.params(spec, c)
    b = k if bias else 0
    info = analyze((c, h, h), [spec]).layers[0]
    cands = [("no_bias", ans - b) if bias else ("no_bias", None),
             ("groups", k * c * kk * kk + b) if g > 1 else ("groups", None),
             ("no_in_channels", k * kk * kk + b),
             ("one_kernel", (c // g) * kk * kk + (1 if bias else 0)),
             ("macs", info.macs)]
    prompt = Msg(QT_TRANSLATE_NOOP("core", "A {c}×{h}×{h} input goes through nn.Conv2d({c}, {k}, kernel_size={kk}, "
                                           "padding={pad}, groups={g}, bias={bias}). How many learnable parameters "
                                           "does the layer have?"),
                 c=c, h=h, k=k, kk=kk, pad=kk // 2, g=g, bias=bias)
    work = f"{k} * ({c}/{g}) * {kk}*{kk}" + (f" + {k}" if bias else "") + f" = {ans}"
    return prompt, ans, work, _mistakes(ans, cands)


def _build_tensor(p):
    b, c, n, k, kk = p["batch"], p["c"], p["n"], p["k"], p["kernel"]
    spec = C("Conv2d", in_channels=c, out_channels=k, kernel_size=kk)
    co, ho, wo = ar.output_shape(spec, (c, n, n))
    ans = b * co * ho * wo
    cands = [("batch", co * ho * wo), ("in_not_out", b * c * ho * wo), ("no_shrink", b * co * n * n),
             ("one_kernel", b * ho * wo)]
    prompt = Msg(QT_TRANSLATE_NOOP("core", "A batch of {b} images, each {c}×{n}×{n}, goes through "
                                           "nn.Conv2d({c}, {k}, kernel_size={kk}). How many numbers does the output "
                                           "tensor hold?"), b=b, c=c, n=n, k=k, kk=kk)
    return prompt, ans, f"[{b}, {co}, {ho}, {wo}]: {b}*{co}*{ho}*{wo} = {ans}", _mistakes(ans, cands)


def output_size_candidates(n, k, s, p, d):
    """The output size and the sizes of the typical mistakes, for an n×n input."""
    ans = ar.conv_out(n, k, s, d, p, p)
    span = n + 2 * p - d * (k - 1) - 1
    valid = lambda v: v if v >= 1 else None  # noqa: E731
    cands = [("floor", -(-span // s) + 1 if span % s else None),
             ("one_side", valid(ar.conv_out(n, k, s, d, p, 0)) if p else None),
             ("dilation", ar.conv_out(n, k, s, 1, p, p) if d > 1 else None),
             ("no_padding", valid(ar.conv_out(n, k, s, d, 0, 0)) if p else None),
             ("plus_one", span // s),
             ("stride", ar.conv_out(n, k, 1, d, p, p) if s > 1 else None)]
    return ans, cands


def _build_output_size(p):
    n, k, s, pad, d = p["n"], p["k"], p["s"], p["p"], p["d"]
    ans, cands = output_size_candidates(n, k, s, pad, d)
    prompt = Msg(QT_TRANSLATE_NOOP("core", "A {n}×{n} input, Conv2d with kernel_size={k}, stride={s}, padding={p}, "
                                           "dilation={d}. What is the output height?"), n=n, k=k, s=s, p=pad, d=d)
    work = f"({n} + 2*{pad} - {d}*({k}-1) - 1) // {s} + 1 = {ans}"
    return prompt, ans, work, _mistakes(ans, cands)


def _pad_value(values, r, c, pad, mode):
    """The value at row r, column c of the padded grid (0 = the grid's top-left corner)."""
    h, w = len(values), len(values[0])
    if mode == "symmetric":  # numpy's 'symmetric': the mirror repeats the edge pixel
        def sym(q, n):
            q = -q - 1 if q < 0 else q
            return 2 * n - 1 - q if q > n - 1 else q
        return values[sym(r - pad, h)][sym(c - pad, w)]
    sy = int(source_index([r - pad], h, mode)[0])
    sx = int(source_index([c - pad], w, mode)[0])
    return 0 if sy < 0 or sx < 0 else values[sy][sx]


def _build_reflect(p):
    values, pad, r, c = p["values"], p["pad"], p["row"], p["col"]
    h, w = len(values), len(values[0])
    ans = _pad_value(values, r, c, pad, "reflect")
    integer = all(float(v).is_integer() for row in values for v in row)
    cands = [(m, _pad_value(values, r, c, pad, mode)) for m, mode in
             (("replicate", "replicate"), ("symmetric", "symmetric"), ("circular", "circular"), ("zeros", "zeros"))]
    prompt = Msg(QT_TRANSLATE_NOOP("core", "This chapter's {h}×{w} input (in the stepper) is padded by {pad} "
                                           "with padding_mode='reflect'. In the padded grid (row 0, column 0 at its "
                                           "top-left corner; the input starts at row {pad}, column {pad}), what "
                                           "value is in row {r}, column {c}?"), h=h, w=w, pad=pad, r=r, c=c)
    sy = int(source_index([r - pad], h, "reflect")[0])
    sx = int(source_index([c - pad], w, "reflect")[0])
    work = f"reflect: padded ({r}, {c}) = input ({sy}, {sx}) = {_fmt(ans)}"
    return prompt, ans, work, _mistakes(ans, cands, integer, 0.0 if integer else 0.01), integer


def _build_dropped(p):
    n, k, s, pad, d = p["n"], p["k"], p["s"], p["p"], p["d"]
    spec = C("Conv2d", out_channels=1, kernel_size=k, stride=s, padding=pad, dilation=d)
    ans = ar.axis_formula(spec, 0, n).dropped
    ext = d * (k - 1) + 1
    cands = [("dropped_no_padding", (n - ext) % s if n >= ext else None),
             ("dilation", (n + 2 * pad - k) % s if d > 1 else None),
             ("one_side", (n + pad - ext) % s if pad and n + pad >= ext else None)]
    prompt = Msg(QT_TRANSLATE_NOOP("core", "A {n}×{n} input, Conv2d with kernel_size={k}, stride={s}, padding={p}, "
                                           "dilation={d}. How many rows of the padded input does no window reach "
                                           "(rows the floor division drops)?"), n=n, k=k, s=s, p=pad, d=d)
    work = f"({n} + 2*{pad} - {d}*({k}-1) - 1) % {s} = {ans}"
    return prompt, ans, work, _mistakes(ans, cands)


def _stack_text(layer_dicts, upto):
    """The layers that slide a window, up to ``upto`` (activations change no field)."""
    out = []
    for i, d in enumerate(layer_dicts[:upto + 1]):
        spec = LayerSpec.from_dict(d)
        w = ar.window(spec)
        if w is None:
            continue
        k, s, dil = w.kernel[0], w.stride[0], w.dilation[0]
        out.append(f"{i} {spec.type} k={k}" + (f" s={s}" if s > 1 else "") + (f" d={dil}" if dil > 1 else ""))
    return " · ".join(out)


def _field_work(layer_dicts, upto):
    r, j, parts = 1, 1, []
    for i, d in enumerate(layer_dicts[:upto + 1]):
        w = ar.window(LayerSpec.from_dict(d))
        if w is None:
            continue
        k, s, dil = w.kernel[0], w.stride[0], w.dilation[0]
        r += (k - 1) * dil * j
        parts.append(f"{i}: r += ({k}-1)*{dil}*{j} → {r}" + (f", j = {j}*{s} = {j * s}" if s > 1 else ""))
        j *= s
    return "; ".join(parts)


def _build_field(p):
    layers, upto, shape = p["layers"], p["upto"], p["input"]
    ans = theoretical(_stack_info(shape, layers))[upto].size[0]
    cands = [(m, field_recurrence(layers, shape, upto, m)) for m in ("jump", "k_not_k1", "skip_pool", "rf_dilation")]
    prompt = Msg(QT_TRANSLATE_NOOP("core", "In this stack ({stack}), how many input rows tall is the receptive "
                                           "field of one pixel of layer {l}'s output? Use r += (k-1)·d·j; "
                                           "j *= s, starting from r = 1, j = 1."),
                 stack=_stack_text(layers, upto), l=upto)
    return prompt, ans, _field_work(layers, upto) + f"; r = {ans}", _mistakes(ans, cands)


def _build_field_edit(p):
    layers, shape, li, nd = p["layers"], p["input"], p["layer"], p["dilation"]
    edited = [dict(d) for d in layers]
    edited[li] = {**edited[li], "dilation": nd, "padding": nd}
    last = len(layers) - 1
    ans = theoretical(_stack_info(shape, edited))[last].size[0]
    old = theoretical(_stack_info(shape, layers))[last].size[0]
    cands = [("old_field", old)] + [(m, field_recurrence(edited, shape, last, m)) for m in ("rf_dilation",
                                                                                            "k_not_k1", "jump")]
    d0 = LayerSpec.from_dict(layers[li]).get("dilation")
    prompt = Msg(QT_TRANSLATE_NOOP("core", "In this stack ({stack}) the last layer's field is {old} pixels tall. If "
                                           "layer {l}'s dilation changes from {d0} to {d1} (padding {d1}, so the size "
                                           "stays), how tall is the last layer's field?"),
                 stack=_stack_text(layers, last), old=old, l=li, d0=d0, d1=nd)
    return prompt, ans, _field_work(edited, last) + f"; r = {ans}", _mistakes(ans, cands)


def _build_cost(p):
    c, n, k, h = p["c"], p["n"], p["k"], p["h"]
    sep = C("DepthwiseSeparable", out_channels=n, kernel_size=k, padding=k // 2, bias=False)
    std = C("Conv2d", out_channels=n, kernel_size=k, padding=k // 2, bias=False)
    a = analyze((c, h, h), [sep]).layers[0].macs
    b = analyze((c, h, h), [std]).layers[0].macs
    ans = a / b
    tol = 0.02
    cands = [("only_depthwise", 1 / (k * k)), ("only_pointwise", 1 / n), ("multiplied", 1 / (n * k * k)),
             ("no_square", 1 / n + 1 / k)]
    prompt = Msg(QT_TRANSLATE_NOOP("core", "A {c}-channel {h}×{h} map: a depthwise-separable block with {n} output "
                                           "channels and a {k}×{k} kernel, or a standard {k}×{k} convolution with {n} "
                                           "output channels? Type the separable block's MACs as a fraction of the "
                                           "standard one's: a decimal (0.25), a percentage (25%) or fractions "
                                           "(1/8 + 1/8)."), c=c, h=h, n=n, k=k)
    work = f"{a:,} / {b:,} = 1/{n} + 1/{k * k} = {ans:.4f}"
    return prompt, ans, work, _mistakes(ans, cands, False, tol), False, tol


def _build_transposed(p):
    n, k, s, pad, op, d = p["n"], p["k"], p["s"], p["p"], p["op"], p["d"]
    spec = C("ConvTranspose2d", out_channels=1, kernel_size=k, stride=s, padding=pad, output_padding=op, dilation=d)
    ans = ar.axis_formula(spec, 0, n).value
    cands = [("conv_formula", ar.conv_out(n, k, s, d, pad, pad) if n + 2 * pad >= d * (k - 1) + 1 else None),
             ("no_output_padding", ar.transpose_out(n, k, s, d, pad, 0) if op else None),
             ("padding_added", ar.transpose_out(n, k, s, d, pad, op) + 4 * pad if pad else None),
             ("n_not_n1", ar.transpose_out(n, k, s, d, pad, op) + s),
             ("dilation", ar.transpose_out(n, k, s, 1, pad, op) if d > 1 else None)]
    prompt = Msg(QT_TRANSLATE_NOOP("core", "A {n}×{n} input, ConvTranspose2d with kernel_size={k}, stride={s}, "
                                           "padding={p}, output_padding={op}, dilation={d}. What is the output "
                                           "height?"), n=n, k=k, s=s, p=pad, op=op, d=d)
    return prompt, ans, ar.axis_formula(spec, 0, n).text, _mistakes(ans, cands)


_BUILDERS = {"shift": _build_shift, "params": _build_params, "tensor": _build_tensor,
             "output_size": _build_output_size, "reflect": _build_reflect, "dropped": _build_dropped,
             "field": _build_field, "field_edit": _build_field_edit, "cost": _build_cost,
             "transposed": _build_transposed}


def build(kind: str, params: dict) -> Question:
    """The question of ``kind`` with the numbers ``params`` (from random_params, or stored)."""
    out = _BUILDERS[kind](params)
    prompt, ans, work, mistakes = out[:4]
    integer = out[4] if len(out) > 4 else True
    tol = out[5] if len(out) > 5 else 0.0
    return Question(kind, params, prompt, ans, work, mistakes, integer, tol)


def _fmt(v) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.4g}"


# --- drawing the numbers ---------------------------------------------------------------------------

def _windowed(project) -> list[int]:
    return [i for i, l in enumerate(project.layers) if ar.window(l) is not None]


# the chapters' own projects (presets), for the questions about a live project: when the learner
# has edited it beyond what the question needs (no window left, an invalid layer), the question is
# asked on the chapter's project as it came
CHAPTER_PROJECTS = {"reflect": "lesson_padding", "field": "teaching", "field_edit": "dilated"}


def _fields(project):
    info = analyze(project.input.shape, list(project.layers))
    return info, theoretical(info)


def _field_layers(project) -> list[int]:
    """Layers after the first that slide a window and have a closed-form field (or the first)."""
    info, fields = _fields(project)
    idx = [i for i in _windowed(project) if fields[i] is not None]
    return [i for i in idx if i > 0] or idx


def _editable_dilations(project) -> list[int]:
    """3x3 stride-1 convolutions whose dilation can change with padding = dilation (the size
    stays), in a stack whose last layer has a closed-form field."""
    info, fields = _fields(project)
    if not fields or fields[-1] is None:
        return []
    return [i for i in _windowed(project) if project.layers[i].type == "Conv2d"
            and ar.window(project.layers[i]).kernel == (3, 3) and ar.window(project.layers[i]).stride == (1, 1)]


def _fits(kind: str, project) -> bool:
    """Whether ``project`` can carry a question of ``kind``."""
    if project is None:
        return False
    if kind == "reflect":
        from .samples import load_input
        inp = project.input
        if min(inp.height, inp.width) < 2 or inp.height * inp.width > 4096:
            return False
        try:
            load_input(inp.source, 1, inp.height, inp.width, fit=inp.fit)
        except Exception:  # noqa: BLE001 - an image that cannot be read: the chapter's own input
            return False
        return True
    if kind == "field":
        return bool(_field_layers(project))
    if kind == "field_edit":
        return bool(_editable_dilations(project))
    return True


def random_params(kind: str, rng: random.Random, project=None) -> dict:
    """Numbers for a question of ``kind``, drawn with ``rng``; the chapter's live ``project``
    gives the stack (receptive field, dilation) and the input (padding) where the lesson asks
    about them."""
    r = rng
    if kind == "shift":
        pool = r.choice([None, None, 2])
        stride = r.choice([1, 1, 2])
        layers = [C("Conv2d", out_channels=1, kernel_size=5, stride=stride).to_dict()]
        if pool:
            layers.append(C("MaxPool2d", kernel_size=pool).to_dict())
        jump = stride * (pool or 1)
        return {"layers": layers, "dx": jump * r.randint(2, 12 // jump + 2)}
    if kind == "params":
        g = r.choice([1, 1, 1, 2])
        return {"c": g * r.choice([1, 2, 3, 4, 8]), "k": g * r.choice([2, 4, 8, 16]), "kernel": r.choice([1, 3, 3, 5]),
                "groups": g, "bias": r.choice([True, True, False]), "h": r.choice([8, 16, 28, 32])}
    if kind == "tensor":
        return {"batch": r.choice([2, 4, 8, 16]), "c": r.choice([1, 3]), "n": r.randint(5, 12), "k": r.choice([2, 4, 8]),
                "kernel": r.choice([2, 3, 5])}
    if kind in ("output_size", "dropped"):
        while True:
            n, k, s = r.randint(5, 32), r.choice([1, 2, 3, 5, 7]), r.choice([1, 1, 2, 2, 3])
            p, d = r.choice([0, 0, 1, 2]), r.choice([1, 1, 1, 2])
            if kind == "dropped" and s == 1:
                s = r.choice([2, 3, 4])
            if d * (k - 1) + 1 <= n + 2 * p:
                return {"n": n, "k": k, "s": s, "p": p, "d": d}
    if kind in CHAPTER_PROJECTS and not _fits(kind, project):
        from .samples import load_preset
        project = load_preset(CHAPTER_PROJECTS[kind])  # the live project was edited beyond the question
    if kind == "reflect":
        from .samples import load_input
        inp = project.input
        vals = load_input(inp.source, 1, inp.height, inp.width, fit=inp.fit)[0]
        values = [[float(v) for v in row] for row in vals]
        n = min(inp.height, inp.width)
        conv = next((l for l in project.layers if l.type == "Conv2d"), None)
        live = int(ar.window(conv).pad_before[0]) if conv is not None else 0
        # one ring wider than the stepper shows, so the stepper does not give the answer away;
        # reflect needs pad < n
        pad = max(1, min(live + 1, n - 1))
        h, w = inp.height + 2 * pad, inp.width + 2 * pad
        while True:
            row, col = r.randrange(h), r.randrange(w)
            inside = pad <= row < pad + inp.height and pad <= col < pad + inp.width
            outer = row in (0, h - 1) or col in (0, w - 1)
            if not inside and (outer or pad <= live):
                return {"values": values, "pad": pad, "row": row, "col": col}
    if kind == "field":
        layers = [l.to_dict() for l in project.layers]
        return {"layers": layers, "input": list(project.input.shape), "upto": r.choice(_field_layers(project))}
    if kind == "field_edit":
        layers = [l.to_dict() for l in project.layers]
        li = r.choice(_editable_dilations(project))
        d0 = ar.window(project.layers[li]).dilation[0]
        nd = r.choice([v for v in (1, 2, 3, 4, 6) if v != d0])
        return {"layers": layers, "input": list(project.input.shape), "layer": li, "dilation": nd}
    if kind == "cost":
        return {"c": r.choice([8, 16, 32, 64]), "n": r.choice([8, 16, 32, 64, 128, 256]), "k": r.choice([3, 5, 7]),
                "h": r.choice([14, 28, 56])}
    if kind == "transposed":
        s = r.choice([1, 2, 2, 3])
        d = r.choice([1, 1, 2])
        return {"n": r.randint(2, 16), "k": r.choice([2, 3, 4, 5]), "s": s, "p": r.choice([0, 0, 1, 2]),
                "op": r.choice([0, 0, 1]) if max(s, d) > 1 else 0, "d": d}
    raise KeyError(kind)


def random_question(kind: str, rng: random.Random, project=None) -> Question:
    """A question of ``kind`` the learner can answer: its numbers make a valid layer (the
    transposed output at least 1) — drawn again until they do."""
    for _ in range(200):
        params = random_params(kind, rng, project)
        try:
            q = build(kind, params)
        except (ValueError, ZeroDivisionError):
            continue
        if q.answer >= (1 if kind not in ("dropped", "cost", "reflect") else 0) - 1e-9:
            return q
    raise RuntimeError(f"no valid {kind} question")


# --- the learner's progress -------------------------------------------------------------------------

@dataclass
class Progress:
    """The learner's own answers per concept: [right, answered].  "Show me" never adds to it."""

    counts: dict = field(default_factory=dict)

    def record(self, concept: str, right: bool) -> None:
        c = self.counts.setdefault(concept, [0, 0])
        c[0] += int(bool(right))
        c[1] += 1

    def right(self, concept: str | None = None) -> int:
        return sum(v[0] for k, v in self.counts.items() if concept in (None, k))

    def answered(self, concept: str | None = None) -> int:
        return sum(v[1] for k, v in self.counts.items() if concept in (None, k))

    def to_json(self) -> str:
        return json.dumps(self.counts, sort_keys=True)

    @classmethod
    def from_json(cls, text: Any) -> "Progress":
        """Read what to_json wrote; anything else (an old or damaged setting) is no progress."""
        try:
            d = json.loads(str(text or "{}"))
        except ValueError:
            return cls()
        if not isinstance(d, dict):
            return cls()
        out = {}
        for k, v in d.items():
            if k in CONCEPTS and isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) and x >= 0 for x in v) \
                    and v[0] <= v[1]:
                out[k] = list(v)
        return cls(out)


# --- design challenges (issue 16.10) -----------------------------------------------------------------
#
# A challenge is an input and a list of conditions on the stack the learner builds over it; each
# condition is checked by the arithmetic (shapes, parameters, dropped rows) and the receptive-field
# recurrence, never by anything the learner could not see.  Each has a solution (Show me loads it;
# it never counts as the learner's).

@dataclass(frozen=True)
class Condition:
    key: str
    text: Msg  # what is asked, with the numbers
    ok: bool
    measured: Msg  # what the stack has now


@dataclass(frozen=True)
class Challenge:
    key: str
    title: str  # QT_TRANSLATE_NOOP("core", ...)
    input: tuple[int, int, int]
    start: tuple[dict, ...]  # the stack the learner starts from
    solution: tuple[dict, ...]


def _spec(type_, **kw) -> dict:
    return C(type_, **kw).to_dict()


CHALLENGES: tuple[Challenge, ...] = (
    Challenge("field64", QT_TRANSLATE_NOOP("core", "A receptive field of at least 64 on a 1×128×128 input, with at "
                                                   "most 5,000 parameters."),
              (1, 128, 128), (_spec("Conv2d", out_channels=8, kernel_size=3, padding=1),),
              tuple([_spec("Conv2d", out_channels=8, kernel_size=3, padding=1), _spec("ReLU"),
                     _spec("MaxPool2d", kernel_size=2)] * 4 + [_spec("Conv2d", out_channels=8, kernel_size=3,
                                                                        padding=1)])),
    Challenge("224to7", QT_TRANSLATE_NOOP("core", "From 3×224×224 to 7×7 in at most five layers that slide a window "
                                                  "(activations do not count), with no row or column dropped."),
              (3, 224, 224), (_spec("Conv2d", out_channels=16, kernel_size=3, stride=2, padding=1),),
              tuple(_spec("Conv2d", out_channels=16, kernel_size=4, stride=2, padding=1) for _ in range(5))),
    Challenge("upsample", QT_TRANSLATE_NOOP("core", "From 8×7×7 up to 28×28 with at most two ConvTranspose2d layers "
                                                    "and no checkerboard: each kernel_size divisible by its stride."),
              (8, 7, 7), (_spec("ConvTranspose2d", out_channels=8, kernel_size=3, stride=2, padding=1,
                                output_padding=1),),
              tuple(_spec("ConvTranspose2d", out_channels=8, kernel_size=4, stride=2, padding=1) for _ in range(2))),
)


def challenge(key: str) -> Challenge:
    return next(c for c in CHALLENGES if c.key == key)


def _cond(key, text, ok, measured) -> Condition:
    return Condition(key, text, bool(ok), measured)


def check_challenge(key: str, input_shape, layers) -> list[Condition]:
    """Each condition of challenge ``key`` on the stack ``layers`` (LayerSpecs) over
    ``input_shape``: met or not, and what the stack has now.  The first condition is always that
    the input is the challenge's and the stack valid."""
    ch = challenge(key)
    layers = list(layers)
    info = analyze(tuple(input_shape), layers)
    out = info.output_shape
    ok_stack = tuple(input_shape) == ch.input and info.ok and bool(layers)
    conds = [_cond("valid", Msg(QT_TRANSLATE_NOOP("core", "The input is {shape} and every layer is valid"),
                               shape="×".join(map(str, ch.input))),
                   ok_stack, Msg(QT_TRANSLATE_NOOP("core", "input {shape}; layers: {n}; {state}"),
                                 shape="×".join(map(str, input_shape)), n=len(layers),
                                 state=Msg(QT_TRANSLATE_NOOP("core", "all valid")) if info.ok
                                 else Msg(QT_TRANSLATE_NOOP("core", "a layer is invalid"))))]
    if key == "field64":
        f = theoretical(info)[-1] if info.ok and layers else None
        size = min(f.size) if f is not None else 0
        conds.append(_cond("field", Msg(QT_TRANSLATE_NOOP("core", "Receptive field of the output at least {n}"), n=64),
                           size >= 64, Msg(QT_TRANSLATE_NOOP("core", "receptive field {n}"), n=size)))
        conds.append(_cond("params", Msg(QT_TRANSLATE_NOOP("core", "At most {n} parameters"), n="5,000"),
                           ok_stack and info.total_params <= 5000,
                           Msg(QT_TRANSLATE_NOOP("core", "{n} parameters"), n=f"{info.total_params:,}")))
    elif key == "224to7":
        windows = sum(1 for l in layers if ar.window(l) is not None)
        dropped = [l.index for l in info.layers if l.ok and l.axes and (l.axes[0].dropped or l.axes[1].dropped)]
        size = f"{out[1]}×{out[2]}" if out is not None and len(out) == 3 else "?"
        conds.append(_cond("size", Msg(QT_TRANSLATE_NOOP("core", "The output is {n}×{n}"), n=7),
                           out is not None and len(out) == 3 and out[1:] == (7, 7),
                           Msg(QT_TRANSLATE_NOOP("core", "output {size}"), size=size)))
        conds.append(_cond("layers", Msg(QT_TRANSLATE_NOOP("core", "At most {n} layers that slide a window"), n=5),
                           0 < windows <= 5, Msg(QT_TRANSLATE_NOOP("core", "layers with a window: {n}"), n=windows)))
        conds.append(_cond("dropped", Msg(QT_TRANSLATE_NOOP("core", "No row or column dropped by the floor division")),
                           ok_stack and not dropped,
                           Msg(QT_TRANSLATE_NOOP("core", "dropped at layers {layers}"),
                               layers=", ".join(map(str, dropped))) if dropped
                           else Msg(QT_TRANSLATE_NOOP("core", "none dropped"))))
    elif key == "upsample":
        ups = [l for l in layers if l.type == "ConvTranspose2d"]
        others = [l for l in layers if ar.window(l) is not None and l.type != "ConvTranspose2d"]
        bad = [i for i, l in enumerate(layers) if l.type == "ConvTranspose2d"
               and any(k % s for k, s in zip(ar.window(l).kernel, ar.window(l).stride))]
        size = f"{out[1]}×{out[2]}" if out is not None and len(out) == 3 else "?"
        conds.append(_cond("size", Msg(QT_TRANSLATE_NOOP("core", "The output is {n}×{n}"), n=28),
                           out is not None and len(out) == 3 and out[1:] == (28, 28),
                           Msg(QT_TRANSLATE_NOOP("core", "output {size}"), size=size)))
        conds.append(_cond("layers", Msg(QT_TRANSLATE_NOOP("core", "At most {n} ConvTranspose2d layers and no other "
                                                                   "layer that slides a window"), n=2),
                           0 < len(ups) <= 2 and not others,
                           Msg(QT_TRANSLATE_NOOP("core", "ConvTranspose2d: {n}; others with a window: {m}"), n=len(ups), m=len(others))))
        conds.append(_cond("checkerboard", Msg(QT_TRANSLATE_NOOP("core", "Each kernel_size divisible by its stride "
                                                                         "(no checkerboard)")),
                           bool(ups) and not bad,
                           Msg(QT_TRANSLATE_NOOP("core", "not divisible at layers {layers}"),
                               layers=", ".join(map(str, bad))) if bad
                           else Msg(QT_TRANSLATE_NOOP("core", "all divisible"))))
    return conds


def challenge_met(key: str, input_shape, layers) -> bool:
    return all(c.ok for c in check_challenge(key, input_shape, layers))
