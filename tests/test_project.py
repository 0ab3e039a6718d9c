"""Project files: round trip, refusal with the field named, nothing half-loaded, atomic save."""
from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings, strategies as st

from convviz import project as pj
from convviz.samples import PRESETS, load_preset, preset_path
from convviz.spec import LayerSpec


def base(**over):
    d = {"format": "convviz", "version": 1,
         "input": {"channels": 1, "height": 8, "width": 8, "source": "pattern:impulse"},
         "seed": 3, "layers": [{"type": "Conv2d", "out_channels": 2, "kernel_size": 3}]}
    d.update(over)
    return d


def test_round_trip(tmp_path):
    p = pj.from_dict(base(layers=[
        {"type": "Conv2d", "out_channels": 4, "kernel_size": [3, 5], "padding": "same", "padding_mode": "reflect",
         "kernel_init": "sobel_x"},
        {"type": "MaxPool2d", "kernel_size": 2, "ceil_mode": True},
        {"type": "ConvTranspose2d", "out_channels": 2, "kernel_size": 3, "stride": 2, "output_padding": 1},
        {"type": "LeakyReLU", "negative_slope": 0.2},
        {"type": "Conv2d", "out_channels": 1, "kernel_size": 2, "kernel_init": {"values": [[[[1, 2], [3, 4]], [[0, 0], [0, 1]]]]}},
    ]))
    path = tmp_path / "p.json"
    pj.save(p, path)
    q = pj.load(path)
    assert q == p
    assert q.layers[0].get("kernel_size") == (3, 5)
    assert q.kernels[0] == "sobel_x" and q.kernels[4][0] == "values"
    assert json.loads(path.read_text())["layers"][0]["kernel_size"] == [3, 5]


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d.update(format="other"), "format"),
    (lambda d: d.update(version=2), "version"),
    (lambda d: d.update(version="1"), "version"),
    (lambda d: d.update(extra=1), "extra"),
    (lambda d: d.pop("input"), "input"),
    (lambda d: d["input"].update(height=0), "input.height"),
    (lambda d: d["input"].update(width=1.5), "input.width"),
    (lambda d: d["input"].update(channels=True), "input.channels"),
    (lambda d: d["input"].update(source="sample:nothing"), "input.source"),
    (lambda d: d["input"].update(colour="red"), "input.colour"),
    (lambda d: d.update(seed=-1), "seed"),
    (lambda d: d.update(layers={}), "layers"),
    (lambda d: d["layers"].append(3), "layers[1]"),
    (lambda d: d["layers"].append({"type": "Conv3d"}), "layers[1].type"),
    (lambda d: d["layers"].append({"kernel_size": 3}), "layers[1].type"),
    (lambda d: d["layers"][0].update(kernel_size=0), "layers[0].kernel_size"),
    (lambda d: d["layers"][0].update(kernel_size=[3, 3, 3]), "layers[0].kernel_size"),
    (lambda d: d["layers"][0].update(kernel_size=[3, -1]), "layers[0].kernel_size[1]"),
    (lambda d: d["layers"][0].update(stride="2"), "layers[0].stride"),
    (lambda d: d["layers"][0].update(padding="full"), "layers[0].padding"),
    (lambda d: d["layers"][0].update(padding=-1), "layers[0].padding"),
    (lambda d: d["layers"][0].update(padding_mode="mirror"), "layers[0].padding_mode"),
    (lambda d: d["layers"][0].update(bias=1), "layers[0].bias"),
    (lambda d: d["layers"][0].update(dilaton=2), "layers[0].dilaton"),
    (lambda d: d["layers"][0].pop("out_channels"), "layers[0].out_channels"),
    (lambda d: d["layers"][0].update(kernel_init="sobel_z"), "layers[0].kernel_init"),
    (lambda d: d["layers"][0].update(kernel_init={"values": [[["x"]]]}), "layers[0].kernel_init.values"),
    (lambda d: d["layers"].append({"type": "ConvTranspose2d", "out_channels": 1, "kernel_size": 2,
                                   "padding": "same"}), "layers[1].padding"),
    (lambda d: d["layers"].append({"type": "ReLU", "kernel_init": "box"}), "layers[1].kernel_init"),
])
def test_refused_with_field(mutate, field):
    d = base()
    mutate(d)
    with pytest.raises(pj.ProjectError) as e:
        pj.from_dict(d)
    assert e.value.field == field, str(e.value)
    assert str(e.value).startswith(field)


def test_convtranspose_string_padding_message():
    with pytest.raises(pj.ProjectError, match="only Conv2d accepts 'same' and 'valid'"):
        pj.from_dict(base(layers=[{"type": "ConvTranspose2d", "out_channels": 1, "kernel_size": 2, "padding": "same"}]))


@pytest.mark.parametrize("content, needle", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not a text file"),
    (b"[]", "JSON object"),
    (b"", "not valid JSON"),
])
def test_corrupt_files_refused(tmp_path, content, needle):
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(pj.ProjectError, match=needle):
        pj.load(path)


def test_missing_file_refused(tmp_path):
    with pytest.raises(pj.ProjectError, match="cannot read"):
        pj.load(tmp_path / "nope.json")


def test_atomic_save_keeps_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    good = pj.from_dict(base())
    pj.save(good, path)
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        pj.save(pj.from_dict(base(seed=99)), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"], "no temporary file left behind"


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_load_and_are_valid(name):
    p = load_preset(name)
    info = p.analyze()
    assert info.ok, info.first_error
    assert pj.loads(preset_path(name).read_text()) == p


def test_lesson_presets_match_the_lesson():
    assert load_preset("lesson_4x4").analyze().output_shape == (1, 3, 3)
    assert load_preset("lesson_4x4_two_kernels").analyze().output_shape == (2, 3, 3)
    assert load_preset("lesson_padding").analyze().output_shape == (1, 7, 7)


def test_vgg16_parameter_count():
    info = load_preset("vgg16").analyze()
    assert info.total_params == 14_714_688
    assert sum(l.spec.type == "Conv2d" for l in info.layers) == 13
    assert sum(l.spec.type == "MaxPool2d" for l in info.layers) == 5
    assert info.output_shape == (512, 7, 7)


json_values = st.recursive(st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=5),
                           lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
                           max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["format", "version", "input", "seed", "layers", "title", "x"]), json_values))
def test_fuzzed_documents_never_crash(d):
    try:
        pj.from_dict(d)
    except pj.ProjectError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_fuzzed_layer_fields_only_raise_project_error(data):
    d = base()
    layer = {"type": data.draw(st.sampled_from(["Conv2d", "MaxPool2d", "ConvTranspose2d", "AvgPool2d", "BatchNorm2d"]))}
    for key in data.draw(st.lists(st.sampled_from(["out_channels", "kernel_size", "stride", "padding", "dilation",
                                                   "groups", "bias", "ceil_mode", "output_padding", "padding_mode"]),
                                  max_size=5)):
        layer[key] = data.draw(json_values)
    d["layers"] = [layer]
    try:
        p = pj.from_dict(d)
    except pj.ProjectError:
        return
    p.analyze()  # a loaded project always analyses without raising


def test_spec_with_args_and_str():
    s = LayerSpec.make("Conv2d", out_channels=8, kernel_size=3)
    t = s.with_args(padding=1, stride=(2, 1))
    assert str(t) == "Conv2d(out_channels=8, kernel_size=3, stride=(2, 1), padding=1)"
    assert t.with_args(padding=None) == s.with_args(stride=(2, 1))
    assert hash(s) == hash(LayerSpec.make("Conv2d", kernel_size=3, out_channels=8))
