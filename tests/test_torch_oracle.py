"""The validator, the arithmetic and torch agree: accept/reject, output shape, parameter count
and (for the convolutions and Linear) 2 x MACs == FlopCounterMode's FLOPs, on thousands of
generated layers and stacks, classifier layers (Flatten, Linear, Dropout, AdaptiveMaxPool2d) and
shapes of every rank included."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from convviz.spec import LayerSpec
from convviz.validate import analyze
from strategies import STRATEGIES
from torch_oracle import run

EXAMPLES = {"Conv2d": 3000, "ConvTranspose2d": 2000, "DepthwiseSeparable": 1500, "MaxPool2d": 2500,
            "AvgPool2d": 2500, "AdaptiveAvgPool2d": 1000, "BatchNorm2d": 1000, "activation": 1000,
            # classifier layers (issue 13)
            "AdaptiveMaxPool2d": 1000, "Flatten": 1500, "Linear": 2000, "Dropout": 800, "activation_any": 600,
            "spatial_on_vectors": 800}
FLOPS = {"Conv2d", "ConvTranspose2d", "DepthwiseSeparable", "Linear"}


def _negative_padding(spec):
    p = spec.get("padding")
    return not isinstance(p, str) and min(p if isinstance(p, tuple) else (p,)) < 0


def _as_pair(v):
    return v if isinstance(v, tuple) else (v, v)


def divergent(spec, shape=None) -> bool:
    """The documented places where convviz refuses what torch lets through
    (docs/project-format.md, "Where convviz is stricter than torch").

    * With a non-zeros padding_mode, torch's F.pad treats negative padding as cropping and runs;
      convviz refuses negative padding everywhere (cropping is not padding).
    * Torch's "dilation should be greater than zero" check for ConvTranspose2d is skipped on some
      backend paths (grouped, 1x1 inputs); convviz refuses dilation 0 always.

    On an example of ``shape`` (when given):

    * A 2-D layer on anything but (C, H, W) maps: torch reads a batch of one rank-2 example as
      a single unbatched image (and AdaptiveAvgPool2d even a batch of one vector); convviz
      refuses (the batch would become the channels).
    * Flatten with start_dim 0 joins the batch into the values; convviz refuses.
    * AdaptiveMaxPool2d(return_indices=True) returns a pair, which no next layer reads; convviz
      refuses it.
    """
    if spec.type in ("Conv2d", "DepthwiseSeparable") and _negative_padding(spec) \
            and spec.get("padding_mode") != "zeros":
        return True
    if spec.type == "ConvTranspose2d" and 0 in _as_pair(spec.get("dilation")):
        return True
    if spec.type == "AdaptiveMaxPool2d" and spec.get("return_indices"):
        return True
    if shape is not None and spec.layer_type.spatial and (
            len(shape) == 2 or (len(shape) == 1 and spec.type == "AdaptiveAvgPool2d")):
        return True  # (torch refuses the other 2-D layers on a batch of vectors, as convviz does)
    if shape is not None and spec.type == "Flatten":
        n = len(shape) + 1
        s, e = spec.get("start_dim"), spec.get("end_dim")
        if isinstance(s, int) and isinstance(e, int) and -n <= s < n and -n <= e < n and s % n == 0 < e % n:
            return True
    return False


def check_against_torch(spec, shape):
    info = analyze(shape, [spec]).layers[0]
    if divergent(spec, shape):
        assert not info.ok and " — " in info.error, (spec, shape, info.error)
        return
    ok, out, n_params, flops = run(spec, shape, flops=spec.type in FLOPS)
    assert info.ok == ok, (f"{spec} on {shape}: convviz says {info.error or 'valid'}; torch says "
                           f"{out if not ok else 'valid'}")
    if ok:
        assert info.out_shape == out, f"{spec} on {shape}"
        assert info.params == n_params, f"{spec} on {shape}"
        if flops is not None:
            assert 2 * info.macs == flops, f"{spec} on {shape}"
    else:
        assert info.error.startswith(f"Layer 0 ({spec.type}): ")
        assert " — " in info.error, "every message says what to change"


@pytest.mark.parametrize("kind", list(STRATEGIES))
def test_layer_agrees_with_torch(kind):
    @settings(max_examples=EXAMPLES[kind], deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(STRATEGIES[kind])
    def inner(case):
        check_against_torch(*case)

    inner()


@settings(max_examples=600, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.data())
def test_stacks_agree_with_torch(data):
    """Whole stacks: in_channels inferred from the layer before, the first invalid layer found
    where torch fails, every shape before it equal to torch's."""
    import torch

    shape = (data.draw(st.integers(1, 4)), data.draw(st.integers(4, 20)), data.draw(st.integers(4, 20)))
    kinds = data.draw(st.lists(st.sampled_from(["Conv2d", "MaxPool2d", "AvgPool2d", "ConvTranspose2d",
                                                "DepthwiseSeparable", "BatchNorm2d", "activation"]),
                               min_size=2, max_size=4))
    specs = []
    for k in kinds:
        spec, _ = data.draw(STRATEGIES[k])
        if spec.given("in_channels") and data.draw(st.booleans()):
            spec = LayerSpec(spec.type, tuple(a for a in spec.args if a[0] != "in_channels"))
        assume(not divergent(spec, (1, 1, 1)))
        specs.append(spec)
    info = analyze(shape, specs)
    x = torch.zeros((1, *shape))
    for spec, layer in zip(specs, info.layers):
        ok, out, _, _ = run(spec, tuple(x.shape[1:]))
        assert layer.ok == ok, f"{spec} on {tuple(x.shape[1:])}: {layer.error} / {out}"
        if not ok:
            break
        assert layer.out_shape == out
        x = torch.zeros((1, *out))


