"""The memory guard counts what is really allocated, and the engine's caches stay bounded.

Each check runs in a child process (this file run as a script) that measures its own resident
memory: the peak (VmHWM, reset through /proc/self/clear_refs) minus the resident memory just
before the compute, with torch imported and warmed up.  Generated stacks of a few hundred MB
must peak within 1.25 x the guard's estimate, which is made before anything is decoded.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MiB = 1 << 20
pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="needs Linux's /proc")


def child(what: str, tmp: str) -> None:
    """Run in a fresh interpreter: print one JSON line with the measurements."""
    import gc

    import numpy as np
    import torch
    from PIL import Image

    from convviz import engine as en
    from convviz.engine_api import estimate_bytes
    from convviz.project import InputSpec, Project
    from convviz.spec import LayerSpec
    from convviz.validate import analyze

    torch.set_num_threads(1)

    def status(key: str) -> int:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
        raise RuntimeError(key)

    try:  # glibc keeps freed memory for reuse; hand it back so each peak counts fresh pages
        import ctypes
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        trim = None

    def reset_peak() -> int:
        gc.collect()
        if trim is not None:
            trim(0)
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # VmHWM := VmRSS
        return status("VmRSS")

    def measure(eng, req) -> dict:
        if hasattr(eng, "estimate"):
            estimate = eng.estimate(req)  # the guard's number, before anything is decoded
        else:  # the old engine's guard
            estimate = estimate_bytes(req.project.analyze())
        base = reset_peak()
        res = eng.run(req)
        assert res.error is None, res.error
        peak = status("VmHWM") - base
        return {"estimate": estimate, "peak": peak}

    # warm up: torch's first convolutions, pools and pads allocate their own tables
    warm = (LayerSpec.make("Conv2d", out_channels=4, kernel_size=3, padding=1, padding_mode="reflect"),
            LayerSpec.make("ConvTranspose2d", out_channels=4, kernel_size=3, stride=2),
            LayerSpec.make("DepthwiseSeparable", out_channels=4, kernel_size=3),
            LayerSpec.make("MaxPool2d", kernel_size=2), LayerSpec.make("AvgPool2d", kernel_size=2),
            LayerSpec.make("BatchNorm2d"), LayerSpec.make("GELU"))
    if hasattr(en, "chunk_plan"):  # and the chunked path
        en.Engine(chunk_bytes=1 << 14).run(en.ComputeRequest(0, Project(InputSpec(3, 64, 64, "pattern:gradient"), warm)))
    en.Engine().run(en.ComputeRequest(0, Project(InputSpec(3, 64, 64, "pattern:gradient"), warm)))

    out: dict = {}
    if what == "stacks":
        rng = random.Random(11)
        runs = []
        while len(runs) < 6:
            c = rng.choice([1, 3, 8, 16])
            h = rng.randrange(300, 1400)
            w = rng.randrange(300, 1400)
            layers = []
            for _ in range(rng.randint(1, 3)):
                kind = rng.choice(["Conv2d", "Conv2d", "ConvTranspose2d", "DepthwiseSeparable", "MaxPool2d",
                                   "AvgPool2d", "BatchNorm2d", "ReLU"])
                k = rng.choice([1, 2, 3, 5])
                if kind == "Conv2d":
                    layers.append(LayerSpec.make(kind, out_channels=rng.choice([1, 4, 8, 16]), kernel_size=k,
                                                 stride=rng.choice([1, 1, 2]), dilation=rng.choice([1, 2]),
                                                 padding=rng.choice([0, 1, 2]),
                                                 padding_mode=rng.choice(["zeros", "reflect", "replicate",
                                                                          "circular"])))
                elif kind == "ConvTranspose2d":
                    layers.append(LayerSpec.make(kind, out_channels=rng.choice([1, 4, 8]), kernel_size=k,
                                                 stride=rng.choice([1, 2])))
                elif kind == "DepthwiseSeparable":
                    layers.append(LayerSpec.make(kind, out_channels=rng.choice([4, 8]), kernel_size=k,
                                                 padding=k // 2, padding_mode=rng.choice(["zeros", "reflect"])))
                elif kind in ("MaxPool2d", "AvgPool2d"):
                    layers.append(LayerSpec.make(kind, kernel_size=max(2, k)))
                else:
                    layers.append(LayerSpec.make(kind))
            info = analyze((c, h, w), layers)
            if not info.ok:
                continue
            p = Project(InputSpec(c, h, w, "pattern:gradient"), tuple(layers))
            req = en.ComputeRequest(1, p)
            eng = en.Engine()
            if not 100 * MiB <= estimate_bytes(info) <= 350 * MiB:
                continue
            r = measure(eng, req)
            r["stack"] = f"{c}x{h}x{w} " + ", ".join(s.type for s in layers)
            runs.append(r)
            del eng
        # an image file: decoded (from a larger picture, with transparency) once, in the guard's count
        path = os.path.join(tmp, "big.png")
        rgba = np.random.default_rng(0).integers(0, 255, (3000, 2500, 4), dtype=np.uint8)
        Image.fromarray(rgba, "RGBA").save(path, compress_level=0)
        del rgba
        p = Project(InputSpec(3, 1500, 1200, path), (LayerSpec.make("Conv2d", out_channels=8, kernel_size=3),))
        r = measure(en.Engine(), en.ComputeRequest(1, p))
        r["stack"] = "3000x2500 RGBA PNG to 3x1500x1200, Conv2d"
        runs.append(r)
        # an input handed in by the caller (the engine copies it)
        arr = np.random.default_rng(1).random((8, 1200, 1200), dtype=np.float32)
        arr.flags.writeable = False
        p = Project(InputSpec(8, 1200, 1200, "pattern:gradient", (3, 5)), (LayerSpec.make("Conv2d", out_channels=16,
                                                                                     kernel_size=3, padding=1),))
        r = measure(en.Engine(), en.ComputeRequest(1, p, input_override=arr, input_key="arr"))
        r["stack"] = "8x1200x1200 override, Conv2d"
        runs.append(r)
        out["runs"] = runs
    elif what == "seeds":
        # "New seed" twelve times on a big layer: each click draws 2 x 16 MiB of weights; the
        # caches keep at most their byte budget however many clicks there are
        budget = 64 * MiB
        en.CACHE_BYTES = en.WEIGHT_CACHE_BYTES = budget  # (the old engine's weight cache had its own)
        eng = en.Engine()
        layers = (LayerSpec.make("Conv2d", out_channels=1024, kernel_size=4),
                  LayerSpec.make("Conv2d", out_channels=1024, kernel_size=2))
        p = Project(InputSpec(256, 6, 6, "pattern:gradient"), layers)
        eng.run(en.ComputeRequest(0, p, threads=1))
        base = reset_peak()
        for seed in range(1, 13):
            res = eng.run(en.ComputeRequest(seed, Project(p.input, layers, seed)))
            assert res.error is None, res.error
        out["growth"] = status("VmRSS") - base
        out["held"] = eng.held_bytes() if hasattr(eng, "held_bytes") else None
        out["budget"] = budget
        out["stack_bytes"] = sum(o.nbytes for o in res.outputs) + sum(w.nbytes for ws in res.weights for w in ws)
    print(json.dumps(out))


def run_child(what: str, tmp) -> dict:
    env = {**os.environ, "PYTHONPATH": ROOT, "OMP_NUM_THREADS": "1"}
    env.pop("CONVVIZ_MEMORY_LIMIT", None)
    r = subprocess.run([sys.executable, os.path.abspath(__file__), what, str(tmp)], capture_output=True, text=True,
                       cwd=ROOT, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_peak_memory_stays_within_the_estimate(tmp_path):
    """The guard's estimate, made before decoding, bounds the real peak: within 1.25 x (the old
    guard missed the input's copy, padding buffers, transposed-convolution scratch and the
    depthwise maps: 2.0 x on a 64x2800x2800 input)."""
    runs = run_child("stacks", tmp_path)["runs"]
    lines = [f"{r['stack']}: peak {r['peak'] / MiB:.0f} MiB, estimate {r['estimate'] / MiB:.0f} MiB, "
             f"ratio {r['peak'] / r['estimate']:.2f}" for r in runs]
    print("\n".join(lines))
    for r, line in zip(runs, lines):
        assert r["peak"] <= 1.25 * r["estimate"], line
        assert r["peak"] >= 0.4 * r["estimate"], "the estimate counts far more than is allocated: " + line


def test_new_seed_clicks_keep_the_caches_within_their_budget(tmp_path):
    """Each seed draws new weights; the module and weight caches are bounded by bytes together
    (today the module cache, bounded by count, keeps every click's weights alive)."""
    r = run_child("seeds", tmp_path)
    # twelve clicks drew 12 x 32 MiB (the old engine kept them all: 384 MiB); what stays is the
    # budget, plus allocator slack
    assert r["growth"] <= r["budget"] + 64 * MiB, r
    assert r["held"] <= max(r["budget"], r["stack_bytes"]) + 4 * MiB


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])
