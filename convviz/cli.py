"""Command line: ``convviz [PROJECT.json | preset:NAME] [--self-test --screenshot PATH]`` starts the GUI;
``convviz describe PROJECT.json [--json]`` prints the shapes table headless.

The GUI lives in the top-level ``ui`` package and is imported only when it is asked for, so the
headless commands never load Qt.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

import numpy as np

from . import __version__
from .messages import escape
from .project import Project, ProjectError, load
from .samples import PRESETS, InputError, load_preset

SUBCOMMANDS = ("describe", "rf", "train", "import", "predict", "export", "render-walkthrough")


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
        text, shown = str(e), escape(arg, 300)
        # one sentence naming the file once: load's own sentences name it already
        for head in (f"cannot read {shown}: ", f"{shown} "):
            if text.startswith(head):
                text = text[len(head):]
        if text.endswith(f" ({shown})"):
            text = text[: -len(shown) - 3]
        raise CliError(f"cannot open {shown}: {text}") from None


def describe_rows(project: Project) -> dict:
    """The describe --json document (also what the GUI's shapes table shows)."""
    from .receptive import theoretical
    info = project.analyze()
    fields = theoretical(info)
    layers = []
    for l, field in zip(info.layers, fields):
        row = {"index": l.index, "type": l.spec.type, "spec": l.spec.to_dict(),
               "input_shape": list(l.in_shape) if l.in_shape else None,
               "output_shape": list(l.out_shape) if l.out_shape else None,
               "params": l.params, "macs": l.macs, "flops": l.flops,
               "activation_bytes": l.activation_bytes, "formula": l.formula,
               "dropped": {"rows": l.dropped[0], "cols": l.dropped[1]},
               "receptive_field": field.to_json() if field else None}
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
    """A torchinfo-like table of report.rows (the same rows the GUI's shapes table shows)."""
    from .arithmetic import human_bytes
    from .report import HEADER, rows as report_rows
    info = project.analyze()
    rows = report_rows(project, info)[:-1]  # the totals are printed below in words
    head = HEADER[:-1] + ("Formula (output size)",)
    n = len(head)

    def clip(text: str) -> str:
        return text if len(text) <= 72 else text[:71] + "…"
    rows = [tuple(clip(c) if i == 1 else c for i, c in enumerate(r)) for r in rows]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(n - 1)]
    right = {0, 3, 4}

    def fmt(r):
        cells = [r[i].rjust(widths[i]) if i in right else r[i].ljust(widths[i]) for i in range(n - 1)]
        return "  ".join(cells + [r[-1]]).rstrip()
    rule = "=" * min(160, sum(widths) + 2 * n + 30)
    out = [escape(project.title)] if project.title else []
    out += [rule, fmt(head), "-" * len(rule)]
    out += [fmt(r) for r in rows]
    out.append(rule)
    out.append(f"Total params: {info.total_params:,}")
    out.append(f"Total MACs: {info.total_macs:,}  (FLOPs = 2 x MACs = {2 * info.total_macs:,}; "
               f"convolutions only, padded zeros counted, bias not)")
    out.append(f"Activations (float32, batch 1, input included): {human_bytes(info.total_activation_bytes)}")
    out.append(rule)
    return "\n".join(out)


# What JSON leaves raw but a terminal may act on or a reader be misled by: DEL and the C1
# controls (U+009B is CSI), lone surrogates, line/paragraph separators, bidirectional overrides.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def json_text(obj) -> str:
    """JSON for a terminal: readable Unicode, and every character that could act on a terminal
    written as a \\u escape (the same string to a JSON reader)."""
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def cmd_describe(args) -> int:
    project = _open_project(args.project)
    info = project.analyze()
    if args.json:
        print(json_text(describe_rows(project)))
    else:
        print(format_table(project))
    if not info.ok:
        print(escape(info.first_error.error), file=sys.stderr)
        return 2
    return 0


