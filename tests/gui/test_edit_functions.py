"""The window's edit methods are convviz.edits plus an undo step: for a long run of edits made
through the window (as the Layers panel, the Arguments form and the Input panel make them), the
window's project is exactly what the pure function gives, and undo walks back through them."""
from __future__ import annotations

import random

from convviz import edits

TYPES = ["Conv2d", "ReLU", "MaxPool2d", "BatchNorm2d", "DepthwiseSeparable", "AvgPool2d", "Tanh"]


def test_window_edits_are_the_pure_functions(make_window, qtbot):
    from ui.layer_panel import default_spec
    win = make_window(wait=False)
    rng = random.Random(7)
    history = {win.doc.undo_stack.index(): win.project}
    ops = 0
    for step in range(80):
        p, n = win.project, len(win.project.layers)
        kind = rng.choice(["add", "add", "remove", "duplicate", "move", "reorder", "arg", "bad_arg", "kernel",
                           "typed", "seed", "input"])
        if kind == "add" or not n:
            t = rng.choice(TYPES)
            if n:
                win.layers.select(rng.randrange(n))
            at = win.layers.current() + 1 if n else 0
            win.add_layer(t)
            expected, select = edits.add_layer(p, at, default_spec(t)), at
        elif kind == "remove":
            i = rng.randrange(n)
            win.remove_layer(i)
            expected, select = edits.remove_layer(p, i), (min(i, n - 2) if n > 1 else None)
        elif kind == "duplicate":
            i = rng.randrange(n)
            win.duplicate_layer(i)
            expected, select = edits.duplicate_layer(p, i), i + 1
        elif kind == "move":
            i, d = rng.randrange(n), rng.choice([-1, 1])
            win.move_layer(i, d)
            ok = 0 <= i + d < n
            expected, select = (edits.move_layer(p, i, d), i + d) if ok else (p, None)
        elif kind == "reorder":
            order = list(range(n))
            rng.shuffle(order)
            win.reorder_layers(order, select=0)
            expected, select = edits.reorder(p, order), 0
        elif kind in ("arg", "bad_arg"):
            conv = [k for k, s in enumerate(p.layers) if s.type in ("Conv2d", "DepthwiseSeparable")]
            if not conv:
                continue
            i = rng.choice(conv)
            name = rng.choice(["out_channels", "kernel_size", "stride", "padding"])
            value = rng.randint(1, 3) if kind == "arg" else rng.choice([0, -2, "many"])
            win.edit_arg(i, name, value)
            if kind == "arg":
                expected, select = edits.set_arg(p, i, name, value), None
            else:
                expected, select = p, None
                assert win.status.currentMessage().startswith(f"Layer {i}: {name}")
        elif kind in ("kernel", "typed"):
            i = rng.randrange(n)
            init = rng.choice([None, "box", "sobel_x"]) if kind == "kernel" else ("values", ((1.0, -1.0),))
            win.edit_kernel(i, init)
            expected, select = edits.set_kernel(p, i, init), None
        elif kind == "seed":
            s = rng.randrange(1000)
            win.edit_seed(s)
            expected, select = edits.set_seed(p, s), None
        else:
            spec = p.input.__class__(1, rng.randint(6, 12), rng.randint(6, 12), "pattern:checkerboard")
            win.edit_input(spec, "Change input")
            expected, select = edits.set_input(p, spec), None
        ops += 1
        assert win.project == expected, (step, kind)
        if select is not None:
            assert win.layers.current() == select, (step, kind)
        history[win.doc.undo_stack.index()] = win.project
    assert ops > 60 and len(history) > 30
    # undo goes back through exactly the projects the pure functions made
    while win.doc.undo_stack.canUndo():
        win.doc.undo_stack.undo()
        assert win.project == history[win.doc.undo_stack.index()]
    p = win.project
    assert win.file_new()
    assert win.project == edits.empty_like(p, win.doc.base_dir)
