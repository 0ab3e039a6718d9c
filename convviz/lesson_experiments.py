"""The lesson's experiments, Qt-free: chapter 1's horse on a wide canvas, learnt by a fully
connected classifier and by a convolution + ReLU + global max pooling, each tested at every
shift of the horse.

The data: a canvas ``CANVAS`` (height x width) of dark background holds one bright object in
a ``BOX`` (height x width) box: the horse silhouette (facing left or right, at random: a
fully connected layer trained on both learns a two-headed horse) or a distractor of the same
box (disc, square, cross, triangle), at a random height, a random brightness and with a little
noise.  Its horizontal place is a *shift* from the canvas's centre; the canvas is wider than
the box, so every shift from ``-max_shift`` to ``max_shift`` keeps the whole object on it
(nothing wraps around).  Training sees only shifts in ``TRAIN_SHIFTS`` (near the centre); the
test set holds every shift, equally many of each class at each.

``HorseExperiment(seed)`` trains both models with convviz's own ``Trainer`` (the app's
training core: seeded, reproducible bit for bit on one thread) in slices (``step``), returning
an immutable ``HorseProgress`` each time: the test accuracy of each model at each shift
(measured, never written anywhere), the fully connected layer's "horse" weights as an image,
the convolution's weights.  ``conv_maps_of`` and ``scores_of`` answer for one canvas from a
progress's weights, on any thread.

``LESSON_WEIGHTS`` and ``train_lesson_weights`` make the chapters' trained kernels
(resources/weights/, scripts/train_lesson_weights.py); ``lesson_weights`` finds the bundled
file that fits a chapter's stack.
"""
from __future__ import annotations

# torch (and convviz.training, which imports it) only inside the functions that train or compute:
# the walkthrough imports this module, and the window must show before torch is imported
import functools
import zlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

from .datasets import HORSE_CLASSES, Dataset, _horse_mask, _shape_alpha
from .project import InputSpec, Project
from .spec import LayerSpec
from .training_config import TrainConfig

CANVAS = (24, 64)  # height, width of the wide canvas
BOX = (16, 20)  # height, width of the horse's (and each distractor's) box
TRAIN_SHIFTS = tuple(range(-2, 3))  # where training sees the objects: near the centre
TRAIN_PER_SHIFT = 200  # training examples at each training shift (both classes together)
TEST_PER_SHIFT = 20  # test examples at each shift (half horses)
EPOCHS = 4
BATCH = 50
LR = 0.05  # SGD with momentum 0.9: the weights where no horse ever was stay near where they began
OPTIMIZER = "sgd"
CONV_CHANNELS = 6
CONV_KERNEL = 5
HORSE = 1  # the class index of "horse" (datasets.HORSE_CLASSES)
DISTRACTORS = (4, 5, 6, 7)  # datasets._shape_alpha kinds: disc, square, cross, triangle

_C = LayerSpec.make


def max_shift(canvas: tuple[int, int] = CANVAS, box: tuple[int, int] = BOX) -> int:
    """The largest shift either way that keeps the whole box on the canvas."""
    return (canvas[1] - box[1]) // 2


def left_of(shift: int, canvas: tuple[int, int] = CANVAS, box: tuple[int, int] = BOX) -> int:
    """The box's left column at ``shift`` (0: centred)."""
    return (canvas[1] - box[1]) // 2 + int(shift)


@functools.lru_cache(maxsize=4)
def _stamps(box: tuple[int, int]) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """The horse's coverage in ``box`` (float32, facing as drawn) and the distractors'."""
    from PIL import Image

    oh, ow = box
    mask = _horse_mask()
    horse = np.asarray(Image.fromarray(mask * 255).resize((ow, oh), Image.Resampling.LANCZOS), np.float32) / 255
    ys = np.arange(oh, dtype=np.float32)[:, None] - (oh - 1) / 2
    xs = np.arange(ow, dtype=np.float32)[None, :] - (ow - 1) / 2
    r, t = np.float32(min(oh, ow) / 2 - 0.5), np.float32(max(1.5, 0.25 * min(oh, ow)))
    others = tuple(_shape_alpha(kind, xs, ys, r, t) for kind in DISTRACTORS)
    horse = np.clip(horse, 0, 1)
    horse.setflags(write=False)
    for o in others:
        o.setflags(write=False)
    return horse, others


