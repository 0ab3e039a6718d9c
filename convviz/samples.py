"""Bundled inputs (sample images and synthetic patterns) and preset stacks.

An input source is a string:
  ``sample:NAME``   one of the bundled images in resources/samples (see PROVENANCE.md there);
  ``pattern:NAME``  a synthetic pattern drawn at the project's size;
  anything else     a path to an image file (PNG, JPEG, BMP, ...), relative paths being
                    relative to the project file's folder.

Images are decoded with Pillow (the same decoder headless, in the GUI and in the packaged
executable), converted to grayscale or RGB by the project's channel count and fitted to the
project's height and width as the input's ``fit`` says (see FITS).  A file that is not an image
raises InputError with a sentence.
"""
from __future__ import annotations

import contextvars
import os
import stat
import struct
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .messages import Msg
from .spec import QT_TRANSLATE_NOOP


class InputError(ValueError):
    """An input that cannot be used: a missing file, a corrupt image, an unknown name."""


SAMPLES = {
    "astronaut": "astronaut.png",
    "coffee": "coffee.png",
    "cat": "cat.png",
    "horse": "horse.png",
    "camera": "camera.png",
}

PATTERNS = ("impulse", "vertical_edge", "horizontal_edge", "checkerboard", "gradient", "lesson", "embedding")

# How an image whose shape differs from the input's height x width is fitted to it:
#   stretch  resized to exactly height x width (the proportions change);
#   crop     the largest centred part with the input's proportions, resized (the edges are lost);
#   pad      resized to fit inside, proportions kept, centred on black (0) bars.
FITS = ("stretch", "crop", "pad")


def fit_geometry(src_width: int, src_height: int, height: int, width: int, fit: str):
    """Where an image of src_width x src_height goes in a height x width input for ``fit``:
    (crop box (left, top, right, bottom) in the image, inner height, inner width, top, left),
    the image's box being resized to inner height x inner width and placed at (top, left)."""
    w, h = src_width, src_height
    if fit == "stretch":
        return (0, 0, w, h), height, width, 0, 0
    if fit == "crop":
        if w * height > width * h:  # wider than the input: cut the sides
            cw = min(w, max(1, round(h * width / height)))
            left = (w - cw) // 2
            return (left, 0, left + cw, h), height, width, 0, 0
        ch = min(h, max(1, round(w * height / width)))  # taller: cut top and bottom
        top = (h - ch) // 2
        return (0, top, w, top + ch), height, width, 0, 0
    if fit == "pad":
        s = min(width / w, height / h)
        iw, ih = min(width, max(1, round(w * s))), min(height, max(1, round(h * s)))
        return (0, 0, w, h), ih, iw, (height - ih) // 2, (width - iw) // 2
    raise ValueError(f"unknown fit {fit!r}; fits: {', '.join(FITS)}")


def resources_dir() -> Path:
    """The resources folder: $CONVVIZ_RESOURCES, the PyInstaller bundle's, or the source tree's."""
    env = os.environ.get("CONVVIZ_RESOURCES")
    if env:
        return Path(env)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def check_source(source: str) -> str | None:
    """Why ``source`` can never be an input (unknown sample or pattern), or None.  A path is
    not checked here: a project may name an image that is on another machine."""
    if source.startswith("sample:"):
        name = source[7:]
        if name not in SAMPLES:
            return f"unknown sample {name!r}; bundled samples: {', '.join(SAMPLES)}"
    elif source.startswith("pattern:"):
        name = source[8:]
        if name not in PATTERNS:
            return f"unknown pattern {name!r}; patterns: {', '.join(PATTERNS)}"
    return None


