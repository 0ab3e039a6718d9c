"""Images as users have them, and image files as a hostile tester makes them.

Every picture is built here with Pillow; the expected numbers come from numpy on the pixels
written (rotations, the documented scaling, compositing on white), not from the decoder."""
from __future__ import annotations

import os
import struct
import threading
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from convviz.samples import MAX_IMAGE_PIXELS, InputError, decode_image, load_input, probe_image

rng = np.random.default_rng(7)


def pixels(h: int, w: int, bands: int = 3) -> np.ndarray:
    return rng.integers(0, 256, (h, w, bands), dtype=np.uint8)


# --- orientation ----------------------------------------------------------------------------

UPRIGHT = {  # EXIF orientation -> how the stored pixels are turned to stand upright
    1: lambda a: a,
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, -1),  # a phone held upright: rotate 90 degrees clockwise
    7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),  # transverse: the anti-diagonal flip
    8: lambda a: np.rot90(a, 1),
}


@pytest.mark.parametrize("orientation", sorted(UPRIGHT))
def test_exif_orientation_is_applied(tmp_path, orientation):
    stored = pixels(5, 8)
    im = Image.fromarray(stored)
    exif = im.getexif()
    exif[0x0112] = orientation
    path = tmp_path / "photo.png"
    im.save(path, exif=exif.tobytes())
    want = UPRIGHT[orientation](stored)
    h, w = want.shape[:2]
    assert probe_image(path) == (w, h, "RGB")
    got = decode_image(path, 3, h, w)
    np.testing.assert_array_equal(got, want.transpose(2, 0, 1) / np.float32(255))


def test_a_phone_photo_comes_out_upright(tmp_path):
    """A JPEG as a phone writes it: stored sideways (landscape pixels), orientation 6."""
    stored = np.zeros((60, 80, 3), np.uint8)
    stored[:, :40] = 255  # the left half of the stored picture is the top of the upright one
    im = Image.fromarray(stored)
    exif = im.getexif()
    exif[0x0112] = 6
    path = tmp_path / "IMG_0001.jpg"
    im.save(path, exif=exif.tobytes(), quality=95)
    assert probe_image(path) == (60, 80, "RGB")
    got = decode_image(path, 1, 80, 60)[0]
    assert got[:35].min() > 0.9 and got[45:].max() < 0.1


# --- bit depths -----------------------------------------------------------------------------

def test_16_bit_images_are_scaled_by_their_range(tmp_path):
    a = rng.integers(0, 65536, (6, 7), dtype=np.uint16)
    a[0, 0], a[0, 1] = 0, 65535
    path = tmp_path / "depth.png"
    Image.fromarray(a).save(path)
    assert probe_image(path)[2] == "I;16"
    got = decode_image(path, 1, 6, 7)
    np.testing.assert_allclose(got[0], a / 65535.0, rtol=1e-6)
    assert got.min() == 0 and got.max() == 1
    rgb = decode_image(path, 3, 6, 7)  # gray repeated
    np.testing.assert_array_equal(rgb, np.repeat(got, 3, 0))


def test_32_bit_integer_images(tmp_path):
    small = rng.integers(0, 65536, (5, 6)).astype(np.int32)  # 16-bit data in a 32-bit container
    Image.fromarray(small).save(tmp_path / "a.tif")
    np.testing.assert_allclose(decode_image(tmp_path / "a.tif", 1, 5, 6)[0], small / 65535.0, rtol=1e-6)
    wide = rng.integers(-(2**31), 2**31 - 1, (5, 6)).astype(np.int32)  # true 32-bit: min..max
    Image.fromarray(wide).save(tmp_path / "b.tif")
    want = (wide.astype(np.float64) - wide.min()) / (float(wide.max()) - wide.min())
    np.testing.assert_allclose(decode_image(tmp_path / "b.tif", 1, 5, 6)[0], want, atol=1e-6)