def cmd_rf(args) -> int:
    from .receptive import FieldTooLarge, describe_field, exact
    project = _open_project(args.project)
    info = project.analyze()
    try:
        y, x = (int(v) for v in args.pixel.split(","))
    except ValueError:
        raise CliError(f"--pixel takes Y,X (two whole numbers), got {args.pixel!r}") from None
    n = len(info.layers)
    if not 0 <= args.layer < n:
        raise CliError(f"--layer must be between 0 and {n - 1} for this project, got {args.layer}")
    layer = info.layers[args.layer]
    if not layer.ok:
        bad = info.first_error
        raise CliError(f"layer {args.layer} has no output: {bad.error if bad else 'an earlier layer is invalid'}")
    _, h, w = layer.map_shape  # a vector is addressed on the grid it is drawn as
    if not (0 <= y < h and 0 <= x < w):
        if len(layer.out_shape) != 3:
            raise CliError(f"pixel ({y}, {x}) is outside layer {args.layer}'s output: its "
                           f"{'x'.join(map(str, layer.out_shape))} values are drawn as {h}x{w} maps, value i at "
                           f"(i // {w}, i % {w})")
        raise CliError(f"pixel ({y}, {x}) is outside layer {args.layer}'s {h}x{w} output")
    try:
        sets = exact(info, args.layer, y, x)
    except FieldTooLarge as e:
        raise CliError(f"layer {args.layer} pixel ({y}, {x}): {e}") from None
    if args.json:
        print(json.dumps({"layer": args.layer, "pixel": [y, x], "maps": [s.to_json() for s in sets]}))
        return 0
    print(f"Exact receptive field of layer {args.layer} ({layer.spec.type}) pixel (y {y}, x {x}):")
    for s in sets:
        name = "input" if s.layer < 0 else f"layer {s.layer} ({info.layers[s.layer].spec.type})"
        print(f"  {name}: {describe_field(s)}")
        print(f"    rows {_ranges(s.rows)}")
        print(f"    cols {_ranges(s.cols)}")
    return 0


def _ranges(v) -> str:
    """[1, 2, 3, 5, 7, 9] -> '1-3, 5, 7, 9' (short, exact)."""
    if not v:
        return "none"
    out, start, prev = [], v[0], v[0]
    for a in list(v[1:]) + [None]:
        if a is not None and a == prev + 1:
            prev = a
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if a is not None:
            start = prev = a
    return ", ".join(out)


def _parser_rf() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="convviz rf",
                                description="Print the exact receptive field of one pixel: the rows and columns "
                                            "it depends on, on the input and on every layer up to it.")
    p.add_argument("project", help="a project file, or preset:NAME")
    p.add_argument("--layer", type=int, required=True, help="the layer index (0 = first layer)")
    p.add_argument("--pixel", required=True, metavar="Y,X", help="the output pixel, row then column")
    p.add_argument("--json", action="store_true", help="print JSON: {\"maps\": [{\"layer\", \"rows\", \"cols\"}, ...]}")
    return p


def _parser_describe() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="convviz describe",
                                description="Print each layer's output shape, parameters, MACs and formula.")
    p.add_argument("project", help="a project file, or preset:NAME (" + ", ".join(PRESETS) + ")")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return p


class _OneSentenceParser(argparse.ArgumentParser):
    """Bad arguments are one sentence (exit status 2), not a usage block."""

    def error(self, message):
        raise CliError(f"{self.prog}: {message} (see {self.prog} --help)")


def _parser_train() -> argparse.ArgumentParser:
    from .training_config import OPTIMIZERS
    p = _OneSentenceParser(
        prog="convviz train",
        description="Train the project's stack as a classifier on a data set, one line (or JSON object) per epoch. "
                    "Settings not given come from the project's \"training\" field, else the defaults.")
    p.add_argument("project", help="a project file, or preset:NAME")
    p.add_argument("--data", help="digits, shapes, horse-shift, folder:PATH or idx:IMAGES[,LABELS] (default: the "
                                   "project's, else digits)")
    p.add_argument("--size", type=int, help="how many examples in all (default: the data set's)")
    p.add_argument("--epochs", type=int, help="passes over the training examples (default 5)")
    p.add_argument("--lr", type=float, help="learning rate (default 0.001)")
    p.add_argument("--batch-size", type=int, help="examples per step (default 64)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, help="adam (default) or sgd (with --momentum, default 0.9)")
    p.add_argument("--momentum", type=float, help="SGD's momentum")
    p.add_argument("--weight-decay", type=float, help="L2 penalty (default 0)")
    p.add_argument("--seed", type=int, help="draws the split, each epoch's order and dropout (default 0; the initial "
                                             "weights come from the project's seed)")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--threads", type=int, help="torch's threads (default: torch's choice)")
    p.add_argument("--json", action="store_true", help="print one JSON object per epoch (JSON Lines)")
    p.add_argument("--save", metavar="WEIGHTS.safetensors", help="save the trained weights to this file")
    return p


