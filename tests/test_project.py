"""Project files: round trip, refusal with the field named, nothing half-loaded, atomic save."""
from __future__ import annotations

import json
import os
import stat
from dataclasses import replace

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


json_values = st.recursive(st.none() | st.booleans() | st.integers(-5, 70) | st.floats(allow_nan=False)
                           | st.text(max_size=40) | st.sampled_from(["same", "valid", "reflect", "convviz", "Conv2d"]),
                           lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
                           max_leaves=10)
TOP_FIELDS = ["format", "version", "input", "seed", "layers", "title", "x"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOP_FIELDS), max_size=3), st.data())
def test_fuzzed_documents_never_crash(fields, data):
    """A valid document with some top-level fields replaced by junk (or dropped): the reader
    gets past "format" and "version" to the rest (see tests/test_hostile_files.py for the
    full mutation fuzz)."""
    d = base()
    for f in fields:
        if data.draw(st.booleans()):
            d[f] = data.draw(json_values)
        else:
            d.pop(f, None)
    try:
        pj.from_dict(d)
    except pj.ProjectError:
        pass


def test_spec_with_args_and_str():
    s = LayerSpec.make("Conv2d", out_channels=8, kernel_size=3)
    t = s.with_args(padding=1, stride=(2, 1))
    assert str(t) == "Conv2d(out_channels=8, kernel_size=3, stride=(2, 1), padding=1)"
    assert t.with_args(padding=None) == s.with_args(stride=(2, 1))
    assert hash(s) == hash(LayerSpec.make("Conv2d", kernel_size=3, out_channels=8))


# --- writing: never a file the reader refuses -------------------------------------------------

def test_typed_kernels_are_written_compactly(tmp_path):
    k = ("values", ((((1.0, 0.0, -1.0), (2.0, 0.0, -2.0), (1.0, 0.0, -1.0)),),))
    p = pj.from_dict(base(layers=[{"type": "Conv2d", "out_channels": 1, "kernel_size": 3}])).with_layers(
        [LayerSpec.make("Conv2d", out_channels=1, kernel_size=3)], [k])
    text = pj.dumps(p)
    assert '"kernel_init": {"values": [[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]]]}' in text
    assert '"kernel_size": 3' in text and text.count("\n") < 25
    assert pj.loads(text) == p


def test_typed_integers_are_read_as_floats():
    p = pj.from_dict(base(layers=[{"type": "Conv2d", "out_channels": 1, "kernel_size": 2,
                                   "kernel_init": {"values": [[[[1, 2], [3, 4]]]]}}]))
    assert p.kernels[0] == ("values", ((((1.0, 2.0), (3.0, 4.0)),),))
    assert all(type(v) is float for v in p.kernels[0][1][0][0][0])


def _longest_value(a):
    """The argument value whose JSON text is longest within the schema's limits."""
    if a.kind in ("int", "opt_int"):
        options = [int(a.max), int(a.min)]
    elif a.kind in ("pair", "opt_pair", "padding"):
        options = [(int(a.max), int(a.max)), (int(a.min), int(a.min))] + (["same", "valid"] if a.kind == "padding" else [])
    elif a.kind == "bool":
        options = [False, True]
    elif a.kind == "choice":
        options = list(a.choices)
    else:  # float: a 24-character repr inside the range
        options = [float(a.min), float(a.max), -2.2250738585072014e-308 if a.min < 0 else 2.2250738585072014e-308]
    return max(options, key=lambda v: len(json.dumps(list(v) if isinstance(v, tuple) else v)))


def _worst_layer():
    """The layer (with its typed kernel, if it can have one) that writes the most bytes: every
    argument at its longest text, and MAX_TYPED_VALUES numbers of 24 characters each in the
    4096x1x1x1 shape (the most brackets per number)."""
    from convviz.spec import LAYER_TYPES
    typed = ("values", tuple((((-2.2250738585072014e-308,),),) for _ in range(pj.MAX_TYPED_VALUES)))
    best = None
    for name, lt in LAYER_TYPES.items():
        spec = LayerSpec(name, tuple((a.name, _longest_value(a)) for a in lt.args))
        kernel = typed if lt.category == "conv" else None
        size = len(pj.dumps(pj.Project(pj.InputSpec(), (spec,), 0, (kernel,))).encode())
        if best is None or size > best[0]:
            best = (size, spec, kernel)
    return best[1], best[2]