def test_float_images(tmp_path):
    unit = rng.random((5, 6), dtype=np.float32)  # already in [0, 1]: kept
    Image.fromarray(unit).save(tmp_path / "a.tif")
    np.testing.assert_array_equal(decode_image(tmp_path / "a.tif", 1, 5, 6)[0], unit)
    wide = (rng.random((5, 6)) * 2000 - 500).astype(np.float32)  # min..max
    wide[2, 2] = np.nan
    wide[3, 3] = np.inf
    Image.fromarray(wide).save(tmp_path / "b.tif")
    finite = wide[np.isfinite(wide)]
    want = (wide - finite.min()) / (finite.max() - finite.min())
    want[~np.isfinite(wide)] = 0
    np.testing.assert_allclose(decode_image(tmp_path / "b.tif", 1, 5, 6)[0], want, atol=1e-6)


def test_high_depth_resized_stays_in_range(tmp_path):
    a = (np.indices((40, 50)).sum(0) * 600).astype(np.uint16)
    a[::2, ::2] = 65535
    Image.fromarray(a).save(tmp_path / "a.png")
    got = decode_image(tmp_path / "a.png", 1, 13, 17)
    assert got.shape == (1, 13, 17) and 0 <= got.min() and got.max() <= 1 and got.max() > 0.5


# --- transparency ---------------------------------------------------------------------------

def on_white(rgba: np.ndarray) -> np.ndarray:
    a = rgba[..., 3:].astype(np.float64) / 255
    return rgba[..., :3] * a + 255 * (1 - a)


def luma(rgb: np.ndarray) -> np.ndarray:
    return rgb @ np.array([0.299, 0.587, 0.114])


@pytest.mark.parametrize("channels", [1, 3])
def test_transparency_is_composited_on_white(tmp_path, channels):
    rgba = pixels(6, 9, 4)
    rgba[0, :, 3] = 0  # fully transparent: white, whatever colour is stored
    rgba[1, :, 3] = 255
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    want = on_white(rgba) / 255
    want = want.transpose(2, 0, 1) if channels == 3 else luma(want)[None]
    got = decode_image(tmp_path / "a.png", channels, 6, 9)
    np.testing.assert_allclose(got, want, atol=1.5 / 255)
    np.testing.assert_array_equal(got[:, 0], 1.0)


@pytest.mark.parametrize("channels", [1, 3])
def test_gray_alpha_and_palette_transparency_on_the_same_white(tmp_path, channels):
    la = np.stack([rng.integers(0, 256, (4, 5)), np.full((4, 5), 0)], -1).astype(np.uint8)
    la[2:, :, 1] = 255
    Image.fromarray(la, "LA").save(tmp_path / "la.png")
    got = decode_image(tmp_path / "la.png", channels, 4, 5)
    np.testing.assert_array_equal(got[:, :2], 1.0)
    np.testing.assert_allclose(got[:, 2:], np.broadcast_to(la[2:, :, 0] / 255, got[:, 2:].shape), atol=1.5 / 255)
    pal = Image.new("P", (5, 4), 1)
    pal.putpalette([0, 0, 0, 200, 30, 30] + [0] * 762)
    pal.putpixel((0, 0), 0)
    pal.save(tmp_path / "p.png", transparency=0)  # index 0 (black) is transparent
    got = decode_image(tmp_path / "p.png", channels, 4, 5)
    assert np.all(got[:, 0, 0] == 1.0) and got[:, 1, 1].min() < 0.8


# --- files that are not images --------------------------------------------------------------

