"""Data sets for training: arrays with provenance, Qt-free and torch-free (numpy and Pillow).

A data set is named by a spec string:

  ``digits``            the 1,797 8x8 handwritten digits of the UCI optical-recognition set, as
                        scikit-learn ships them (resources/datasets/, see PROVENANCE.md there);
  ``shapes``            generated: bars at four orientations, circles, squares, crosses and
                        triangles at random positions, sizes and contrast;
  ``horse-shift``       generated: the horse silhouette (or a second distractor) beside a
                        distractor; the horse is in the left half in train, the right half in test;
  ``folder:PATH``       an image folder, one subfolder per class (torchvision's ImageFolder layout);
  ``idx:IMAGES``        MNIST-format IDX files, gzipped or not; the labels file is found beside the
                        images by the MNIST naming (train-images-idx3-ubyte -> train-labels-idx1-ubyte);
  ``idx:IMAGES,LABELS`` the same with the labels file named.

``load_dataset(spec, channels, height, width, seed=0, size=None, test_fraction=0.2)`` returns a
frozen ``Dataset``: uint8 images (N, C, H, W) at the requested channel count and size, int64
labels, class names, provenance text and what was skipped, split into train and test by the seed.
Same spec, seed and arguments give identical arrays.  Every array is read-only (copy it before
handing it to torch: ``torch.tensor(x)``).  Nothing is downloaded.  Bad input raises
``DatasetError`` with one sentence; an unreadable file inside a folder is skipped and counted.
"""
from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import os
import stat
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .samples import resources_dir


class DatasetError(ValueError):
    """A data set that cannot be used: an unknown name, a missing or damaged file, no examples."""


# A data set larger than this many bytes of images is refused with a sentence (ask for fewer).
MAX_BYTES = 2 << 30
MAX_SIDE = 4096
MAX_CHANNELS = 64
# deflate cannot compress better than about 1032:1, so a gzipped IDX file of n bytes never holds
# more than this many times n bytes: a header that claims more is a lie, refused before reading.
_GZIP_MAX_RATIO = 1100
# the image files a folder data set reads (torchvision's IMG_EXTENSIONS, and GIF)
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp", ".gif")
_MAX_REASONS = 5


@dataclass(frozen=True)
class Skipped:
    """What a reader left out: how many files (or empty class folders), and a few reasons."""

    count: int = 0
    reasons: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.count > 0

    def __str__(self) -> str:
        if not self.count:
            return "nothing skipped"
        more = f"; and {self.count - len(self.reasons)} more" if self.count > len(self.reasons) else ""
        return f"{self.count} skipped: " + "; ".join(self.reasons) + more


