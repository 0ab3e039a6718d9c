"""Classifier layers in the real window: a stack that ends in vectors (LeNet-5's logits) is drawn
as torch computes it, each vector as the maps convviz.display.map_shape folds it into; a click
on a logit shows its receptive field, the whole input; the effective field of a logit is
computed; the Add Layer menu lists the new types with their one-sentence tooltips, and each of
their arguments gets an editor with a tooltip; a Conv2d after a vector is marked with what to
change, and the layers before it stay drawn."""
from __future__ import annotations

from convviz.spec import LAYER_TYPES

from .conftest import wait_maps
from .oracle import assert_all_drawn

NEW = ("Flatten", "Linear", "Dropout", "AdaptiveMaxPool2d")


def test_lenet5_logits_are_drawn_and_their_field_is_the_whole_input(make_window, qtbot):
    win = make_window(preset="lenet5")
    assert_all_drawn(win)  # every map equals torch's forward, vectors folded as map_shape says
    info = win.info
    last = len(info.layers) - 1
    assert info.layers[last].out_shape == (10,)
    assert win.session.map(last).shape == (1, 1, 10)
    flat = next(l.index for l in info.layers if l.spec.type == "Flatten")
    assert win.session.map(flat).shape == (1, 10, 12)  # 120 values in a 10 x 12 grid
    assert win.show_field(last, 0, 3)
    inp = win.features.widget_for(-1)
    assert inp.field is not None and inp.field.count == 32 * 32  # a logit reads every pixel
    one = win.features.widget_for(flat - 1)
    assert one.field.count == 1  # ... through every value of the Flatten
    win.act_erf_random.setChecked(False)
    job = win.compute_erf(last, 0, 3)
    qtbot.waitUntil(lambda: not win.runner.jobs("erf"), timeout=60_000)
    assert job.finished_ok and win.erf is not None and win.erf.shape == (32, 32)
    assert (win.erf > 0).mean() > 0.5  # the gradient of a logit reaches most of the image


def test_add_menu_editors_and_a_conv_after_a_vector(make_window, qtbot):
    from ui.layer_panel import build_add_menu
    win = make_window(preset="lenet5")
    menu = build_add_menu(win, lambda name: None)
    actions = {a.text(): a for a in menu.actions() if not a.isSeparator()}
    sections = [a.text() for a in menu.actions() if a.isSeparator()]
    assert "Classifier" in sections
    for name in NEW:
        assert name in actions, f"{name} is not in the Add Layer menu"
        tip = actions[name].toolTip()
        assert tip == LAYER_TYPES[name].help and tip.endswith(".")
    assert "evaluation mode" in actions["Dropout"].toolTip()
    menu.deleteLater()

    n = len(win.project.layers)
    for name in NEW[:3]:  # each added after the logits; AdaptiveMaxPool2d after a vector is refused
        win.layers.select(len(win.project.layers) - 1)
        win.add_layer(name)
        wait_maps(qtbot, win)
        i = len(win.project.layers) - 1
        assert win.project.layers[i].type == name
        win.layers.select(i)
        eds = win.layers.editors
        assert set(eds) == set(LAYER_TYPES[name].arg_names)
        for a in LAYER_TYPES[name].args:
            tip = eds[a.name].toolTip()
            assert tip == a.help and tip.endswith(".") and "\n" not in tip, (name, a.name, tip)
    assert len(win.project.layers) == n + 3
    assert_all_drawn(win)
    assert win.info.output_shape == (10,)  # Flatten of a vector, Linear(10), Dropout

    win.layers.select(len(win.project.layers) - 1)
    win.add_layer("Conv2d")
    wait_maps(qtbot, win)
    bad = win.info.layers[-1]
    assert not bad.ok and "vector of 10 values" in bad.error and " — " in bad.error
    w = win.features.widget_for(bad.index)
    assert not w.message.isHidden() and w.array is None
    assert_all_drawn(win)  # the layers before it are still drawn, equal to torch


def test_in_features_shows_what_it_takes_from_the_last_dimension(make_window, qtbot):
    from convviz.project import InputSpec, Project
    from convviz.spec import LayerSpec
    p = Project(InputSpec(1, 7, 8, "pattern:gradient"),
                (LayerSpec.make("Conv2d", out_channels=3, kernel_size=3), LayerSpec.make("Linear", out_features=4)))
    win = make_window(project=p)
    assert_all_drawn(win)  # Linear on the width of each row of each map, as torch applies it
    win.layers.select(1)
    spin = win.layers.editors["in_features"].spin
    assert spin.value() == 0 and spin.specialValueText() == "auto (6)"  # the width, not the 3 channels
    win.layers.select(0)
    assert win.layers.editors["in_channels"].spin.specialValueText() == "auto (1)"
