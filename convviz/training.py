"""Training: the stack learns from a data set, in short slices, reproducibly.  Qt-free; with
engine.py the only module that imports torch.

``Trainer(project, dataset, config)`` builds the project's stack with the engine's own seeded
initial weights (``engine.make_layer``: "initial" is exactly what the app showed), then
``step(n)`` trains up to n batches and returns one immutable ``Snapshot``: where training
stands (step, epoch, examples seen, examples/s), the loss and accuracy curves so far, a copy of
every layer's weights and the watched example's maps and class probabilities.  The GUI runs
``step`` on the compute thread in slices (ui/training_job.py); the command line runs it to the
end (``convviz train``).  Pause, resume, step and reset are methods; so is ``set_project``,
which carries what was learned across an edit (weights.carry_over).

Reproducible by construction: the initial weights come from the project's seed (per layer, as
the engine draws them); the split from the data set's seed; each epoch's order from a
``torch.Generator`` seeded with ``derived_seed(seed, "epoch N")``; dropout from a random state
seeded with ``derived_seed(seed, "dropout")`` that the trainer keeps between slices (the
global generator is forked around each slice, so nothing else on the thread disturbs it or is
disturbed).  Batches are index tensors into the data on the device, no DataLoader workers.  So
the same project, data, settings and thread count give the same loss curve bit for bit on the
CPU, however the steps are sliced.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import arithmetic as ar
from .datasets import Dataset
from .engine import make_layer, resolve_device
from .project import Project
from .training_config import TrainConfig, derived_seed
from .weights import Carried, Weights, carry_over, check_weights, shape_text

EVAL_BATCH = 500  # examples per forward when evaluating (the exported script uses the same)


class TrainingError(ValueError):
    """Training cannot start or go on: one sentence saying what to change."""


def classifier_problem(project: Project, dataset: Dataset | None = None, classes: int | None = None,
                       data_name: str = "the data set") -> str | None:
    """Why ``project`` cannot be trained as a classifier of ``dataset`` (one sentence), or None:
    an empty or invalid stack, an input of another shape than the data set's images, or an
    output that is not one number per class.  Without a data set, ``classes`` (when known)
    checks the output before any data is loaded."""
    if not project.layers:
        return "the stack is empty: add layers that end in one output per class"
    info = project.analyze()
    bad = next((l for l in info.layers if not l.ok), None)
    if bad is not None:
        first = info.first_error or bad
        return f"layer {first.index} ({first.spec.type}) is invalid: {first.error} — fix it before training"
    if dataset is not None:
        if tuple(project.input.shape) != tuple(dataset.shape):
            return (f"the data set's images are {shape_text(dataset.shape)} (channels x height x width), but the "
                    f"project's input is {shape_text(project.input.shape)} — load the data set at the input's size")
        classes, data_name = dataset.num_classes, dataset.name
    if classes is None:
        return None
    out = tuple(info.layers[-1].out_shape)
    k = classes
    if out not in ((k,), (k, 1, 1)):
        return (f"the stack ends in a {shape_text(out)} output, but {data_name} has {k} classes: a classifier ends "
                f"in {k} numbers, one per class — end it with Flatten and Linear(out_features={k}), or with a "
                f"convolution to {k} channels of 1x1")
    if info.total_params == 0:
        return "the stack has no weights to learn: add a convolution or a Linear layer"
    return None


def build_model(project: Project, weights: Weights | None = None, device: str = "cpu") -> nn.Sequential:
    """The project's stack as ``nn.Sequential``: each layer as the engine makes it (its seeded
    initial weights, named or typed kernels), then ``weights`` (layer index -> state_dict
    arrays, already checked to fit) loaded over it."""
    info = project.analyze()
    layers = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for i, (spec, l) in enumerate(zip(project.layers, info.layers)):
            m = make_layer(spec, ar.fan_in(spec, l.in_shape), project.seed, i, project.kernels[i])
            if weights and i in weights:
                m.load_state_dict({k: torch.tensor(np.array(v)) for k, v in weights[i].items()}, strict=True)
            layers.append(m)
    return nn.Sequential(*layers).to(device)


def _copy(t: torch.Tensor) -> np.ndarray:
    """A read-only numpy copy (never a view of a live tensor: the optimizer writes in place)."""
    a = t.detach().clone().cpu().numpy()
    a.setflags(write=False)
    return a


def model_state(model: nn.Module) -> dict[int, dict[str, np.ndarray]]:
    """Every layer's state_dict as read-only numpy copies: {index: {name: array}}."""
    out: dict[int, dict[str, np.ndarray]] = {}
    for i, m in enumerate(model):
        sd = m.state_dict()
        if sd:
            out[i] = {k: _copy(v) for k, v in sd.items()}
    return out


