#!/usr/bin/env python3
"""Regenerate the walkthrough's trained kernels (resources/weights/*.safetensors) bit for bit:
each chapter preset of convviz.lesson_experiments.LESSON_WEIGHTS is trained by convviz's own
Trainer on its bundled data (seeded, one thread, torch's deterministic algorithms) and the
weights of the preset's layers are written with the parameters used in the file's metadata.

    .venv/bin/python scripts/train_lesson_weights.py [--out DIR] [--only NAME] [--size N --epochs E]

--size/--epochs train a smaller budget (the tests' quick check); the committed files use the
defaults.  See resources/weights/PROVENANCE.md.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = "scripts/train_lesson_weights.py"


def canonical(blob: bytes) -> bytes:
    """A safetensors file with its header's keys in sorted order (the library writes its
    metadata in hash order, different on every run): the same tensors and metadata give the
    same bytes.  The header is padded with spaces to 8 bytes, as the format asks."""
    import struct
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + blob[8 + n:]


def write(name: str, out_dir: str, size: int | None = None, epochs: int | None = None) -> str:
    import torch
    from safetensors.numpy import save

    from convviz.datasets import DATASETS
    from convviz.lesson_experiments import LESSON_WEIGHTS, train_lesson_weights
    from convviz.project import write_atomic
    from convviz.weights import FORMAT, flatten

    weights, accuracy, params = train_lesson_weights(LESSON_WEIGHTS[name], size, epochs)
    path = os.path.join(out_dir, f"{name}.safetensors")
    meta = {"format": FORMAT, "made_by": SCRIPT, "params": json.dumps(params, sort_keys=True),
            "test_accuracy": f"{accuracy:.4f}", "torch": torch.__version__,
            "data": DATASETS[params["data"]].provenance}
    write_atomic(path, canonical(save(flatten(weights), metadata=meta)))
    return path


def main(argv=None) -> int:
    from convviz.lesson_experiments import LESSON_WEIGHTS, weights_dir
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(weights_dir()))
    ap.add_argument("--only", choices=sorted(LESSON_WEIGHTS))
    ap.add_argument("--size", type=int)
    ap.add_argument("--epochs", type=int)
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    for name in [a.only] if a.only else LESSON_WEIGHTS:
        print(write(name, a.out, a.size, a.epochs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
