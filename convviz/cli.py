"""Command line: ``convviz [PROJECT.json] [--self-test --screenshot PATH]`` starts the GUI;
``convviz describe PROJECT.json [--json]`` prints the shapes table headless.

The GUI lives in the top-level ``ui`` package and is imported only when it is asked for, so the
headless commands never load Qt.
"""
from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .project import Project, ProjectError, load
from .samples import PRESETS, InputError, load_preset

SUBCOMMANDS = ("describe",)


class CliError(Exception):
    """A problem with the command line or its files: printed as one sentence, exit status 2."""


def _open_project(arg: str) -> Project:
    """A project from a path, or from ``preset:NAME``."""
    if arg.startswith("preset:"):
        try:
            return load_preset(arg[7:])
        except (InputError, ProjectError) as e:
            raise CliError(str(e)) from None
    try:
        return load(arg)
    except ProjectError as e:
        raise CliError(f"cannot open {arg}: {e}") from None


def describe_rows(project: Project) -> dict:
    """The describe --json document (also what the GUI's shapes table shows)."""
    info = project.analyze()
    layers = []
    for l in info.layers:
        row = {"index": l.index, "type": l.spec.type, "spec": l.spec.to_dict(),
               "input_shape": list(l.in_shape) if l.in_shape else None,
               "output_shape": list(l.out_shape) if l.out_shape else None,
               "params": l.params, "macs": l.macs, "flops": l.flops,
               "activation_bytes": l.activation_bytes, "formula": l.formula,
               "dropped": {"rows": l.dropped[0], "cols": l.dropped[1]}}
        if l.error:
            row["error"] = l.error
        if l.blocked_by is not None:
            row["blocked_by"] = l.blocked_by
        layers.append(row)
    return {"title": project.title, "input_shape": list(project.input.shape), "layers": layers,
            "total_params": info.total_params, "total_macs": info.total_macs,
            "total_flops": 2 * info.total_macs, "total_activation_bytes": info.total_activation_bytes,
            "valid": info.ok}


def format_table(project: Project) -> str:
    from .arithmetic import human_bytes
    info = project.analyze()
    head = ("#", "Layer", "Output shape", "Params", "MACs", "Formula (output size)")
    rows = [("", "Input", str(list(project.input.shape)), "", "", project.input.source)]
    for l in info.layers:
        shape = str(list(l.out_shape)) if l.out_shape else ("invalid" if l.error else "—")
        rows.append((str(l.index), str(l.spec), shape, f"{l.params:,}" if l.ok else "",
                     f"{l.macs:,}" if l.ok else "", l.formula if l.ok else (l.error or "")))
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(5)]
    widths[1] = min(widths[1], 72)

    def clip(text: str) -> str:
        return text if len(text) <= 72 else text[:71] + "…"

    def fmt(r):
        cells = [r[0].rjust(widths[0]), clip(r[1]).ljust(widths[1]), r[2].ljust(widths[2]),
                 r[3].rjust(widths[3]), r[4].rjust(widths[4]), r[5]]
        return "  ".join(cells).rstrip()
    rule = "=" * min(160, sum(widths) + 2 * 5 + 30)
    out = []
    if project.title:
        out.append(project.title)
    out += [rule, fmt(head), "-" * len(rule)]
    out += [fmt(r) for r in rows]
    out.append(rule)
    out.append(f"Total params: {info.total_params:,}")
    out.append(f"Total MACs: {info.total_macs:,}  (FLOPs = 2 x MACs = {2 * info.total_macs:,}; "
               f"convolutions only, padded zeros counted, bias not)")
    out.append(f"Activations (float32, batch 1, input included): {human_bytes(info.total_activation_bytes)}")
    out.append(rule)
    return "\n".join(out)


def cmd_describe(args) -> int:
    project = _open_project(args.project)
    info = project.analyze()
    if args.json:
        print(json.dumps(describe_rows(project), indent=2, ensure_ascii=False))
    else:
        print(format_table(project))
    if not info.ok:
        print(info.first_error.error, file=sys.stderr)
        return 2
    return 0


def _parser_describe() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="convviz describe",
                                description="Print each layer's output shape, parameters, MACs and formula.")
    p.add_argument("project", help="a project file, or preset:NAME (" + ", ".join(PRESETS) + ")")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return p


def _parser_gui() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="convviz", description="convviz: make convolution visible.",
        epilog="Headless commands: convviz describe PROJECT.json [--json]")
    p.add_argument("project", nargs="?", help="a project file to open (default: the teaching preset)")
    p.add_argument("--self-test", action="store_true",
                   help="build the real window, run one compute, save --screenshot and exit (0 on success)")
    p.add_argument("--screenshot", metavar="PATH", help="where --self-test saves the window as PNG")
    p.add_argument("--walkthrough", action="store_true", help="open the teaching walkthrough")
    p.add_argument("--version", action="version", version=f"convviz {__version__}")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "describe":
            return cmd_describe(_parser_describe().parse_args(argv[1:]))
        args = _parser_gui().parse_args(argv)
        if args.screenshot and not args.self_test:
            raise CliError("--screenshot goes with --self-test")
        try:
            from ui.app import run_gui
        except ImportError as e:
            raise CliError(f"the desktop app needs PySide6 and pyqtgraph ({e}); "
                           f"the headless commands work without them") from None
        return run_gui(args)
    except CliError as e:
        print(f"convviz: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
