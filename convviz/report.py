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


def to_markdown(project: Project) -> str:
    def esc(s: str) -> str:
        return s.replace("|", "\\|")
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for r in rows(project):
        cells = [esc(c) for c in r]
        cells[2] = f"`{cells[2]}`" if cells[2].startswith("[") else cells[2]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def to_csv(project: Project) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for r in rows(project):
        w.writerow([c.replace(",", "") if i in (3, 4) else c for i, c in enumerate(r)])
    return buf.getvalue()