CLASSIFIER_KINDS = ["Conv2d", "Conv2d", "MaxPool2d", "AdaptiveMaxPool2d", "AdaptiveAvgPool2d", "BatchNorm2d",
                    "activation", "Flatten", "Flatten", "Linear", "Linear", "Linear", "Dropout"]


@settings(max_examples=800, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.data())
def test_classifier_stacks_agree_with_torch(data):
    """Stacks that mix convolutions and pooling with Flatten, Linear and Dropout: every shape
    (vectors included) torch's, in_features inferred from the last dimension, the parameter
    count and the FLOPs torch's, the first invalid layer where torch fails (or, for a 2-D
    layer after a Flatten, refused with a sentence)."""
    shape = (data.draw(st.integers(1, 4)), data.draw(st.integers(3, 16)), data.draw(st.integers(3, 16)))
    kinds = data.draw(st.lists(st.sampled_from(CLASSIFIER_KINDS), min_size=2, max_size=6))
    specs = []
    for k in kinds:
        spec, _ = data.draw(STRATEGIES[k])
        inferred = [a for a in ("in_channels", "num_features", "in_features") if spec.given(a)]
        if inferred and data.draw(st.integers(0, 3)):
            spec = LayerSpec(spec.type, tuple(a for a in spec.args if a[0] not in inferred))
        specs.append(spec)
    info = analyze(shape, specs)
    x = shape
    for spec, layer in zip(specs, info.layers):
        assert layer.in_shape == x
        if divergent(spec, x):
            assert not layer.ok and " — " in layer.error
            return
        ok, out, n_params, flops = run(spec, x, flops=True)
        assert layer.ok == ok, f"{spec} on {x}: {layer.error} / {out}"
        if not ok:
            assert " — " in layer.error
            return
        assert layer.out_shape == out and layer.params == n_params, (spec, x)
        assert 2 * layer.macs == flops, (spec, x, layer.macs, flops)
        x = out
    assert info.ok and info.output_shape == x