def cmd_train(args) -> int:
    import dataclasses
    import os

    from .datasets import DATASETS, DatasetError, load_dataset
    from .training_config import TrainConfig
    project = _open_project(args.project)
    given = {"data": args.data, "size": args.size, "epochs": args.epochs, "lr": args.lr,
             "batch_size": args.batch_size, "optimizer": args.optimizer, "momentum": args.momentum,
             "weight_decay": args.weight_decay, "seed": args.seed, "threads": args.threads}
    cfg = dataclasses.replace(project.training or TrainConfig(), device=args.device,
                              **{k: v for k, v in given.items() if v is not None})
    problem = cfg.problem()
    if problem:
        raise CliError(problem)
    if args.save is not None and not args.save.lower().endswith(".safetensors"):
        raise CliError(f"--save writes a .safetensors file; name it so, not {escape(args.save, 300)}")
    if args.device.startswith("cuda"):
        from .engine import resolve_device
        if resolve_device(args.device) == "cpu":
            raise CliError(f"--device {escape(args.device, 40)}: no CUDA device is available here; use --device cpu")
    from .training import Trainer, TrainingError, classifier_problem
    known = DATASETS.get(cfg.data)
    problem = classifier_problem(project, classes=len(known.classes) if known else None, data_name=cfg.data)
    if problem:
        raise CliError(f"cannot train {escape(args.project, 300)}: {problem}")
    c, h, w = project.input.shape
    base_dir = None if args.project.startswith("preset:") else os.path.dirname(os.path.abspath(args.project))
    try:
        ds = load_dataset(cfg.data, c, h, w, seed=cfg.seed, size=cfg.size, base_dir=base_dir)
        trainer = Trainer(project, ds, cfg)
    except (DatasetError, TrainingError) as e:
        raise CliError(str(e)) from None
    if not args.json:
        print(f"{ds.summary()}; {cfg.optimizer} lr {cfg.lr:g}, batch {cfg.batch_size}, weight decay "
              f"{cfg.weight_decay:g}, {cfg.epochs} epoch{'s' if cfg.epochs != 1 else ''}, seed {cfg.seed}, {trainer.device}", file=sys.stderr)

    def report(rec) -> None:
        if args.json:
            print(json.dumps({"epochs": cfg.epochs, **rec.to_dict()}), flush=True)
        else:
            print(f"epoch {rec.epoch}/{cfg.epochs}  train loss {rec.train_loss:.4f}  train accuracy "
                  f"{100 * rec.train_accuracy:.1f}%  test loss {rec.test_loss:.4f}  test accuracy "
                  f"{100 * rec.test_accuracy:.1f}%  {rec.examples_per_second:,.0f} examples/s", flush=True)
    trainer.run(on_epoch=report)
    if args.save is not None:
        from .weights import save_weights
        last = trainer.history[-1]
        try:
            save_weights(args.save, trainer.state(), {"data": cfg.data, "epochs": str(last.epoch),
                                                      "test_accuracy": repr(last.test_accuracy)})
        except OSError as e:
            raise CliError(f"cannot write {escape(args.save, 300)}: {escape(e.strerror or e, 200)}") from None
        if not args.json:
            print(f"saved the trained weights to {escape(args.save, 300)}", file=sys.stderr)
    return 0


# --- real networks: import, predict, export (issue 15) --------------------------------------------

def _parser_import() -> argparse.ArgumentParser:
    p = _OneSentenceParser(
        prog="convviz import",
        description="Convert a torchvision architecture whose forward is a plain chain (AlexNet, VGG-11/13/16/19 "
                    "with or without BatchNorm) into a convviz project; --list shows every architecture and why "
                    "the others are refused.  Needs torchvision: pip install 'convviz[models]'.")
    p.add_argument("model", nargs="?", help="torchvision:NAME, e.g. torchvision:vgg16")
    p.add_argument("--out", metavar="PROJECT.json", help="the project file to write")
    p.add_argument("--weights", metavar="FILE",
                   help="a .safetensors or .pt/.pth state_dict to load (all or nothing); written beside the project "
                        "as PROJECT.safetensors.  'imagenet' takes the official checkpoint from torch's cache")
    p.add_argument("--download", action="store_true",
                   help="with --weights imagenet: download the official checkpoint into torch's cache when it is not "
                        "there (the size is printed first)")
    p.add_argument("--list", action="store_true", help="list the architectures: chain or refused, with the reason")
    p.add_argument("--json", action="store_true", help="with --list: print JSON")
    return p