def test_the_largest_file_the_writer_can_write_reopens(tmp_path):
    """MAX_LAYERS of the worst layer, the longest title and source (every character a control
    character: 6 bytes in JSON), the largest seed: saved, within MAX_FILE_BYTES, and reopened
    equal.  (Before: ~88 layers of typed 64x64 kernels made a 21.8 MiB file that reopening
    refused at 16 MiB.)"""
    spec, kernel = _worst_layer()
    worst = pj.Project(pj.InputSpec(pj.MAX_INPUT_CHANNELS, 4096, 4096, "\x01" * pj.MAX_SOURCE_CHARS,
                                    (-4096, -4096)), (spec,) * pj.MAX_LAYERS, 2**63 - 1,
                       (kernel,) * pj.MAX_LAYERS, "\x01" * pj.MAX_TITLE_CHARS)
    path = tmp_path / "worst.json"
    pj.save(worst, path)
    size = path.stat().st_size
    assert 0.5 * pj.MAX_FILE_BYTES < size <= pj.MAX_FILE_BYTES, f"{size:,} bytes"
    assert pj.load(path) == worst


def test_eighty_eight_typed_64x64_kernels_reopen(tmp_path):
    """The issue's case."""
    k = ("values", ((tuple(tuple(float(i * 64 + j) / 7 for j in range(64)) for i in range(64)),),))
    layers = [LayerSpec.make("Conv2d", out_channels=1, kernel_size=64, padding=32)] * 88
    p = pj.Project(pj.InputSpec(1, 64, 64, "pattern:impulse"), tuple(layers), 0, (k,) * 88)
    path = tmp_path / "typed.json"
    pj.save(p, path)
    text = path.read_text()
    assert len(text.encode()) < 19.5 * 88 * 4096, "about one number's characters and a separator per number"
    assert text.count("\n") < 10 * 88, "a typed kernel is one line"
    assert pj.load(path) == p


def test_what_the_reader_refuses_is_never_written(tmp_path):
    ok = pj.from_dict(base())
    bad = [(replace(ok, title="a\ud800b"), "title", "lone surrogate"),
           (replace(ok, title="x" * (pj.MAX_TITLE_CHARS + 1)), "title", "at most"),
           (replace(ok, input=replace(ok.input, source="img\udc80.png")), "input.source", "lone surrogate"),
           (ok.with_layers(ok.layers, [("values", ((((float("nan"),),),),))]), "layers[0].kernel_init.values", "finite"),
           (ok.with_layers(ok.layers, [("values", ((((1e39,),),),))]), "layers[0].kernel_init.values", "float32")]
    path = tmp_path / "p.json"
    for project, field, needle in bad:
        with pytest.raises(pj.ProjectError) as e:
            pj.save(project, path)
        assert e.value.field == field and needle in str(e.value), str(e.value)
        assert list(tmp_path.iterdir()) == [], "nothing written, no temporary file"


def test_text_problem():
    assert pj.text_problem("Sobel edges — 边缘检测 \U0001f600 \n\t\x00") is None
    assert "lone surrogate (U+D800) at character 3" in pj.text_problem("ab\ud800")
    assert "at most 1,000 characters" in pj.text_problem("x" * 1001)
    assert pj.text_problem("x" * 4096, "source") is None and "at most" in pj.text_problem("x" * 4097, "source")
    assert "expected text" in pj.text_problem(3)


# --- saving: mode, symbolic links, failures ----------------------------------------------------

@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o664, 0o600])
def test_save_keeps_the_files_mode(tmp_path, mode):
    path = tmp_path / "p.json"
    path.write_text("{}")
    os.chmod(path, mode)
    pj.save(pj.from_dict(base()), path)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert pj.load(path) == pj.from_dict(base())


