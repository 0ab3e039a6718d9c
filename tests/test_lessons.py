"""The walkthrough's questions (convviz.lessons): every answer, and every typical wrong answer the
diagnosis names, checked against torch doing the same thing right, or with that one step done
wrong (padding one side, dilation 1, stride 1, bias off, groups 1 ...)."""
from __future__ import annotations

import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convviz import lessons as L
from convviz.samples import load_preset
from convviz.spec import LayerSpec

SEEDS = range(25)


def questions(kind, project=None, seeds=SEEDS):
    return [L.random_question(kind, random.Random(f"{kind}-{s}"), project) for s in seeds]


def mistakes(q) -> dict:
    return dict(q.mistakes)


def assert_diagnosed(q):
    """Each computed mistake is told apart from the answer and named when typed."""
    assert q.is_right(q.answer) and q.diagnose(q.answer) is None
    for key, wrong in q.mistakes:
        assert key in L.MISTAKES
        assert not q.is_right(wrong)
        assert q.diagnose(wrong) == key, (q.kind, q.params, key, wrong)


def conv_h(n, k, s=1, p=0, d=1, pad_rows=None) -> int:
    x = torch.zeros(1, 1, n, 16)  # only the height matters; a wide input fits every kernel
    if pad_rows is not None:
        x = F.pad(x, (0, 0, *pad_rows))
        p = 0
    with torch.no_grad():
        return torch.nn.Conv2d(1, 1, k, stride=s, padding=(p, 0), dilation=d)(x).shape[2]


def test_output_size_and_its_mistakes_against_torch():
    for q in questions("output_size", seeds=range(60)):
        n, k, s, p, d = (q.params[x] for x in "nkspd")
        assert q.answer == conv_h(n, k, s, p, d)
        m = mistakes(q)
        if "one_side" in m:
            assert m["one_side"] == conv_h(n, k, s, d=d, pad_rows=(p, 0))
        if "dilation" in m:
            assert m["dilation"] == conv_h(n, k, s, p, 1)
        if "no_padding" in m:
            assert m["no_padding"] == conv_h(n, k, s, 0, d)
        if "stride" in m:
            assert m["stride"] == conv_h(n, k, 1, p, d)
        if "floor" in m:  # the real division rounded up instead of down
            assert m["floor"] == int(np.ceil((n + 2 * p - d * (k - 1) - 1) / s)) + 1
        assert_diagnosed(q)
    # the typical mistakes do occur among the questions asked
    seen = {key for q in questions("output_size", seeds=range(60)) for key, _ in q.mistakes}
    assert {"floor", "one_side", "dilation", "no_padding", "plus_one", "stride"} <= seen


def test_parameter_count_against_torch():
    seen = set()
    for q in questions("params"):
        p = q.params
        conv = torch.nn.Conv2d(p["c"], p["k"], p["kernel"], groups=p["groups"], bias=p["bias"])
        assert q.answer == sum(t.numel() for t in conv.parameters())
        m = mistakes(q)
        if "no_bias" in m:
            assert m["no_bias"] == conv.weight.numel()
        if "groups" in m:
            assert m["groups"] == sum(t.numel() for t in torch.nn.Conv2d(p["c"], p["k"], p["kernel"],
                                                                         bias=p["bias"]).parameters())
        if "one_kernel" in m:
            assert m["one_kernel"] == conv.weight[0].numel() + (1 if p["bias"] else 0)
        assert_diagnosed(q)
        seen |= set(m)
    assert {"no_bias", "groups", "no_in_channels", "one_kernel", "macs"} <= seen


def test_output_tensor_size_against_torch():
    for q in questions("tensor"):
        p = q.params
        x = torch.zeros(p["batch"], p["c"], p["n"], p["n"])
        with torch.no_grad():
            y = torch.nn.Conv2d(p["c"], p["k"], p["kernel"])(x)
        assert q.answer == y.numel()
        assert mistakes(q).get("batch", y[0].numel()) == y[0].numel()
        assert_diagnosed(q)


def test_reflect_padding_cell_against_torch():
    project = load_preset("lesson_padding")
    for q in questions("reflect", project):
        p = q.params
        x = torch.tensor(p["values"])[None, None]
        pad = (p["pad"],) * 4
        cell = lambda t: float(t[0, 0, p["row"], p["col"]])  # noqa: E731
        assert q.answer == cell(F.pad(x, pad, mode="reflect"))
        m = mistakes(q)
        for key, mode in (("replicate", "replicate"), ("circular", "circular")):
            if key in m:
                assert m[key] == cell(F.pad(x, pad, mode=mode))
        if "zeros" in m:
            assert m["zeros"] == cell(F.pad(x, pad))
        if "symmetric" in m:
            assert m["symmetric"] == np.pad(np.array(p["values"]), p["pad"], mode="symmetric")[p["row"], p["col"]]
        assert_diagnosed(q)
        assert not (p["pad"] <= p["row"] < p["pad"] + 4 and p["pad"] <= p["col"] < p["pad"] + 4), "a padding cell"