def test_the_oracle_counts_only_torch_refusals(monkeypatch):
    """A torch refusal is a rejection; an exception of the oracle's own (or anything but torch's
    RuntimeError/ValueError) fails the test instead of passing as "torch rejects"."""
    import torch_oracle

    ok, text, _, _ = run(LayerSpec.make("Conv2d", out_channels=1, kernel_size=5), (1, 3, 3))
    assert not ok and text.startswith("RuntimeError")  # torch's own "kernel size can't be greater"

    def broken_build(spec, c_in):
        raise ValueError("a bug in the oracle")
    monkeypatch.setattr(torch_oracle, "build", broken_build)
    with pytest.raises(ValueError, match="a bug in the oracle"):
        run(LayerSpec.make("Conv2d", out_channels=1, kernel_size=1), (1, 3, 3))

    def wrong_type(spec, c_in):
        return torch_oracle.nn.Conv2d(c_in, 1, kernel_size="three")  # TypeError inside torch
    monkeypatch.setattr(torch_oracle, "build", wrong_type)
    with pytest.raises(TypeError):
        run(LayerSpec.make("Conv2d", out_channels=1, kernel_size=1), (1, 3, 3))


def _huge_stack(data):
    """Stacks whose maps grow past what a tensor can address: transposed convolutions with large
    strides, and layers after them."""
    shape = (data.draw(st.integers(1, 64)), data.draw(st.integers(1, 4096)), data.draw(st.integers(1, 4096)))
    specs = []
    big = st.one_of(st.integers(1, 64), st.just(64))
    for kind in data.draw(st.lists(st.sampled_from(["T", "T", "T", "T", "C", "P", "A", "B"]), min_size=1, max_size=6)):
        if kind == "T":
            specs.append(LayerSpec.make("ConvTranspose2d", out_channels=data.draw(st.sampled_from([1, 2, 3, 64, 4096])),
                                        kernel_size=data.draw(big), stride=data.draw(big)))
        elif kind == "C":
            specs.append(LayerSpec.make("Conv2d", out_channels=data.draw(st.sampled_from([1, 2, 4096])),
                                        kernel_size=data.draw(st.integers(1, 64)), stride=data.draw(st.integers(1, 64))))
        elif kind == "P":
            specs.append(LayerSpec.make("MaxPool2d", kernel_size=data.draw(st.integers(1, 64))))
        elif kind == "A":
            specs.append(LayerSpec.make("AdaptiveAvgPool2d", output_size=data.draw(st.integers(1, 4096))))
        else:
            specs.append(LayerSpec.make("BatchNorm2d"))
    return shape, specs


@settings(max_examples=400, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_huge_stacks_agree_with_torch_on_the_meta_device(data):
    """Maps too large for any memory are still shapes: on torch's meta device (nothing
    allocated) torch accepts exactly the layers convviz accepts, with the same shapes, and
    refuses an output whose size in bytes overflows 64 bits ("Storage size calculation
    overflowed") where convviz marks the layer with a sentence."""
    shape, specs = _huge_stack(data)
    info = analyze(shape, specs)
    x = shape
    for spec, layer in zip(specs, info.layers):
        ok, out, n_params, _ = run(spec, x, device="meta")
        assert layer.ok == ok, f"{spec} on {x}: convviz says {layer.error or 'valid'}; torch says {out}"
        if not ok:
            assert " — " in layer.error
            break
        assert layer.out_shape == out and layer.params == n_params
        x = out


@pytest.mark.parametrize("out_channels, accepted", [(1, True), (2, False)])
def test_tensor_size_limit_is_torchs(out_channels, accepted):
    """The exact boundary: (1, 2^30, 2^30) float32 is 2^62 bytes, (2, 2^30, 2^30) is 2^63."""
    spec = LayerSpec.make("ConvTranspose2d", out_channels=out_channels, kernel_size=64, stride=64)
    ok, out, _, _ = run(spec, (1, 2**24, 2**24), device="meta")
    layer = analyze((1, 2**24, 2**24), [spec]).layers[0]
    assert ok == layer.ok == accepted, (out, layer.error)
    if not accepted:
        assert "Storage size calculation overflowed" in out
        assert "more than a tensor can hold" in layer.error