def _rng(seed: int, purpose: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(purpose.encode())])


def draw(shift: int, horse: bool = True, top: int | None = None, flip: bool = False, level: float = 220.0,
         kind: int = 0, canvas: tuple[int, int] = CANVAS, box: tuple[int, int] = BOX) -> np.ndarray:
    """One clean canvas (H, W) uint8: the horse (or distractor ``kind``, 0..3) at ``shift``,
    ``top`` rows down (None: centred vertically), facing right when ``flip``."""
    h, w = canvas
    oh, ow = box
    if abs(int(shift)) > max_shift(canvas, box):
        raise ValueError(f"the shift must be from {-max_shift(canvas, box)} to {max_shift(canvas, box)}, not {shift}")
    stamp_h, others = _stamps(box)
    stamp = (stamp_h[:, ::-1] if flip else stamp_h) if horse else others[kind % len(others)]
    y = (h - oh) // 2 if top is None else int(top)
    x = left_of(shift, canvas, box)
    out = np.zeros((h, w), np.uint8)
    out[y:y + oh, x:x + ow] = np.rint(stamp * level).astype(np.uint8)
    return out


@dataclass(frozen=True, eq=False)
class HorseData:
    """The experiment's examples: (N, 1, H, W) uint8 canvases, labels (1 = horse), shifts."""

    train_x: np.ndarray
    train_y: np.ndarray
    train_shift: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    test_shift: np.ndarray
    shifts: np.ndarray  # every test shift, ascending
    train_shifts: tuple[int, ...] = TRAIN_SHIFTS  # where training saw horses

    def dataset(self) -> Dataset:
        """As the training core's Dataset (positions: the box's left column)."""
        return Dataset("horse-shift", HORSE_CLASSES, self.train_x, self.train_y, self.test_x, self.test_y,
                       "generated by convviz (convviz/lesson_experiments.py) from the seed; horse silhouette "
                       "from scikit-image's data (CC0; resources/samples/PROVENANCE.md)",
                       train_pos=_frozen(self.train_shift + left_of(0)), test_pos=_frozen(self.test_shift + left_of(0)))


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _make(shifts: np.ndarray, seed: int, purpose: str, canvas, box, noise: float, empty: float, rise: int):
    n = len(shifts)
    rng = _rng(seed, purpose)
    h, w = canvas
    oh, ow = box
    labels = (np.arange(n) % 2).astype(np.int64)  # alternate, so each shift holds both classes equally
    mid = (h - oh) // 2
    tops = rng.integers(max(0, mid - rise), min(h - oh, mid + rise) + 1, n)
    flips = rng.integers(0, 2, n).astype(bool)
    kinds = rng.integers(0, len(DISTRACTORS), n)
    blank = rng.uniform(0, 1, n) < empty  # a "no horse" canvas with nothing on it but noise
    levels = rng.uniform(110, 255, n)
    horse, others = _stamps(box)
    out = np.zeros((n, h, w), np.float32)
    for i in range(n):
        if not labels[i] and blank[i]:
            continue
        stamp = (horse[:, ::-1] if flips[i] else horse) if labels[i] else others[kinds[i]]
        x = left_of(int(shifts[i]), canvas, box)
        out[i, tops[i]:tops[i] + oh, x:x + ow] = stamp * levels[i]
    out += rng.normal(0, noise, out.shape).astype(np.float32)
    img = np.clip(np.rint(out), 0, 255).astype(np.uint8)[:, None]
    return _frozen(img), _frozen(labels)