def test_dropped_rows_against_torch():
    seen = set()
    for q in questions("dropped", seeds=range(60)):
        n, k, s, p, d = (q.params[x] for x in "nkspd")
        o = conv_h(n, k, s, p, d)
        reached = (o - 1) * s + d * (k - 1) + 1  # rows of the padded input the last window reaches
        assert q.answer == n + 2 * p - reached
        m = mistakes(q)
        if "dropped_no_padding" in m:
            o0 = conv_h(n, k, s, 0, d)
            assert m["dropped_no_padding"] == n - ((o0 - 1) * s + d * (k - 1) + 1)
        assert_diagnosed(q)
        seen |= set(m)
    assert {"dropped_no_padding", "dilation", "one_side"} <= seen


def torch_field(layer_dicts, upto: int, size: int = 96) -> int:
    """The height of the input rows one central output pixel of layer ``upto`` depends on, by
    torch's autograd (weights 1, max pooling as average pooling: the same windows)."""
    mods = []
    c = 1
    for d in layer_dicts[:upto + 1]:
        s = LayerSpec.from_dict(d)
        if s.type == "Conv2d":
            conv = torch.nn.Conv2d(c, 1, s.get("kernel_size"), stride=s.get("stride"), padding=s.get("padding"),
                                   dilation=s.get("dilation"), bias=False)
            torch.nn.init.ones_(conv.weight)
            mods.append(conv)
            c = 1
        elif s.type in ("MaxPool2d", "AvgPool2d"):
            mods.append(torch.nn.AvgPool2d(s.get("kernel_size"), stride=s.get("stride")))
    x = torch.ones(1, 1, size, size, requires_grad=True)
    y = torch.nn.Sequential(*mods)(x)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
    return int(rows.max() - rows.min() + 1)


def test_receptive_field_from_the_stack_against_torch():
    project = load_preset("teaching")
    seen = set()
    for q in questions("field", project, range(12)):
        assert q.answer == torch_field(q.params["layers"], q.params["upto"])
        assert q.answer == L.field_recurrence(q.params["layers"], q.params["input"], q.params["upto"])
        assert_diagnosed(q)
        seen |= set(mistakes(q))
    assert {"jump", "k_not_k1", "skip_pool"} <= seen


def test_field_after_a_dilation_edit_against_torch():
    project = load_preset("dilated")
    seen = set()
    for q in questions("field_edit", project, range(12)):
        p = q.params
        edited = [dict(d) for d in p["layers"]]
        edited[p["layer"]] = {**edited[p["layer"]], "dilation": p["dilation"], "padding": p["dilation"]}
        last = len(edited) - 1
        assert q.answer == torch_field(edited, last, 72)
        assert mistakes(q)["old_field"] == torch_field(p["layers"], last, 72)
        assert_diagnosed(q)
        seen |= set(mistakes(q))
    assert {"old_field", "rf_dilation", "k_not_k1"} <= seen


def torch_flops(module, shape) -> int:
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as fc, torch.no_grad():
        module(torch.zeros(1, *shape))
    return fc.get_total_flops()