@dataclass(frozen=True, eq=False)
class Dataset:
    """A data set split into train and test.  Images are (N, C, H, W) uint8 (or float32 in [0, 1]
    after ``as_float32``), labels int64 indices into ``classes``; every array is read-only.
    ``train_pos``/``test_pos`` (horse-shift only, else None) give each example's main object's
    left column (of its box: the horse's bounding box, or for a "no horse" example the box of the
    distractor that takes its place) for a plot of accuracy against position."""

    name: str
    classes: tuple[str, ...]
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    provenance: str
    skipped: Skipped = Skipped()
    seed: int = 0
    train_pos: np.ndarray | None = None
    test_pos: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one example."""
        return tuple(self.train_x.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def as_float32(self) -> "Dataset":
        """The same data set with float32 images in [0, 1] (uint8 / 255)."""
        if self.train_x.dtype == np.float32:
            return self
        return dataclasses.replace(self, train_x=_frozen(self.train_x.astype(np.float32) / np.float32(255)),
                                   test_x=_frozen(self.test_x.astype(np.float32) / np.float32(255)))

    def summary(self) -> str:
        c, h, w = self.shape
        text = (f"{self.name}: {len(self.train_y)} train + {len(self.test_y)} test images of {c}x{h}x{w}, "
                f"{self.num_classes} classes")
        return text + (f" ({self.skipped})" if self.skipped else "")


@dataclass(frozen=True)
class DatasetInfo:
    """A registry entry: what a built-in data set is, before it is loaded."""

    name: str
    description: str
    provenance: str
    classes: tuple[str, ...]
    default_size: int  # examples (train + test) when ``size`` is None
    max_size: int | None  # None: any count (generated)


# --- helpers ------------------------------------------------------------------------------------

def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _rng(seed: int, purpose: str) -> np.random.Generator:
    """An independent, reproducible stream per (seed, purpose)."""
    return np.random.default_rng([seed, zlib.crc32(purpose.encode())])


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}" + ("" if n == 1 else "s")


def _resize_stack(imgs: np.ndarray, height: int, width: int) -> np.ndarray:
    """(N, h, w) or (N, h, w, 3) uint8 resized to height x width with Pillow: LANCZOS when
    shrinking, BILINEAR when enlarging (as samples.decode_image does)."""
    from PIL import Image

    n, h, w = imgs.shape[:3]
    if (h, w) == (height, width):
        return imgs
    method = Image.Resampling.LANCZOS if height * width <= h * w else Image.Resampling.BILINEAR
    out = np.empty((n, height, width) + imgs.shape[3:], np.uint8)
    for i in range(n):
        out[i] = np.asarray(Image.fromarray(imgs[i]).resize((width, height), method))
    return out


def _to_channels(gray: np.ndarray, channels: int) -> np.ndarray:
    """(N, H, W) -> (N, C, H, W), the gray image in every channel."""
    return np.ascontiguousarray(np.broadcast_to(gray[:, None], (gray.shape[0], channels) + gray.shape[1:]))


def _allocation(labels: np.ndarray, total: int, num_classes: int) -> np.ndarray:
    """How many of each class make ``total`` in proportion (largest remainder, ties to the lower
    class): never more than a class has."""
    counts = np.bincount(labels, minlength=num_classes).astype(np.int64)
    n = int(counts.sum())
    quota = counts * total
    base = quota // n
    rest = total - int(base.sum())
    order = np.lexsort((np.arange(num_classes), -(quota % n)))  # largest remainder first
    base[order[:rest]] += 1
    return base


def _stratified_pick(labels: np.ndarray, total: int, num_classes: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``total`` examples, each class in proportion, chosen at random; boolean mask."""
    take = _allocation(labels, total, num_classes)
    mask = np.zeros(len(labels), bool)
    perm = rng.permutation(len(labels))
    by_class = perm[np.argsort(labels[perm], kind="stable")]  # each class's examples, shuffled
    start = 0
    for c, n_c in enumerate(np.bincount(labels, minlength=num_classes)):
        mask[by_class[start:start + take[c]]] = True
        start += n_c
    return mask


def _split(x: np.ndarray, y: np.ndarray, num_classes: int, seed: int, test_fraction: float, what: str):
    """A stratified, seeded train/test split; both parts shuffled by the seed."""
    n = len(y)
    if n < 2:
        raise DatasetError(f"{what} gives only {_count(n, 'usable example')}; a train/test split needs at least 2")
    n_test = min(max(int(round(n * test_fraction)), 1), n - 1)
    rng = _rng(seed, "split")
    test = _stratified_pick(y, n_test, num_classes, rng)
    tr, te = np.flatnonzero(~test), np.flatnonzero(test)
    tr, te = tr[rng.permutation(len(tr))], te[rng.permutation(len(te))]
    return x[tr], y[tr], x[te], y[te]


def _check_request(channels, height, width, seed, size, test_fraction) -> None:
    for value, name, hi in ((channels, "channels", MAX_CHANNELS), (height, "height", MAX_SIDE),
                            (width, "width", MAX_SIDE)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= hi:
            raise DatasetError(f"the {name} of a data set's images must be a whole number from 1 to {hi}, not {value!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DatasetError(f"the seed must be a whole number 0 or more, not {seed!r}")
    if size is not None and (isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 2):
        raise DatasetError(f"the number of examples must be a whole number 2 or more, not {size!r}")
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float, np.integer, np.floating)) \
            or not 0 < test_fraction < 1:
        raise DatasetError(f"the test fraction must be between 0 and 1 (for example 0.2), not {test_fraction!r}")


def _check_bytes(n: int, channels: int, height: int, width: int) -> None:
    nbytes = n * channels * height * width
    if nbytes > MAX_BYTES:
        raise DatasetError(f"{_count(n, 'image')} of {channels}x{height}x{width} would take {nbytes / 2**30:.1f} GiB; "
                           f"ask for fewer examples or a smaller input (at most {MAX_BYTES / 2**30:.0f} GiB)")


# --- digits -------------------------------------------------------------------------------------

DIGITS_FILE = "digits.csv.gz"
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