def make_data(seed: int = 0, train_per_shift: int = TRAIN_PER_SHIFT, test_per_shift: int = TEST_PER_SHIFT,
              train_shifts: tuple[int, ...] = TRAIN_SHIFTS, canvas: tuple[int, int] = CANVAS,
              box: tuple[int, int] = BOX, noise: float = 8.0, empty: float = 0.0, rise: int = 1) -> HorseData:
    """The experiment's data from ``seed``: training at ``train_shifts`` only, test at every
    shift; the same arguments give the same arrays."""
    m = max_shift(canvas, box)
    if any(abs(s) > m for s in train_shifts):
        raise ValueError(f"training shifts must be within ±{m}")
    tr_s = np.repeat(np.array(train_shifts, np.int64), train_per_shift)
    # a "no horse" canvas in training holds its distractor anywhere: only the horse is kept near
    # the centre, so what the fully connected layer learns is where the horse was
    tr_s[0::2] = _rng(seed, "horse-train-distractors").integers(-m, m + 1, len(tr_s[0::2]))
    shifts = np.arange(-m, m + 1, dtype=np.int64)
    te_s = np.repeat(shifts, test_per_shift)
    tx, ty = _make(tr_s, seed, "horse-train", canvas, box, noise, empty, rise)
    vx, vy = _make(te_s, seed, "horse-test", canvas, box, noise, empty, rise)
    return HorseData(tx, ty, _frozen(tr_s), vx, vy, _frozen(te_s), _frozen(shifts), tuple(int(v) for v in train_shifts))


def fc_project(canvas: tuple[int, int] = CANVAS) -> Project:
    """(a) the fully connected classifier: every pixel its own weight for each class."""
    return Project(InputSpec(1, canvas[0], canvas[1], "sample:horse", fit="pad"),
                   (_C("Flatten"), _C("Linear", out_features=2)), 0, (), "fully connected")


def conv_project(canvas: tuple[int, int] = CANVAS, channels: int = CONV_CHANNELS, kernel: int = CONV_KERNEL) -> Project:
    """(b) convolution + ReLU + global max pooling, then a Linear layer on the pooled features."""
    return Project(InputSpec(1, canvas[0], canvas[1], "sample:horse", fit="pad"),
                   (_C("Conv2d", out_channels=channels, kernel_size=kernel), _C("ReLU"),
                    _C("AdaptiveMaxPool2d", output_size=1), _C("Flatten"), _C("Linear", out_features=2)),
                   0, (), "convolution + global max pooling")


def _config(seed: int, epochs: int) -> TrainConfig:
    return TrainConfig(data="horse-shift", optimizer=OPTIMIZER, lr=LR, batch_size=BATCH, epochs=epochs, seed=seed,
                       threads=None)


@dataclass(frozen=True, eq=False)
class HorseProgress:
    """Where the experiment stands: immutable, every array a read-only copy."""

    step: int  # batches trained, both models together
    total: int  # batches of the whole experiment
    epoch: int  # epochs finished (each model)
    epochs: int
    shifts: np.ndarray  # every test shift
    fc_accuracy: np.ndarray | None  # test accuracy at each shift (None before the first evaluation)
    conv_accuracy: np.ndarray | None
    fc_weights: np.ndarray  # (H, W) the "horse" minus "no horse" weights of the Linear layer
    fc_state: Mapping[int, Mapping[str, np.ndarray]]
    conv_state: Mapping[int, Mapping[str, np.ndarray]]
    train_shifts: tuple[int, ...]
    done: bool

    @property
    def fraction(self) -> float:
        return self.step / self.total if self.total else 1.0

    def accuracy_where(self, which: str, trained: bool) -> float | None:
        """Mean test accuracy of ``which`` ("fc" or "conv") at the training shifts (``trained``)
        or at all the others."""
        acc = self.fc_accuracy if which == "fc" else self.conv_accuracy
        if acc is None:
            return None
        inside = np.isin(self.shifts, self.train_shifts)
        sel = inside if trained else ~inside
        return float(acc[sel].mean())


