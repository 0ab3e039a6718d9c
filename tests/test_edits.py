"""convviz.edits: every edit is a pure function of the immutable project.

The expected results are built here from plain lists of (spec, kernel) pairs, never by calling
the module under test; whether typed kernel numbers survive an argument change is decided by
torch (the shape of the weight torch builds for the new layer)."""
from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings, strategies as st

from convviz import edits
from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec, SpecError
from convviz.training_config import TrainConfig

C = LayerSpec.make

# --- generated projects ------------------------------------------------------------------------------

SPECS = [
    lambda d: C("Conv2d", out_channels=d(st.integers(1, 4)), kernel_size=d(st.integers(1, 3)),
                padding=d(st.integers(0, 1))),
    lambda d: C("DepthwiseSeparable", out_channels=d(st.integers(1, 4)), kernel_size=d(st.integers(1, 3))),
    lambda d: C("ReLU"),
    lambda d: C("MaxPool2d", kernel_size=2),
    lambda d: C("BatchNorm2d"),
    lambda d: C("Flatten"),
    lambda d: C("Linear", out_features=d(st.integers(1, 5))),
]
KERNELS = st.one_of(st.none(), st.sampled_from(["identity", "sobel_x", "gaussian", "box"]),
                    st.just(("values", ((1.0, 0.0), (0.0, -1.0)))))


@st.composite
def specs(draw):
    return draw(st.sampled_from(SPECS))(draw)


@st.composite
def projects(draw, max_layers: int = 6):
    n = draw(st.integers(0, max_layers))
    layers = tuple(draw(specs()) for _ in range(n))
    kernels = tuple(draw(KERNELS) for _ in range(n))
    inp = InputSpec(draw(st.integers(1, 3)), draw(st.integers(4, 9)), draw(st.integers(4, 9)),
                    draw(st.sampled_from(["sample:astronaut", "pattern:checkerboard", "pictures/cat.png"])),
                    (draw(st.integers(-3, 3)), draw(st.integers(-3, 3))))
    training = draw(st.one_of(st.none(), st.just(TrainConfig())))
    return Project(inp, layers, draw(st.integers(0, 2**31 - 1)), kernels,
                   draw(st.sampled_from(["", "my stack"])), draw(st.sampled_from(["", "w.safetensors"])), training)


def snapshot(p: Project):
    """Everything the project holds, as text: equal before and after means nothing was changed."""
    return repr(p), json.dumps(p.to_dict(), sort_keys=True)


def pairs(p: Project) -> list:
    return list(zip(p.layers, p.kernels))


def same_outside_the_stack(a: Project, b: Project) -> None:
    assert (a.input, a.seed, a.title, a.weights, a.training) == (b.input, b.seed, b.title, b.weights, b.training)