@functools.lru_cache(maxsize=1)
def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 digits as (N, 8, 8) uint8 in 0..255 and their labels, read-only."""
    path = resources_dir() / "datasets" / DIGITS_FILE
    try:
        blob = path.read_bytes()
    except OSError as e:
        raise DatasetError(f"the bundled digits file {path} cannot be read ({e.strerror or e}); reinstall convviz") from None
    if hashlib.sha256(blob).hexdigest() != DIGITS_SHA256:
        raise DatasetError(f"the bundled digits file {path} is damaged (its sha256 is not the one in PROVENANCE.md); "
                           "reinstall convviz")
    rows = np.array([line.split(b",") for line in gzip.decompress(blob).split()], dtype=np.int64)
    pixels, labels = rows[:, :64], rows[:, 64]
    img = ((pixels * 255 + 8) // 16).astype(np.uint8).reshape(-1, 8, 8)  # 0..16 -> 0..255, rounded
    return _frozen(img), _frozen(labels)


@functools.lru_cache(maxsize=4)
def _digits_resized(height: int, width: int) -> np.ndarray:
    return _frozen(_resize_stack(_digits_raw()[0], height, width))


def _load_digits(channels, height, width, seed, size, test_fraction):
    labels = _digits_raw()[1]
    n = len(labels)
    if size is not None and size > n:
        raise DatasetError(f"digits has {_count(n, 'example')}; {size:,} were asked for")
    _check_bytes(size or n, channels, height, width)
    keep = np.arange(n)
    if size is not None and size < n:
        keep = np.flatnonzero(_stratified_pick(labels, size, 10, _rng(seed, "subset")))
    x = _to_channels(_digits_resized(height, width)[keep], channels)
    return _split(x, labels[keep], 10, seed, test_fraction, "digits")


# --- shapes -------------------------------------------------------------------------------------

SHAPE_CLASSES = ("horizontal bar", "vertical bar", "rising bar", "falling bar", "circle", "square", "cross",
                 "triangle")
_BAR_ANGLES = {0: 0.0, 1: np.pi / 2, 2: -np.pi / 4, 3: np.pi / 4}  # image y points down: -45 deg rises


def _shape_alpha(kind: int, dx: np.ndarray, dy: np.ndarray, r: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Coverage in [0, 1] of shape ``kind`` (an index into SHAPE_CLASSES) of half-extent r and
    stroke t, at offsets (dx, dy) from its centre; a signed distance, anti-aliased over a pixel."""
    if kind in _BAR_ANGLES:
        a = _BAR_ANGLES[kind]
        u = dx * np.float32(np.cos(a)) + dy * np.float32(np.sin(a))
        v = dy * np.float32(np.cos(a)) - dx * np.float32(np.sin(a))
        d = np.maximum(np.abs(u) - r, np.abs(v) - t / 2)
    elif kind == 4:  # disc (area about that of the square)
        d = np.sqrt(dx * dx + dy * dy) - 0.8 * r
    elif kind == 5:  # axis-aligned square
        d = np.maximum(np.abs(dx), np.abs(dy)) - 0.72 * r
    elif kind == 6:  # plus-shaped cross
        h = np.maximum(np.abs(dy) - t / 2, np.abs(dx) - r)
        v = np.maximum(np.abs(dx) - t / 2, np.abs(dy) - r)
        d = np.minimum(h, v)
    elif kind == 7:  # equilateral triangle, apex up, circumradius r (inradius r / 2)
        c, s = np.float32(np.sqrt(3) / 2), np.float32(0.5)
        d = np.maximum(np.maximum(dy, c * dx - s * dy), -c * dx - s * dy) - r / 2
    else:
        raise ValueError(kind)
    return np.clip(np.float32(0.5) - d, 0, 1)


