"""Export a project as PyTorch code: an ``nn.Sequential`` that reproduces the stack, with the
same weights the app shows (each layer built under the engine's per-layer seed, named and typed
kernels copied in).  Qt-free and torch-free: it only writes text.

Exported code is code, and a project may come from anyone: no text from the project (its
title, its image path, a message) is ever pasted into the code as it is.  Text becomes a
Python literal written by ``repr`` (one line, every quote, backslash, newline and control
character escaped) or a comment written by ``_comment`` (control characters and line breaks
escaped); numbers are numbers.  Running the exported file executes the model and nothing else.
"""
from __future__ import annotations

import math

from .kernels import fill_weights
from .messages import escape
from .project import Project
from .validate import resolve_channels


def _comment(text) -> str:
    """Text for a ``#`` comment: one line, whatever it holds."""
    return escape(text, 400)


def _module_code(spec, c_in: int) -> str:
    spec = resolve_channels(spec, c_in)
    if spec.type == "DepthwiseSeparable":
        k = dict(spec.args)
        c, out = k.pop("in_channels"), k.pop("out_channels")
        bias = k.get("bias", True)
        rest = ", ".join(f"{n}={v!r}" for n, v in k.items())
        return (f"nn.Sequential(  # depthwise-separable\n"
                f"        nn.Conv2d({c}, {c}, groups={c}, {rest}),\n"
                f"        nn.Conv2d({c}, {out}, kernel_size=1, bias={bias!r}),\n"
                f"    )")
    return f"nn.{spec.type}({spec.kwargs_text()})"


def _number(v: float) -> str:
    if math.isfinite(v):
        return repr(float(v))
    return f"float({repr(str(v))})"  # 'inf'/'nan' as code that runs (the loader refuses them anyway)


def _array_code(a) -> str:
    def nested(v):
        return "[" + ", ".join(nested(x) for x in v) + "]" if isinstance(v, list) else _number(v)
    return nested(a.tolist())


def to_pytorch(project: Project) -> str:
    """Python source defining ``build_model()`` and ``example_input()``; running it as a script
    prints each layer's output shape."""
    info = project.analyze()
    lines = [
        '"""A convviz project as PyTorch code: build_model() returns the stack with the weights convviz',
        "shows; running this file prints each layer's output shape.",
        '"""',
        "import torch",
        "from torch import nn",
        "",
        "",
        "# The project as convviz had it; its text is kept as Python string literals, never run.",
        f"TITLE = {project.title!r}",
        f"INPUT_SOURCE = {project.input.source!r}",
        f"INPUT_SHAPE = {tuple(int(v) for v in project.input.shape)!r}  # channels, height, width",
        f"SEED = {int(project.seed)!r}",
        "",
        "",
        "def layer_seed(seed, index):",
        "    return (seed * 1_000_003 + index) % (2**63)",
        "",
        "",
        "def build_model(seed=SEED):",
        '    """The stack as nn.Sequential, with the weights convviz shows."""',
        "    layers = []",
    ]
    weight_lines = []
    for l in info.layers:
        if not l.ok:
            lines.append(f"    # layer {l.index} and after are not exported: {_comment(l.error or 'after an invalid layer')}")
            break
        code = _module_code(l.spec, l.in_shape[0])
        lines.append(f"    torch.manual_seed(layer_seed(seed, {l.index}))")
        lines.append(f"    layers.append({code})")
        init = project.kernels[l.index]
        if init is not None:
            ws = fill_weights(l.spec, l.in_shape[0], init)
            target = [f"model[{l.index}][0]", f"model[{l.index}][1]"] if l.spec.type == "DepthwiseSeparable" \
                else [f"model[{l.index}]"]
            label = init if isinstance(init, str) else "typed values"
            weight_lines.append(f"    # layer {l.index}: {_comment(label)} kernel")
            for t, w in zip(target, ws):
                weight_lines.append(f"    {t}.weight.copy_(torch.tensor({_array_code(w)}))")
                if l.spec.get("bias"):
                    weight_lines.append(f"    {t}.bias.zero_()")
    lines.append("    model = nn.Sequential(*layers).eval()")
    if weight_lines:
        lines.append("    with torch.no_grad():")
        lines += ["    " + w for w in weight_lines]
    lines += [
        "    return model",
        "",
        "",
        "def example_input():",
        "    return torch.zeros(1, *INPUT_SHAPE)",
        "",
        "",
        'if __name__ == "__main__":',
        "    model, x = build_model(), example_input()",
        "    with torch.no_grad():",
        "        for i, layer in enumerate(model):",
        "            x = layer(x)",
        "            print(i, type(layer).__name__, list(x.shape))",
        "",
    ]
    return "\n".join(lines)
