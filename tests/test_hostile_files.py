"""Hostile project files: every one gets one sentence, never a traceback, never a hang.

The contract, for ``project.load`` and for ``convviz describe`` / ``rf`` run in-process:
either the file loads, or ProjectError is raised (the CLI exits 2 with exactly one line on
stderr); every line printed is printable (no raw newline, terminal control character or lone
surrogate from the file).  A hand-written corpus (deep nesting, huge numbers, lone surrogates,
duplicate keys, FIFOs, devices, null channel counts, ragged and overflowing typed kernels,
huge-but-valid stacks) and a hypothesis fuzz that mutates every preset at every depth.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, seed, settings, strategies as st

from convviz import cli
from convviz import project as pj
from convviz.samples import PRESETS, preset_path
from convviz.spec import LAYER_TYPES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --- helpers ------------------------------------------------------------------------------------

def run_cli(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main([str(a) for a in args])
    return rc, out.getvalue(), err.getvalue()


def run_main(*args, timeout=60, memory=None):
    """main.py in a subprocess (for what could hang or exhaust memory: a timeout and, on
    POSIX, an address-space limit turn a hang or a runaway allocation into a failure)."""
    def limit():
        if memory:
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    return subprocess.run([sys.executable, os.path.join(ROOT, "main.py"), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, preexec_fn=limit if os.name == "posix" else None)


def printable(text: str) -> bool:
    """No character a terminal acts on (other than the line ends between lines), no lone
    surrogate, no line/paragraph separator or bidi override."""
    for c in text:
        o = ord(c)
        if c == "\n":
            continue
        if o < 0x20 or 0x7f <= o <= 0x9f or 0xd800 <= o <= 0xdfff or c in "\u2028\u2029\u202a\u202b\u202c\u202d\u202e" \
                or c in "\u2066\u2067\u2068\u2069\u200e\u200f\u061c":
            return False
    return True


def one_line_refusal(rc: int, out: str, err: str) -> str:
    assert rc == 2, (rc, out, err)
    assert err.endswith("\n") and err.count("\n") == 1, f"expected one line on stderr, got {err!r}"
    assert "Traceback" not in err and "internal error" not in err, err
    assert printable(err), repr(err)
    return err


def doc(**over) -> dict:
    d = {"format": "convviz", "version": 1, "title": "t",
         "input": {"channels": 1, "height": 8, "width": 8, "source": "pattern:impulse"},
         "seed": 0, "layers": [{"type": "Conv2d", "out_channels": 2, "kernel_size": 3}]}
    d.update(over)
    return d


def layer(**kw) -> str:
    """A document whose single layer has ``kw`` (as JSON text, so raw literals fit)."""
    return doc_text(layers="[{" + ", ".join(f'"{k}": {v}' for k, v in kw.items()) + "}]")


def doc_text(**raw) -> str:
    """The document as text, with some top-level values given as raw JSON text."""
    d = doc()
    parts = [f"{json.dumps(k)}: {raw[k] if k in raw else json.dumps(v)}" for k, v in d.items()]
    parts += [f"{json.dumps(k)}: {v}" for k, v in raw.items() if k not in d]
    return "{" + ", ".join(parts) + "}"


def refused(tmp_path, text: str | bytes, needle: str, field: str | None = None) -> str:
    """``text`` as a file is refused by load (with ``needle`` in the sentence and ``field``
    named) and by describe (exit 2, one line); returns the CLI's line."""
    path = tmp_path / "p.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    with pytest.raises(pj.ProjectError) as e:
        pj.load(path)
    assert needle in str(e.value), str(e.value)
    assert "\n" not in str(e.value) and printable(str(e.value))
    if field is not None:
        assert e.value.field == field, str(e.value)
    line = one_line_refusal(*run_cli("describe", path))
    assert needle in line
    return line


# --- the corpus -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "[" * 1000 + "]" * 1000,
    '{"a": ' * 1000 + "0" + "}" * 1000,
    "[" * 100_000 + "]" * 100_000,
    doc_text(layers="[" * 1000 + "]" * 1000),
    doc_text(title='{"t": ' * 5000 + '""' + "}" * 5000),
], ids=["arrays", "objects", "100k", "in-layers", "in-title"])
def test_deep_nesting(tmp_path, text):
    refused(tmp_path, text, "nested too deeply")