def pattern(name: str, channels: int, height: int, width: int) -> np.ndarray:
    """A synthetic input, float32 (C, H, W).  'lesson' is the source lesson's matrix 1, 2, ...
    row by row (the 4x4 example is 1..16); the others lie in [0, 1]."""
    h, w = height, width
    img = np.zeros((h, w), np.float32)
    if name == "impulse":
        img[h // 2, w // 2] = 1.0
    elif name == "vertical_edge":
        img[:, w // 2:] = 1.0
    elif name == "horizontal_edge":
        img[h // 2:, :] = 1.0
    elif name == "checkerboard":
        cell = max(1, min(h, w) // 8)
        rows = ((np.arange(h) // cell) % 2).astype(np.uint8)
        cols = ((np.arange(w) // cell) % 2).astype(np.uint8)
        img = (rows[:, None] ^ cols[None, :]).astype(np.float32)
    elif name == "gradient":
        img = np.add.outer(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64))
        img /= max(1, h + w - 2)
        img = img.astype(np.float32)
    elif name == "lesson":
        img = np.arange(1, h * w + 1, dtype=np.float32).reshape(h, w)
    elif name == "embedding":
        # a sentence for TextCNN: one row per word, its embedding along the row (fixed numbers)
        img = np.random.default_rng(2014).normal(0, 1, (h, w)).astype(np.float32)
    else:
        raise InputError(f"unknown pattern {name!r}; patterns: {', '.join(PATTERNS)}")
    out = np.empty((channels, h, w), np.float32)  # C-contiguous and writable (np.array of a broadcast is not)
    out[:] = img
    return out


# --- source paths ---------------------------------------------------------------------------

def resolve_source(source: str, base_dir: str | os.PathLike | None = None) -> Path | None:
    """The file an input source names, resolved one way everywhere (loading, the engine's
    change check, the GUI): ``sample:NAME`` is the bundled image; a path has ``~`` expanded and,
    when relative, is taken relative to ``base_dir`` (the project file's folder; the working
    directory when None).  None for ``pattern:`` sources and unknown samples (no file)."""
    if source.startswith("pattern:"):
        return None
    if source.startswith("sample:"):
        name = SAMPLES.get(source[7:])
        return None if name is None else resources_dir() / "samples" / name
    path = _expand(Path(source))
    if not path.is_absolute() and base_dir:
        path = _expand(Path(base_dir)) / path
    return path


def _expand(path: Path) -> Path:
    try:
        return path.expanduser()
    except RuntimeError:  # no home folder to expand ~ to: the path stays as written
        return path


# --- images ---------------------------------------------------------------------------------

# The largest image convviz decodes, in pixels (12000 x 12000); larger ones are refused from
# their header.  Pillow's own bomb check stops only at twice 89.5 M pixels, and a 1 x 170 M
# PNG of a few hundred KB would otherwise take seconds and gigabytes to decode.
MAX_IMAGE_PIXELS = 12_000 * 12_000

# EXIF orientations that swap width and height (a phone held upright).
_SWAPS = (5, 6, 7, 8)
_HIGH_DEPTH = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")
_ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
# Bytes per pixel Pillow keeps in memory for a mode (multi-band modes are stored 4 bytes wide).
_PIL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}


def _bad(template: str, **args) -> InputError:
    return InputError(Msg(template, **args))


def _open_regular(name: str):
    """A binary file object for ``name`` if it is a regular file; anything else (a folder, a
    FIFO, a device such as /dev/zero) is refused without reading from it or waiting on it."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(name, flags)  # O_NONBLOCK: opening a FIFO never waits for a writer
    except FileNotFoundError:
        raise _bad(QT_TRANSLATE_NOOP("core", "the image {name} does not exist"), name=name) from None
    except (OSError, ValueError) as e:  # permission, a NUL in the name, a name too long, ...
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise _bad(QT_TRANSLATE_NOOP("core", "the image {name} cannot be opened ({e})"), name=name, e=reason) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _bad(QT_TRANSLATE_NOOP("core", "{name} is not an image file but a folder, a device or a pipe — "
                                                 "choose an image file"), name=name)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


@contextmanager
def _opened(path: str | os.PathLike):
    """(Pillow image with only its header read, EXIF orientation) for a regular image file
    whose size is within MAX_IMAGE_PIXELS; InputError with a sentence otherwise."""
    from PIL import Image, UnidentifiedImageError

    name = os.fspath(path)
    with _open_regular(name) as f:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                im = Image.open(f)
        except UnidentifiedImageError:
            raise _bad(QT_TRANSLATE_NOOP("core", "{name} is not an image convviz can read (PNG, JPEG, BMP, GIF, "
                                                 "TIFF, WebP)"), name=name) from None
        except Image.DecompressionBombError:
            raise _too_large(name, None) from None
        except (OSError, SyntaxError, ValueError, struct.error, EOFError) as e:
            raise _damaged(name, e) from None
        with im:
            w, h = im.size
            if w < 1 or h < 1:
                raise _damaged(name, ValueError(f"{w}x{h} pixels"))
            if w * h > MAX_IMAGE_PIXELS:
                raise _too_large(name, (w, h))
            # (a PNG's EXIF after its pixels would need them read: decode_image looks again)
            orientation = _orientation(im) if im.format != "PNG" or "exif" in im.info else 1
            yield im, orientation


def _orientation(im) -> int:
    try:
        return int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # noqa: BLE001 - a damaged EXIF block: the picture as stored
        return 1


def _too_large(name: str, size) -> InputError:
    px = "?" if size is None else f"{size[0]} x {size[1]}"
    return _bad(QT_TRANSLATE_NOOP("core", "{name} is {size} pixels, more than the {limit} pixels convviz decodes — "
                                          "use a smaller image"), name=name, size=px, limit=f"{MAX_IMAGE_PIXELS:,}")


def _damaged(name: str, e: BaseException) -> InputError:
    return _bad(QT_TRANSLATE_NOOP("core", "{name} could not be read as an image: it looks damaged ({e})"),
                name=name, e=str(e) or type(e).__name__)


def probe_image(path: str | os.PathLike) -> tuple[int, int, str]:
    """(width, height, mode) of an image file from its header alone, width and height as shown
    (EXIF orientation applied), mode as Pillow names it ("RGB", "L", "I;16", "F", ...).

    Nothing is decoded.  Raises InputError with a sentence for a missing file, anything that is
    not a regular file (never waiting on a FIFO or reading a device), a file that is not an
    image, or an image over MAX_IMAGE_PIXELS."""
    with _opened(path) as (im, orientation):
        w, h = im.size
        return (h, w, im.mode) if orientation in _SWAPS else (w, h, im.mode)


def decode_bytes(width: int, height: int, mode: str, channels: int, out_height: int, out_width: int) -> int:
    """Peak bytes decode_image allocates besides its result, for an image of this size and mode
    (as probe_image gives them) decoded to channels x out_height x out_width: the decoded pixels,
    an orientation copy, a converted copy, and the resized pictures."""
    native = width * height
    bpp = _PIL_BYTES.get(mode, 4)
    out = out_height * out_width
    if mode in _HIGH_DEPTH:  # pixels, a float32 copy, a float32 image for resizing, the resized one
        return native * (2 * bpp + 8) + out * 8
    # pixels, an orientation copy, the converted (or RGBA) picture; at the output size the
    # resized, composited and converted pictures and the uint8 array
    return native * (2 * bpp + 4) + out * (3 * 4 + channels)


def resized_size(src_width: int, src_height: int, resize: int) -> tuple[int, int]:
    """(width, height) of an image whose shorter side is resized to ``resize`` pixels, the
    longer in proportion, rounded down: torchvision's Resize(resize) (0: unchanged)."""
    if resize <= 0:
        return src_width, src_height
    w, h = src_width, src_height
    short, long = (w, h) if w <= h else (h, w)
    new_long = max(1, int(resize * long / short))
    return (resize, new_long) if w <= h else (new_long, resize)


def centre_crop_box(src_width: int, src_height: int, height: int, width: int) -> tuple[int, int]:
    """(top, left) of the centred height x width part of an image, as torchvision's CenterCrop
    places it (Python's round, halves to even); negative when the image is smaller (padding)."""
    return int(round((src_height - height) / 2.0)), int(round((src_width - width) / 2.0))


def decode_image(path: str | os.PathLike, channels: int, height: int, width: int, fit: str = "stretch",
                 resize: int = 0) -> np.ndarray:
    """Decode an image file to float32 (C, H, W) in [0, 1], fitted to height x width as ``fit``
    says (FITS: stretched, centre-cropped, or padded with black bars).

    The file is checked first as probe_image does (a regular file, an image, at most
    MAX_IMAGE_PIXELS from its header), then decoded once.  The EXIF orientation is applied, so
    a phone photo comes out upright.  Transparent pixels are composited on white, the same
    background for grayscale and RGB.  1 channel: grayscale; 3: RGB; other counts repeat the
    RGB channels in turn.  Pixel values are scaled by their range, never clipped:

    * 8-bit images (and palettes, 1-bit, CMYK, ...): value / 255;
    * 16-bit images (mode I;16): value / 65535;
    * 32-bit integer images (mode I): value / 65535 when every value lies in 0..65535 (how
      Pillow holds 16-bit data), otherwise linearly from the image's min..max to 0..1;
    * float images (mode F): kept as they are when every value lies in [0, 1], otherwise
      linearly from min..max to 0..1; NaN and infinities become 0.

    Images are shrunk with Lanczos and enlarged bilinearly.  With ``resize`` > 0 the image is
    first resized bilinearly so its shorter side has ``resize`` pixels (torchvision's
    Resize(resize) on a PIL image, which Pillow antialiases when shrinking), then fitted:
    "crop" takes the centred height x width part without scaling again (torchvision's
    CenterCrop, zero-padded when the image is smaller); "stretch" and "pad" scale it bilinearly."""
    if resize > 0:
        return _decode_resized(path, channels, height, width, fit, resize)
    from PIL import Image, ImageOps

    name = os.fspath(path)
    try:
        with _opened(path) as (im, orientation):
            im.load()
            if im.format == "PNG" and orientation == 1 and "exif" in im.info:  # an eXIf chunk after the pixels
                orientation = _orientation(im)
            if orientation in (2, 3, 4, 5, 6, 7, 8):
                im = ImageOps.exif_transpose(im)
            box, ih, iw, top, left = fit_geometry(im.size[0], im.size[1], height, width, fit)
            if box != (0, 0, *im.size):
                im = im.crop(box)
            if im.mode in _HIGH_DEPTH:
                arr = _high_depth(im, ih, iw)
            else:
                arr = _eight_bit(im, channels, ih, iw)
            if (ih, iw) != (height, width):  # pad: the picture centred on black
                out = np.zeros((arr.shape[0], height, width), np.float32)
                out[:, top:top + ih, left:left + iw] = arr
                arr = out
    except InputError:
        raise
    except MemoryError:
        raise _bad(QT_TRANSLATE_NOOP("core", "{name} is too large to decode in the memory available"),
                   name=name) from None
    except (OSError, SyntaxError, ValueError, struct.error, EOFError, Image.DecompressionBombError) as e:
        raise _damaged(name, e) from None
    if arr.shape[0] != channels:
        arr = arr[np.arange(channels) % arr.shape[0]]
    return np.ascontiguousarray(arr, dtype=np.float32)


def _decode_resized(path, channels: int, height: int, width: int, fit: str, resize: int) -> np.ndarray:
    """decode_image with a resize to the shorter side first (see there)."""
    w0, h0, _mode = probe_image(path)
    rw, rh = resized_size(w0, h0, resize)
    if rw * rh > MAX_IMAGE_PIXELS:
        raise _too_large(os.fspath(path), (rw, rh))
    token = _BILINEAR.set(True)
    try:
        arr = decode_image(path, channels, rh, rw, "stretch")
        if fit != "crop":
            return _refit(arr, height, width, fit)
    finally:
        _BILINEAR.reset(token)
    top, left = centre_crop_box(rw, rh, height, width)
    out = np.zeros((arr.shape[0], height, width), np.float32)
    ys, xs = max(0, top), max(0, left)  # the image's rows and columns that are kept
    oy, ox = max(0, -top), max(0, -left)  # where they go (padding when the image is smaller)
    hh, ww = min(rh - ys, height - oy), min(rw - xs, width - ox)
    out[:, oy:oy + hh, ox:ox + ww] = arr[:, ys:ys + hh, xs:xs + ww]
    return out


def _refit(arr: np.ndarray, height: int, width: int, fit: str) -> np.ndarray:
    """A decoded (C, h, w) float image fitted to height x width by ``fit`` (bilinear)."""
    from PIL import Image
    h, w = arr.shape[1:]
    box, ih, iw, top, left = fit_geometry(w, h, height, width, fit)
    out = np.zeros((arr.shape[0], height, width), np.float32)
    for c in range(arr.shape[0]):
        im = Image.fromarray(np.ascontiguousarray(arr[c], dtype=np.float32), mode="F").crop(box)
        out[c, top:top + ih, left:left + iw] = np.asarray(im.resize((iw, ih), Image.Resampling.BILINEAR))
    return out


# Set while decode_image works for a resize-first input: every resize is bilinear, as torchvision's.
_BILINEAR = contextvars.ContextVar("convviz_bilinear", default=False)


def _resample(src: tuple[int, int], dst: tuple[int, int]):
    from PIL import Image
    if _BILINEAR.get():
        return Image.Resampling.BILINEAR
    return Image.Resampling.LANCZOS if dst[0] * dst[1] <= src[0] * src[1] else Image.Resampling.BILINEAR


def _eight_bit(im, channels: int, height: int, width: int) -> np.ndarray:
    from PIL import Image

    mode = "L" if channels == 1 else "RGB"
    if im.mode in _ALPHA_MODES or "transparency" in im.info:
        im = im.convert("RGBA")
        if im.size != (width, height):  # Pillow resizes RGBA with premultiplied alpha
            im = im.resize((width, height), _resample(im.size, (width, height)))
        im = Image.alpha_composite(Image.new("RGBA", im.size, (255, 255, 255, 255)), im)
    if im.mode != mode:
        im = im.convert(mode)
    if im.size != (width, height):
        im = im.resize((width, height), _resample(im.size, (width, height)))
    u8 = np.asarray(im)
    if u8.ndim == 2:
        u8 = u8[..., None]
    arr = np.empty((u8.shape[2], height, width), np.float32)
    for c in range(u8.shape[2]):
        np.divide(u8[..., c], np.float32(255), out=arr[c])
    return arr


def _high_depth(im, height: int, width: int) -> np.ndarray:
    """A 16-bit, 32-bit integer or float image as one float32 channel in [0, 1] (see
    decode_image for the scaling)."""
    from PIL import Image

    a = np.array(im, dtype=np.float32)  # an owned, writable copy
    if im.mode not in ("F", "I"):
        a /= np.float32(65535)
    else:
        finite = np.isfinite(a) if im.mode == "F" else None
        vals = a if finite is None or finite.all() else a[finite]
        lo, hi = (float(vals.min()), float(vals.max())) if vals.size else (0.0, 0.0)
        if im.mode == "I" and lo >= 0 and hi <= 65535:
            a /= np.float32(65535)
        elif not (im.mode == "F" and lo >= 0 and hi <= 1):
            a -= np.float32(lo)
            if hi > lo:
                a /= np.float32(hi - lo)
        if finite is not None:
            a[~finite] = 0.0
    if a.shape != (height, width):
        src = (a.shape[1], a.shape[0])
        a = np.asarray(Image.fromarray(a).resize((width, height), _resample(src, (width, height))), dtype=np.float32)
        a = np.clip(a, 0.0, 1.0)  # Lanczos rings a little past the range
    return a[None]


def load_input(source: str, channels: int, height: int, width: int, base_dir: str | None = None,
               shift: tuple[int, int] = (0, 0), fit: str = "stretch", resize: int = 0,
               mean: tuple[float, ...] = (), std: tuple[float, ...] = ()) -> np.ndarray:
    """The input tensor for a project, float32 (C, H, W); an image is resized (``resize``: its
    shorter side, first) and fitted as ``fit`` says (FITS); each channel is normalised,
    (value - mean[c]) / std[c], when ``mean``/``std`` are given; ``shift`` moves it down and
    right, wrapping around (for the translation-equivariance lesson).  Paths resolve as
    resolve_source says."""
    from .project import normalisation_problem
    problem = normalisation_problem(tuple(mean), tuple(std), channels)
    if problem:
        raise InputError(problem)
    arr = _load_input(source, channels, height, width, base_dir, fit, resize)
    if mean:
        m = np.resize(np.asarray(mean, np.float32), channels)[:, None, None]
        s = np.resize(np.asarray(std, np.float32), channels)[:, None, None]
        arr = (arr - m) / s
    if shift != (0, 0):
        arr = np.roll(arr, tuple(int(v) for v in shift), axis=(1, 2))
    return arr


def input_array(inp, base_dir: str | None = None) -> np.ndarray:
    """The input of a project's InputSpec (load_input with every field of it)."""
    return load_input(inp.source, inp.channels, inp.height, inp.width, base_dir, inp.shift, inp.fit,
                      inp.resize, inp.mean, inp.std)


def _load_input(source: str, channels: int, height: int, width: int, base_dir: str | None = None,
                fit: str = "stretch", resize: int = 0) -> np.ndarray:
    problem = check_source(source)
    if problem:
        raise InputError(problem)
    if source.startswith("pattern:"):
        return pattern(source[8:], channels, height, width)
    return decode_image(resolve_source(source, base_dir), channels, height, width, fit, resize)


# --- presets --------------------------------------------------------------------------------

PRESETS = {
    # name: (file, one-line description)
    "teaching": ("teaching_rgb.json", "A small RGB teaching stack on the astronaut"),
    "lesson_4x4": ("lesson_4x4.json", "The lesson's 4x4 input with a 2x2 kernel: [1, 1, 3, 3]"),
    "lesson_4x4_two_kernels": ("lesson_4x4_two_kernels.json", "Two 2x2 kernels give two channels: [1, 2, 3, 3]"),
    "lesson_padding": ("lesson_padding.json", "Padding 2 around the 4x4 input gives 7x7"),
    "lenet5": ("lenet5.json", "LeNet-5 on a 32x32 digit-sized input: its features, then Flatten and Linear "
                              "layers to 10 logits (61,706 parameters)"),
    "tiny_vgg": ("tiny_vgg.json", "CNN Explainer's Tiny VGG: two conv-ReLU-conv-ReLU-maxpool blocks, Flatten, "
                                  "Linear to 10 classes"),
    "vgg16": ("vgg16.json", "VGG-16's 13 convolutions and 5 max-pools at 224x224"),
    "vgg16_full": ("vgg16_full.json", "The whole VGG-16: features, AdaptiveAvgPool2d(7), Flatten and the classifier "
                                      "to 1000 classes (138,357,544 parameters)"),
    "mobilenet_block": ("mobilenet_block.json", "A MobileNet depthwise-separable block beside a standard conv"),
    "dilated": ("dilated.json", "A dilated stack: the receptive field grows without more weights"),
}

DEFAULT_PRESET = "teaching"


def preset_path(name: str) -> Path:
    """The file of preset ``name``: one of PRESETS or of the arithmetic atlas (convviz.atlas)."""
    if name not in PRESETS:
        from .atlas import presets as atlas_presets
        atlas = atlas_presets()
        if name in atlas:
            return resources_dir() / "presets" / atlas[name][0]
        raise InputError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}, or the atlas's {', '.join(atlas)}")
    return resources_dir() / "presets" / PRESETS[name][0]


def load_preset(name: str):
    from .project import load
    return load(preset_path(name))