@dataclass(frozen=True)
class EpochRecord:
    """One finished epoch: where it ended and what it measured (accuracies are fractions)."""

    epoch: int  # 1 for the first
    step: int
    examples_seen: int
    seconds: float  # training time so far (evaluation and snapshots not counted)
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    examples_per_second: float  # over this epoch

    def to_dict(self) -> dict:
        return {"epoch": self.epoch, "step": self.step, "examples_seen": self.examples_seen,
                "seconds": round(self.seconds, 4), "train_loss": self.train_loss,
                "train_accuracy": self.train_accuracy, "test_loss": self.test_loss,
                "test_accuracy": self.test_accuracy, "examples_per_second": round(self.examples_per_second, 1)}


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Where training stands after a slice; immutable, every array a read-only copy, so it can
    cross threads and be kept while training goes on."""

    step: int  # optimizer steps so far
    epoch: int  # epochs finished
    batch: int  # batches done in the epoch under way
    batches_per_epoch: int
    epochs: int  # epochs asked for
    examples_seen: int
    examples_per_second: float  # over the last slice (0 before any)
    seconds: float  # training time so far
    train_loss: float | None  # mean over the epoch under way, else over the last one
    train_accuracy: float | None
    test_loss: float | None  # at the last evaluation (each epoch's end), None before any
    test_accuracy: float | None
    losses: np.ndarray  # every step's batch loss, in order (float64, read-only)
    history: tuple[EpochRecord, ...]
    state: Mapping[int, Mapping[str, np.ndarray]]  # every layer's weights (weights.py's mapping)
    conv_layers: tuple[int, ...]  # the layers whose weights are kernels (Conv2d and the like)
    watched: int  # the watched example's index in the test set (-1: an image given by the caller)
    watched_label: int | None
    outputs: tuple[np.ndarray, ...]  # the watched example's output of each layer
    probabilities: np.ndarray  # its class probabilities (softmax of the last output)
    trained: int  # batches this slice trained
    done: bool  # all epochs trained
    paused: bool
    classes: tuple[str, ...] = ()  # the data set's class names (index -> name)
    watched_input: np.ndarray | None = None  # the watched example as the model sees it: (C, H, W) float32 in [0, 1]
    dataset: str = ""  # the data set's name
    # per layer: mean |gradient| of its weights in the last training batch (None: no weights, or
    # no batch yet), and mean |d loss / d output| of the watched example (its cross-entropy
    # against its true class, or the predicted one for an image of one's own), as ConvNetJS shows
    weight_gradients: tuple[float | None, ...] = ()
    activation_gradients: tuple[float, ...] = ()
    # every layer's weights where this training started (Reset goes back to them; after an edit,
    # the new layers' initial ones): one read-only copy shared by the snapshots
    start: Mapping[int, Mapping[str, np.ndarray]] | None = None

    @property
    def start_conv_weights(self) -> Mapping[int, tuple[np.ndarray, ...]]:
        """``conv_weights`` where training started (the kernel mosaic's "change since start")."""
        st = self.start or {}
        return MappingProxyType({i: tuple(st[i].values()) for i in self.conv_layers if i in st})

    @property
    def conv_weights(self) -> Mapping[int, tuple[np.ndarray, ...]]:
        """Each convolution layer's parameters (weight, then bias), as ComputeResult.weights
        orders them."""
        return MappingProxyType({i: tuple(self.state[i].values()) for i in self.conv_layers if i in self.state})


class Trainer:
    """Trains ``project`` on ``dataset`` with ``config``; use from one thread (the compute thread).

    ``weights`` (layer index -> state_dict arrays, e.g. weights.load_project_weights(...).weights)
    are where training starts instead of the initial weights; what does not fit the project is
    left out and said in ``notes``.  ``watch``: the test example whose maps snapshots carry."""

    def __init__(self, project: Project, dataset: Dataset, config: TrainConfig = TrainConfig(),
                 weights: Weights | None = None, watch: int = 0):
        problem = config.problem() or classifier_problem(project, dataset)
        if problem:
            raise TrainingError(problem)
        if len(dataset.test_y) == 0 or len(dataset.train_y) == 0:
            raise TrainingError(f"{dataset.name} has no train or no test examples")
        self.project = project
        self.dataset = dataset
        self.config = config
        self.device = resolve_device(config.device)
        self.notes: tuple[str, ...] = ()
        start = None
        if weights:
            loaded = check_weights(project, weights)
            start, self.notes = loaded.weights, loaded.problems
        self._start = start
        dev = self.device
        self._train_x = torch.from_numpy(np.array(dataset.train_x, dtype=np.uint8)).to(dev)
        self._train_y = torch.from_numpy(np.array(dataset.train_y, dtype=np.int64)).to(dev)
        self._test_x = torch.from_numpy(np.array(dataset.test_x, dtype=np.uint8)).to(dev)
        self._test_y = torch.from_numpy(np.array(dataset.test_y, dtype=np.int64)).to(dev)
        self._cuda = [torch.device(dev).index or 0] if dev.startswith("cuda") else []
        self.paused = True
        self.activation_gradients_wanted = True  # snapshots differentiate the watched example's loss (a view shows it)
        self._watch_index = 0
        self._watch_x = None
        self.watch(watch)
        self.reset()

    # --- state ------------------------------------------------------------------------------------
    def reset(self, weights: Weights | None = None) -> None:
        """Back to the start: the initial weights (or ``weights``), step 0, no history, a fresh
        optimizer, the first epoch's order; paused."""
        self._weights_at_start = weights if weights is not None else self._start
        self.model = build_model(self.project, self._weights_at_start, self.device)
        self._start_state = self._frozen_state()
        self.optimizer = self._optimizer()
        self.step_count = 0
        self.epoch = 0
        self.batch = 0
        self.examples_seen = 0
        self.seconds = 0.0
        self._rate = 0.0
        self._perm: torch.Tensor | None = None
        self._losses: list[float] = []
        self.history: list[EpochRecord] = []
        self._epoch_sums = None  # (loss sum, correct) of the epoch under way, on the device
        self._epoch_count = 0  # examples in it so far
        self._epoch_seconds = 0.0
        self._last_test: tuple[float, float] | None = None
        with torch.random.fork_rng(devices=self._cuda):
            torch.manual_seed(derived_seed(self.config.seed, "dropout"))
            self._rng = self._get_rng()
        self.paused = True

    def _get_rng(self):
        return (torch.get_rng_state(), [torch.cuda.get_rng_state(d) for d in self._cuda])

    def _set_rng(self, state) -> None:
        cpu, cuda = state
        torch.set_rng_state(cpu)
        for d, s in zip(self._cuda, cuda):
            torch.cuda.set_rng_state(s, d)

    def _optimizer(self) -> torch.optim.Optimizer:
        c = self.config
        params = [p for p in self.model.parameters() if p.requires_grad]
        if c.optimizer == "sgd":
            return torch.optim.SGD(params, lr=c.lr, momentum=c.momentum, weight_decay=c.weight_decay)
        return torch.optim.Adam(params, lr=c.lr, weight_decay=c.weight_decay)

    @property
    def batches_per_epoch(self) -> int:
        n, b = len(self._train_y), self.config.batch_size
        return -(-n // b)

    @property
    def done(self) -> bool:
        return self.epoch >= self.config.epochs

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        """Unpause (a finished run stays finished: ``reset`` or more ``epochs`` first)."""
        self.paused = False

    @property
    def running(self) -> bool:
        return not self.paused and not self.done

    def set_config(self, config: TrainConfig) -> None:
        """New settings.  Learning rate, momentum, weight decay, epochs and batch size apply
        from the next step; another optimizer starts afresh; a new seed or data set needs
        ``reset`` (or a new Trainer) to take effect."""
        problem = config.problem()
        if problem:
            raise TrainingError(problem)
        old, self.config = self.config, config
        if config.optimizer != old.optimizer:
            self.optimizer = self._optimizer()
        else:
            for g in self.optimizer.param_groups:
                g["lr"], g["weight_decay"] = config.lr, config.weight_decay
                if "momentum" in g:
                    g["momentum"] = config.momentum
        if config.batch_size != old.batch_size and self.batch:
            self.batch = min(self.batch * old.batch_size // config.batch_size, self.batches_per_epoch)

    def set_project(self, project: Project) -> Carried:
        """Continue with an edited stack: every layer whose weights still fit keeps what it
        learned, the others start from their initial weights (``Carried.reset`` says which);
        the optimizer starts afresh; the curve goes on.  Raises TrainingError (and keeps
        training the old stack) when the new one cannot be trained on this data set."""
        problem = classifier_problem(project, self.dataset)
        if problem:
            raise TrainingError(problem)
        carried = carry_over(self.project, project, self.state())
        start = carry_over(self.project, project, self._start_state).weights  # kept layers' start
        self.project = project
        self._start = None
        self._start_state = MappingProxyType({i: MappingProxyType(dict(s)) for i, s in model_state(
            build_model(project, start, "cpu")).items()})  # the others: from their initial weights
        self.model = build_model(project, carried.weights, self.device)
        self.optimizer = self._optimizer()
        return carried

    def _frozen_state(self):
        return MappingProxyType({i: MappingProxyType(s) for i, s in self.state().items()})

    def state(self) -> dict[int, dict[str, np.ndarray]]:
        """Every layer's weights now, as read-only numpy copies (what weights.save_weights saves
        and what the engine's "trained" maps use)."""
        return model_state(self.model)

    def watch(self, example: int | np.ndarray) -> None:
        """The example whose maps and probabilities snapshots carry: an index into the test set,
        or an image (C, H, W) in [0, 1] of the project's input shape (the drawing pad's)."""
        if isinstance(example, (int, np.integer)) and not isinstance(example, bool):
            n = len(self._test_y)
            if not 0 <= int(example) < n:
                raise TrainingError(f"the watched example must be from 0 to {n - 1}, not {int(example)}")
            self._watch_index = int(example)
            self._watch_x = self._test_x[self._watch_index:self._watch_index + 1].float().div(255)
            return
        a = np.asarray(example, dtype=np.float32)
        if a.shape != tuple(self.dataset.shape):
            raise TrainingError(f"the watched image is {shape_text(a.shape)}, the input is "
                                f"{shape_text(self.dataset.shape)}")
        self._watch_index = -1
        self._watch_x = torch.tensor(a)[None].to(self.device)

    @property
    def watched_index(self) -> int:
        """The watched test example's index (-1: an image given to ``watch``)."""
        return self._watch_index

    @property
    def watched_tensor(self) -> torch.Tensor:
        """The watched example as the model reads it: (1, C, H, W) float in [0, 1], on the device."""
        return self._watch_x

    @property
    def test_tensor(self) -> torch.Tensor:
        """The test images on the device: (N, C, H, W) uint8 (divide by 255 for the model)."""
        return self._test_x

    # --- training ---------------------------------------------------------------------------------
    def _new_epoch_order(self) -> None:
        g = torch.Generator().manual_seed(derived_seed(self.config.seed, f"epoch {self.epoch}"))
        self._perm = torch.randperm(len(self._train_y), generator=g).to(self.device)

    def step(self, n_batches: int = 1, cancelled: Callable[[], bool] | None = None,
             seconds: float | None = None) -> Snapshot:
        """Train up to ``n_batches`` batches (fewer when the epochs are done, when
        ``cancelled()`` turns true, checked before each batch, or after ``seconds``), evaluating
        the test set at each epoch's end; returns the snapshot after them."""
        if self.config.threads:
            torch.set_num_threads(self.config.threads)
        t0 = time.perf_counter()
        trained = 0
        losses: list[torch.Tensor] = []
        busy = 0.0
        examples = 0
        with torch.random.fork_rng(devices=self._cuda), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self._set_rng(self._rng)
            self.model.train()
            bs = self.config.batch_size
            while trained < n_batches and not self.done:
                if cancelled is not None and cancelled():
                    break
                if seconds is not None and trained and time.perf_counter() - t0 >= seconds:
                    break
                t1 = time.perf_counter()
                if self.batch == 0 or self._perm is None:
                    self._new_epoch_order()
                idx = self._perm[self.batch * bs:(self.batch + 1) * bs]
                x = self._train_x.index_select(0, idx).float().div_(255)
                y = self._train_y.index_select(0, idx)
                logits = self.model(x).flatten(1)
                loss = F.cross_entropy(logits, y)
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
                with torch.no_grad():
                    d = loss.detach()
                    n = len(idx)
                    sums = torch.stack([d * n, (logits.argmax(1) == y).sum().to(d.dtype)])
                    self._epoch_sums = sums if self._epoch_sums is None else self._epoch_sums + sums
                losses.append(d)
                self._epoch_count += n
                self.step_count += 1
                self.batch += 1
                self.examples_seen += n
                examples += n
                trained += 1
                spent = time.perf_counter() - t1
                busy += spent
                self.seconds += spent
                self._epoch_seconds += spent
                if self.batch >= self.batches_per_epoch:
                    self._end_epoch(losses)
                    losses = []
            self._rng = self._get_rng()
        if losses:
            self._losses.extend(torch.stack(losses).tolist())
        if trained and busy > 0:
            self._rate = examples / busy
        return self.snapshot(trained)

    def _end_epoch(self, losses: list[torch.Tensor]) -> None:
        self._losses.extend(torch.stack(losses).tolist() if losses else [])
        losses.clear()
        loss_sum, correct = self._epoch_sums.tolist()
        count = self._epoch_count
        test_loss, test_acc = self.evaluate()
        self.model.train()
        self.history.append(EpochRecord(self.epoch + 1, self.step_count, self.examples_seen, self.seconds,
                                        loss_sum / count, correct / count, test_loss, test_acc,
                                        count / self._epoch_seconds if self._epoch_seconds else 0.0))
        self.epoch += 1
        self.batch = 0
        self._epoch_sums = None
        self._epoch_count = 0
        self._epoch_seconds = 0.0

    def evaluate(self) -> tuple[float, float]:
        """(mean loss, accuracy) on the whole test set, in inference mode (no dropout, batch
        norm's running statistics); kept as the snapshot's test numbers."""
        self.model.eval()
        n = len(self._test_y)
        loss_sum = torch.zeros((), device=self.device, dtype=torch.float64)
        correct = torch.zeros((), device=self.device, dtype=torch.int64)
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            for a in range(0, n, EVAL_BATCH):
                x = self._test_x[a:a + EVAL_BATCH].float().div_(255)
                y = self._test_y[a:a + EVAL_BATCH]
                logits = self.model(x).flatten(1)
                loss_sum += F.cross_entropy(logits, y, reduction="sum").double()
                correct += (logits.argmax(1) == y).sum()
        self._last_test = (loss_sum.item() / n, correct.item() / n)
        return self._last_test

    # --- snapshots --------------------------------------------------------------------------------
    def _watched(self) -> tuple[tuple[np.ndarray, ...], np.ndarray, tuple[float, ...]]:
        """The watched example's output of every layer, its class probabilities, and (when
        ``activation_gradients_wanted``) the mean |gradient| of its loss at every layer's output
        (in inference mode: no dropout, batch norm's running statistics; autograd.grad leaves the
        parameters' gradients alone)."""
        self.model.eval()
        hs = []
        if not self.activation_gradients_wanted:
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                h = self._watch_x
                for m in self.model:
                    h = m(h)
                    hs.append(h)
                p = torch.softmax(h.flatten(1)[0].double(), 0).float()
            return tuple(_copy(t[0]) for t in hs), _copy(p), ()
        with torch.enable_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            h = self._watch_x
            for m in self.model:
                h = m(h)
                hs.append(h)
            logits = h.flatten(1)
            label = int(self.dataset.test_y[self._watch_index]) if self._watch_index >= 0 else int(logits[0].argmax())
            loss = F.cross_entropy(logits, torch.tensor([label], device=logits.device))
            wanted = [t for t in hs if t.requires_grad]
            grads = iter(torch.autograd.grad(loss, wanted, allow_unused=True) if wanted else ())
        act = []
        for t in hs:
            g = next(grads) if t.requires_grad else None
            act.append(float(g.abs().mean()) if g is not None else 0.0)
        with torch.no_grad():
            p = torch.softmax(logits[0].detach().double(), 0).float()
        return tuple(_copy(t[0]) for t in hs), _copy(p), tuple(act)

    def weight_gradients(self) -> tuple[float | None, ...]:
        """Each layer's mean |gradient| over its parameters in the last training batch (None:
        a layer without weights, or no batch trained since the start or an edit)."""
        out: list[float | None] = []
        with torch.no_grad():
            for m in self.model:
                gs = [p.grad for p in m.parameters() if p.grad is not None]
                n = sum(g.numel() for g in gs)
                out.append(float(sum(g.abs().sum() for g in gs)) / n if n else None)
        return tuple(out)

    def snapshot(self, trained: int = 0) -> Snapshot:
        """Where training stands now (copies throughout)."""
        if self._epoch_sums is not None and self.batch:
            loss_sum, correct = self._epoch_sums.tolist()
            train = (loss_sum / self._epoch_count, correct / self._epoch_count)
        elif self.history:
            train = (self.history[-1].train_loss, self.history[-1].train_accuracy)
        else:
            train = (None, None)
        test = self._last_test or (None, None)
        outputs, probs, act_grads = self._watched()
        self.model.train()
        losses = np.array(self._losses, dtype=np.float64)
        losses.setflags(write=False)
        state = self.state()
        convs = tuple(i for i, s in enumerate(self.project.layers) if s.layer_type.category == "conv")
        label = int(self.dataset.test_y[self._watch_index]) if self._watch_index >= 0 else None
        return Snapshot(self.step_count, self.epoch, self.batch, self.batches_per_epoch, self.config.epochs,
                        self.examples_seen, self._rate, self.seconds, train[0], train[1], test[0], test[1], losses,
                        tuple(self.history), MappingProxyType({i: MappingProxyType(s) for i, s in state.items()}),
                        convs, self._watch_index, label, outputs, probs, trained, self.done, self.paused,
                        tuple(self.dataset.classes), _copy(self._watch_x[0]), self.dataset.name,
                        self.weight_gradients(), act_grads, self._start_state)

    def run(self, on_epoch: Callable[[EpochRecord], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> Snapshot:
        """Train until the epochs are done (the command line's loop), calling ``on_epoch`` after
        each; returns the last snapshot."""
        self.resume()
        seen = len(self.history)
        snap = None
        while not self.done and not (cancelled and cancelled()):
            snap = self.step(self.batches_per_epoch - self.batch, cancelled)
            for rec in self.history[seen:]:
                if on_epoch is not None:
                    on_epoch(rec)
            seen = len(self.history)
        return snap if snap is not None else self.snapshot()


__all__ = ["EVAL_BATCH", "EpochRecord", "Snapshot", "TrainConfig", "Trainer", "TrainingError", "build_model",
           "classifier_problem", "model_state"]