@pytest.mark.skipif(os.name != "posix", reason="POSIX umask")
@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_a_new_file_follows_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        pj.save(pj.from_dict(base()), tmp_path / "new.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o666 & ~umask


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_save_writes_through_a_symbolic_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "p.json"
    pj.save(pj.from_dict(base()), target)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    pj.save(pj.from_dict(base(seed=42)), link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert pj.load(target).seed == 42
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["p.json"]


@pytest.mark.parametrize("failing", ["fsync", "replace", "fchmod", "write"])
def test_a_failed_save_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch, failing):
    path = tmp_path / "p.json"
    pj.save(pj.from_dict(base()), path)
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError(28, "No space left on device")
    if failing == "write":
        monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FailingFile(fd))
    elif failing == "fchmod" and not hasattr(os, "fchmod"):
        pytest.skip("no fchmod")
    else:
        monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError):
        pj.save(pj.from_dict(base(seed=99)), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"], "no temporary file left behind"


class _FailingFile:
    """A file object whose write fails as on a full disk (and that closes its descriptor)."""

    def __init__(self, fd):
        self.fd = fd

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        os.close(self.fd)

    def fileno(self):
        return self.fd

    def write(self, data):
        raise OSError(28, "No space left on device")


# --- Save As into another folder ---------------------------------------------------------------

def _with_source(source):
    p = pj.from_dict(base())
    return replace(p, input=replace(p.input, source=source))


def test_rebase_keeps_naming_the_same_image(tmp_path):
    (tmp_path / "a" / "img").mkdir(parents=True)
    (tmp_path / "b" / "deep").mkdir(parents=True)
    image = tmp_path / "a" / "img" / "cat.png"
    image.write_bytes(b"png")
    p = _with_source("img/cat.png")
    for new in (tmp_path / "b", tmp_path / "b" / "deep", tmp_path, tmp_path / "a" / "img"):
        q = pj.rebase_source(p, tmp_path / "a", new)
        src = q.input.source
        assert not os.path.isabs(src) and "\\" not in src, src
        assert os.path.samefile(os.path.join(new, src), image), (new, src)
        assert q.layers == p.layers and q.title == p.title
    assert pj.rebase_source(p, tmp_path / "a", tmp_path / "b").input.source == "../a/img/cat.png"


def test_plain_save_keeps_a_relative_path_as_it_is(tmp_path):
    p = _with_source("./img/../img/cat.png")
    assert pj.rebase_source(p, tmp_path, tmp_path) is p
    assert pj.rebase_source(p, str(tmp_path) + os.sep, tmp_path) is p


def test_what_names_the_same_file_everywhere_is_untouched(tmp_path):
    for source in ("sample:cat", "pattern:lesson", str(tmp_path / "x.png"), "~/x.png"):
        p = _with_source(source)
        assert pj.rebase_source(p, tmp_path, tmp_path / "elsewhere") is p


def test_an_unsaved_project_resolves_against_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    q = pj.rebase_source(_with_source("img/cat.png"), None, tmp_path / "b")
    assert q.input.source == "../img/cat.png"


def test_another_drive_gives_an_absolute_path(tmp_path, monkeypatch):
    def no_relpath(path, start=None):
        raise ValueError("path is on mount 'D:', start on mount 'C:'")
    monkeypatch.setattr(os.path, "relpath", no_relpath)
    q = pj.rebase_source(_with_source("img/cat.png"), tmp_path / "a", tmp_path / "b")
    assert q.input.source == os.path.join(str(tmp_path / "a"), "img", "cat.png")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_folder_reached_through_a_link_gives_an_absolute_path(tmp_path):
    """From /t/link -> /t/real/deep, "../x.png" would name /t/real/x.png, not /t/x.png."""
    (tmp_path / "real" / "deep").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "real" / "deep")
    (tmp_path / "src").mkdir()
    (tmp_path / "x.png").write_bytes(b"png")
    q = pj.rebase_source(_with_source("../x.png"), tmp_path / "src", tmp_path / "link")
    assert os.path.samefile(os.path.join(tmp_path / "link", q.input.source), tmp_path / "x.png")


def test_save_as_then_open_finds_the_image(tmp_path):
    """The whole round: a project beside its image, saved into another folder, reopened there."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "photo.png").write_bytes(b"png")
    p = _with_source("photo.png")
    pj.save(pj.rebase_source(p, tmp_path / "one", tmp_path / "two"), tmp_path / "two" / "p.json")
    q = pj.load(tmp_path / "two" / "p.json")
    assert os.path.samefile(tmp_path / "two" / q.input.source, tmp_path / "one" / "photo.png")
