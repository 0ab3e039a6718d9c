"""The Markdown copy of the shapes table survives a CommonMark/GFM renderer: formulas, shapes and
the input's source are code spans (``2*1 - 1*(3-1)`` keeps its asterisks), and no text from a
project can add a cell, open a code span or start emphasis."""
from __future__ import annotations

import re

import pytest

from convviz.project import InputSpec, Project
from convviz.report import HEADER, rows, to_markdown
from convviz.samples import load_preset
from convviz.spec import LayerSpec


def _cells(line: str) -> list[str]:
    """A GFM table row's cells: split on pipes that no backslash escapes (as GFM does, code spans too)."""
    assert line.startswith("| ") and line.endswith(" |"), line
    return [c.strip() for c in re.split(r"(?<!\\)\|", line[1:-1])]


def _code_span(cell: str) -> str:
    """The text of a cell that is exactly one CommonMark code span (raises otherwise)."""
    m = re.fullmatch(r"(`+)(.*?)(`+)", cell, re.S)
    assert m and m.group(1) == m.group(3), f"not one code span: {cell!r}"
    fence, text = m.group(1), m.group(2)
    assert fence not in re.findall(r"`+", text), f"the fence {fence!r} closes early in {cell!r}"
    if len(text) > 1 and text[0] == text[-1] == " " and text.strip():
        text = text[1:-1]
    return text.replace("\\|", "|")


def _plain(cell: str) -> str:
    """A plain cell's text, read as CommonMark reads it: no unescaped backtick, asterisk or ``<``."""
    assert not re.search(r"(?<!\\)[`*<]", cell), f"markup in a plain cell: {cell!r}"
    return re.sub(r"\\(.)", r"\1", cell)


def _check(project: Project) -> None:
    md = to_markdown(project).splitlines()
    table = rows(project)
    info = project.analyze()
    assert _cells(md[0]) == list(HEADER) and len(md) == len(table) + 2
    for n, (line, row) in enumerate(zip(md[2:], table)):
        cells = _cells(line)
        assert len(cells) == len(HEADER), line
        is_formula = n == 0 or (0 < n < len(table) - 1 and info.layers[n - 1].ok)
        for k, (cell, want) in enumerate(zip(cells, row)):
            code = (k == 6 and is_formula) or (k == 2 and want.startswith("["))
            if code:
                assert _code_span(cell) == want, (n, k)
            else:
                assert _plain(cell) == want, (n, k)


@pytest.mark.parametrize("name", ["lesson_padding", "dilated", "teaching", "lenet5"])
def test_formulas_are_code_spans(name):
    _check(load_preset(name))


def test_the_asterisks_of_a_dilated_formula_survive():
    p = Project(InputSpec(1, 5, 5, "pattern:lesson"),
                (LayerSpec.make("Conv2d", out_channels=1, kernel_size=3, stride=2, padding=1, dilation=1),), 0,
                (None,), "t")
    line = to_markdown(p).splitlines()[3]
    assert "`(5 + 2*1 - 1*(3-1) - 1) // 2 + 1 = 3`" in line


@pytest.mark.parametrize("source", ["a`b|c*d*.png", "``x`` | <b>y</b>.png", "`start.png", "end\\|`"])
def test_text_from_the_project_stays_text(source):
    """The input's source and an invalid layer's message: backticks, pipes, asterisks and HTML
    neither add a cell nor change the rendering."""
    layers = (LayerSpec.make("Conv2d", out_channels=1, kernel_size=3), LayerSpec.make("Conv2d", out_channels=1,
                                                                                     kernel_size=30),
              LayerSpec.make("ReLU"))
    _check(Project(InputSpec(1, 5, 5, source), layers, 0, (None, None, None), "t"))