@st.composite
def edit_step(draw, p: Project):
    """One edit of ``p`` as (name, args, the expected (spec, kernel) list)."""
    n = len(p.layers)
    rows = pairs(p)
    kinds = ["add", "seed", "input"] + (["remove", "duplicate", "kernel", "reorder"] if n else []) + \
        (["move"] if n > 1 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "add":
        i, spec, k = draw(st.integers(0, n)), draw(specs()), draw(KERNELS)
        return "add_layer", (i, spec, k), rows[:i] + [(spec, k)] + rows[i:]
    if kind == "remove":
        i = draw(st.integers(0, n - 1))
        return "remove_layer", (i,), rows[:i] + rows[i + 1:]
    if kind == "duplicate":
        i = draw(st.integers(0, n - 1))
        return "duplicate_layer", (i,), rows[:i + 1] + [rows[i]] + rows[i + 1:]
    if kind == "move":
        i = draw(st.integers(0, n - 1))
        d = draw(st.sampled_from([d for d in (-1, 1, -2, 2) if 0 <= i + d < n]))
        out = list(rows)
        out[i], out[i + d] = rows[i + d], rows[i]
        return "move_layer", (i, d), out
    if kind == "reorder":
        order = draw(st.permutations(range(n)))
        return "reorder", (order,), [rows[o] for o in order]
    if kind == "kernel":
        i, k = draw(st.integers(0, n - 1)), draw(KERNELS)
        return "set_kernel", (i, k), rows[:i] + [(rows[i][0], k)] + rows[i + 1:]
    if kind == "seed":
        return "set_seed", (draw(st.integers(0, 2**31 - 1)),), rows
    return "set_input", (InputSpec(1, draw(st.integers(4, 9)), 5, "pattern:checkerboard"),), rows


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_edit_sequences_give_the_expected_projects_and_leave_the_input_alone(data):
    p = data.draw(projects())
    for _ in range(data.draw(st.integers(1, 6))):
        name, args, expected = data.draw(edit_step(p))
        before = snapshot(p)
        new = getattr(edits, name)(p, *args)
        assert new is not p and isinstance(new, Project)
        assert snapshot(p) == before, f"{name} changed the project it was given"
        assert pairs(new) == expected and len(new.kernels) == len(new.layers)
        if name == "set_seed":
            assert new.seed == args[0] and (new.input, new.title, new.weights, new.training) == \
                (p.input, p.title, p.weights, p.training)
        elif name == "set_input":
            assert new.input == args[0] and (new.seed, new.title, new.weights, new.training) == \
                (p.seed, p.title, p.weights, p.training)
        else:
            same_outside_the_stack(new, p)
        p = new


def inverse(order):
    inv = [0] * len(order)
    for k, o in enumerate(order):
        inv[o] = k
    return inv


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_layer_edit_has_an_inverse_that_restores_the_project(data):
    p = data.draw(projects())
    n = len(p.layers)
    order = data.draw(st.permutations(range(n)))
    assert edits.reorder(edits.reorder(p, order), inverse(order)) == p
    i = data.draw(st.integers(0, n))
    spec, k = data.draw(specs()), data.draw(KERNELS)
    assert edits.remove_layer(edits.add_layer(p, i, spec, k), i) == p
    if n:
        i = data.draw(st.integers(0, n - 1))
        assert edits.add_layer(edits.remove_layer(p, i), i, p.layers[i], p.kernels[i]) == p
        assert edits.remove_layer(edits.duplicate_layer(p, i), i + 1) == p
        assert edits.set_kernel(edits.set_kernel(p, i, "box"), i, p.kernels[i]) == p
    if n > 1:
        i = data.draw(st.integers(0, n - 2))
        assert edits.move_layer(edits.move_layer(p, i, 1), i + 1, -1) == p
    assert edits.set_seed(edits.set_seed(p, p.seed + 1), p.seed) == p


def test_out_of_range_layers_and_orders_are_refused():
    p = Project(layers=(C("ReLU"), C("ReLU")))
    for f, args in ((edits.remove_layer, (2,)), (edits.remove_layer, (-1,)), (edits.duplicate_layer, (5,)),
                    (edits.set_kernel, (2, "box")), (edits.set_arg, (-1, "inplace", True)),
                    (edits.move_layer, (0, -1)), (edits.move_layer, (1, 1)), (edits.add_layer, (3, C("ReLU")))):
        with pytest.raises(IndexError):
            f(p, *args)
    for order in ([0], [0, 0], [1, 2], [0, 1, 2]):
        with pytest.raises(ValueError):
            edits.reorder(p, order)
    assert edits.add_layer(p, 2, C("Tanh")).layers[2].type == "Tanh"  # len appends


# --- set_arg -----------------------------------------------------------------------------------------

def first_weight_shape(spec: LayerSpec, c_in: int) -> tuple:
    from torch_oracle import build
    state = build(spec, c_in).state_dict()
    return tuple(next(v for k, v in state.items() if k.endswith("weight")).shape)


@st.composite
def conv_with_typed_kernel(draw):
    """A stack whose last layer is a convolution with typed numbers of its weight's shape, the
    channels it reads set by the layer before it."""
    c0 = draw(st.integers(1, 3))
    c1 = draw(st.integers(1, 4))
    t = draw(st.sampled_from(["Conv2d", "ConvTranspose2d", "DepthwiseSeparable"]))
    spec = C(t, out_channels=draw(st.integers(1, 4)), kernel_size=draw(st.integers(1, 3)))
    shape = first_weight_shape(spec, c1)
    values = ("values", _nested(shape))
    first = C("Conv2d", out_channels=c1, kernel_size=1)
    return Project(InputSpec(c0, 8, 8, "pattern:checkerboard"), (first, spec), 3, (None, values)), c1


def _nested(shape):
    if not shape:
        return 0.5
    return tuple(_nested(shape[1:]) for _ in range(shape[0]))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_set_arg_keeps_typed_numbers_exactly_while_torch_builds_the_same_weight(data):
    p, c_in = data.draw(conv_with_typed_kernel())
    name = data.draw(st.sampled_from(["out_channels", "kernel_size", "stride", "padding", "dilation", "bias"]))
    value = data.draw(st.booleans() if name == "bias" else st.integers(0 if name == "padding" else 1, 4))
    before = snapshot(p)
    new = edits.set_arg(p, 1, name, value)
    assert snapshot(p) == before and new is not p
    assert new.layers[0] == p.layers[0] and new.kernels[0] is None
    assert new.layers[1].type == p.layers[1].type and new.layers[1].get(name) == value
    assert {k: v for k, v in new.layers[1].args if k != name} == {k: v for k, v in p.layers[1].args if k != name}
    same_outside_the_stack(new, p)
    fits = first_weight_shape(new.layers[1], c_in) == first_weight_shape(p.layers[1], c_in)
    assert new.kernels[1] == (p.kernels[1] if fits else None)


def test_set_arg_keeps_named_kernels_and_removes_an_optional_argument_with_none():
    p = Project(layers=(C("Conv2d", out_channels=2, kernel_size=3, stride=2),), kernels=("sobel_x",))
    assert edits.set_arg(p, 0, "kernel_size", 5).kernels == ("sobel_x",)
    q = edits.set_arg(p, 0, "stride", None)
    assert "stride" not in dict(q.layers[0].args) and q.layers[0].get("stride") == 1


@pytest.mark.parametrize("name, value", [("kernel_size", 0), ("stride", -1), ("out_channels", "abc"),
                                         ("padding", "sometimes"), ("out_channels", None), ("bias", 3),
                                         ("kernel_size", (1, 2, 3)), ("dilation", 1.5), ("no_such_arg", 1)])
def test_set_arg_refuses_a_bad_value_with_one_sentence_and_changes_nothing(name, value):
    p = Project(layers=(C("Conv2d", out_channels=2, kernel_size=3),), kernels=(("values", ((1.0,),)),))
    before = snapshot(p)
    with pytest.raises(SpecError) as e:
        edits.set_arg(p, 0, name, value)
    text = str(e.value)
    assert text and "\n" not in text and name in text and "Traceback" not in text
    assert snapshot(p) == before


# --- File > New --------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["sample:astronaut", "pattern:checkerboard", "pictures/cat.png",
                                    "/abs/cat.png"])
def test_empty_like_is_an_empty_stack_on_the_same_input(tmp_path, source):
    p = Project(InputSpec(3, 20, 30, source, (2, -1), "crop"), (C("ReLU"), C("Conv2d", out_channels=2, kernel_size=3)),
                42, (None, "box"), "mine", "w.safetensors", TrainConfig())
    before = snapshot(p)
    new = edits.empty_like(p, str(tmp_path))
    assert snapshot(p) == before
    expected = source if source.startswith(("sample:", "pattern:")) or os.path.isabs(source) \
        else os.path.join(str(tmp_path), source)
    assert new == Project(InputSpec(3, 20, 30, expected, (0, 0), "crop"), seed=42)