def _zoo_name(arg: str) -> str:
    name = arg[len("torchvision:"):] if arg.startswith("torchvision:") else arg
    if not name or ":" in name:
        raise CliError(f"expected torchvision:NAME (e.g. torchvision:vgg16), got {escape(arg, 100)}")
    return name


def _print_problems(problems, limit: int = 20) -> None:
    for p in list(problems)[:limit]:
        print(f"convviz: {escape(p, 600)}", file=sys.stderr)
    if len(problems) > limit:
        print(f"convviz: ... and {len(problems) - limit} more", file=sys.stderr)


def _load_strict(path: str, project: Project):
    """Weights from ``path`` for ``project``, all or nothing; CliError when anything does not fit."""
    from .weights import WeightsError, load_weights
    try:
        loaded = load_weights(path, project, strict=True)
    except WeightsError as e:
        raise CliError(str(e)) from None
    if loaded.problems:
        _print_problems(loaded.problems[1:])
        raise CliError(f"{loaded.problems[0]} — nothing was loaded")
    return loaded


def _official_checkpoint(name: str, download: bool) -> str:
    from . import zoo
    info = zoo.official_weights(name)
    if info is None:
        raise CliError(f"torchvision names no ImageNet weights for {escape(name, 80)}")
    cached = zoo.cached_checkpoint(name)
    if cached:
        return cached
    if not download:
        raise CliError(f"the official {name} weights ({info.filename}, {info.size_bytes / 1e6:,.0f} MB) are not in "
                       f"torch's cache ({zoo.checkpoint_dir()}); add --download to fetch them from {info.url}")
    print(f"downloading {info.url} ({info.size_bytes / 1e6:,.0f} MB) into {zoo.checkpoint_dir()}", file=sys.stderr)
    last = [-1]

    def progress(done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 0
        if pct != last[0] and sys.stderr.isatty():
            print(f"\r{done / 1e6:,.0f} / {total / 1e6:,.0f} MB ({pct}%)", end="", file=sys.stderr, flush=True)
        last[0] = pct
    try:
        path = zoo.download(info, progress=progress)
    except zoo.ZooError as e:
        raise CliError(str(e)) from None
    finally:
        if sys.stderr.isatty():
            print(file=sys.stderr)
    return path


def cmd_import(args) -> int:
    from . import zoo
    if args.list:
        try:
            archs = zoo.architectures()
        except zoo.ZooError as e:
            raise CliError(str(e)) from None
        if args.json:
            print(json_text([{"name": a.name, "title": a.title, "chain": a.chain, "reason": a.reason,
                              "weights": a.weights, "parameters": a.parameters} for a in archs]))
            return 0
        width = max(len(a.name) for a in archs)
        for a in archs:
            params = f"{a.parameters / 1e6:,.1f} M" if a.parameters else "?"
            state = "chain  " if a.chain else "refused"
            print(f"{a.name.ljust(width)}  {state}  {params:>9}  {a.reason if not a.chain else a.title}")
        print(f"{sum(a.chain for a in archs)} of {len(archs)} architectures are plain chains convviz imports",
              file=sys.stderr)
        return 0
    if not args.model:
        raise CliError("name the architecture, e.g. convviz import torchvision:vgg16 --out vgg16.json (or --list)")
    if not args.out:
        raise CliError("--out PROJECT.json says where to write the project")
    if args.download and (args.weights or "").lower() != "imagenet":
        raise CliError("--download goes with --weights imagenet")
    name = _zoo_name(args.model)
    try:
        project = zoo.import_architecture(name)
    except zoo.ZooError as e:
        raise CliError(str(e)) from None
    weights, meta = None, None
    if args.weights:
        path = _official_checkpoint(name, args.download) if args.weights.lower() == "imagenet" else args.weights
        weights = _load_strict(path, project).weights
        meta = {"source": os.path.basename(path)}
    from .project import ProjectError
    from .weights import save_project
    try:
        save_project(project, args.out, weights, meta)
    except (OSError, ProjectError) as e:
        raise CliError(f"cannot write {escape(args.out, 300)}: {escape(getattr(e, 'strerror', None) or e, 200)}") \
            from None
    info = project.analyze()
    print(f"wrote {escape(args.out, 300)}: {project.title}, {len(project.layers)} layers, {info.total_params:,} "
          f"parameters{', with the weights beside it' if weights else ''}", file=sys.stderr)
    return 0


def _weights_for(args, project: Project):
    """The weights a command uses: --weights (all or nothing), else the file the project names
    (its problems printed; layers that do not fit keep their initial weights), else None."""
    import os
    if getattr(args, "weights", None):
        return _load_strict(args.weights, project).weights
    from .weights import load_project_weights
    base = None if args.project.startswith("preset:") else os.path.abspath(args.project)
    loaded = load_project_weights(project, base)
    _print_problems(loaded.problems)
    return loaded.weights or None


def _parser_predict() -> argparse.ArgumentParser:
    p = _OneSentenceParser(prog="convviz predict",
                           description="Run the stack on its input (or --image) with its preprocessing and print the "
                                       "most probable classes, named when the project has labels (imagenet1k).")
    p.add_argument("project", help="a project file, or preset:NAME")
    p.add_argument("--weights", metavar="FILE", help="a .safetensors or .pt/.pth state_dict (default: the project's)")
    p.add_argument("--image", metavar="PATH", help="an image to classify instead of the project's input")
    p.add_argument("--top", type=int, default=5, help="how many classes to print (default 5)")
    p.add_argument("--json", action="store_true", help="print JSON")
    return p


def cmd_predict(args) -> int:
    import dataclasses
    import os

    from . import zoo
    project = _open_project(args.project)
    if args.top < 1:
        raise CliError(f"--top must be 1 or more, got {args.top}")
    if args.image:
        project = dataclasses.replace(project, input=dataclasses.replace(project.input,
                                                                         source=os.path.abspath(args.image)))
    info = project.analyze()
    if not info.ok:
        raise CliError(info.first_error.error)
    if not project.layers:
        raise CliError("the project has no layers to predict with")
    weights = _weights_for(args, project)
    from .engine import ComputeRequest, Engine
    base = None if args.project.startswith("preset:") else os.path.dirname(os.path.abspath(args.project))
    result = Engine().run(ComputeRequest(1, project, base, weights=weights, progressive=False))
    if result.error:
        raise CliError(str(result.error))
    logits = np.asarray(result.outputs[-1]).ravel()
    names = zoo.class_names(project.labels) if project.labels else None
    if project.labels and names is None:
        print(f"convviz: the class names of {project.labels} need torchvision (pip install 'convviz[models]'); "
              f"printing class numbers", file=sys.stderr)
    if names is not None and len(names) != logits.size:
        names = None
    best = zoo.top_k(logits, args.top)
    if not weights:
        print("convviz: these are the initial (untrained) weights: the classes mean nothing yet", file=sys.stderr)
    if args.json:
        print(json_text([{"index": i, "name": names[i] if names else None, "probability": p, "logit": float(logits[i])}
                         for i, p in best]))
        return 0
    for i, p in best:
        label = f"  {names[i]}" if names else ""
        print(f"{100 * p:6.2f}%  {i:>5}{label}")
    return 0


def _parser_export() -> argparse.ArgumentParser:
    p = _OneSentenceParser(prog="convviz export",
                           description="Export the stack with its weights (the project's, --weights, or the initial "
                                       "ones) as ONNX (opens in Netron) or as a .safetensors state_dict.")
    p.add_argument("project", help="a project file, or preset:NAME")
    p.add_argument("--onnx", metavar="OUT.onnx", help="write an ONNX model")
    p.add_argument("--safetensors", metavar="OUT.safetensors", help="write the weights (keys 0.weight, ...)")
    p.add_argument("--weights", metavar="FILE", help="a .safetensors or .pt/.pth state_dict (default: the project's)")
    return p


def cmd_export(args) -> int:
    project = _open_project(args.project)
    if not args.onnx and not args.safetensors:
        raise CliError("say what to write: --onnx OUT.onnx or --safetensors OUT.safetensors")
    if args.safetensors and not args.safetensors.lower().endswith(".safetensors"):
        raise CliError(f"--safetensors writes a .safetensors file; name it so, not {escape(args.safetensors, 300)}")
    info = project.analyze()
    if not info.ok:
        raise CliError(info.first_error.error)
    weights = _weights_for(args, project)
    if args.onnx:
        from .export import OnnxError, to_onnx
        try:
            to_onnx(project, weights, args.onnx)
        except OnnxError as e:
            raise CliError(str(e)) from None
        print(f"wrote {escape(args.onnx, 300)}", file=sys.stderr)
    if args.safetensors:
        from .weights import save_weights
        state = weights
        if not state:  # the initial weights, as the app shows them
            from .training import build_model
            model = build_model(project)
            state = {i: {k: v.detach().numpy() for k, v in m.state_dict().items()}
                     for i, m in enumerate(model) if m.state_dict()}
        try:
            save_weights(args.safetensors, state)
        except OSError as e:
            raise CliError(f"cannot write {escape(args.safetensors, 300)}: {escape(e.strerror or e, 200)}") from None
        print(f"wrote {escape(args.safetensors, 300)}", file=sys.stderr)
    return 0


def _parser_gui() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="convviz", description="convviz: make convolution visible.",
        epilog="Headless commands: convviz describe PROJECT.json [--json]; "
               "convviz rf PROJECT.json --layer L --pixel Y,X [--json]; "
               "convviz train PROJECT.json --data digits --epochs 5 [--json] [--save WEIGHTS.safetensors]; "
               "convviz import torchvision:vgg16 --out vgg16.json [--weights FILE|imagenet [--download]] (--list); "
               "convviz predict PROJECT.json [--weights FILE] [--image PATH] [--top 5]; "
               "convviz export PROJECT.json --onnx OUT.onnx | --safetensors OUT.safetensors [--weights FILE]; "
               "convviz render-walkthrough --out DIR [--lang zh_CN] [--pdf FILE]")
    p.add_argument("project", nargs="?",
                   help="a project file to open, or preset:NAME (" + ", ".join(PRESETS) + "); default: the last "
                        "project, else the teaching preset")
    p.add_argument("--self-test", action="store_true",
                   help="build the real window, run one compute, save --screenshot and exit (0 on success)")
    p.add_argument("--screenshot", metavar="PATH", help="where --self-test saves the window as PNG")
    p.add_argument("--walkthrough", action="store_true", help="open the teaching walkthrough")
    p.add_argument("--weights", metavar="FILE", help="show the maps with these weights (.safetensors, or a .pt/.pth "
                                                    "state_dict); all or nothing, as File > Load Weights")
    p.add_argument("--lang", choices=("en", "zh_CN"), help="the language (default: the saved choice, else the system's)")
    p.add_argument("--version", action="version", version=f"convviz {__version__}")
    return p