def test_cost_ratio_against_torch_flop_counter():
    for q in questions("cost", seeds=range(8)):
        p = q.params
        c, n, k, h = p["c"], p["n"], p["k"], p["h"]
        sep = torch.nn.Sequential(torch.nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False),
                                  torch.nn.Conv2d(c, n, 1, bias=False))
        std = torch.nn.Conv2d(c, n, k, padding=k // 2, bias=False)
        h = 8  # the ratio does not depend on the map size (same padding); a small map keeps this fast
        ratio = torch_flops(sep, (c, h, h)) / torch_flops(std, (c, h, h))
        assert q.answer == pytest.approx(ratio, rel=1e-12)
        assert q.is_right(float(f"{ratio:.3g}")) and q.is_right(L.parse_answer(f"1/{n} + 1/{k * k}"))
        assert_diagnosed(q)
        assert set(mistakes(q)) <= {"only_depthwise", "only_pointwise", "multiplied", "no_square"}


def test_transposed_output_size_against_torch():
    seen = set()
    for q in questions("transposed", seeds=range(60)):
        n, k, s, p, op, d = (q.params[x] for x in ("n", "k", "s", "p", "op", "d"))
        x = torch.zeros(1, 1, n, n)
        with torch.no_grad():
            t = lambda **kw: torch.nn.ConvTranspose2d(1, 1, k, **{"stride": s, "padding": p, "output_padding": op,  # noqa: E731
                                                                  "dilation": d, **kw})(x).shape[2]
            assert q.answer == t()
            m = mistakes(q)
            if "no_output_padding" in m:
                assert m["no_output_padding"] == t(output_padding=0)
            if "dilation" in m and op < s:
                assert m["dilation"] == t(dilation=1)
            if "conv_formula" in m:
                assert m["conv_formula"] == conv_h(n, k, s, p, d)
        assert_diagnosed(q)
        seen |= set(m)
    assert {"conv_formula", "no_output_padding", "padding_added", "n_not_n1", "dilation"} <= seen


def test_the_map_follows_the_shift_against_torch():
    """A horse-like blob moved by dx on a larger zero canvas (no wrap-around): the map moves by
    the question's answer; 0 (invariance) is a named mistake."""
    rng = np.random.default_rng(0)
    blob = torch.tensor(rng.random((12, 10)), dtype=torch.float32)
    for q in questions("shift", seeds=range(10)):
        mods = []
        for d in q.params["layers"]:
            s = LayerSpec.from_dict(d)
            mods.append(torch.nn.Conv2d(1, 1, 5, stride=s.get("stride")) if s.type == "Conv2d"
                        else torch.nn.MaxPool2d(s.get("kernel_size")))
        net = torch.nn.Sequential(*mods)
        dx = q.params["dx"]
        a, b = torch.zeros(1, 1, 32, 96), torch.zeros(1, 1, 32, 96)
        a[0, 0, 10:22, 20:30] = blob
        b[0, 0, 10:22, 20 + dx:30 + dx] = blob
        with torch.no_grad():
            ya, yb = net(a), net(b)
        m = int(q.answer)
        torch.testing.assert_close(yb[..., m:], ya[..., :ya.shape[-1] - m])
        assert mistakes(q)["invariant"] == 0
        assert_diagnosed(q)


def test_every_kind_builds_again_from_its_stored_numbers():
    import json
    projects = {"reflect": load_preset("lesson_padding"), "field": load_preset("teaching"),
                "field_edit": load_preset("dilated")}
    for kind in L.KINDS:
        q = L.random_question(kind, random.Random(3), projects.get(kind))
        again = L.build(kind, json.loads(json.dumps(q.params)))
        assert again == q and str(again.prompt) == str(q.prompt)
        assert q.concept in L.CONCEPTS


def test_parse_answer():
    assert L.parse_answer(" 12 ") == 12 and L.parse_answer("12.5%") == 0.125
    assert L.parse_answer("1/64 + 1/9") == pytest.approx(1 / 64 + 1 / 9)
    for bad in ("", "abc", "1/0", "1e999", "nan", "--1"):
        assert L.parse_answer(bad) is None


def test_progress_counts_answers_and_survives_bad_settings():
    p = L.Progress()
    p.record("output_size", True)
    p.record("output_size", False)
    p.record("padding", True)
    assert (p.right(), p.answered(), p.right("output_size"), p.answered("padding")) == (2, 3, 1, 1)
    assert L.Progress.from_json(p.to_json()) == p
    for bad in ("", "[1, 2]", "{", '{"output_size": [3, 1]}', '{"nonsense": [0, 1]}', '{"padding": "x"}', None):
        assert L.Progress.from_json(bad).answered() == 0


# --- design challenges ---------------------------------------------------------------------------------

def specs(dicts):
    return [LayerSpec.from_dict(d) for d in dicts]


def unmet(key, layers, shape=None):
    ch = L.challenge(key)
    return [c.key for c in L.check_challenge(key, shape or ch.input, specs(layers)) if not c.ok]


def torch_params(shape, layers) -> int:
    from convviz.engine import build_module
    from convviz.validate import analyze
    info = analyze(tuple(shape), specs(layers))
    return sum(p.numel() for l in info.layers for p in build_module(l.spec, l.in_shape[0]).parameters())


def test_each_challenge_has_a_solution_that_passes_and_a_start_that_does_not():
    for ch in L.CHALLENGES:
        assert L.challenge_met(ch.key, ch.input, specs(ch.solution)), ch.key
        assert not L.challenge_met(ch.key, ch.input, specs(ch.start)), ch.key


def test_challenge_conditions_measured_as_torch_does():
    from convviz.engine import build_module
    from convviz.validate import analyze
    ch = L.challenge("field64")
    n = torch_params(ch.input, ch.solution)
    assert f"{n:,}" in str(next(c for c in L.check_challenge("field64", ch.input, specs(ch.solution))
                                if c.key == "params").measured)
    assert n <= 5000
    # the field the checklist reads is torch's (autograd through the solution, max pooling as average)
    assert torch_field(list(ch.solution), len(ch.solution) - 1, 160) >= 64
    for key in ("224to7", "upsample"):
        c = L.challenge(key)
        net = torch.nn.Sequential(*[build_module(l.spec, l.in_shape[0]) for l in analyze(c.input, specs(c.solution)).layers])
        with torch.no_grad():
            assert tuple(net(torch.zeros(1, *c.input)).shape[2:]) == ((7, 7) if key == "224to7" else (28, 28))


def conv(**kw):
    return LayerSpec.make("Conv2d", **kw).to_dict()


def test_near_misses_name_the_unmet_condition():
    sol = list(L.challenge("field64").solution)
    assert unmet("field64", sol[:-4]) == ["field"]  # one conv-ReLU-pool block fewer: field 38
    wide = [dict(d, out_channels=16) if d["type"] == "Conv2d" else d for d in sol]
    assert unmet("field64", wide) == ["params"]  # twice the channels: 8,000+ parameters
    assert unmet("field64", sol, (3, 128, 128)) == ["valid", "params"]  # another input
    k3 = [conv(out_channels=16, kernel_size=3, stride=2, padding=1)] * 5
    assert unmet("224to7", k3) == ["dropped"]  # 7x7, but (n + 2 - 3) is odd at every step
    k4 = [conv(out_channels=16, kernel_size=4, stride=2, padding=1)]
    assert unmet("224to7", k4 * 4) == ["size"]  # 14x14
    assert unmet("224to7", k4 * 5 + [conv(out_channels=16, kernel_size=3, padding=1)]) == ["layers"]
    t3 = [LayerSpec.make("ConvTranspose2d", out_channels=8, kernel_size=3, stride=2, padding=1, output_padding=1).to_dict()] * 2
    assert unmet("upsample", t3) == ["checkerboard"]  # 28x28, but 3 is not divisible by 2
    t4 = list(L.challenge("upsample").solution)
    assert unmet("upsample", t4 + [conv(out_channels=8, kernel_size=3, padding=1)]) == ["layers"]
    assert unmet("upsample", t4[:1]) == ["size"]
    bad = [conv(out_channels=8, kernel_size=64, dilation=3)]  # a 190-pixel window on 128
    assert "valid" in unmet("field64", bad)  # an invalid layer: a sentence, no exception


def test_a_live_project_edited_beyond_the_question_falls_back_to_the_chapters_own():
    from dataclasses import replace
    from convviz.project import InputSpec
    from convviz.validate import analyze
    from convviz.receptive import theoretical
    teaching, dilated, padding = load_preset("teaching"), load_preset("dilated"), load_preset("lesson_padding")
    broken = (LayerSpec.make("Conv2d", out_channels=2, kernel_size=64, dilation=3),)  # wider than the input
    cases = {"field": [replace(teaching, layers=()), replace(teaching, layers=broken)],
             "field_edit": [replace(dilated, layers=()), replace(dilated, layers=dilated.layers + broken)],
             "reflect": [replace(padding, input=InputSpec(1, 1, 1, "pattern:lesson")),
                         replace(padding, input=InputSpec(1, 4, 4, "/nonexistent/image.png"))]}
    for kind, projects in cases.items():
        for p in projects:
            q = L.random_question(kind, random.Random(0), p)  # no exception: the chapter's own project
            assert_diagnosed(q)
            if kind != "reflect":
                info = analyze(tuple(q.params["input"]), specs(q.params["layers"]))
                assert info.ok and all(f is not None for f in theoretical(info))


def test_the_reflect_cell_is_one_ring_beyond_what_the_stepper_shows():
    project = load_preset("lesson_padding")  # padding 2 in the stepper
    for q in questions("reflect", project):
        p = q.params
        h = len(p["values"]) + 2 * p["pad"]
        assert p["pad"] == 3 and (p["row"] in (0, h - 1) or p["col"] in (0, h - 1))


def test_every_kind_names_each_of_its_mistakes_somewhere():
    """Over the numbers learners are given, each kind of question tells every mistake it knows
    apart at least once; every mistake has its sentence and belongs to a kind."""
    projects = {"reflect": load_preset("lesson_padding"), "field": load_preset("teaching"),
                "field_edit": load_preset("dilated")}
    for kind, keys in L.KIND_MISTAKES.items():
        seen = set()
        for q in questions(kind, projects.get(kind), range(80)):
            seen |= set(mistakes(q))
            if seen >= set(keys):
                break
        assert seen >= set(keys), (kind, set(keys) - seen)
    assert set(L.KINDS) == set(L.KIND_MISTAKES)
    assert {k for keys in L.KIND_MISTAKES.values() for k in keys} == set(L.MISTAKES)
