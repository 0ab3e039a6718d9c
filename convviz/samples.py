"""Bundled inputs (sample images and synthetic patterns) and preset stacks.

An input source is a string:
  ``sample:NAME``   one of the bundled images in resources/samples (see PROVENANCE.md there);
  ``pattern:NAME``  a synthetic pattern drawn at the project's size;
  anything else     a path to an image file (PNG, JPEG, BMP, ...), relative paths being
                    relative to the project file's folder.

Images are decoded with Pillow (the same decoder headless, in the GUI and in the packaged
executable), converted to grayscale or RGB by the project's channel count and resized to the
project's height and width.  A file that is not an image raises InputError with a sentence.
"""
from __future__ import annotations

import os
import sys
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
        yy, xx = np.mgrid[0:h, 0:w]
        img = (((yy // cell) + (xx // cell)) % 2).astype(np.float32)
    elif name == "gradient":
        yy, xx = np.mgrid[0:h, 0:w]
        img = ((xx + yy) / max(1, h + w - 2)).astype(np.float32)
    elif name == "lesson":
        img = np.arange(1, h * w + 1, dtype=np.float32).reshape(h, w)
    elif name == "embedding":
        # a sentence for TextCNN: one row per word, its embedding along the row (fixed numbers)
        img = np.random.default_rng(2014).normal(0, 1, (h, w)).astype(np.float32)
    else:
        raise InputError(f"unknown pattern {name!r}; patterns: {', '.join(PATTERNS)}")
    return np.array(np.broadcast_to(img, (channels, h, w)), dtype=np.float32)  # a writable copy


def decode_image(path: str | os.PathLike, channels: int, height: int, width: int) -> np.ndarray:
    """Decode an image file to float32 (C, H, W) in [0, 1], resized to height x width.

    1 channel: grayscale; 3: RGB; other counts repeat the RGB channels in turn.
    """
    from PIL import Image, UnidentifiedImageError

    name = os.fspath(path)
    try:
        with Image.open(name) as im:
            im.load()
            mode = "L" if channels == 1 else "RGB"
            if im.mode in ("RGBA", "LA", "P") and mode == "L":
                # composite transparency on white so a silhouette stays visible
                im = im.convert("RGBA")
                bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
                im = Image.alpha_composite(bg, im)
            im = im.convert(mode)
            if im.size != (width, height):
                im = im.resize((width, height), Image.Resampling.LANCZOS if width * height <= im.size[0] * im.size[1]
                               else Image.Resampling.BILINEAR)
            arr = np.asarray(im, dtype=np.float32) / 255.0
    except FileNotFoundError:
        raise InputError(Msg(QT_TRANSLATE_NOOP("core", "the image {name} does not exist"), name=name)) from None
    except UnidentifiedImageError:
        raise InputError(Msg(QT_TRANSLATE_NOOP("core", "{name} is not an image convviz can read (PNG, JPEG, BMP, GIF, "
                                                       "TIFF, WebP)"), name=name)) from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise InputError(Msg(QT_TRANSLATE_NOOP("core", "{name} could not be read as an image: it looks damaged ({e})"),
                             name=name, e=str(e))) from None
    if arr.ndim == 2:
        arr = arr[None]
    else:
        arr = arr.transpose(2, 0, 1)
    if arr.shape[0] != channels:
        arr = arr[np.arange(channels) % arr.shape[0]]
    return np.ascontiguousarray(arr, dtype=np.float32)


def load_input(source: str, channels: int, height: int, width: int, base_dir: str | None = None,
               shift: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The input tensor for a project, float32 (C, H, W); ``shift`` moves it down and right,
    wrapping around (for the translation-equivariance lesson)."""
    arr = _load_input(source, channels, height, width, base_dir)
    if shift != (0, 0):
        arr = np.roll(arr, tuple(int(v) for v in shift), axis=(1, 2))
    return arr


def _load_input(source: str, channels: int, height: int, width: int, base_dir: str | None = None) -> np.ndarray:
    problem = check_source(source)
    if problem:
        raise InputError(problem)
    if source.startswith("pattern:"):
        return pattern(source[8:], channels, height, width)
    if source.startswith("sample:"):
        return decode_image(resources_dir() / "samples" / SAMPLES[source[7:]], channels, height, width)
    path = Path(source).expanduser()
    if not path.is_absolute() and base_dir:
        path = Path(base_dir) / path
    return decode_image(path, channels, height, width)


# --- presets --------------------------------------------------------------------------------

PRESETS = {
    # name: (file, one-line description)
    "teaching": ("teaching_rgb.json", "A small RGB teaching stack on the astronaut"),
    "lesson_4x4": ("lesson_4x4.json", "The lesson's 4x4 input with a 2x2 kernel: [1, 1, 3, 3]"),
    "lesson_4x4_two_kernels": ("lesson_4x4_two_kernels.json", "Two 2x2 kernels give two channels: [1, 2, 3, 3]"),
    "lesson_padding": ("lesson_padding.json", "Padding 2 around the 4x4 input gives 7x7"),
    "lenet5": ("lenet5.json", "LeNet-5's convolutional features on a 32x32 digit-sized input"),
    "vgg16": ("vgg16.json", "VGG-16's 13 convolutions and 5 max-pools at 224x224"),
    "mobilenet_block": ("mobilenet_block.json", "A MobileNet depthwise-separable block beside a standard conv"),
    "dilated": ("dilated.json", "A dilated stack: the receptive field grows without more weights"),
}

DEFAULT_PRESET = "teaching"


def preset_path(name: str) -> Path:
    if name not in PRESETS:
        raise InputError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}")
    return resources_dir() / "presets" / PRESETS[name][0]


def load_preset(name: str):
    from .project import load
    return load(preset_path(name))