def _headless(command, args) -> int:
    """Run a headless command; an unforeseen error is still one line (exit 2), never a traceback."""
    try:
        return command(args)
    except (CliError, BrokenPipeError, KeyboardInterrupt):
        raise
    except Exception as e:  # noqa: BLE001 - the promise is one sentence; the tests assert this never happens
        raise CliError(f"internal error ({type(e).__name__}: {escape(e, 300)}) — please report it") from None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "describe":
            return _headless(cmd_describe, _parser_describe().parse_args(argv[1:]))
        if argv and argv[0] == "rf":
            return _headless(cmd_rf, _parser_rf().parse_args(argv[1:]))
        if argv and argv[0] == "train":
            return _headless(cmd_train, _parser_train().parse_args(argv[1:]))
        if argv and argv[0] == "import":
            return _headless(cmd_import, _parser_import().parse_args(argv[1:]))
        if argv and argv[0] == "predict":
            return _headless(cmd_predict, _parser_predict().parse_args(argv[1:]))
        if argv and argv[0] == "export":
            return _headless(cmd_export, _parser_export().parse_args(argv[1:]))
        if argv and argv[0] == "render-walkthrough":
            p = argparse.ArgumentParser(prog="convviz render-walkthrough",
                                        description="Render every walkthrough chapter beside its live view to PNG.")
            p.add_argument("--out", required=True, help="the folder to write the pages to")
            p.add_argument("--lang", default="en", choices=("en", "zh_CN"), help="the language of the pages")
            p.add_argument("--pdf", metavar="PATH", help="also write every page into one PDF (A4 landscape)")
            a = p.parse_args(argv[1:])
            import os
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            try:
                from ui.app import render_walkthrough
            except ImportError as e:
                raise CliError(f"rendering needs PySide6 and pyqtgraph ({e})") from None
            for path in render_walkthrough(a.out, a.lang, pdf=a.pdf):
                print(path)
            return 0
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
        print(f"convviz: {escape(e)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
