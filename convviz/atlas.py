"""The convolution-arithmetic atlas: Dumoulin & Visin's cases ("A guide to convolution arithmetic
for deep learning", 2016, and their conv_arithmetic animations) as presets, in their order, each
paired with its transposed twin; and the checkerboard pair (a transposed convolution whose kernel
size is not a multiple of its stride covers the output unevenly).

Every case is a two-layer project on the lesson's numbered input (1, 2, 3, ... row by row):
a Conv2d with the case's kernel, stride, padding and dilation, then the ConvTranspose2d with the
same arguments (and the output_padding it needs) that gives back the input's size.  Both kernels
are all ones, so every number the stepper shows is a whole sum of input values.  The preset files
(resources/presets/atlas_*.json) are written by ``write_presets`` and checked against ``project``
by the tests; every size here comes from convviz.arithmetic (one source of truth).

The checkerboard pair upsamples a real image (the camera, 32 x 32) by 2 with a transposed
convolution of all-ones kernels: kernel 3 (not a multiple of the stride) leaves every other
output row and column with half the contributions of its neighbours (``overlap_counts``) and the
picture shows a grid; kernel 4 covers every inner output cell equally (Odena, Dumoulin & Olah,
"Deconvolution and checkerboard artifacts", Distill 2016).

Qt-free and torch-free.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from . import arithmetic as ar
from .spec import QT_TRANSLATE_NOOP, LayerSpec


@dataclass(frozen=True)
class Case:
    """One atlas entry: a square input of size ``i`` and the layer's arguments."""

    key: str  # the preset is "atlas_<key>"
    title: str  # QT_TRANSLATE_NOOP("title", ...): the project's title and the menu's entry
    i: int  # input size (square)
    k: int  # kernel size
    s: int = 1  # stride
    p: int = 0  # padding
    d: int = 1  # dilation
    checkerboard: bool = False  # an upsampling case: one ConvTranspose2d on an image, no twin
    source: str = "pattern:lesson"

    @property
    def name(self) -> str:
        return f"atlas_{self.key}"

    @property
    def o(self) -> int:
        """The convolution's output size (the transposed twin's input size); for a
        checkerboard case the upsampled size."""
        if self.checkerboard:
            return ar.transpose_out(self.i, self.k, self.s, self.d, self.p, self.output_padding)
        return ar.conv_out(self.i, self.k, self.s, self.d, self.p, self.p)

    @property
    def output_padding(self) -> int:
        """What the transposed twin adds on one side to give back the input size ``i`` (the
        rows the convolution's floor division dropped); a checkerboard case's output_padding
        makes its output exactly ``s`` times its input."""
        if self.checkerboard:
            return self.s * self.i - ar.transpose_out(self.i, self.k, self.s, self.d, self.p, 0)
        return self.i - ar.transpose_out(ar.conv_out(self.i, self.k, self.s, self.d, self.p, self.p),
                                         self.k, self.s, self.d, self.p, 0)

    @property
    def dropped(self) -> int:
        """Rows (and columns) at the bottom (right) of the padded input that no window of the
        convolution reads (0 for a checkerboard case: it has no convolution)."""
        if self.checkerboard:
            return 0
        span = self.d * (self.k - 1) + 1
        return self.i + 2 * self.p - ((self.o - 1) * self.s + span)


# Dumoulin & Visin's order: padding first (none, arbitrary, half, full), then strides (none,
# padded, padded with an odd input whose last row no window reads), then dilation.  Their sizes.
CASES: tuple[Case, ...] = (
    Case("no_padding", QT_TRANSLATE_NOOP("title", "Atlas 1: no padding, unit strides (4x4 input, 3x3 kernel)"),
         4, 3),
    Case("padding", QT_TRANSLATE_NOOP("title", "Atlas 2: zero padding 2, unit strides (5x5 input, 4x4 kernel)"),
         5, 4, p=2),
    Case("half_padding", QT_TRANSLATE_NOOP("title", "Atlas 3: half (same) padding, unit strides (5x5, 3x3, p = 1)"),
         5, 3, p=1),
    Case("full_padding", QT_TRANSLATE_NOOP("title", "Atlas 4: full padding p = k - 1, unit strides (5x5, 3x3, p = 2)"),
         5, 3, p=2),
    Case("no_padding_strides", QT_TRANSLATE_NOOP("title", "Atlas 5: no padding, stride 2 (5x5, 3x3)"),
         5, 3, s=2),
    Case("padding_strides", QT_TRANSLATE_NOOP("title", "Atlas 6: padding 1, stride 2 (5x5, 3x3)"),
         5, 3, s=2, p=1),
    Case("padding_strides_odd", QT_TRANSLATE_NOOP("title", "Atlas 7: padding 1, stride 2 on 6x6: the last padded "
                                                           "row and column unread"),
         6, 3, s=2, p=1),
    Case("dilation", QT_TRANSLATE_NOOP("title", "Atlas 8: dilation 2, no padding (7x7, 3x3)"),
         7, 3, d=2),
)