@pytest.mark.parametrize("value", ['["Conv2d"]', '{"name": "Conv2d"}', "[[1, 2], {}]"])
def test_a_layer_type_that_is_a_list_or_an_object(tmp_path, value):
    refused(tmp_path, layer(type=value, out_channels=1, kernel_size=3), "unknown layer type", "layers[0].type")


@pytest.mark.parametrize("text, field", [
    (doc_text(seed="9" * 5000), None),
    (layer(type='"Conv2d"', out_channels=1, kernel_size="7" * 4301), None),
    (layer(type='"Conv2d"', out_channels=1, kernel_size=1, kernel_init='{"values": [[[[' + "1" * 4400 + "]]]]}"), None),
])
def test_an_integer_longer_than_python_reads(tmp_path, text, field):
    refused(tmp_path, text, "number too long to read", field)


@pytest.mark.parametrize("text, needle, field", [
    (layer(type='"BatchNorm2d"', eps="1" + "0" * 400), "must be between", "layers[0].eps"),
    (layer(type='"LeakyReLU"', negative_slope="-" + "9" * 4000), "must be between", "layers[0].negative_slope"),
    (doc_text(seed="1" * 4000), "must be between 0 and", "seed"),
    (layer(type='"Conv2d"', out_channels="9" * 4000, kernel_size=3), "digits", "layers[0].out_channels"),
])
def test_long_but_readable_integers(tmp_path, text, needle, field):
    line = refused(tmp_path, text, needle, field)
    assert len(line) < 400, "a 4,000-digit number is described, not printed"


@pytest.mark.parametrize("text, field", [
    (doc_text(title='"a\\ud800b"'), "title"),
    (doc_text(title='"\\udfff"'), "title"),
    (doc_text(input='{"channels": 1, "height": 8, "width": 8, "source": "img\\ud83d.png"}'), "input.source"),
])
def test_a_lone_surrogate_in_saved_text(tmp_path, text, field):
    refused(tmp_path, text, "lone surrogate", field)


@pytest.mark.parametrize("text", [
    doc_text(layers='[{"type": "Conv\\ud800", "out_channels": 1, "kernel_size": 3}]'),
    doc_text(layers='[{"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "k\\udc00\\u001b[2J": 1}]'),
    doc_text(**{"\ud800\n": "1"}),
])
def test_a_lone_surrogate_elsewhere_is_printed_escaped(tmp_path, text):
    line = refused(tmp_path, text, "")
    assert "\\ud800" in line or "\\udc00" in line


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc()).encode())
    assert pj.load(path) == pj.from_dict(doc())
    rc, out, err = run_cli("describe", path)
    assert rc == 0 and err == ""


@pytest.mark.parametrize("text, key", [
    ('{"format": "convviz", "version": 1, "seed": 1, "seed": 2, ' + doc_text()[1:], "seed"),
    (layer(type='"Conv2d"', out_channels=1, kernel_size=3, **{"kernel_size ": 1}).replace('"kernel_size "', '"kernel_size"'),
     "kernel_size"),
    (doc_text(input='{"channels": 1, "channels": 3, "height": 8, "width": 8, "source": "pattern:impulse"}'), "channels"),
])
def test_duplicate_keys_are_refused_naming_the_key(tmp_path, text, key):
    refused(tmp_path, text, f"the key {key!r} appears twice")


@pytest.mark.parametrize("text, field", [
    (layer(type='"Conv2d"', in_channels="null", out_channels=1, kernel_size=3), "layers[0].in_channels"),
    (layer(type='"ConvTranspose2d"', in_channels="null", out_channels=1, kernel_size=3), "layers[0].in_channels"),
    (layer(type='"DepthwiseSeparable"', in_channels="null", out_channels=1, kernel_size=3), "layers[0].in_channels"),
    (layer(type='"BatchNorm2d"', num_features="null"), "layers[0].num_features"),
])
def test_null_channel_counts_are_refused_at_load(tmp_path, text, field):
    refused(tmp_path, text, "leave", field)


K = '"Conv2d", "out_channels": 1, "kernel_size": 2, "kernel_init": {"values": %s}}'