def generate_shapes(n: int, height: int, width: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` gray (N, H, W) uint8 images of SHAPE_CLASSES, balanced, with their labels: each
    shape at a random position, size, stroke, background and contrast, plus mild noise."""
    rng = _rng(seed, "shapes")
    k = len(SHAPE_CLASSES)
    labels = rng.permutation(np.arange(n) % k).astype(np.int64)
    m = min(height, width)
    r = rng.uniform(0.22, 0.42, n).astype(np.float32) * m
    t = rng.uniform(max(1.5, 0.07 * m), max(2.5, 0.14 * m), n).astype(np.float32)
    cx = (r + rng.uniform(0, 1, n).astype(np.float32) * (width - 1 - 2 * r)).astype(np.float32)
    cy = (r + rng.uniform(0, 1, n).astype(np.float32) * (height - 1 - 2 * r)).astype(np.float32)
    bg = rng.uniform(0, 60, n).astype(np.float32)
    fg = bg + 80 + rng.uniform(0, 1, n).astype(np.float32) * (175 - bg)  # contrast 80 .. 255 - bg
    noise_rng = _rng(seed, "shapes-noise")
    ys = np.arange(height, dtype=np.float32)[None, :, None]
    xs = np.arange(width, dtype=np.float32)[None, None, :]
    out = np.empty((n, height, width), np.uint8)
    col = (slice(None), None, None)
    step = max(1, (1 << 21) // (height * width))  # float temporaries of about 8 MB each
    for start in range(0, n, step):
        chunk = slice(start, min(n, start + step))
        noise = noise_rng.normal(0, 4, (chunk.stop - start, height, width)).astype(np.float32)
        for kind in range(k):
            sel = np.flatnonzero(labels[chunk] == kind)
            if not len(sel):
                continue
            idx = start + sel
            alpha = _shape_alpha(kind, xs - cx[idx][col], ys - cy[idx][col], r[idx][col], t[idx][col])
            img = bg[idx][col] + alpha * (fg[idx] - bg[idx])[col] + noise[sel]
            out[idx] = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    return out, labels


def _load_shapes(channels, height, width, seed, size, test_fraction):
    if min(height, width) < 8:
        raise DatasetError(f"shapes needs images of at least 8x8 pixels, not {height}x{width}")
    n = size or DATASETS["shapes"].default_size
    _check_bytes(n, channels, height, width)
    img, labels = generate_shapes(n, height, width, seed)
    return _split(_to_channels(img, channels), labels, len(SHAPE_CLASSES), seed, test_fraction, "shapes")


# --- horse-shift --------------------------------------------------------------------------------

HORSE_CLASSES = ("no horse", "horse")


@functools.lru_cache(maxsize=1)
def _horse_mask() -> np.ndarray:
    """The horse silhouette, binarised (1 = horse) and cropped to its bounding box."""
    from PIL import Image

    path = resources_dir() / "samples" / "horse.png"
    try:
        with Image.open(path) as im:
            gray = np.asarray(im.convert("L"))
    except OSError as e:
        raise DatasetError(f"the bundled horse silhouette {path} cannot be read ({e}); reinstall convviz") from None
    mask = gray < 128
    ys, xs = np.nonzero(mask)
    return _frozen(mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.uint8))


def _horse_stamps(height: int, width: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The horse's coverage (float32, oh x ow) sized to fit half the canvas, and four distractors
    (disc, square, cross, triangle) of the same box."""
    from PIL import Image

    mask = _horse_mask()
    aspect = mask.shape[1] / mask.shape[0]
    ow = min(round(0.5 * height * aspect), width // 2 - 2)
    oh = min(height - 2, max(3, round(ow / aspect)))
    horse = np.asarray(Image.fromarray(mask * 255).resize((ow, oh), Image.Resampling.LANCZOS), np.float32) / 255
    ys = np.arange(oh, dtype=np.float32)[:, None] - (oh - 1) / 2
    xs = np.arange(ow, dtype=np.float32)[None, :] - (ow - 1) / 2
    r, t = np.float32(min(oh, ow) / 2 - 0.5), np.float32(max(1.5, 0.25 * min(oh, ow)))
    others = [_shape_alpha(kind, xs, ys, r, t) for kind in (4, 5, 6, 7)]
    return np.clip(horse, 0, 1), others


class HorseShift(NamedTuple):
    images: np.ndarray  # (N, H, W) uint8
    labels: np.ndarray  # int64, 1 = horse
    x: np.ndarray  # int64, the main object's left column
    y: np.ndarray  # int64, its top row
    box: tuple[int, int]  # (height, width) of the main object's box


def generate_horse_shift(n: int, height: int, width: int, side: str, seed: int = 0) -> HorseShift:
    """``n`` gray canvases with labels (1 = horse) and where each main object is.  The main
    object (the horse, or for "no horse" a distractor: disc, square, cross or triangle) lies
    wholly in the ``side`` ("left" or "right") half; one more distractor lies anywhere on the
    canvas (never wrapping around), not overlapping it."""
    if side not in ("left", "right"):
        raise ValueError(side)
    rng = _rng(seed, "horse-shift-" + side)
    horse, others = _horse_stamps(height, width)
    oh, ow = horse.shape
    half = width // 2
    labels = rng.permutation(np.arange(n) % 2).astype(np.int64)
    lo = 0 if side == "left" else width - half
    x1 = lo + rng.integers(0, half - ow + 1, n)
    y1 = rng.integers(0, height - oh + 1, n)
    kind1 = rng.integers(0, len(others), n)
    # the background distractor: the first of 16 candidates that does not overlap the main object
    # (on a canvas too small for that, the first candidate)
    tries = 16
    x2 = rng.integers(0, width - ow + 1, (n, tries))
    y2 = rng.integers(0, height - oh + 1, (n, tries))
    clear = (np.abs(x2 - x1[:, None]) >= ow) | (np.abs(y2 - y1[:, None]) >= oh)
    pick = np.argmax(clear, axis=1)
    x2, y2 = x2[np.arange(n), pick], y2[np.arange(n), pick]
    kind2 = rng.integers(0, len(others), n)
    level1 = rng.uniform(110, 255, n).astype(np.float32)
    level2 = rng.uniform(110, 255, n).astype(np.float32)
    canvas = np.zeros((n, height, width), np.uint8)
    for i in range(n):
        main = horse if labels[i] else others[kind1[i]]
        box = canvas[i, y2[i]:y2[i] + oh, x2[i]:x2[i] + ow]
        np.maximum(box, np.rint(others[kind2[i]] * level2[i]).astype(np.uint8), out=box)
        box = canvas[i, y1[i]:y1[i] + oh, x1[i]:x1[i] + ow]
        np.maximum(box, np.rint(main * level1[i]).astype(np.uint8), out=box)
    return HorseShift(canvas, labels, x1.astype(np.int64), y1.astype(np.int64), (oh, ow))


def _load_horse_shift(channels, height, width, seed, size, test_fraction):
    if height < 8 or width < 16:
        raise DatasetError(f"horse-shift needs images at least 8 high and 16 wide, not {height}x{width}; "
                           "a wide input such as 32x64 shows the experiment best")
    n = size or DATASETS["horse-shift"].default_size
    _check_bytes(n, channels, height, width)
    n_test = min(max(int(round(n * test_fraction)), 1), n - 1)
    train = generate_horse_shift(n - n_test, height, width, "left", seed)
    test = generate_horse_shift(n_test, height, width, "right", seed)
    return (_to_channels(train.images, channels), train.labels, _to_channels(test.images, channels), test.labels,
            train.x, test.x)


# --- image folder -------------------------------------------------------------------------------

def _note(reasons: list[str], text: str) -> None:
    if len(reasons) < _MAX_REASONS:
        reasons.append(text)


def read_image_folder(root: str | os.PathLike, channels: int, height: int, width: int, size: int | None = None,
                      seed: int = 0) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], Skipped]:
    """Images (N, C, H, W) uint8, labels and class names from ``root``/CLASS/.../IMAGE (classes
    in sorted order, as torchvision's ImageFolder).  A file that is not an image, or that cannot
    be decoded, is skipped and counted; so is a class folder with no readable image (the class is
    left out).  Hidden files and folders are ignored.  ``size`` reads a seeded, class-balanced
    subset of the files."""
    from .samples import InputError, decode_image

    root = Path(root).expanduser()
    if not root.is_dir():
        what = "is a file, not a folder" if root.exists() else "does not exist"
        raise DatasetError(f"the image folder {root} {what}")
    try:
        subdirs = sorted(e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith("."))
        loose = sorted(e.name for e in os.scandir(root) if e.is_file() and not e.name.startswith("."))
    except OSError as e:
        raise DatasetError(f"the image folder {root} cannot be read ({e.strerror or e})") from None
    if not subdirs:
        raise DatasetError(f"the image folder {root} has no class folders: put each class's images in a subfolder "
                           "named after the class (for example cats/ and dogs/)")
    count, reasons = 0, []
    for name in loose:
        count += 1
        _note(reasons, f"{name}: not inside a class folder")
    files: list[tuple[Path, int]] = []
    for c, name in enumerate(subdirs):
        for dirpath, dirnames, filenames in os.walk(root / name):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for f in sorted(filenames):
                if f.startswith("."):
                    continue
                path = Path(dirpath) / f
                if path.suffix.lower() not in IMAGE_EXTENSIONS:
                    why = f"not an image file ({path.suffix or 'no extension'})"
                elif not path.is_file():  # a pipe or a device would block the decoder
                    why = "not a regular file"
                else:
                    files.append((path, c))
                    continue
                count += 1
                _note(reasons, f"{path.relative_to(root)}: {why}")
    labels = np.array([c for _, c in files], np.int64)
    chosen = np.arange(len(files))
    if size is not None and size < len(files):
        chosen = np.flatnonzero(_stratified_pick(labels, size, len(subdirs), _rng(seed, "subset")))
    _check_bytes(len(chosen), channels, height, width)
    images = np.empty((len(chosen), channels, height, width), np.uint8)
    ok = np.zeros(len(chosen), bool)
    for j, i in enumerate(chosen):
        path = files[i][0]
        try:
            arr = decode_image(path, channels, height, width)
        except InputError as e:
            reason = str(e)
        except Exception as e:  # noqa: BLE001 - a hostile file may make any decoder raise anything
            reason = f"{path} could not be decoded ({type(e).__name__}: {e})"
        else:
            images[j] = np.rint(arr * 255)
            ok[j] = True
            continue
        count += 1
        rel = str(path.relative_to(root))
        reason = reason.replace(str(path), rel)  # the decoder names the file in full
        _note(reasons, reason if rel in reason else f"{rel}: {reason}")
    images, labels = images[ok], labels[chosen][ok]
    present = np.bincount(labels, minlength=len(subdirs)) > 0
    for c in np.flatnonzero(~present):
        count += 1
        _note(reasons, f"{subdirs[c]}/: no readable image, so the class is left out")
    if not len(labels):
        raise DatasetError(f"the image folder {root} holds no image convviz can read"
                           + (f" ({count} skipped: {'; '.join(reasons)})" if count else ""))
    remap = np.cumsum(present) - 1
    classes = tuple(n for n, p in zip(subdirs, present) if p)
    return images, remap[labels].astype(np.int64), classes, Skipped(count, tuple(reasons))


def _load_folder(path, channels, height, width, seed, size):
    x, y, classes, skipped = read_image_folder(path, channels, height, width, size, seed)
    if len(classes) < 2:
        raise DatasetError(f"the image folder {path} has images of only one class ({classes[0]}); "
                           "a classifier needs at least two class folders")
    return x, y, classes, skipped


# --- IDX (MNIST format) -------------------------------------------------------------------------

_IDX_TYPES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "16-bit integer", 0x0C: "32-bit integer",
              0x0D: "32-bit float", 0x0E: "64-bit float"}


def _read_exact(f, n: int) -> bytes:
    """Up to n bytes (fewer only at the end of the stream), in bounded chunks."""
    parts, left = [], n
    while left > 0:
        chunk = f.read(min(left, 1 << 24))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def read_idx(path: str | os.PathLike, ndim: int, what: str) -> np.ndarray:
    """The uint8 array of an IDX file (gzipped or not) of ``ndim`` dimensions.  Strict: the magic
    number, the type (unsigned bytes), the number of dimensions, and that the data is exactly as
    long as the header declares, checked against the file's size before anything is allocated."""
    path = Path(path).expanduser()
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise DatasetError(f"the IDX {what} file {path} is not a regular file")
        file_size = st.st_size
        raw = open(path, "rb")
    except FileNotFoundError:
        raise DatasetError(f"the IDX {what} file {path} does not exist") from None
    except OSError as e:
        raise DatasetError(f"the IDX {what} file {path} cannot be read ({e.strerror or e})") from None
    with raw:
        gz = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        f = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
        try:
            head = _read_exact(f, 4)
            if len(head) < 4 or head[:2] != b"\0\0":
                raise DatasetError(f"{path} is not an IDX file: it does not begin with the IDX magic number "
                                   "(two zero bytes, a type, a number of dimensions)")
            code, nd = head[2], head[3]
            if code not in _IDX_TYPES:
                raise DatasetError(f"{path} is not an IDX file: its type code 0x{code:02X} is none of IDX's")
            if code != 0x08:
                raise DatasetError(f"{path} holds {_IDX_TYPES[code]}s; convviz reads IDX {what} of unsigned bytes "
                                   "(type 0x08), as MNIST stores them")
            if nd != ndim:
                shape = "(count, rows, columns)" if ndim == 3 else "(count)"
                raise DatasetError(f"{path} holds {nd}-dimensional data; IDX {what} are {ndim}-dimensional {shape}")
            dims_raw = _read_exact(f, 4 * nd)
            if len(dims_raw) < 4 * nd:
                raise DatasetError(f"{path} is truncated: it ends inside its header")
            dims = struct.unpack(f">{nd}I", dims_raw)
            nbytes = 1
            for d in dims:
                nbytes *= d
            declared = " x ".join(f"{d:,}" for d in dims)
            after_header = file_size - 4 - 4 * nd
            if not gz and nbytes != after_header:
                raise DatasetError(f"{path} declares {declared} values ({nbytes:,} bytes) but holds {after_header:,} "
                                   f"after its header; it is {'truncated' if nbytes > after_header else 'damaged'} "
                                   "or not an IDX file")
            if gz and nbytes > file_size * _GZIP_MAX_RATIO:
                raise DatasetError(f"{path} declares {declared} values ({nbytes:,} bytes), more than a "
                                   f"{file_size:,}-byte gzip file can hold; it is damaged or not an IDX file")
            if nbytes > MAX_BYTES:
                raise DatasetError(f"{path} declares {declared} values ({nbytes:,} bytes), more than the "
                                   f"{MAX_BYTES:,} convviz reads; take a part of it")
            if nbytes == 0:
                raise DatasetError(f"{path} holds no {what} (its header declares {declared})")
            data = _read_exact(f, nbytes)
            extra = _read_exact(f, 1)
        except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
            if gz:
                raise DatasetError(f"{path} is a damaged gzip file ({e})") from None
            raise DatasetError(f"the IDX {what} file {path} cannot be read ({e})") from None
    if len(data) < nbytes:
        raise DatasetError(f"{path} is truncated: its header declares {declared} values ({nbytes:,} bytes) "
                           f"but it holds {len(data):,}")
    if extra:
        raise DatasetError(f"{path} holds more data than its header declares ({declared}); "
                           "it is damaged or not an IDX file")
    return np.frombuffer(data, np.uint8).reshape(dims)


def _idx_labels_beside(images: Path) -> list[Path]:
    """Where the MNIST naming puts the labels of ``images``: train-images-idx3-ubyte[.gz] ->
    train-labels-idx1-ubyte[.gz] (the .gz present or not)."""
    name = images.name
    if "images" not in name and "idx3" not in name:
        return []
    stem = name.replace("images", "labels").replace("idx3", "idx1")
    bare = stem[:-3] if stem.endswith(".gz") else stem
    return [images.with_name(n) for n in dict.fromkeys((stem, bare, bare + ".gz"))]


def read_idx_pair(images_path: str | os.PathLike, labels_path: str | os.PathLike | None = None):
    """(N, rows, columns) uint8 images, int64 labels and the labels file's path, from an IDX pair;
    with no labels path, the labels file is looked for beside the images by the MNIST naming."""
    images_path = Path(images_path).expanduser()
    if labels_path is None:
        candidates = _idx_labels_beside(images_path)
        found = [p for p in candidates if p.is_file()]
        if not found:
            looked = ", ".join(p.name for p in candidates) or "a name with 'labels' in place of 'images'"
            raise DatasetError(f"no IDX labels file beside {images_path} (looked for {looked}); "
                               "name both as idx:IMAGES,LABELS")
        labels_path = found[0]
    images = read_idx(images_path, 3, "images")
    labels = read_idx(labels_path, 1, "labels")
    if len(labels) != len(images):
        raise DatasetError(f"{labels_path} holds {_count(len(labels), 'label')} but {images_path} holds "
                           f"{_count(len(images), 'image')}; they must be the same count")
    return images, labels.astype(np.int64), Path(labels_path)


def _load_idx(arg, channels, height, width, seed, size, base_dir):
    whole = _resolve(arg, base_dir)
    if os.path.isfile(whole) or "," not in arg:  # a comma inside a file's name is the file's
        images_path, labels_path = whole, None
    else:
        images_path, labels_path = (_resolve(part, base_dir) for part in arg.rsplit(",", 1))
    images, labels, labels_path = read_idx_pair(images_path, labels_path)
    classes = tuple(str(v) for v in range(int(labels.max()) + 1))
    if size is not None and size < len(labels):
        keep = np.flatnonzero(_stratified_pick(labels, size, len(classes), _rng(seed, "subset")))
        images, labels = images[keep], labels[keep]
    _check_bytes(len(labels), channels, height, width)
    x = _to_channels(_resize_stack(images, height, width), channels)
    return x, labels, classes, Skipped(), f"MNIST-format IDX files {images_path} and {labels_path}"


# --- the registry -------------------------------------------------------------------------------

DATASETS: dict[str, DatasetInfo] = {
    "digits": DatasetInfo(
        "digits", "1,797 handwritten digits 0-9 (8x8, UCI optical recognition), resized to the input",
        "UCI Machine Learning Repository, Optical Recognition of Handwritten Digits (E. Alpaydin, C. Kaynak, "
        "1998), the 1,797-image test set as packaged by scikit-learn; data licence CC BY 4.0, packaging "
        "BSD-3-Clause (resources/datasets/PROVENANCE.md)",
        tuple(str(d) for d in range(10)), 1797, 1797),
    "shapes": DatasetInfo(
        "shapes", "generated bars at 4 orientations, circles, squares, crosses and triangles at random "
        "positions, sizes and contrast",
        "generated by convviz from the seed (no external data)", SHAPE_CLASSES, 6000, None),
    "horse-shift": DatasetInfo(
        "horse-shift", "the horse silhouette or a distractor beside another distractor; the horse is in the "
        "left half in train and the right half in test (does the network find it anywhere?)",
        "generated by convviz from the seed; horse silhouette from scikit-image's data (openclipart "
        "'horse by marauder', CC0; resources/samples/PROVENANCE.md)", HORSE_CLASSES, 4000, None),
}

SPEC_PREFIXES = ("folder:", "idx:")


def check_spec(spec: str) -> str | None:
    """Why ``spec`` can never name a data set (an unknown name), or None.  Paths are not checked
    here: they may name files on another machine."""
    if not isinstance(spec, str) or not spec.strip():
        return "name a data set: " + ", ".join(DATASETS) + ", folder:PATH or idx:IMAGES[,LABELS]"
    if spec in DATASETS:
        return None
    for prefix in SPEC_PREFIXES:
        if spec.startswith(prefix):
            return None if spec[len(prefix):].strip() else f"{prefix} needs a path after it"
    return (f"unknown data set {spec!r}; choose one of {', '.join(DATASETS)}, folder:PATH (one subfolder per class) "
            "or idx:IMAGES[,LABELS] (MNIST-format files)")


def _resolve(path: str, base_dir: str | os.PathLike | None) -> str:
    p = Path(path.strip()).expanduser()
    return str(p if p.is_absolute() or not base_dir else Path(base_dir) / p)


def load_dataset(spec: str, channels: int, height: int, width: int, seed: int = 0, size: int | None = None,
                 test_fraction: float = 0.2, base_dir: str | os.PathLike | None = None) -> Dataset:
    """The data set ``spec`` names, as (N, channels, height, width) uint8 images split into train and
    test (stratified by class, ``test_fraction`` of the examples in test; for horse-shift the
    split is by side).  ``size``: how many examples in all (default: all of a file data set, the
    registry's default_size of a generated one).  Relative paths in folder: and idx: specs are
    relative to ``base_dir`` (the project's folder) when given.  Same arguments, same arrays."""
    problem = check_spec(spec)
    if problem:
        raise DatasetError(problem)
    _check_request(channels, height, width, seed, size, test_fraction)
    channels, height, width, seed = int(channels), int(height), int(width), int(seed)
    size = None if size is None else int(size)
    skipped, train_pos, test_pos = Skipped(), None, None
    if spec == "digits":
        tx, ty, vx, vy = _load_digits(channels, height, width, seed, size, test_fraction)
        classes, provenance = DATASETS["digits"].classes, DATASETS["digits"].provenance
    elif spec == "shapes":
        tx, ty, vx, vy = _load_shapes(channels, height, width, seed, size, test_fraction)
        classes, provenance = SHAPE_CLASSES, DATASETS["shapes"].provenance
    elif spec == "horse-shift":
        tx, ty, vx, vy, train_pos, test_pos = _load_horse_shift(channels, height, width, seed, size, test_fraction)
        classes, provenance = HORSE_CLASSES, DATASETS["horse-shift"].provenance
    elif spec.startswith("folder:"):
        path = _resolve(spec[len("folder:"):], base_dir)
        x, y, classes, skipped = _load_folder(path, channels, height, width, seed, size)
        tx, ty, vx, vy = _split(x, y, len(classes), seed, test_fraction, f"the image folder {path}")
        provenance = f"images from the folder {path}, one subfolder per class"
    else:
        arg = spec[len("idx:"):].strip()
        x, y, classes, skipped, provenance = _load_idx(arg, channels, height, width, seed, size, base_dir)
        tx, ty, vx, vy = _split(x, y, len(classes), seed, test_fraction, f"the IDX files {arg}")
    return Dataset(spec, tuple(classes), _frozen(tx), _frozen(ty.astype(np.int64)), _frozen(vx),
                   _frozen(vy.astype(np.int64)), provenance, skipped, seed,
                   None if train_pos is None else _frozen(train_pos), None if test_pos is None else _frozen(test_pos))


__all__ = ["DATASETS", "Dataset", "DatasetError", "DatasetInfo", "HORSE_CLASSES", "SHAPE_CLASSES", "Skipped",
           "HorseShift", "check_spec", "generate_horse_shift", "generate_shapes", "load_dataset", "read_idx", "read_idx_pair",
           "read_image_folder"]
