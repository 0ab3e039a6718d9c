"""The validator, the arithmetic and torch agree: accept/reject, output shape, parameter count
and (for the convolutions) 2 x MACs == FlopCounterMode's FLOPs, on thousands of generated layers."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from convviz.spec import LayerSpec
from convviz.validate import analyze
from strategies import STRATEGIES
from torch_oracle import run

EXAMPLES = {"Conv2d": 3000, "ConvTranspose2d": 2000, "DepthwiseSeparable": 1500, "MaxPool2d": 2500,
            "AvgPool2d": 2500, "AdaptiveAvgPool2d": 1000, "BatchNorm2d": 1000, "activation": 1000}
FLOPS = {"Conv2d", "ConvTranspose2d", "DepthwiseSeparable"}


def _negative_padding(spec):
    p = spec.get("padding")
    return not isinstance(p, str) and min(p if isinstance(p, tuple) else (p,)) < 0


def _as_pair(v):
    return v if isinstance(v, tuple) else (v, v)


def divergent(spec) -> bool:
    """The two documented places where convviz refuses what torch lets through
    (docs/project-format.md, "Where convviz is stricter than torch").

    * With a non-zeros padding_mode, torch's F.pad treats negative padding as cropping and runs;
      convviz refuses negative padding everywhere (cropping is not padding).
    * Torch's "dilation should be greater than zero" check for ConvTranspose2d is skipped on some
      backend paths (grouped, 1x1 inputs); convviz refuses dilation 0 always.
    """
    if spec.type in ("Conv2d", "DepthwiseSeparable") and _negative_padding(spec) \
            and spec.get("padding_mode") != "zeros":
        return True
    return spec.type == "ConvTranspose2d" and 0 in _as_pair(spec.get("dilation"))


def check_against_torch(spec, shape):
    info = analyze(shape, [spec]).layers[0]
    if divergent(spec):
        assert not info.ok and " — " in info.error
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
        assume(not divergent(spec))
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