@pytest.mark.parametrize("values, needle", [
    ("[[[[1, 2], [3]]]]", "not a regular 1x1x2x2 array"),
    ("[[[[1, 2], [3, 4]]], [[[1, 2]]]]", "not a regular 2x1x2x2 array"),
    ("[[[[1, 2], 3]]]", "not a regular"),
    ("[[[[1, 2], [3, [4]]]]]", "expected finite numbers"),
    ("[[[[[1]]]]]", "4-D list"),
    ("[[[[1, 2], [3, 3.5e38]]]]", "float32"),
    ("[[[[1, 2], [3, -1e39]]]]", "float32"),
    ("[[[[1, 2], [3, 1e400]]]]", "float32"),
    ("[[[[1, 2], [3, NaN]]]]", "finite"),
    ("[[[[1, 2], [3, " + "9" * 60 + "]]]]", "float32"),
    ("[[[[1, 2], [3, true]]]]", "expected finite numbers"),
    ("[" + ", ".join(["[[[0]]]"] * 4097) + "]", "at most 4,096 typed numbers"),
])
def test_typed_kernels_that_cannot_compute_are_refused_at_load(tmp_path, values, needle):
    text = doc_text(layers='[{"type": ' + K % values + "]")
    refused(tmp_path, text, needle, "layers[0].kernel_init.values")


def test_typed_kernels_within_float32_load(tmp_path):
    path = tmp_path / "k.json"
    path.write_text(doc_text(layers='[{"type": ' + K % "[[[[1, -2], [3.4028234663852886e38, 5e-324]]]]" + "]"))
    p = pj.load(path)
    assert p.kernels[0] == ("values", ((((1.0, -2.0), (3.4028234663852886e38, 5e-324)),),))


def test_untrusted_text_is_printed_escaped(tmp_path):
    """A title, a key and a source full of terminal controls: describe's table, its JSON and
    every message show them as escapes, and the JSON still reads back to the same text."""
    title = "T\x1b]0;owned\x07\nnext line\r\x9b2J\u202eevil\x00"
    source = "img/\x1b[2J\u2028x.png"
    d = doc(title=title, input={"channels": 1, "height": 8, "width": 8, "source": source})
    path = tmp_path / "t.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    rc, out, err = run_cli("describe", path)
    assert rc == 0 and err == "" and printable(out)
    assert out.splitlines()[0] == "T\\x1b]0;owned\\x07\\nnext line\\r\\x9b2J\\u202eevil\\x00"
    rc, out, err = run_cli("describe", path, "--json")
    assert rc == 0 and printable(out)
    got = json.loads(out)
    assert got["title"] == title
    d["layers"][0]["\x1b[2J\nkey\x9b"] = 1
    path.write_text(json.dumps(d), encoding="utf-8")
    line = one_line_refusal(*run_cli("describe", path))
    assert "\\x1b[2J\\nkey\\x9b" in line


def test_a_folder_is_refused(tmp_path):
    line = one_line_refusal(*run_cli("describe", tmp_path))
    assert "is a folder" in line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_without_waiting(tmp_path):
    """A FIFO with no writer: opening it the plain way waits for ever (so the CLI runs first, in
    a subprocess with a timeout, and only then the loader in this process)."""
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    r = run_main("describe", fifo, timeout=60)
    assert "not a regular file" in one_line_refusal(r.returncode, r.stdout, r.stderr)
    with pytest.raises(pj.ProjectError, match="not a regular file"):
        pj.load(fifo)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_is_refused_without_reading(tmp_path):
    """/dev/zero reports size 0 and never ends: reading it exhausts memory (so the CLI runs
    first, in a subprocess with a memory limit)."""
    r = run_main("describe", "/dev/zero", timeout=60, memory=2 << 30)
    assert "not a regular file" in one_line_refusal(r.returncode, r.stdout, r.stderr)
    with pytest.raises(pj.ProjectError, match="not a regular file"):
        pj.load("/dev/zero")


def test_a_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(pj, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc(title="x" * 200)))
    with pytest.raises(pj.ProjectError, match="too large for a project file"):
        pj.load(path)


# --- huge but valid stacks ------------------------------------------------------------------------

