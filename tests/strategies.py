"""Hypothesis strategies for layer specs, including the values torch rejects.

Specs are built with the raw LayerSpec constructor, bypassing the loader's range checks, so
that zero strides, negative padding and the like reach the validator as they would reach torch.
"""
from __future__ import annotations

from hypothesis import strategies as st

from convviz.spec import LAYER_TYPES, PADDING_MODES, LayerSpec

small_in = st.integers(1, 14)


def int_or_pair(lo: int, hi: int, bad: int | None = None):
    v = st.integers(lo, hi)
    if bad is not None:
        v = st.one_of(v, v, v, v, v, v, v, v, v, st.just(bad))  # ~10% out of range
    return st.one_of(v, st.tuples(v, v))


def raw_spec(type_: str, kwargs: dict) -> LayerSpec:
    order = LAYER_TYPES[type_].arg_names
    return LayerSpec(type_, tuple((k, kwargs[k]) for k in order if k in kwargs))


@st.composite
def input_shapes(draw, max_c: int = 6):
    return (draw(st.integers(1, max_c)), draw(small_in), draw(small_in))


@st.composite
def maybe(draw, name: str, strategy, kwargs: dict, p_given: float = 0.6):
    if draw(st.floats(0, 1)) < p_given:
        kwargs[name] = draw(strategy)


def _channels(draw, kw: dict, shape, name="in_channels"):
    r = draw(st.integers(0, 9))
    if r == 0:
        kw[name] = draw(st.integers(1, 8))  # may be wrong
    elif r <= 2:
        kw[name] = shape[0]


@st.composite
def conv2d(draw):
    shape = draw(input_shapes())
    kw: dict = {}
    _channels(draw, kw, shape)
    g = draw(st.one_of(st.integers(1, 3), st.just(shape[0]), st.just(0) if draw(st.integers(0, 30)) == 0 else st.just(1)))
    kw["out_channels"] = draw(st.one_of(st.integers(1, 6), st.just(max(g, 1) * draw(st.integers(1, 3)))))
    kw["kernel_size"] = draw(int_or_pair(1, 6, bad=0))
    if draw(st.booleans()):
        kw["stride"] = draw(int_or_pair(1, 4, bad=0))
    if draw(st.booleans()):
        kw["padding"] = draw(st.one_of(int_or_pair(0, 5, bad=-1), st.sampled_from(["same", "valid"])))
    if draw(st.booleans()):
        kw["dilation"] = draw(int_or_pair(1, 3, bad=0))
    if g != 1 or draw(st.booleans()):
        kw["groups"] = g
    if draw(st.booleans()):
        kw["bias"] = draw(st.booleans())
    if draw(st.booleans()):
        kw["padding_mode"] = draw(st.sampled_from(PADDING_MODES))
    return raw_spec("Conv2d", kw), shape


@st.composite
def depthwise_separable(draw):
    shape = draw(input_shapes())
    kw: dict = {}
    _channels(draw, kw, shape)
    kw["out_channels"] = draw(st.integers(1, 6))
    kw["kernel_size"] = draw(int_or_pair(1, 6))
    if draw(st.booleans()):
        kw["stride"] = draw(int_or_pair(1, 3))
    if draw(st.booleans()):
        kw["padding"] = draw(st.one_of(int_or_pair(0, 4), st.sampled_from(["same", "valid"])))
    if draw(st.booleans()):
        kw["dilation"] = draw(int_or_pair(1, 3))
    if draw(st.booleans()):
        kw["bias"] = draw(st.booleans())
    if draw(st.booleans()):
        kw["padding_mode"] = draw(st.sampled_from(PADDING_MODES))
    return raw_spec("DepthwiseSeparable", kw), shape


@st.composite
def conv_transpose2d(draw):
    shape = draw(input_shapes())
    kw: dict = {}
    _channels(draw, kw, shape)
    g = draw(st.one_of(st.integers(1, 3), st.just(shape[0])))
    kw["out_channels"] = draw(st.one_of(st.integers(1, 6), st.just(g * draw(st.integers(1, 3)))))
    kw["kernel_size"] = draw(int_or_pair(1, 5, bad=0))
    if draw(st.booleans()):
        kw["stride"] = draw(int_or_pair(1, 4, bad=0))
    if draw(st.booleans()):
        kw["padding"] = draw(int_or_pair(0, 6, bad=-1))
    if draw(st.booleans()):
        kw["output_padding"] = draw(int_or_pair(0, 3))
    if draw(st.booleans()):
        kw["dilation"] = draw(int_or_pair(1, 3, bad=0))
    if g != 1 or draw(st.booleans()):
        kw["groups"] = g
    if draw(st.booleans()):
        kw["bias"] = draw(st.booleans())
    if draw(st.integers(0, 5)) == 0:
        kw["padding_mode"] = draw(st.sampled_from(PADDING_MODES))
    return raw_spec("ConvTranspose2d", kw), shape


@st.composite
def max_pool2d(draw):
    shape = draw(input_shapes())
    kw: dict = {"kernel_size": draw(int_or_pair(1, 6, bad=0))}
    if draw(st.booleans()):
        kw["stride"] = draw(st.one_of(int_or_pair(1, 4, bad=0), st.none()))
    if draw(st.booleans()):
        kw["padding"] = draw(int_or_pair(0, 3, bad=-1))
    if draw(st.booleans()):
        kw["dilation"] = draw(int_or_pair(1, 3, bad=0))
    if draw(st.booleans()):
        kw["ceil_mode"] = draw(st.booleans())
    return raw_spec("MaxPool2d", kw), shape


