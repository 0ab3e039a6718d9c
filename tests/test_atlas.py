"""The convolution-arithmetic atlas (convviz/atlas.py), torch as the oracle: each case's
convolution and its transposed twin give back the input size, the preset files are the cases,
and the checkerboard's overlap counts are what torch's transposed convolution adds up."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from convviz import atlas
from convviz.project import load
from convviz.samples import InputError, load_input, load_preset, preset_path, resources_dir


def torch_pair(case: atlas.Case):
    """torch's Conv2d then ConvTranspose2d with the case's arguments, on a (1, 1, i, i) input."""
    x = torch.arange(1.0, case.i * case.i + 1).view(1, 1, case.i, case.i)
    w = torch.ones(1, 1, case.k, case.k)
    y = F.conv2d(x, w, stride=case.s, padding=case.p, dilation=case.d)
    z = F.conv_transpose2d(y, w, stride=case.s, padding=case.p, output_padding=case.output_padding,
                           dilation=case.d)
    return x, y, z


@pytest.mark.parametrize("case", atlas.CASES, ids=lambda c: c.key)
def test_each_case_and_its_transposed_twin_give_back_the_input_size(case):
    x, y, z = torch_pair(case)
    assert tuple(y.shape[2:]) == (case.o, case.o)
    assert z.shape == x.shape
    # the project the preset holds analyses to torch's shapes, layer by layer
    info = atlas.project(case).analyze()
    assert [tuple(layer.out_shape) for layer in info.layers] == [tuple(y.shape[1:]), tuple(z.shape[1:])]


@settings(max_examples=60, deadline=None)
@given(i=st.integers(1, 12), k=st.integers(1, 5), s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3))
def test_any_case_twin_gives_back_the_input_size(i, k, s, p, d):
    if i + 2 * p < d * (k - 1) + 1:  # no window fits: torch refuses the convolution
        return
    case = atlas.Case("x", "x", i, k, s, p, d)
    x, y, z = torch_pair(case)
    assert z.shape == x.shape
    assert case.output_padding < max(s, d)  # torch's rule for output_padding
    # the rows no window reads: cut from the padded input, torch's output is the same; one more
    # row cut and the output shrinks
    xp = F.pad(x, (p, p, p, p))
    keep = case.i + 2 * p - case.dropped
    w = torch.ones(1, 1, k, k)
    assert torch.equal(F.conv2d(xp[:, :, :keep, :keep], w, stride=s, dilation=d), y)
    if keep - 1 >= d * (k - 1) + 1:
        assert F.conv2d(xp[:, :, :keep - 1, :keep - 1], w, stride=s, dilation=d).shape[-1] == case.o - 1


def test_the_cases_come_in_dumoulin_and_visins_order():
    c = atlas.CASES
    assert [x.key for x in c][:1] == ["no_padding"] and len(c) == 8
    assert (c[0].p, c[0].s, c[0].d) == (0, 1, 1)
    assert c[1].p > 0 and c[1].o not in (c[1].i, c[1].i + c[1].k - 1) and c[1].s == 1  # arbitrary padding
    assert c[2].p == c[2].k // 2 and c[2].o == c[2].i  # half (same) padding
    assert c[3].p == c[3].k - 1 and c[3].o == c[3].i + c[3].k - 1  # full padding
    assert c[4].s > 1 and c[4].p == 0
    assert c[5].s > 1 and c[5].p > 0 and c[5].dropped == 0
    assert c[6].s > 1 and c[6].p > 0 and c[6].dropped > 0 and c[6].output_padding > 0  # odd: a row unread
    assert c[7].d > 1
    assert all(x.s == 1 for x in c[:4]) and all(x.d == 1 for x in c[:7])


@pytest.mark.parametrize("case", atlas.ALL, ids=lambda c: c.key)
def test_preset_files_are_the_cases(case, tmp_path):
    path = preset_path(case.name)
    assert path == resources_dir() / "presets" / atlas.preset_file(case)
    assert load(path) == atlas.project(case) == load_preset(case.name)
    # write_presets regenerates the bundled file byte for byte
    atlas.write_presets(tmp_path)
    assert (tmp_path / atlas.preset_file(case)).read_bytes() == path.read_bytes()


def test_an_unknown_preset_is_one_sentence():
    with pytest.raises(InputError, match="unknown preset 'atlas_nope'"):
        preset_path("atlas_nope")


@settings(max_examples=80, deadline=None)
@given(n=st.integers(1, 9), k=st.integers(1, 6), s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3),
       op=st.integers(0, 3))
def test_overlap_counts_are_torchs_transposed_convolution_of_ones(n, k, s, p, d, op):
    if op >= max(s, d):
        return  # torch refuses
    size = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    if size < 1:
        return
    out = F.conv_transpose2d(torch.ones(1, 1, n, n, dtype=torch.float64), torch.ones(1, 1, k, k, dtype=torch.float64),
                             stride=s, padding=p, output_padding=op, dilation=d)[0, 0].numpy()
    assert np.array_equal(atlas.overlap_counts_2d(n, k, s, p, d, op), out)


@settings(max_examples=60, deadline=None)
@given(k=st.integers(1, 7), s=st.integers(1, 4))
def test_even_overlap_exactly_when_the_kernel_is_a_multiple_of_the_stride(k, s):
    """On a long constant input, torch's inner outputs (away from both ends) take one value
    exactly when k % s == 0, else two (the checkerboard)."""
    n = 12
    out = F.conv_transpose1d(torch.ones(1, 1, n, dtype=torch.float64), torch.ones(1, 1, k, dtype=torch.float64),
                             stride=s)[0, 0].numpy()
    inner = out[k:len(out) - k]
    assert len(inner) > 0
    assert (len(set(inner.tolist())) == 1) == atlas.even_overlap(k, s)


def test_the_checkerboard_pair_on_the_real_image():
    """The two upsamplings the atlas loads: torch's output on the camera image divided by the
    nearest-neighbour upsampling of the image is the overlap count — uneven (1, 2, 4) with kernel
    3, even with kernel 4 — and the grid shows on the image itself with kernel 3 only."""
    bad, good = atlas.CHECKERBOARD
    assert not atlas.even_overlap(bad.k, bad.s) and atlas.even_overlap(good.k, good.s)
    img = load_input(bad.source, 1, bad.i, bad.i)[0].astype(np.float64)
    ratios = []
    for case in (bad, good):
        assert case.o == 2 * case.i  # both upsample by 2
        out = F.conv_transpose2d(torch.from_numpy(img)[None, None], torch.ones(1, 1, case.k, case.k,
                                                                             dtype=torch.float64),
                                 stride=case.s, padding=case.p, output_padding=case.output_padding)[0, 0].numpy()
        counts = atlas.overlap_counts_2d(case.i, case.k, case.s, case.p, 1, case.output_padding)
        inner = counts[2:-2, 2:-2]
        ratios.append(len(np.unique(inner)))
        # a constant image gives the counts exactly
        ones = F.conv_transpose2d(torch.ones(1, 1, case.i, case.i, dtype=torch.float64),
                                  torch.ones(1, 1, case.k, case.k, dtype=torch.float64), stride=case.s,
                                  padding=case.p, output_padding=case.output_padding)[0, 0].numpy()
        assert np.array_equal(ones, counts)
        # on the image: neighbouring rows differ by the count's factor of 2 where the image is smooth
        even_rows, odd_rows = out[2:-2:2].mean(), out[3:-2:2].mean()
        if case is bad:
            assert odd_rows / even_rows > 1.5
        else:
            assert abs(odd_rows / even_rows - 1) < 0.1
    assert ratios == [3, 1]  # 1, 2 and 4 contributions; 4 everywhere inside


def test_atlas_is_qt_free_and_torch_free():
    import subprocess
    import sys
    code = ("import sys, convviz.atlas as a; a.project(a.CASES[0]); a.overlap_counts(4, 3, 2);"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'torch'))]; assert not bad, bad")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("case", [atlas.CASES[6], atlas.CHECKERBOARD[0]], ids=lambda c: c.key)
def test_describe_takes_an_atlas_preset_by_name(case, capsys):
    """``describe preset:atlas_...`` (as the window's File > Open Preset > Arithmetic atlas):
    torch's shapes for the case, layer by layer."""
    import json
    from convviz.cli import main
    assert main(["describe", f"preset:{case.name}", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    x = torch.zeros(1, 1, case.i, case.i)
    shapes = []
    for spec in atlas.layers(case):
        kw = dict(spec.args)
        x = getattr(torch.nn, spec.type)(**kw)(x)
        shapes.append(list(x.shape[1:]))
    assert [layer["output_shape"] for layer in d["layers"]] == shapes