def _stack(tmp_path, layers, shape=(3, 64, 64)) -> str:
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(doc(input={"channels": shape[0], "height": shape[1], "width": shape[2],
                                          "source": "pattern:gradient"}, layers=layers)))
    return path


def test_the_120_layer_transposed_stack_gets_a_sentence(tmp_path):
    """120 x ConvTranspose2d(out_channels=4096, kernel_size=64, stride=64): the fourth output
    would be 2^72 values; describe prints the table and the sentence, in both forms."""
    path = _stack(tmp_path, [{"type": "ConvTranspose2d", "out_channels": 4096, "kernel_size": 64, "stride": 64}] * 120)
    rc, out, err = run_cli("describe", path)
    line = one_line_refusal(rc, out, err)
    assert line.startswith("Layer 3 (ConvTranspose2d): the output would be 4096x1073741824x1073741824")
    assert "more than a tensor can hold" in line and "Total MACs" in out
    rc, out, err = run_cli("describe", path, "--json")
    one_line_refusal(rc, out, err)
    d = json.loads(out)
    assert d["layers"][2]["output_shape"] == [4096, 2**24, 2**24] and d["valid"] is False
    rc, out, err = run_cli("rf", path, "--layer", 2, "--pixel", f"{2**24 - 1},{2**23}")
    assert rc == 0 and err == "", err
    assert out.splitlines()[2:4] == ["    rows 63", "    cols 32"]  # 64 -> 4096 -> 2^18 -> 2^24: one pixel each


def test_large_numbers_never_overflow_floats(tmp_path):
    """256 stride-64 layers on 1x1 maps: the receptive field's jump is 64^256 (463 digits)."""
    from convviz import arithmetic as ar
    path = _stack(tmp_path, [{"type": "Conv2d", "out_channels": 1, "kernel_size": 1, "stride": 64}] * 256, (1, 1, 1))
    rc, out, err = run_cli("describe", path, "--json")
    assert rc == 0, err
    assert json.loads(out)["layers"][-1]["receptive_field"]["jump"] == [64**256, 64**256]
    rc, out, err = run_cli("describe", path)
    assert rc == 0, err
    for n in (10**15, 64**256, 10**4000, -(10**400)):
        assert "e" in ar.human_count(n)
    for n in (64**256, 10**4000, -(10**400)):
        assert ar.human_bytes(n).endswith("e400 B" if n < 0 else " B")
    assert ar.human_bytes(4 * 4096 * 2**60) == "16.0 ZiB"


def test_rf_refuses_a_field_that_would_exhaust_memory(tmp_path):
    """The pixel after an adaptive pooling of a 2^30 x 2^30 map depends on 2^31 indices (16 GiB
    as int64, far more as Python tuples): refused before allocating, under a 2 GiB limit."""
    layers = [{"type": "ConvTranspose2d", "out_channels": 1, "kernel_size": 64, "stride": 64}] * 2 + \
             [{"type": "AdaptiveAvgPool2d", "output_size": 2}]
    path = _stack(tmp_path, layers, (1, 4096, 4096))
    r = run_main("rf", path, "--layer", 2, "--pixel", "0,1", timeout=120, memory=2 << 30)
    line = one_line_refusal(r.returncode, r.stdout, r.stderr)
    assert "more than convviz computes at once" in line


# --- the fuzz: every preset, mutated at every depth ------------------------------------------------

PRESET_DOCS = {name: json.loads(preset_path(name).read_text(encoding="utf-8")) for name in PRESETS}


class Raw:
    """JSON text put into the document as it is (numbers too long for json.dumps, deep nesting)."""

    def __init__(self, text: str):
        self.text = text


class Dup:
    """An object written with a key twice."""

    def __init__(self, pairs: list):
        self.pairs = pairs


def dump(v) -> str:
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, (dict, Dup)):
        pairs = v.pairs if isinstance(v, Dup) else list(v.items())
        return "{" + ", ".join(f"{json.dumps(k)}: {dump(x)}" for k, x in pairs) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(dump(x) for x in v) + "]"
    return json.dumps(v)  # ASCII: a lone surrogate becomes the escape \udXXX, as a file would hold it


ODD_CHARS = ["\x00", "\n", "\r", "\t", "\x1b", "\x7f", "\x9b", "\ud800", "\udfff", "\u2028", "\u202e", "\ufeff",
             "\\", '"', "'", "é", "中", "\U0001f600"]