# The checkerboard pair: the same upsampling by 2 of the same image, kernel 3 and kernel 4.
CHECKERBOARD: tuple[Case, ...] = (
    Case("checkerboard", QT_TRANSLATE_NOOP("title", "Atlas 9: upsampling by 2 with a 3x3 transposed kernel "
                                                    "(checkerboard)"),
         32, 3, s=2, p=1, checkerboard=True, source="sample:camera"),
    Case("no_checkerboard", QT_TRANSLATE_NOOP("title", "Atlas 10: upsampling by 2 with a 4x4 transposed kernel "
                                                       "(even overlap)"),
         32, 4, s=2, p=1, checkerboard=True, source="sample:camera"),
)

ALL: tuple[Case, ...] = CASES + CHECKERBOARD
BY_NAME = {c.name: c for c in ALL}

CHECKERBOARD_SENTENCE = QT_TRANSLATE_NOOP(
    "atlas", "A transposed convolution whose kernel size is not a multiple of its stride covers the output "
             "unevenly: with kernel 3 and stride 2 every other row and column receives half as many "
             "contributions (1, 2, 1, 2 ... along each axis), and an upsampled image shows a grid. Kernel 4 and "
             "stride 2 cover every inner cell twice along each axis: no grid.")


def _ones(n_in: int, n_out: int, k: int) -> tuple:
    return ("values", tuple(tuple(tuple(tuple(1.0 for _ in range(k)) for _ in range(k)) for _ in range(n_out))
                            for _ in range(n_in)))


def layers(case: Case) -> list[LayerSpec]:
    """The case's layers: the convolution and its transposed twin (one ConvTranspose2d for a
    checkerboard case)."""
    twin = LayerSpec.make("ConvTranspose2d", in_channels=1, out_channels=1, kernel_size=case.k, stride=case.s,
                          padding=case.p, output_padding=case.output_padding, dilation=case.d, bias=False)
    if case.checkerboard:
        return [twin]
    conv = LayerSpec.make("Conv2d", in_channels=1, out_channels=1, kernel_size=case.k, stride=case.s,
                          padding=case.p, dilation=case.d, bias=False)
    return [conv, twin]


def project(case: Case):
    """The case as a project (what its preset file holds)."""
    from .project import InputSpec, Project
    ls = layers(case)
    return Project(InputSpec(1, case.i, case.i, case.source), tuple(ls), 0,
                   tuple(_ones(1, 1, case.k) for _ in ls), case.title)


def preset_file(case: Case) -> str:
    return f"{case.name}.json"


def presets() -> dict[str, tuple[str, str]]:
    """{preset name: (file, title)} in the atlas's order (File > Open Preset > Arithmetic atlas)."""
    return {c.name: (preset_file(c), c.title) for c in ALL}


def write_presets(folder: str | os.PathLike) -> list[str]:
    """Write every case's preset file into ``folder`` (resources/presets); returns the paths."""
    from .project import save
    out = []
    for c in ALL:
        path = os.path.join(folder, preset_file(c))
        save(project(c), path)
        out.append(path)
    return out


# --- the checkerboard, numerically -------------------------------------------------------------

def overlap_counts(n: int, k: int, s: int, p: int = 0, d: int = 1, op: int = 0) -> np.ndarray:
    """How many (input pixel, kernel tap) pairs land on each output position along one axis of a
    ConvTranspose2d (input size n): input i's tap t writes output i*s - p + t*d.  A 2-D layer's
    count is the outer product of its two axes' counts; with all-ones kernels on a constant input
    of ones it is the layer's output."""
    size = ar.transpose_out(n, k, s, d, p, op)
    counts = np.zeros(max(size, 0), dtype=np.int64)
    for i in range(n):
        for t in range(k):
            j = i * s - p + t * d
            if 0 <= j < size:
                counts[j] += 1
    return counts


def overlap_counts_2d(n: int, k: int, s: int, p: int = 0, d: int = 1, op: int = 0) -> np.ndarray:
    c = overlap_counts(n, k, s, p, d, op)
    return np.outer(c, c)


def even_overlap(k: int, s: int) -> bool:
    """Whether every inner output position receives the same number of contributions (no
    checkerboard): the kernel size is a multiple of the stride (dilation 1)."""
    return k % s == 0