def png_header(width: int, height: int) -> bytes:
    """A PNG whose header says width x height (1-bit gray) with a tiny, truncated body."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_images_over_the_pixel_limit_are_refused_from_the_header(tmp_path):
    """A 1 x 170,000,000 PNG of a few hundred bytes: refused at once, nothing decoded."""
    path = tmp_path / "long.png"
    path.write_bytes(png_header(1, 170_000_000))
    t = time.perf_counter()
    for call in (lambda: probe_image(path), lambda: decode_image(path, 1, 8, 8),
                 lambda: load_input(str(path), 1, 8, 8)):
        with pytest.raises(InputError, match=r"long.png is 1 x 170000000 pixels, more than the 144,000,000 pixels"):
            call()
    assert time.perf_counter() - t < 5  # (a decode takes ~10 s and 3 GB; this is only a guard against one)
    path.write_bytes(png_header(12_000, 12_000))
    assert 12_000 * 12_000 <= MAX_IMAGE_PIXELS and probe_image(path) == (12_000, 12_000, "1")


def in_thread(fn, timeout=10.0):
    """fn() in a daemon thread: (finished, exception or result); a hang cannot block the suite."""
    box: list = []

    def run():
        try:
            box.append(fn())
        except BaseException as e:  # noqa: BLE001
            box.append(e)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    return (not t.is_alive()), (box[0] if box else None)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("call", ["probe", "decode", "load"])
def test_special_files_are_refused_without_waiting(tmp_path, call):
    fifo = tmp_path / "image.png"
    os.mkfifo(fifo)
    targets = [str(fifo), str(tmp_path)] + (["/dev/zero"] if os.path.exists("/dev/zero") else [])
    for target in targets:
        fn = {"probe": lambda: probe_image(target), "decode": lambda: decode_image(target, 1, 4, 4),
              "load": lambda: load_input(target, 1, 4, 4)}[call]
        finished, out = in_thread(fn)
        assert finished, f"{call} of {target} hangs"
        assert isinstance(out, InputError), out
        assert str(out) == f"{target} is not an image file but a folder, a device or a pipe — choose an image file"


def test_other_bad_files_get_a_sentence(tmp_path):
    missing = tmp_path / "nope.png"
    with pytest.raises(InputError, match="does not exist"):
        probe_image(missing)
    (tmp_path / "x.png").write_bytes(b"not an image")
    with pytest.raises(InputError, match="is not an image convviz can read"):
        probe_image(tmp_path / "x.png")
    Image.fromarray(pixels(64, 64)).save(tmp_path / "t.png")
    (tmp_path / "cut.png").write_bytes((tmp_path / "t.png").read_bytes()[:200])
    assert probe_image(tmp_path / "cut.png") == (64, 64, "RGB")  # the header is intact
    with pytest.raises(InputError, match="could not be read as an image: it looks damaged"):
        decode_image(tmp_path / "cut.png", 3, 8, 8)
    with pytest.raises(InputError, match="cannot be opened"):
        probe_image(str(tmp_path / "a\0b.png"))


def test_exif_after_the_pixels_of_a_png(tmp_path):
    """PNG allows its eXIf chunk after the image data: the header cannot see it, the decode does."""
    stored = pixels(4, 6)
    im = Image.fromarray(stored)
    exif = im.getexif()
    exif[0x0112] = 8
    im.save(tmp_path / "a.png", exif=exif.tobytes())
    data = (tmp_path / "a.png").read_bytes()
    chunks, at = [], 8
    while at < len(data):
        n = struct.unpack(">I", data[at:at + 4])[0]
        chunks.append(data[at:at + 12 + n])
        at += 12 + n
    kinds = [c[4:8] for c in chunks]
    exif_chunk = chunks.pop(kinds.index(b"eXIf"))
    chunks.insert(len(chunks) - 1, exif_chunk)  # just before IEND
    assert [c[4:8] for c in chunks][-2:] == [b"eXIf", b"IEND"]
    (tmp_path / "late.png").write_bytes(data[:8] + b"".join(chunks))
    want = np.rot90(stored, 1)
    got = decode_image(tmp_path / "late.png", 3, *want.shape[:2])
    np.testing.assert_array_equal(got, want.transpose(2, 0, 1) / np.float32(255))