texts = st.text(st.one_of(st.characters(exclude_categories=()), st.sampled_from(ODD_CHARS)), max_size=300)
names = st.sampled_from(["same", "valid", "zeros", "reflect", "replicate", "circular", "tanh", "none", "random",
                         "sobel_x", "laplacian", "values", "sample:cat", "sample:nope", "pattern:lesson",
                         "pattern:nope", "", "convviz", *LAYER_TYPES])
numbers = st.one_of(st.integers(-3, 70), st.sampled_from([0, 1, -1, 64, 65, 256, 257, 4096, 4097, 2**31, 2**53 + 1,
                                                          2**63, 2**64, -(2**63) - 1]),
                    st.integers(-(10**30), 10**30), st.floats(allow_nan=True, allow_infinity=True))
raw = st.sampled_from([Raw("9" * 4400), Raw("-" + "1" * 4301), Raw("1e400"), Raw("-1e400"), Raw("NaN"),
                       Raw("Infinity"), Raw("[" * 1000 + "]" * 1000), Raw('{"a": ' * 600 + "0" + "}" * 600),
                       Raw("1" + "0" * 400), Raw("[[[[1, 2], [3]]]]"), Raw("[[[[1e39]]]]"), Raw("0.5e-330")])
scalars = st.one_of(st.none(), st.booleans(), numbers, numbers, texts, names, names)
junk = st.one_of(scalars, scalars, raw,
                 st.recursive(scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(texts, c, max_size=4),
                              max_leaves=12))
# values a layer might really hold, so that many mutants load and reach the validator and rf
plausible = st.one_of(st.integers(0, 9), st.lists(st.integers(0, 9), min_size=2, max_size=2), st.booleans(), names,
                      st.floats(-2, 2), st.none())
KEYS = sorted({a.name for t in LAYER_TYPES.values() for a in t.args} |
              {"type", "kernel_init", "format", "version", "title", "input", "seed", "layers", "channels", "height",
               "width", "source", "shift"})


def _paths(v, here=()):
    yield here
    if isinstance(v, dict):
        for k, x in v.items():
            yield from _paths(x, here + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from _paths(x, here + (i,))


def _get(d, path):
    for k in path:
        d = d[k]
    return d


@st.composite
def mutated(draw, name: str):
    d = json.loads(json.dumps(PRESET_DOCS[name]))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(d) if not any(isinstance(_get(d, p[:i]), (Raw, Dup)) for i in range(len(p)))]
        path = draw(st.sampled_from(paths))
        target = _get(d, path)
        op = draw(st.sampled_from(["replace", "replace", "plausible", "nudge", "nudge", "key", "key", "type",
                                   "element"]))
        if op == "nudge" and path and isinstance(target, int) and not isinstance(target, bool):
            _get(d, path[:-1])[path[-1]] = draw(st.integers(0, 2 * abs(target) + 2))  # odd geometry, often valid
        elif op == "nudge" and path and isinstance(target, list) and all(type(v) is int for v in target):
            _get(d, path[:-1])[path[-1]] = [draw(st.integers(0, 2 * abs(v) + 2)) for v in target]
        elif op == "replace" and path:
            _get(d, path[:-1])[path[-1]] = draw(junk)
        elif op == "plausible" and path:
            _get(d, path[:-1])[path[-1]] = draw(plausible)
        elif op == "key" and isinstance(target, dict):
            how = draw(st.sampled_from(["drop", "add", "dup", "rename"]))
            keys = list(target)
            if how == "add" or not keys:
                target[draw(st.one_of(st.sampled_from(KEYS), texts))] = draw(st.one_of(plausible, junk))
            elif how == "drop":
                del target[draw(st.sampled_from(keys))]
            elif how == "rename":
                k = draw(st.sampled_from(keys))
                target[draw(st.one_of(st.sampled_from(KEYS), texts))] = target.pop(k)
            else:  # a key twice
                k = draw(st.sampled_from(keys))
                pairs = list(target.items()) + [(k, draw(st.one_of(st.just(target[k]), junk)))]
                if path:
                    _get(d, path[:-1])[path[-1]] = Dup(pairs)
                else:
                    d = Dup(pairs)
                    break
        elif op == "type" and isinstance(target, dict) and "type" in target:
            target["type"] = draw(st.sampled_from(list(LAYER_TYPES)))  # other arguments meet another type
        elif op == "element" and isinstance(target, list) and target:
            how = draw(st.sampled_from(["drop", "dup", "junk", "foreign"]))
            i = draw(st.integers(0, len(target) - 1))
            if how == "drop":
                del target[i]
            elif how == "dup":
                target.insert(i, json.loads(json.dumps(target[i])) if not isinstance(target[i], (Raw, Dup)) else target[i])
            elif how == "junk":
                target.insert(i, draw(junk))
            else:  # a layer from another preset
                other = PRESET_DOCS[draw(st.sampled_from(sorted(PRESET_DOCS)))]["layers"]
                target.insert(i, json.loads(json.dumps(draw(st.sampled_from(other)))))
        elif path:
            _get(d, path[:-1])[path[-1]] = draw(junk)
    return dump(d)


