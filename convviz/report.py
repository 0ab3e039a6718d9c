"""The shapes table as rows, Markdown and CSV: what `describe`, the GUI's table and its copy
buttons share."""
from __future__ import annotations

import csv
import io

from .messages import Msg, escape
from .project import Project
from .spec import QT_TRANSLATE_NOOP

HEADER = ("#", "Layer", "Output shape", "Params", "MACs", "Receptive field", "Formula")


def field_text(f) -> str:
    """'212x212, jump 32, offset -90' (one number per value when both axes agree)."""
    if f is None:
        return "—"

    def one(v):
        return str(v[0]) if v[0] == v[1] else f"{v[0]}x{v[1]}"
    return Msg(QT_TRANSLATE_NOOP("core", "{size}, jump {jump}, offset {offset}"), size=f"{f.size[0]}x{f.size[1]}",
               jump=one(f.jump), offset=one(f.offset))


def rows(project: Project, info=None) -> list[tuple[str, ...]]:
    """One row per layer plus a totals row; invalid layers carry their message as formula.
    ``info`` is the project's analysis, if the caller has it already.  Text from the file (the
    input's source) is escaped: every cell is one printable line."""
    from .receptive import theoretical
    info = info or project.analyze()
    fields = theoretical(info)
    out = [("", Msg(QT_TRANSLATE_NOOP("core", "Input")), str(list(project.input.shape)), "", "", "1x1",
            escape(project.input.source))]
    for l, f in zip(info.layers, fields):
        if l.ok:
            out.append((str(l.index), str(l.spec), str(list(l.out_shape)), f"{l.params:,}", f"{l.macs:,}",
                        field_text(f), l.formula))
        elif l.error:
            out.append((str(l.index), str(l.spec), Msg(QT_TRANSLATE_NOOP("core", "invalid")), "", "", "", l.error))
        else:
            out.append((str(l.index), str(l.spec), "—", "", "", "",
                        Msg(QT_TRANSLATE_NOOP("core", "not computed: layer {i} is invalid"), i=l.blocked_by)))
    out.append(("", Msg(QT_TRANSLATE_NOOP("core", "Total")), str(list(info.output_shape)) if info.output_shape else "—",
                f"{info.total_params:,}", f"{info.total_macs:,}", "", Msg(QT_TRANSLATE_NOOP("core", "FLOPs = 2 x MACs"))))
    return out


def _md_text(s: str) -> str:
    """A table cell's plain text: a pipe would end the cell, a backtick start a code span, an
    asterisk emphasis, a ``<`` HTML; each is escaped (and so is the backslash)."""
    for ch in "\\|`*<":
        s = s.replace(ch, "\\" + ch)
    return s


def _md_code(s: str) -> str:
    """A table cell's text as a code span, so ``2*1 - 1*(3-1)`` keeps its asterisks: fenced by more
    backticks than any run inside (padded when it starts or ends with one), pipes escaped (GFM
    reads ``\\|`` as a pipe inside a code span too)."""
    if not s:
        return ""
    longest = run = 0
    for ch in s:  # the longest run of backticks
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ")) else ""
    return f"{fence}{pad}{s.replace('|', chr(92) + '|')}{pad}{fence}"


def to_markdown(project: Project) -> str:
    """The table as GitHub-flavoured Markdown: shapes, the input's source and each layer's formula
    as code spans (their asterisks and backslashes stay as they are), other text escaped."""
    info = project.analyze()
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    table = rows(project, info)
    formula_rows = {0} | {i + 1 for i, l in enumerate(info.layers) if l.ok}  # the input's source, formulas
    for n, r in enumerate(table):
        cells = [_md_text(c) for c in r]
        if r[2].startswith("["):
            cells[2] = _md_code(r[2])
        if n in formula_rows and n < len(table) - 1:
            cells[6] = _md_code(r[6])
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def to_csv(project: Project) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for r in rows(project):
        w.writerow([c.replace(",", "") if i in (3, 4) else c for i, c in enumerate(r)])
    return buf.getvalue()