@st.composite
def avg_pool2d(draw):
    shape = draw(input_shapes())
    kw: dict = {"kernel_size": draw(int_or_pair(1, 6, bad=0))}
    if draw(st.booleans()):
        kw["stride"] = draw(st.one_of(int_or_pair(1, 4, bad=0), st.none()))
    if draw(st.booleans()):
        kw["padding"] = draw(int_or_pair(0, 3, bad=-1))
    if draw(st.booleans()):
        kw["ceil_mode"] = draw(st.booleans())
    if draw(st.booleans()):
        kw["count_include_pad"] = draw(st.booleans())
    if draw(st.integers(0, 4)) == 0:
        kw["divisor_override"] = draw(st.integers(1, 9))
    return raw_spec("AvgPool2d", kw), shape


@st.composite
def adaptive_avg_pool2d(draw):
    shape = draw(input_shapes())
    return raw_spec("AdaptiveAvgPool2d", {"output_size": draw(int_or_pair(1, 16))}), shape


@st.composite
def batch_norm2d(draw):
    shape = draw(input_shapes())
    kw: dict = {}
    _channels(draw, kw, shape, "num_features")
    if draw(st.booleans()):
        kw["affine"] = draw(st.booleans())
    if draw(st.booleans()):
        kw["track_running_stats"] = draw(st.booleans())
    return raw_spec("BatchNorm2d", kw), shape


@st.composite
def activation(draw):
    shape = draw(input_shapes())
    t = draw(st.sampled_from(["ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU"]))
    kw: dict = {}
    if t == "LeakyReLU" and draw(st.booleans()):
        kw["negative_slope"] = draw(st.floats(-2, 2))
    if t == "GELU" and draw(st.booleans()):
        kw["approximate"] = draw(st.sampled_from(["none", "tanh"]))
    return raw_spec(t, kw), shape


STRATEGIES = {
    "Conv2d": conv2d(),
    "ConvTranspose2d": conv_transpose2d(),
    "DepthwiseSeparable": depthwise_separable(),
    "MaxPool2d": max_pool2d(),
    "AvgPool2d": avg_pool2d(),
    "AdaptiveAvgPool2d": adaptive_avg_pool2d(),
    "BatchNorm2d": batch_norm2d(),
    "activation": activation(),
}


# --- classifier layers: shapes of any rank (a vector after Flatten) --------------------------

@st.composite
def any_shapes(draw):
    """An example's shape: a (C, H, W) map, a vector (F,) or a rank-2 shape (A, B)."""
    rank = draw(st.sampled_from([1, 2, 3, 3]))
    if rank == 3:
        return draw(input_shapes())
    if rank == 2:
        return (draw(st.integers(1, 6)), draw(st.integers(1, 40)))
    return (draw(st.integers(1, 600)),)


@st.composite
def flatten(draw):
    shape = draw(any_shapes())
    kw: dict = {}
    dims = st.one_of(st.integers(-3, 3), st.integers(-5, 4))  # some outside the input's dimensions
    if draw(st.booleans()):
        kw["start_dim"] = draw(dims)
    if draw(st.booleans()):
        kw["end_dim"] = draw(dims)
    return raw_spec("Flatten", kw), shape


@st.composite
def linear(draw):
    shape = draw(any_shapes())
    kw: dict = {}
    r = draw(st.integers(0, 9))
    if r == 0:
        kw["in_features"] = draw(st.integers(1, 40))  # may be wrong
    elif r == 1:
        kw["in_features"] = shape[-1]
    elif r == 2:
        n = 1
        for v in shape:
            n *= v
        kw["in_features"] = n  # all the values: right only for a vector
    kw["out_features"] = draw(st.one_of(st.integers(1, 12), st.integers(1, 300)))
    if draw(st.booleans()):
        kw["bias"] = draw(st.booleans())
    return raw_spec("Linear", kw), shape


@st.composite
def dropout(draw):
    shape = draw(any_shapes())
    kw: dict = {}
    if draw(st.booleans()):
        kw["p"] = draw(st.one_of(st.floats(0, 1), st.sampled_from([0.0, 1.0, -0.25, 1.5])))
    if draw(st.booleans()):
        kw["inplace"] = draw(st.booleans())
    return raw_spec("Dropout", kw), shape


@st.composite
def adaptive_max_pool2d(draw):
    shape = draw(input_shapes())
    kw: dict = {"output_size": draw(int_or_pair(1, 16))}
    if draw(st.integers(0, 5)) == 0:
        kw["return_indices"] = draw(st.booleans())
    return raw_spec("AdaptiveMaxPool2d", kw), shape


@st.composite
def spatial_on_vectors(draw):
    """A 2-D layer (as the generators above draw it) after a Flatten: on a vector or a rank-2
    shape, which convviz refuses with a sentence."""
    kind = draw(st.sampled_from(["Conv2d", "ConvTranspose2d", "DepthwiseSeparable", "MaxPool2d", "AvgPool2d",
                                 "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "BatchNorm2d"]))
    spec, _ = draw(STRATEGIES[kind])
    shape = draw(any_shapes().filter(lambda s: len(s) != 3))
    return spec, shape


@st.composite
def activation_any(draw):
    spec, _ = draw(activation())
    return spec, draw(any_shapes())


STRATEGIES.update({
    "AdaptiveMaxPool2d": adaptive_max_pool2d(),
    "Flatten": flatten(),
    "Linear": linear(),
    "Dropout": dropout(),
    "activation_any": activation_any(),
    "spatial_on_vectors": spatial_on_vectors(),
})