FUZZ_EXAMPLES = 3200
OUTCOMES: Counter = Counter()


def check_file(path: str, text: str, use_json: bool, pixel_query: bool) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    try:
        project = pj.load(path)
    except pj.ProjectError as e:
        message = str(e)
        assert "\n" not in message and printable(message), repr(message)
        OUTCOMES["refused " + (e.field.split(".")[0].split("[")[0] or "file")] += 1
        if e.field.startswith("layers["):
            OUTCOMES["refused inside a layer"] += 1
        project = None
    args = ["describe", path] + (["--json"] if use_json else [])
    rc, out, err = run_cli(*args)
    assert printable(out), repr(out)
    if project is None:
        assert one_line_refusal(rc, out, err).startswith("convviz: cannot open")
        return
    OUTCOMES["loaded"] += 1
    if rc == 2:
        one_line_refusal(rc, out, err)
        OUTCOMES["loaded, an invalid layer"] += 1
    else:
        assert rc == 0 and err == "", (rc, err)
    if use_json:
        json.loads(out)
    if pixel_query:
        info = project.analyze()
        ok = [l for l in info.layers if l.ok]
        if ok:
            last = ok[-1]
            _, h, w = last.map_shape  # a vector: the grid it is drawn as
            rc, out, err = run_cli("rf", path, "--layer", last.index, "--pixel", f"{h // 2},{w - 1}")
            assert printable(out)
            if rc:
                one_line_refusal(rc, out, err)
            else:
                OUTCOMES["rf answered"] += 1


@pytest.mark.parametrize("name", sorted(PRESET_DOCS))
def test_mutated_presets_keep_the_contract(name):
    """Every preset mutated at every depth of its JSON (values replaced by other types, huge and
    deep values, keys dropped, added, renamed and duplicated, layers dropped, duplicated and
    swapped in from other presets, text up to 300 characters with control characters and lone
    surrogates): load and describe either succeed or refuse with one sentence."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fuzz.json")

        @seed(sorted(PRESET_DOCS).index(name))
        @settings(max_examples=FUZZ_EXAMPLES // len(PRESET_DOCS), deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(text=mutated(name), use_json=st.booleans(), pixel_query=st.integers(0, 3))
        def inner(text, use_json, pixel_query):
            check_file(path, text, use_json, pixel_query == 0)

        inner()


def test_the_fuzz_reaches_past_the_first_field():
    """Runs after the fuzz above (file order): the mutations were spread over the whole file,
    not stopped at "format"."""
    if not OUTCOMES:
        pytest.skip("run with the fuzz")
    print(dict(OUTCOMES))
    assert OUTCOMES["loaded"] >= FUZZ_EXAMPLES // 10, OUTCOMES
    assert OUTCOMES["refused inside a layer"] >= FUZZ_EXAMPLES // 10, OUTCOMES
    assert OUTCOMES["loaded, an invalid layer"] > 0 and OUTCOMES["rf answered"] > 0, OUTCOMES
    assert OUTCOMES["refused format"] < FUZZ_EXAMPLES // 10, OUTCOMES
    assert len([k for k in OUTCOMES if k.startswith("refused ")]) >= 6, OUTCOMES
