"""Training data sets: arrays, labels, splits and provenance, offline; hostile files get a sentence.

The oracles are independent of convviz.datasets: the bundled digits are parsed here with the
csv module, IDX files and image folders are written here with struct and Pillow, and the
shapes' classes are checked by the images' own second moments.
"""
from __future__ import annotations

import collections
import csv
import gzip
import hashlib
import os
import socket
import struct
import tracemalloc

import numpy as np
import pytest
from PIL import Image

from convviz import datasets as D
from convviz.samples import resources_dir

DIGITS = resources_dir() / "datasets" / "digits.csv.gz"


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Nothing here may reach the network."""
    def refuse(*a, **k):
        raise AssertionError("a data set tried to use the network")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def digits_oracle():
    with gzip.open(DIGITS, "rt") as f:
        rows = [[int(v) for v in row] for row in csv.reader(f)]
    a = np.array(rows)
    return a[:, :64].reshape(-1, 8, 8), a[:, 64]


def rows(x, y):
    """The examples as a multiset of (image bytes, label)."""
    return collections.Counter((xi.tobytes(), int(yi)) for xi, yi in zip(x, y))


def one_sentence(err) -> str:
    text = str(err.value)
    assert "\n" not in text and "Traceback" not in text and text.strip(), text
    assert isinstance(err.value, ValueError)
    return text


# --- the registry and the request ------------------------------------------------------------

def test_registry_names_provenance_and_specs():
    assert set(D.DATASETS) == {"digits", "shapes", "horse-shift"}
    for name, info in D.DATASETS.items():
        assert info.name == name and info.description and info.provenance and len(info.classes) >= 2
        assert D.check_spec(name) is None
    assert D.check_spec("folder:/somewhere") is None and D.check_spec("idx:a.gz,b.gz") is None
    for bad in ("mnist", "", "folder:", "idx: "):
        assert D.check_spec(bad)
    assert "CC BY 4.0" in D.DATASETS["digits"].provenance


@pytest.mark.parametrize("kwargs, word", [
    (dict(spec="mnist"), "unknown data set"),
    (dict(channels=0), "channels"),
    (dict(height=5000), "height"),
    (dict(width=2.5), "width"),
    (dict(seed=-1), "seed"),
    (dict(size=1), "number of examples"),
    (dict(test_fraction=1.0), "test fraction"),
    (dict(test_fraction=0), "test fraction"),
    (dict(spec="digits", size=5000), "1,797"),
    (dict(spec="shapes", height=4), "8x8"),
    (dict(spec="horse-shift", width=12), "16 wide"),
])
def test_bad_requests_get_one_sentence(kwargs, word):
    args = dict(spec="shapes", channels=1, height=16, width=16)
    args.update(kwargs)
    with pytest.raises(D.DatasetError) as err:
        D.load_dataset(args.pop("spec"), **args)
    assert word in one_sentence(err)


def test_a_request_too_large_is_refused_before_anything_is_made():
    tracemalloc.start()
    try:
        with pytest.raises(D.DatasetError) as err:
            D.load_dataset("shapes", 3, 512, 512, size=10**6)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "GiB" in one_sentence(err)
    assert peak < 10 << 20


# --- digits ------------------------------------------------------------------------------------

def test_bundled_digits_file_is_the_one_provenance_names():
    blob = DIGITS.read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    assert digest == D.DIGITS_SHA256
    assert digest in (DIGITS.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    assert len(blob) < 64_000


def test_digits_native_size_are_the_uci_pixels_scaled_to_uint8():
    img, lab = digits_oracle()
    assert img.shape == (1797, 8, 8) and img.min() == 0 and img.max() == 16
    d = D.load_dataset("digits", 1, 8, 8, test_fraction=0.25)
    assert len(d.train_y) + len(d.test_y) == 1797 and len(d.test_y) == round(1797 * 0.25)
    expected = np.round(img * 255 / 16).astype(np.uint8)[:, None]
    x = np.concatenate([d.train_x, d.test_x])
    y = np.concatenate([d.train_y, d.test_y])
    assert rows(x, y) == rows(expected, lab)  # train + test is exactly the data set, each example once
    assert d.classes == tuple("0123456789") and "Alpaydin" in d.provenance


def test_digits_split_is_stratified_and_balanced():
    _, lab = digits_oracle()
    per_class = np.bincount(lab)
    assert per_class.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    d = D.load_dataset("digits", 1, 28, 28, seed=5)
    test = np.bincount(d.test_y, minlength=10)
    assert len(d.test_y) == round(0.2 * 1797)
    assert np.all(np.abs(test - per_class * 0.2) <= 1)
    assert np.array_equal(np.bincount(d.train_y, minlength=10) + test, per_class)


def test_digits_resized_to_any_size_and_channel_count():
    img, lab = digits_oracle()
    d = D.load_dataset("digits", 3, 28, 20, size=500, seed=2)
    assert d.train_x.shape[1:] == (3, 28, 20) and d.train_x.dtype == np.uint8
    assert d.train_y.dtype == np.int64 and set(np.unique(d.train_y)) == set(range(10))
    assert len(d.train_y) + len(d.test_y) == 500
    assert np.array_equal(d.train_x[:, 0], d.train_x[:, 2])  # gray in every channel
    # each resized image still looks like one of the originals: block means match its 8x8 source
    x = np.concatenate([d.train_x, d.test_x])[:, 0].astype(float)
    small = np.stack([np.asarray(Image.fromarray(np.uint8(v)).resize((8, 8), Image.Resampling.BOX)) for v in x])
    ref = (img * 255 / 16).reshape(len(img), -1)
    best = np.argmax(np.corrcoef(small.reshape(len(small), -1), ref)[:len(small), len(small):], axis=1)
    y = np.concatenate([d.train_y, d.test_y])
    assert np.mean(lab[best] == y) > 0.97


# --- shapes ------------------------------------------------------------------------------------

def test_shapes_arrays_labels_and_range():
    d = D.load_dataset("shapes", 1, 28, 28, size=800, test_fraction=0.25)
    assert d.classes == D.SHAPE_CLASSES and len(d.classes) == 8
    assert d.train_x.shape == (600, 1, 28, 28) and d.test_x.shape == (200, 1, 28, 28)
    assert d.train_x.dtype == np.uint8 and d.train_y.dtype == np.int64
    assert np.array_equal(np.bincount(d.train_y), [75] * 8) and np.array_equal(np.bincount(d.test_y), [25] * 8)
    x = d.train_x.astype(int)
    contrast = x.reshape(len(x), -1).max(1) - x.reshape(len(x), -1).min(1)
    assert contrast.min() > 60  # every shape stands out from its background


def test_shapes_classes_are_the_shapes_they_name():
    x, y = D.generate_shapes(400, 32, 32, seed=1)
    assert np.array_equal(np.bincount(y), [50] * 8)
    yy, xx = np.mgrid[0:32, 0:32]
    feats = []
    for img in x.astype(float):
        m = img > (img.min() + img.max()) / 2
        ys, xs = yy[m], xx[m]
        vx, vy, cov = xs.var(), ys.var(), np.mean((xs - xs.mean()) * (ys - ys.mean()))
        box = (ys.max() - ys.min() + 1) * (xs.max() - xs.min() + 1)
        apex_up = ys.mean() - (ys.max() + ys.min()) / 2  # > 0: more mass below the middle
        feats.append((vx, vy, cov, m.sum() / box, apex_up))
    f = np.array(feats)
    by = {c: f[y == i] for i, c in enumerate(D.SHAPE_CLASSES)}
    assert np.all(by["horizontal bar"][:, 0] > 4 * by["horizontal bar"][:, 1])
    assert np.all(by["vertical bar"][:, 1] > 4 * by["vertical bar"][:, 0])
    assert np.all(by["rising bar"][:, 2] < 0) and np.all(by["falling bar"][:, 2] > 0)  # image y points down
    assert np.all(by["square"][:, 3] > 0.85) and np.all(by["cross"][:, 3] < 0.6)
    assert np.all((by["circle"][:, 3] > 0.6) & (by["circle"][:, 3] < 0.9))
    assert np.all(by["triangle"][:, 4] > 0) and np.all(by["triangle"][:, 3] < 0.65)


def test_shapes_any_size_and_count():
    for h, w, n in ((8, 8, 9), (20, 50, 17), (64, 40, 33)):
        x, y = D.generate_shapes(n, h, w, seed=3)
        assert x.shape == (n, h, w) and y.shape == (n,) and set(np.unique(y)) <= set(range(8))


# --- horse-shift -------------------------------------------------------------------------------

def horse_template(h, w):
    """The horse silhouette at h x w, made here from the bundled picture: 1 = horse."""
    mask = np.asarray(Image.open(resources_dir() / "samples" / "horse.png").convert("L")) < 128
    ys, xs = np.nonzero(mask)
    crop = Image.fromarray(np.uint8(mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]) * 255)
    return np.asarray(crop.resize((w, h), Image.Resampling.BILINEAR), float) / 255


def correlation(a, b):
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum() + 1e-12))


def test_horse_shift_split_sides_labels_and_positions():
    d = D.load_dataset("horse-shift", 1, 32, 64, size=400, seed=4)
    assert d.classes == ("no horse", "horse") and len(d.train_y) == 320 and len(d.test_y) == 80
    assert np.array_equal(np.bincount(d.train_y), [160, 160]) and np.array_equal(np.bincount(d.test_y), [40, 40])
    assert d.train_pos.shape == d.train_y.shape and d.test_pos.shape == d.test_y.shape
    assert d.train_pos.min() >= 0 and d.train_pos.max() < 32 <= d.test_pos.min() and d.test_pos.max() < 64
    ow = D.generate_horse_shift(1, 32, 64, "left").box[1]
    assert d.train_pos.max() + ow <= 32  # the horse never reaches the right half in train
    for x, pos in ((d.train_x, d.train_pos), (d.test_x, d.test_pos)):
        assert all(img[:, p:p + ow].any() for img, p in zip(x[:, 0], pos))  # the main object's box
    assert "CC0" in d.provenance and d.train_x.shape[1:] == (1, 32, 64)


@pytest.mark.parametrize("side", ["left", "right"])
def test_horse_shift_horse_only_in_its_half_and_only_when_labelled(side):
    h, w = 28, 56
    g = D.generate_horse_shift(120, h, w, side, seed=9)
    oh, ow = g.box
    assert ow > oh  # a horse seen from the side is wider than high
    template = horse_template(oh, ow)
    half = w // 2
    for img, label, x, y in zip(g.images.astype(float), g.labels, g.x, g.y):
        assert 0 <= y <= h - oh and 0 <= x and x + ow <= w  # on the canvas, no wrap-around
        assert (x + ow <= half) if side == "left" else (x >= w - half)
        crop = img[y:y + oh, x:x + ow]
        r = correlation(crop, template)
        assert (r > 0.9) if label else (r < 0.8), (label, r)
    assert set(np.unique(g.labels)) == {0, 1}


# --- determinism and the split -----------------------------------------------------------------

@pytest.mark.parametrize("spec, h, w", [("digits", 28, 28), ("shapes", 24, 24), ("horse-shift", 24, 48)])
def test_same_seed_same_arrays_bit_for_bit(spec, h, w):
    a = D.load_dataset(spec, 1, h, w, seed=7, size=300)
    D._digits_raw.cache_clear()
    D._digits_resized.cache_clear()
    b = D.load_dataset(spec, 1, h, w, seed=7, size=300)
    c = D.load_dataset(spec, 1, h, w, seed=8, size=300)
    for field in ("train_x", "train_y", "test_x", "test_y"):
        av, bv = getattr(a, field), getattr(b, field)
        assert av.tobytes() == bv.tobytes() and av.dtype == bv.dtype and av.shape == bv.shape
    assert a.train_x.tobytes() != c.train_x.tobytes()


def test_the_seed_chooses_the_split():
    a, b = (D.load_dataset("digits", 1, 8, 8, seed=s) for s in (0, 1))
    assert rows(a.test_x, a.test_y) != rows(b.test_x, b.test_y)
    assert rows(np.concatenate([a.train_x, a.test_x]), np.concatenate([a.train_y, a.test_y])) == \
        rows(np.concatenate([b.train_x, b.test_x]), np.concatenate([b.train_y, b.test_y]))


def test_split_is_a_partition_of_the_requested_size():
    for frac in (0.1, 0.2, 0.5):
        d = D.load_dataset("shapes", 1, 16, 16, size=250, test_fraction=frac, seed=3)
        assert len(d.test_y) == round(250 * frac) and len(d.train_y) == 250 - round(250 * frac)
        x, y = D.generate_shapes(250, 16, 16, seed=3)
        both = rows(np.concatenate([d.train_x, d.test_x])[:, 0], np.concatenate([d.train_y, d.test_y]))
        assert both == rows(x, y)
        assert not set(rows(d.train_x, d.train_y)) & set(rows(d.test_x, d.test_y))


def test_arrays_are_read_only_and_float_view_is_scaled():
    d = D.load_dataset("shapes", 2, 12, 12, size=40)
    for a in (d.train_x, d.train_y, d.test_x, d.test_y):
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[0] = 0
    f = d.as_float32()
    assert f.train_x.dtype == np.float32 and not f.train_x.flags.writeable
    assert np.array_equal(f.test_x, d.test_x / np.float32(255)) and f.train_y is d.train_y
    assert d.shape == (2, 12, 12) and d.num_classes == 8 and "shapes" in d.summary()


# --- IDX (MNIST format) ------------------------------------------------------------------------

def idx_bytes(arr: np.ndarray, code: int = 0x08) -> bytes:
    return bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.astype(">u1").tobytes()


def write(path, blob: bytes, gz: bool = False):
    path.write_bytes(gzip.compress(blob) if gz else blob)
    return path


def mnist_like(n=30, h=7, w=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, h, w), dtype=np.uint8), (np.arange(n) % 3).astype(np.uint8)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_pair_found_by_mnist_naming(tmp_path, gz):
    img, lab = mnist_like()
    ext = ".gz" if gz else ""
    images = write(tmp_path / f"train-images-idx3-ubyte{ext}", idx_bytes(img), gz)
    write(tmp_path / f"train-labels-idx1-ubyte{ext}", idx_bytes(lab), gz)
    d = D.load_dataset(f"idx:{images}", 1, 7, 6, test_fraction=0.2)
    assert d.classes == ("0", "1", "2") and not d.skipped
    assert rows(np.concatenate([d.train_x, d.test_x])[:, 0], np.concatenate([d.train_y, d.test_y])) == rows(img, lab)
    assert len(d.test_y) == 6 and np.array_equal(np.bincount(d.test_y), [2, 2, 2])
    assert "IDX" in d.provenance and "train-labels-idx1-ubyte" in d.provenance


def test_idx_pair_named_and_resized(tmp_path):
    img, lab = mnist_like(n=12, h=10, w=10)
    a = write(tmp_path / "pics.idx", idx_bytes(img), gz=True)  # gzip found by content, not name
    b = write(tmp_path / "labs.idx", idx_bytes(lab))
    d = D.load_dataset(f"idx:{a},{b}", 3, 20, 16, test_fraction=0.25)
    assert d.train_x.shape == (9, 3, 20, 16) and d.test_x.shape == (3, 3, 20, 16)
    x, y = D.read_idx_pair(a, b)[:2]
    assert np.array_equal(x, img) and np.array_equal(y, lab) and y.dtype == np.int64


def hostile(tmp_path, name, blob, gz=False):
    img, lab = mnist_like()
    images = write(tmp_path / f"{name}-images-idx3-ubyte", blob, gz)
    write(tmp_path / f"{name}-labels-idx1-ubyte", idx_bytes(lab))
    return images


@pytest.mark.parametrize("name, make, gz, word", [
    ("truncated", lambda img: idx_bytes(img)[:-50], False, "truncated"),
    ("truncated-gz", lambda img: idx_bytes(img)[:-50], True, "truncated"),
    ("header-only", lambda img: idx_bytes(img)[:10], False, "header"),
    ("empty", lambda img: b"", False, "magic number"),
    ("badmagic", lambda img: b"\x08\x03" + idx_bytes(img)[2:], False, "magic number"),
    ("png", lambda img: b"\x89PNG\r\n\x1a\n" + bytes(100), False, "magic number"),
    ("badtype", lambda img: idx_bytes(img)[:2] + b"\x07" + idx_bytes(img)[3:], False, "type code"),
    ("float", lambda img: idx_bytes(img)[:2] + b"\x0d" + idx_bytes(img)[3:], False, "unsigned bytes"),
    ("ndim", lambda img: idx_bytes(img.reshape(30, 42)), False, "3-dimensional"),
    ("extra", lambda img: idx_bytes(img) + b"\0", False, "damaged"),
    ("extra-gz", lambda img: idx_bytes(img) + b"\0", True, "more data"),
    ("zero", lambda img: idx_bytes(img[:0]), False, "no images"),
    ("billion", lambda img: bytes([0, 0, 8, 3]) + struct.pack(">3I", 10**9, 28, 28) + bytes(1000), False,
     "1,000,000,000"),
    ("billion-gz", lambda img: bytes([0, 0, 8, 3]) + struct.pack(">3I", 10**9, 28, 28) + bytes(1000), True,
     "1,000,000,000"),
    ("huge-gz", lambda img: bytes([0, 0, 8, 3]) + struct.pack(">3I", 1000, 1000, 1000) + bytes(1000), True,
     "gzip file can hold"),
])
def test_hostile_idx_images_get_one_sentence_without_big_allocations(tmp_path, name, make, gz, word):
    img, _ = mnist_like()
    images = hostile(tmp_path, name, make(img), gz)
    tracemalloc.start()
    try:
        with pytest.raises(D.DatasetError) as err:
            D.load_dataset(f"idx:{images}", 1, 7, 6)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    text = one_sentence(err)
    assert word in text and str(images) in text
    assert peak < 4 << 20  # nothing sized from the header


def test_damaged_gzip_stream(tmp_path):
    img, lab = mnist_like()
    blob = bytearray(gzip.compress(idx_bytes(img)))
    middle = len(blob) // 2
    blob[middle:middle + 8] = bytes(8)  # corrupt the data: the deflate stream or its checksum fails
    images = hostile(tmp_path, "broken", bytes(blob), gz=False)
    with pytest.raises(D.DatasetError) as err:
        D.load_dataset(f"idx:{images}", 1, 7, 6)
    assert "damaged gzip" in one_sentence(err)


def test_idx_labels_must_match_and_exist(tmp_path):
    img, lab = mnist_like()
    images = write(tmp_path / "a-images-idx3-ubyte", idx_bytes(img))
    with pytest.raises(D.DatasetError) as err:
        D.load_dataset(f"idx:{images}", 1, 7, 6)
    assert "a-labels-idx1-ubyte" in one_sentence(err) and "idx:IMAGES,LABELS" in str(err.value)
    write(tmp_path / "a-labels-idx1-ubyte", idx_bytes(lab[:-1]))
    with pytest.raises(D.DatasetError) as err:
        D.load_dataset(f"idx:{images}", 1, 7, 6)
    assert "29 labels" in one_sentence(err) and "30 images" in str(err.value)
    write(tmp_path / "a-labels-idx1-ubyte", idx_bytes(lab.reshape(3, 10, 1)))
    with pytest.raises(D.DatasetError) as err:
        D.load_dataset(f"idx:{images}", 1, 7, 6)
    assert "1-dimensional" in one_sentence(err)
    with pytest.raises(D.DatasetError) as err:
        D.load_dataset(f"idx:{tmp_path / 'missing-images-idx3-ubyte'},{tmp_path / 'x'}", 1, 7, 6)
    assert "does not exist" in one_sentence(err)
    with pytest.raises(D.DatasetError) as err:
        D.load_dataset(f"idx:{tmp_path}", 1, 7, 6)  # a folder is not an IDX file
    one_sentence(err)


# --- image folder ------------------------------------------------------------------------------

def png(path, arr):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path)
    return arr


def test_image_folder_reads_classes_and_counts_what_it_skips(tmp_path):
    rng = np.random.default_rng(0)
    made = collections.Counter()
    for c, name in enumerate(("cat", "dog")):
        for i in range(6):
            arr = rng.integers(0, 256, (9, 7), dtype=np.uint8)
            sub = "nested/" if i == 5 else ""
            png(tmp_path / name / f"{sub}{i}.png", arr)
            made[(arr[None].tobytes(), c)] += 1
    (tmp_path / "cat" / "notes.txt").write_text("not an image")  # a non-image file
    (tmp_path / "dog" / "broken.png").write_bytes(b"this is not a png at all")  # a .png that is not an image
    (tmp_path / "dog" / "half.png").write_bytes(open(tmp_path / "dog" / "0.png", "rb").read()[:40])  # truncated
    (tmp_path / "empty").mkdir()  # an empty class folder
    (tmp_path / "README.md").write_text("loose file")  # not in a class folder
    (tmp_path / ".hidden").mkdir()
    png(tmp_path / ".hidden" / "x.png", np.zeros((9, 7), np.uint8))  # ignored
    (tmp_path / "cat" / ".DS_Store").write_bytes(b"\0\1")  # ignored
    d = D.load_dataset(f"folder:{tmp_path}", 1, 9, 7, test_fraction=0.25)
    assert d.classes == ("cat", "dog")
    assert rows(np.concatenate([d.train_x, d.test_x]), np.concatenate([d.train_y, d.test_y])) == made
    assert d.skipped.count == 5
    text = " | ".join(d.skipped.reasons) + str(d.skipped)
    for bit in ("notes.txt", "broken.png", "half.png", "empty/", "README.md"):
        assert bit in text
    assert "5 skipped" in d.summary()


def test_image_folder_converts_colour_and_size(tmp_path):
    red = np.zeros((10, 10, 3), np.uint8)
    red[..., 0] = 200
    for c in ("a", "b"):
        for i in range(3):
            png(tmp_path / c / f"{i}.png", red)
    (tmp_path / "a" / "x.JPG").write_bytes(b"")  # an empty file with an image extension
    d = D.load_dataset(f"folder:{tmp_path}", 3, 5, 5)
    x = np.concatenate([d.train_x, d.test_x])
    assert x.shape == (6, 3, 5, 5) and np.all(x[:, 0] == 200) and np.all(x[:, 1:] == 0)
    assert d.skipped.count == 1 and "x.JPG" in d.skipped.reasons[0]
    g = D.load_dataset(f"folder:{tmp_path}", 1, 10, 10)
    expected = np.asarray(Image.fromarray(red).convert("L"))
    assert np.all(np.concatenate([g.train_x, g.test_x])[:, 0] == expected)


def test_image_folder_subset_is_class_balanced_and_seeded(tmp_path):
    for c in ("a", "b"):
        for i in range(20):
            png(tmp_path / c / f"{i}.png", np.full((4, 4), i * 10 + (c == "b"), np.uint8))
    d = D.load_dataset(f"folder:{tmp_path}", 1, 4, 4, size=10, seed=1)
    e = D.load_dataset(f"folder:{tmp_path}", 1, 4, 4, size=10, seed=1)
    y = np.concatenate([d.train_y, d.test_y])
    assert np.array_equal(np.bincount(y), [5, 5])
    assert d.train_x.tobytes() == e.train_x.tobytes() and d.test_y.tobytes() == e.test_y.tobytes()


@pytest.mark.parametrize("layout, word", [
    ({}, "does not exist"),
    ({"a": None}, "no class folders"),
    ({"a/": None, "b/": None}, "no image"),
    ({"a/x.png": b"junk", "b/y.txt": b"text"}, "no image"),
    ({"a/0.png": "ok", "a/1.png": "ok", "b/": None}, "only one class"),
])
def test_image_folder_with_nothing_usable_is_one_sentence(tmp_path, layout, word):
    root = tmp_path / "data"
    if layout:
        root.mkdir()
    for rel, content in layout.items():
        p = root / rel
        if rel.endswith("/"):
            p.mkdir(parents=True)
        elif content is None:
            p.write_text("a file")
        elif content == "ok":
            png(p, np.zeros((3, 3), np.uint8))
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(content)
    with pytest.raises(D.DatasetError) as err:
        D.load_dataset(f"folder:{root}", 1, 3, 3)
    assert word in one_sentence(err)


def test_a_file_given_as_folder(tmp_path):
    f = tmp_path / "x.png"
    png(f, np.zeros((3, 3), np.uint8))
    with pytest.raises(D.DatasetError) as err:
        D.load_dataset(f"folder:{f}", 1, 3, 3)
    assert "not a folder" in one_sentence(err)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_never_blocks(tmp_path):
    for c in ("a", "b"):
        png(tmp_path / c / "0.png", np.zeros((3, 3), np.uint8))
        png(tmp_path / c / "1.png", np.ones((3, 3), np.uint8))
    os.mkfifo(tmp_path / "a" / "pipe.png")
    d = D.load_dataset(f"folder:{tmp_path}", 1, 3, 3)
    assert d.skipped.count == 1 and "pipe.png" in d.skipped.reasons[0]
    os.mkfifo(tmp_path / "p-images-idx3-ubyte")
    with pytest.raises(D.DatasetError) as err:
        D.load_dataset(f"idx:{tmp_path / 'p-images-idx3-ubyte'},{tmp_path / 'p-images-idx3-ubyte'}", 1, 3, 3)
    assert "regular file" in one_sentence(err)


def test_loading_every_built_in_set_loads_neither_qt_nor_torch():
    import subprocess
    import sys
    code = ("import sys\nfrom convviz.datasets import load_dataset\n"
            "for s in ('digits', 'shapes', 'horse-shift'): load_dataset(s, 1, 16, 32, size=40)\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=120)
    assert r.returncode == 0, r.stderr
    assert not set(r.stdout.split()) & {"torch", "PySide6", "shiboken6", "pyqtgraph", "sklearn"}


def test_relative_paths_are_relative_to_the_project_folder(tmp_path):
    img, lab = mnist_like(n=10)
    (tmp_path / "data").mkdir()
    write(tmp_path / "data" / "train-images-idx3-ubyte", idx_bytes(img))
    write(tmp_path / "data" / "train-labels-idx1-ubyte", idx_bytes(lab))
    for c in ("a", "b"):
        for i in range(2):
            png(tmp_path / "pics" / c / f"{i}.png", np.full((3, 3), i, np.uint8))
    d = D.load_dataset("idx:data/train-images-idx3-ubyte", 1, 7, 6, base_dir=tmp_path)
    e = D.load_dataset("idx:data/train-images-idx3-ubyte, data/train-labels-idx1-ubyte", 1, 7, 6, base_dir=tmp_path)
    assert d.train_x.tobytes() == e.train_x.tobytes() and len(d.train_y) + len(d.test_y) == 10
    f = D.load_dataset("folder:pics", 1, 3, 3, base_dir=tmp_path)
    assert f.classes == ("a", "b") and str(tmp_path) in f.provenance
