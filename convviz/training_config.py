"""Training settings: what a project remembers about how it is trained.  Torch-free and Qt-free,
so the project file, the command line and the settings panel can check them before torch is
imported (convviz/training.py runs them).

``TrainConfig`` is frozen; ``problem()`` says in one sentence what is wrong with it, and the
project file stores ``to_dict()`` (the device and thread count are the machine's, not the
project's, and are never saved).

Seeds: the project's ``seed`` draws the initial weights (as the engine does, so "initial" is
what the app showed); the training ``seed`` draws the train/test split, each epoch's order and
dropout.  ``derived_seed`` gives each purpose its own stream, the same in the exported code.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Mapping

from .messages import escape, show

OPTIMIZERS = ("sgd", "adam")
MAX_BATCH = 65536
MAX_EPOCHS = 100_000
MAX_SIZE = 10_000_000
MAX_SEED = 2**63 - 1


def derived_seed(seed: int, purpose: str) -> int:
    """A 63-bit seed for one purpose ("epoch 3", "dropout") of a training seed: independent
    streams, reproducible anywhere (the exported script computes the same numbers)."""
    digest = hashlib.sha256(f"convviz:{purpose}:{int(seed)}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


@dataclass(frozen=True)
class TrainConfig:
    """How to train: the data set (a convviz.datasets spec), its size (None: the data set's
    default), the optimizer ("sgd": SGD with ``momentum``; "adam"), learning rate, batch size,
    weight decay, epochs, seed; ``device`` ("cpu", "cuda", "cuda:1") and ``threads`` (torch's
    intra-op threads; None leaves torch's choice) belong to the machine and are not saved."""

    data: str = "digits"
    size: int | None = None
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9
    batch_size: int = 64
    weight_decay: float = 0.0
    epochs: int = 5
    seed: int = 0
    device: str = "cpu"
    threads: int | None = None

    def problem(self) -> str | None:
        """Why these settings cannot be used (one sentence), or None."""
        from .datasets import check_spec

        def whole(v):
            return not isinstance(v, bool) and isinstance(v, int)

        def number(v):
            return not isinstance(v, bool) and isinstance(v, (int, float)) and v == v and abs(v) != float("inf")
        p = check_spec(self.data)
        if p:
            return p
        if self.size is not None and (not whole(self.size) or not 2 <= self.size <= MAX_SIZE):
            return f"the number of examples must be a whole number from 2 to {MAX_SIZE:,}, not {show(self.size)}"
        if self.optimizer not in OPTIMIZERS:
            return f"the optimizer must be one of {', '.join(OPTIMIZERS)}, not {show(self.optimizer)}"
        if not number(self.lr) or not 0 < self.lr <= 10:
            return f"the learning rate must be a number above 0 and at most 10 (for example 0.001), not {show(self.lr)}"
        if not number(self.momentum) or not 0 <= self.momentum < 1:
            return f"the momentum must be a number from 0 up to (not including) 1, not {show(self.momentum)}"
        if not whole(self.batch_size) or not 1 <= self.batch_size <= MAX_BATCH:
            return f"the batch size must be a whole number from 1 to {MAX_BATCH:,}, not {show(self.batch_size)}"
        if not number(self.weight_decay) or not 0 <= self.weight_decay <= 1:
            return f"the weight decay must be a number from 0 to 1, not {show(self.weight_decay)}"
        if not whole(self.epochs) or not 1 <= self.epochs <= MAX_EPOCHS:
            return f"the number of epochs must be a whole number from 1 to {MAX_EPOCHS:,}, not {show(self.epochs)}"
        if not whole(self.seed) or not 0 <= self.seed <= MAX_SEED:
            return f"the training seed must be a whole number from 0 to 2^63 - 1, not {show(self.seed)}"
        if not isinstance(self.device, str) or not (self.device == "cpu" or self.device.startswith("cuda")):
            return f"the device must be \"cpu\" or \"cuda\" (\"cuda:N\"), not {show(self.device)}"
        if self.threads is not None and (not whole(self.threads) or not 1 <= self.threads <= 1024):
            return f"the thread count must be a whole number from 1 to 1024, not {show(self.threads)}"
        return None

    def to_dict(self) -> dict[str, Any]:
        """What a project file stores (no device, no threads; size only when given)."""
        d = asdict(self)
        del d["device"], d["threads"]
        if d["size"] is None:
            del d["size"]
        if self.optimizer != "sgd":
            del d["momentum"]
        return d

    @classmethod
    def from_dict(cls, d: Any, path: str = "training") -> "TrainConfig":
        """Settings from a project file's ``training`` object; raises ValueError("field: sentence")
        (project.py turns it into a ProjectError)."""
        if not isinstance(d, Mapping):
            raise ConfigError(path, "expected an object such as {\"data\": \"digits\", \"epochs\": 5}")
        saved = [f.name for f in fields(cls) if f.name not in ("device", "threads")]
        extra = [k for k in d if k not in saved]
        if extra:
            raise ConfigError(f"{path}.{escape(str(extra[0]), 60)}", f"unknown field; training has: {', '.join(saved)}")
        cfg = cls(**{k: d[k] for k in saved if k in d})
        if isinstance(cfg.lr, int) and not isinstance(cfg.lr, bool):
            cfg = replace(cfg, lr=float(cfg.lr))
        problem = cfg.problem()
        if problem:
            raise ConfigError(path, problem)
        return cfg


class ConfigError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
