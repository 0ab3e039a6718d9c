"""A soak of the real window: 1,000 random edits (invalid states included), undo and redo,
New seed, project switches, language switches through the app's Session, and effective
receptive fields — then every valid layer is drawn with torch's numbers, no window or thread is
left behind, and resident memory has not grown past 1.2 x what it was after the first 100."""
from __future__ import annotations

import gc
import random

import pytest

from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec

from .conftest import settle, wait_maps
from .oracle import assert_all_drawn

pytestmark = pytest.mark.soak

N_EDITS = 1000
C = lambda **kw: LayerSpec.make("Conv2d", **kw)  # noqa: E731
PRESETS = ("lesson_4x4", "lesson_4x4_two_kernels", "lesson_padding", "lenet5", "dilated")
CUSTOM = Project(InputSpec(2, 14, 15, "pattern:gradient"),
                 (C(out_channels=3, kernel_size=3, padding=1), LayerSpec.make("ReLU"),
                  C(out_channels=4, kernel_size=3, stride=2, groups=1), LayerSpec.make("MaxPool2d", kernel_size=2),
                  C(out_channels=2, kernel_size=1)), seed=3)
ARGS = {"kernel_size": (1, 2, 3, 5, 9, 40), "out_channels": (1, 2, 3, 5, 8), "padding": (0, 1, 2, 3),
        "stride": (1, 2, 3), "dilation": (1, 2, 3), "groups": (1, 2)}
ADDABLE = ("Conv2d", "ReLU", "MaxPool2d", "AvgPool2d", "BatchNorm2d", "Tanh")
PATTERNS = ("pattern:gradient", "pattern:checkerboard", "pattern:impulse", "pattern:vertical_edge")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def edit(win, rng: random.Random) -> str:
    """One random edit through the window's own methods; returns what it did."""
    p = win.project
    n = len(p.layers)
    i = rng.randrange(n) if n else 0
    kind = rng.choices(["arg", "arg", "arg", "kernel", "add", "remove", "undo", "redo", "seed", "newseed",
                        "input", "move", "field"], k=1)[0]
    if kind == "arg" and n:
        names = [a for a in ARGS if a in p.layers[i].layer_type.arg_names]
        if names:
            a = rng.choice(names)
            win.edit_arg(i, a, rng.choice(ARGS[a]))
    elif kind == "kernel" and n and p.layers[i].type == "Conv2d":
        win.edit_kernel(i, rng.choice([None, "identity", "box"]))
    elif kind == "add" and n < 7:
        win.layers.select(i)
        win.add_layer(rng.choice(ADDABLE))
    elif kind == "remove" and n > 1:
        win.remove_layer(i)
    elif kind == "undo":
        win.doc.undo_stack.undo()
    elif kind == "redo":
        win.doc.undo_stack.redo()
    elif kind == "seed":
        win.edit_seed(rng.randrange(50))
    elif kind == "newseed":
        win.input_panel.reseed.click()
    elif kind == "input":
        inp = p.input
        h, w = rng.randrange(3, 40), rng.randrange(3, 40)
        src = inp.source if not inp.source.startswith("pattern:") else rng.choice(PATTERNS)
        win.edit_input(InputSpec(inp.channels, h, w, src), "size")
    elif kind == "move" and n > 1:
        win.move_layer(i, rng.choice((-1, 1)))
    elif kind == "field":
        ok = [l for l in win.info.layers if l.ok]
        if ok:
            l = rng.choice(ok)
            win.show_field(l.index, rng.randrange(l.map_shape[1]), rng.randrange(l.map_shape[2]))
    return kind


def test_soak(qtbot):
    from ui.app import Session, make_app
    from ui.i18n import install
    app = make_app()
    rng = random.Random(11)
    s = Session(app, restore_layout=False)
    win = s.open()
    win.ask_save_changes = lambda: "discard"
    win.resize(1100, 760)
    win.show()
    win.set_project(CUSTOM, None)
    win.start()
    wait_maps(qtbot, win)
    switches = {250: "zh_CN", 500: "en", 750: "zh_CN", 950: "en"}
    erf_at = {60, 420, 880}
    baseline = None
    checked = erfs = 0
    try:
        for k in range(N_EDITS):
            if k in switches:
                s.switch_language(switches[k])  # the real path: the old window closes and goes
                win = s.window
                win.ask_save_changes = lambda: "discard"
            if k % 37 == 0 or k < 6 * len(PRESETS) and k % 6 == 0:  # every project, early
                choice = PRESETS[(k // 6) % len(PRESETS)] if k < 6 * len(PRESETS) else \
                    rng.choice(PRESETS + ("custom",))
                if choice == "custom":
                    win.set_project(CUSTOM, None)
                else:
                    win.open_preset(choice)
            else:
                edit(win, rng)
            if k in erf_at:
                wait_maps(qtbot, win)
                ok = [l for l in win.info.layers if l.ok]
                if not ok:  # the edits left no valid layer: the effective field of LeNet-5's logits instead
                    win.open_preset("lenet5")
                    wait_maps(qtbot, win)
                    ok = [l for l in win.info.layers if l.ok]
                if ok:
                    l = ok[-1]
                    win.act_erf_random.setChecked(k % 2 == 0)
                    job = win.compute_erf(l.index, l.map_shape[1] // 2, l.map_shape[2] // 2)
                    qtbot.waitUntil(lambda: not win.runner.jobs("erf"), timeout=60_000)
                    assert job.finished_ok and win.erf is not None and win.erf.shape == win.project.input.shape[1:]
                    erfs += 1
            if rng.random() < 0.15:
                wait_maps(qtbot, win)
                assert_all_drawn(win, compare=rng.random() < 0.3)
                checked += 1
            if k == 99:
                wait_maps(qtbot, win)
                settle()
                baseline = rss_bytes()
        wait_maps(qtbot, win)
        win.tabs.setCurrentWidget(win.features)
        assert_all_drawn(win, compare=True)
        assert erfs == len(erf_at) and checked > 50
    finally:
        install(app, "en")
        win = s.window
        win.ask_save_changes = lambda: "discard"
        win.close()
        win.deleteLater()
        s.window = win = None
    left = settle()
    assert not left
    gc.collect()
    end = rss_bytes()
    print(f"soak: {checked} checks, {erfs} effective fields, RSS after 100 edits {baseline / 2**20:.0f} MiB, at the end {end / 2**20:.0f} MiB")
    assert end <= 1.2 * baseline, f"resident memory grew from {baseline >> 20} MiB to {end >> 20} MiB"