def per_shift_accuracy(model, x: np.ndarray, y: np.ndarray, shift: np.ndarray,
                       shifts: np.ndarray) -> np.ndarray:
    """The fraction of test examples ``model`` (a torch module) classifies right at each of ``shifts``."""
    import torch
    model.eval()
    with torch.inference_mode():
        logits = model(torch.from_numpy(np.array(x)).float().div_(255)).flatten(1)
    right = (logits.argmax(1).numpy() == y)
    return np.array([right[shift == s].mean() for s in shifts], dtype=np.float64)


class HorseExperiment:
    """Trains (a) the fully connected classifier and (b) the convolution on the same data, in
    slices (``step``); use from one thread (the compute thread)."""

    def __init__(self, seed: int = 0, epochs: int = EPOCHS, data: HorseData | None = None, threads: int | None = 1,
                 canvas: tuple[int, int] = CANVAS):
        self.seed = int(seed)
        self.epochs = int(epochs)
        self.threads = threads
        self.canvas = canvas
        self.data = data if data is not None else make_data(seed, canvas=canvas)
        from .training import Trainer
        ds = self.data.dataset()
        config = _config(self.seed, self.epochs)
        self.fc = Trainer(fc_project(canvas), ds, config)
        self.conv = Trainer(conv_project(canvas), ds, config)
        self.fc.resume()
        self.conv.resume()
        self._acc: dict[str, np.ndarray | None] = {"fc": None, "conv": None}
        self._evaluated_epoch = -1

    @property
    def total(self) -> int:
        return 2 * self.fc.batches_per_epoch * self.epochs

    @property
    def done(self) -> bool:
        return self.fc.done and self.conv.done

    def _threads(self):
        if self.threads:
            import torch
            before = torch.get_num_threads()
            torch.set_num_threads(self.threads)
            return before
        return None

    def step(self, batches: int = 10, cancelled: Callable[[], bool] | None = None) -> HorseProgress:
        """Train each model ``batches`` more batches (fewer at the end, or when ``cancelled()``),
        evaluating both at every shift at each epoch's end; returns the progress."""
        before = self._threads()
        try:
            for tr in (self.fc, self.conv):
                if not tr.done and not (cancelled and cancelled()):
                    tr.step(batches, cancelled)
            epoch = min(self.fc.epoch, self.conv.epoch)
            if epoch != self._evaluated_epoch and (epoch > 0 or self._acc["fc"] is None):
                self._evaluate()
                self._evaluated_epoch = epoch
        finally:
            if before is not None:
                import torch
                torch.set_num_threads(before)
        return self.progress()

    def run(self, on_progress: Callable[[HorseProgress], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> HorseProgress:
        """Train to the end (the script's and the tests' loop)."""
        p = self.progress()
        while not self.done and not (cancelled and cancelled()):
            p = self.step(self.fc.batches_per_epoch, cancelled)
            if on_progress is not None:
                on_progress(p)
        return p

    def _evaluate(self) -> None:
        d = self.data
        for name, tr in (("fc", self.fc), ("conv", self.conv)):
            acc = per_shift_accuracy(tr.model, d.test_x, d.test_y, d.test_shift, d.shifts)
            acc.setflags(write=False)
            self._acc[name] = acc
            tr.model.train()

    def progress(self) -> HorseProgress:
        from .training import model_state
        fc_state = model_state(self.fc.model)
        conv_state = model_state(self.conv.model)
        w = fc_state[1]["weight"]  # Linear after Flatten: (2, H * W)
        img = (w[HORSE] - w[1 - HORSE]).reshape(self.canvas).copy()
        img.setflags(write=False)
        freeze = lambda s: MappingProxyType({i: MappingProxyType(v) for i, v in s.items()})  # noqa: E731
        return HorseProgress(self.fc.step_count + self.conv.step_count, self.total,
                             min(self.fc.epoch, self.conv.epoch), self.epochs, self.data.shifts,
                             self._acc["fc"], self._acc["conv"], img, freeze(fc_state), freeze(conv_state),
                             self.data.train_shifts, self.done)


def conv_maps_of(state: Mapping[int, Mapping[str, np.ndarray]], canvas: np.ndarray) -> np.ndarray:
    """The convolution's ReLU maps (C, h, w) of ``canvas`` with the weights ``state`` (a
    progress's conv_state), in numpy: the GUI thread answers the slider without torch (torch
    belongs to the compute thread); the tests check it against the trained torch modules."""
    w = np.asarray(state[0]["weight"], np.float64)  # (C, 1, k, k)
    b = np.asarray(state[0]["bias"], np.float64)
    x = np.asarray(canvas, np.float64) / 255
    windows = np.lib.stride_tricks.sliding_window_view(x, w.shape[2:])  # (h, w, k, k)
    maps = np.einsum("yxij,cij->cyx", windows, w[:, 0]) + b[:, None, None]
    return np.maximum(maps, 0).astype(np.float32)


def scores_of(progress: HorseProgress, canvas: np.ndarray) -> tuple[float, float]:
    """P(horse) of each model with the weights in ``progress`` for one (H, W) uint8 canvas
    (numpy, as conv_maps_of)."""
    x = np.asarray(canvas, np.float64).ravel() / 255
    fc = progress.fc_state[1]
    lf = np.asarray(fc["weight"], np.float64) @ x + np.asarray(fc["bias"], np.float64)
    pooled = conv_maps_of(progress.conv_state, canvas).astype(np.float64).max(axis=(1, 2))
    lin = progress.conv_state[4]
    lc = np.asarray(lin["weight"], np.float64) @ pooled + np.asarray(lin["bias"], np.float64)

    def p_horse(logits):
        e = np.exp(logits - logits.max())
        return float(e[HORSE] / e.sum())
    return p_horse(lf), p_horse(lc)


def horse_channel_of(progress: HorseProgress) -> int:
    """The convolution's channel whose pooled value votes most for "horse"."""
    w = np.asarray(progress.conv_state[4]["weight"])
    return int(np.argmax(w[HORSE] - w[1 - HORSE]))


__all__ = ["BOX", "CANVAS", "EPOCHS", "HorseData", "HorseExperiment", "HorseProgress", "TRAIN_SHIFTS", "conv_maps_of",
           "conv_project", "draw", "fc_project", "horse_channel_of", "left_of", "make_data", "max_shift",
           "per_shift_accuracy", "scores_of", "LESSON_WEIGHTS", "LessonWeights", "lesson_training_project", "lesson_weights",
           "stack_project", "train_lesson_weights", "weights_dir"]


# --- trained kernels for the chapters (resources/weights/, scripts/train_lesson_weights.py) ----------

@dataclass(frozen=True)
class LessonWeights:
    """How one chapter preset's kernels are trained: its stack (the preset's layers), a
    classifier head after it, on a bundled data set at a small size (kernels do not depend on
    the image size; the chapter shows them on its own input)."""

    preset: str
    data: str = "shapes"
    size: int = 3000  # examples, train + test
    side: int = 32  # the training images' height and width
    epochs: int = 4
    lr: float = 0.003
    batch: int = 50
    seed: int = 0
    head: str = "max"  # "max": global max pooling, Flatten, Linear; "flat": Flatten, Linear (keeps where)

    def params(self) -> dict:
        from dataclasses import asdict
        return asdict(self)


LESSON_WEIGHTS = {
    # chapter 2: four 3-D kernels over an 8x8 RGB input, trained on the 8x8 digits (gray in all
    # three channels) with a Flatten + Linear head: a global pooling of one layer of four 3x3
    # kernels cannot tell ten digits apart
    "kernel3d": LessonWeights("kernel3d", data="digits", size=1797, side=8, epochs=12, head="flat"),
    "teaching": LessonWeights("teaching"),  # chapter 7: the receptive field
    "dilated": LessonWeights("dilated"),  # chapter 8: dilated convolution
}


def stack_project(name: str) -> Project:
    """The stack ``name`` trains: a bundled preset, or "kernel3d", chapter 2's RGB input with
    four 3x3 kernels (the chapter starts with two and asks for four: it shows the first ones)."""
    if name == "kernel3d":
        return Project(InputSpec(3, 8, 8, "sample:astronaut"), (_C("Conv2d", out_channels=4, kernel_size=3, padding=1),),
                       0, (), "A 3-D kernel over a 3-D input")
    from .samples import load_preset
    return load_preset(name)


def _fits(base: Project, project: Project) -> bool:
    """``project`` is ``base``'s stack, or (a stack of one convolution) the same with fewer kernels."""
    if base.input.channels != project.input.channels or len(base.layers) != len(project.layers):
        return False
    if base.layers == project.layers and base.kernels == project.kernels:
        return True
    if len(base.layers) != 1 or base.layers[0].type != "Conv2d" or project.layers[0].type != "Conv2d":
        return False
    a, b = dict(base.layers[0].args), dict(project.layers[0].args)
    n = b.pop("out_channels", None)
    return n is not None and n <= a.pop("out_channels") and a == b and project.kernels == base.kernels


def weights_dir():
    from .samples import resources_dir
    return resources_dir() / "weights"


def lesson_training_project(spec: LessonWeights) -> Project:
    """The preset's stack at the training size with a head: global max pooling, Flatten and
    Linear to the data set's classes."""
    from dataclasses import replace as _replace

    from .datasets import DATASETS
    p = stack_project(spec.preset)
    pool = (_C("AdaptiveMaxPool2d", output_size=1),) if spec.head == "max" else ()
    head = pool + (_C("Flatten"), _C("Linear", out_features=len(DATASETS[spec.data].classes)))
    return _replace(p, input=_replace(p.input, height=spec.side, width=spec.side), layers=p.layers + head,
                    kernels=tuple(p.kernels) + (None,) * len(head), weights="", training=None)


def train_lesson_weights(spec: LessonWeights, size: int | None = None, epochs: int | None = None):
    """Train the preset's stack as ``spec`` says (``size``/``epochs`` override, for a quick
    check), on one thread with torch's deterministic algorithms; returns (weights of the
    preset's own layers {layer: {name: array}}, the test accuracy reached, the params used)."""
    from dataclasses import replace as _replace

    import torch

    from .datasets import load_dataset
    from .training import Trainer
    spec = _replace(spec, **{k: v for k, v in (("size", size), ("epochs", epochs)) if v is not None})
    project = lesson_training_project(spec)
    c = project.input.channels
    ds = load_dataset(spec.data, c, spec.side, spec.side, seed=spec.seed, size=spec.size)
    config = TrainConfig(data=spec.data, size=spec.size, optimizer="adam", lr=spec.lr, batch_size=spec.batch,
                         epochs=spec.epochs, seed=spec.seed, threads=1)
    before, det = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    try:
        snap = Trainer(project, ds, config).run()
    finally:
        torch.set_num_threads(before)
        torch.use_deterministic_algorithms(det)
    n = len(stack_project(spec.preset).layers)
    weights = {i: {k: np.array(v) for k, v in s.items()} for i, s in snap.state.items() if i < n}
    return weights, float(snap.test_accuracy), spec.params()


def lesson_weights(project: Project):
    """The bundled trained weights for ``project`` (a chapter's stack; with fewer kernels than
    were trained, the first ones), as convviz.weights.Loaded, with the stack's name; or
    (None, None) when no bundled file is for this stack (an edit that changed a layer's shape)."""
    from dataclasses import replace as _replace

    from .weights import load_weights
    for name in LESSON_WEIGHTS:
        base = stack_project(name)
        if not _fits(base, project):
            continue
        path = weights_dir() / f"{name}.safetensors"
        if not path.exists():
            continue
        loaded = load_weights(path, base)
        if base.layers != project.layers:
            n = project.layers[0].get("out_channels")
            cut = {i: {k: np.array(v)[:n] for k, v in d.items()} for i, d in loaded.weights.items()}
            loaded = _replace(loaded, weights=cut)
        return loaded, name
    return None, None
