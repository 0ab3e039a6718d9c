"""What the training views draw, Qt-free: the kernel mosaic's layout, predictions on the test
set, the confusion matrix and saliency.

``kernel_mosaic`` tiles every convolution's weights as one image (a block per layer, a row per
kernel, a column per input channel, one pixel gap), so the GUI draws one ImageItem; ``cell_at``
maps a pixel of it back to (layer, kernel, input channel).  ``predict`` runs a Trainer's model
on its test set in inference mode (on the compute thread that owns the trainer) and restores
training mode; torch is imported inside the functions that need it (tests/test_purity.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

GAP = 1  # pixels between kernels
GROUP_GAP = 3  # pixels between two columns of kernels of one layer
LAYER_GAP = 4  # pixels between two layers' blocks
MAX_KERNELS = 64  # kernels (rows) shown per layer
MAX_INPUTS = 64  # input channels (columns) shown per kernel


@dataclass(frozen=True)
class Block:
    """Where one layer's kernels are in the mosaic: top-left (y, x), kernel size, how many
    kernels and input channels are shown (of how many).  The kernels are wrapped into
    ``groups`` columns of ``per`` kernels each (side by side, GROUP_GAP apart), so a layer of
    many kernels is a block, not a thin strip."""

    layer: int
    y: int
    x: int
    kh: int
    kw: int
    rows: int
    cols: int
    kernels: int
    inputs: int
    groups: int = 1

    @property
    def per(self) -> int:
        return -(-self.rows // self.groups)

    @property
    def group_width(self) -> int:
        return self.cols * (self.kw + GAP) - GAP

    @property
    def height(self) -> int:
        return self.per * (self.kh + GAP) - GAP

    @property
    def width(self) -> int:
        return self.groups * (self.group_width + GROUP_GAP) - GROUP_GAP

    def origin(self, kernel: int, channel: int) -> tuple[int, int]:
        """Top-left mosaic pixel (y, x) of kernel ``kernel``'s input channel ``channel``."""
        g, r = divmod(kernel, self.per)
        return (self.y + r * (self.kh + GAP),
                self.x + g * (self.group_width + GROUP_GAP) + channel * (self.kw + GAP))


def _groups(rows: int, cols: int, kh: int, kw: int, aspect: float) -> int:
    """How many side-by-side columns of kernels bring the block nearest ``aspect`` (width/height)."""
    best, err = 1, float("inf")
    for g in range(1, rows + 1):
        per = -(-rows // g)
        if g > 1 and -(-rows // (g - 1)) == per:
            continue
        h = per * (kh + GAP)
        w = g * (cols * (kw + GAP) + GROUP_GAP)
        e = abs(np.log(w / h) - np.log(aspect))
        if e < err:
            best, err = g, e
    return best


@dataclass(frozen=True)
class Mosaic:
    image: np.ndarray  # (H, W) float32, NaN in the gaps
    blocks: tuple[Block, ...]
    limit: float  # max |weight| shown (levels are -limit..limit, symmetric about 0)


def kernels_of(weight: np.ndarray, transposed_groups: int | None = None) -> np.ndarray:
    """A convolution's weight as its kernels: (out, in/groups, kh, kw), row o the kernel that
    makes output channel o.  Conv2d stores it so; ConvTranspose2d stores (in, out/groups, kh, kw)
    (``transposed_groups``: its groups), so its kernel for output channel o = g * out/groups + j
    is ``weight[g * in/groups : (g + 1) * in/groups, j]`` (as stored, not flipped)."""
    w = np.asarray(weight, dtype=np.float32)
    if transposed_groups is None or w.ndim != 4:
        return w
    g = max(1, int(transposed_groups))
    i, og, kh, kw = w.shape
    if i % g:
        return w
    return w.reshape(g, i // g, og, kh, kw).transpose(0, 2, 1, 3, 4).reshape(g * og, i // g, kh, kw)


def kernel_mosaic(conv_weights: Mapping[int, tuple], baseline: Mapping[int, tuple] | None = None,
                  aspect: float = 1.5, transposed: Mapping[int, int] | None = None) -> Mosaic:
    """Every layer's kernels (out, in/groups, kh, kw; see ``kernels_of``) tiled as one image;
    with ``baseline`` (the same mapping at the start), the change since then.  ``transposed``
    maps the layers that are ConvTranspose2d to their groups (their weight is stored in x
    out/groups).  Layers without a 4-D weight (or whose baseline has another shape) are left
    out."""
    blocks: list[Block] = []
    parts: list[np.ndarray] = []
    transposed = transposed or {}
    y = 0
    for layer in sorted(conv_weights):
        params = conv_weights[layer]
        if not params:
            continue
        w = np.asarray(params[0], dtype=np.float32)
        if w.ndim != 4:
            continue
        if baseline is not None:
            b = baseline.get(layer)
            if not b or np.shape(b[0]) != w.shape:
                continue
            w = w - np.asarray(b[0], dtype=np.float32)
        w = kernels_of(w, transposed.get(layer))
        o, i, kh, kw = w.shape
        rows, cols = min(o, MAX_KERNELS), min(i, MAX_INPUTS)
        blk = Block(layer, y, 0, kh, kw, rows, cols, o, i, _groups(rows, cols, kh, kw, aspect))
        g, per = blk.groups, blk.per
        cells = np.full((g * per, cols, kh + GAP, kw + GAP), np.nan, dtype=np.float32)
        cells[:rows, :, :kh, :kw] = w[:rows, :cols]
        # (group, row, col, y, x) -> (row, y, group, col, x): groups side by side
        t = cells.reshape(g, per, cols, kh + GAP, kw + GAP).transpose(1, 3, 0, 2, 4)
        t = t.reshape(per * (kh + GAP), g, cols * (kw + GAP))
        t = np.concatenate([t, np.full(t.shape[:2] + (GROUP_GAP - GAP,), np.nan, np.float32)], axis=2)
        tile = np.ascontiguousarray(t.reshape(per * (kh + GAP), -1)[:blk.height, :blk.width])
        blocks.append(blk)
        parts.append(tile)
        y += blk.height + LAYER_GAP
    if not blocks:
        return Mosaic(np.full((1, 1), np.nan, dtype=np.float32), (), 1.0)
    width = max(b.width for b in blocks)
    img = np.full((y - LAYER_GAP, width), np.nan, dtype=np.float32)
    for b, t in zip(blocks, parts):
        img[b.y:b.y + b.height, b.x:b.x + b.width] = t
    finite = img[np.isfinite(img)]
    limit = float(np.abs(finite).max()) if finite.size else 0.0
    return Mosaic(img, tuple(blocks), limit if limit > 0 else 1.0)


def cell_at(mosaic: Mosaic, y: float, x: float) -> tuple[int, int, int] | None:
    """(layer, kernel, input channel) of the kernel drawn at mosaic pixel (y, x), or None."""
    yi, xi = int(np.floor(y)), int(np.floor(x))
    for b in mosaic.blocks:
        if b.y <= yi < b.y + b.height and b.x <= xi < b.x + b.width:
            r, ry = divmod(yi - b.y, b.kh + GAP)
            g, gx = divmod(xi - b.x, b.group_width + GROUP_GAP)
            if gx >= b.group_width:
                return None
            c, cx = divmod(gx, b.kw + GAP)
            k = g * b.per + r
            if ry < b.kh and cx < b.kw and k < b.rows:
                return b.layer, k, c
            return None
    return None


def confusion_matrix(true: np.ndarray, pred: np.ndarray, classes: int) -> np.ndarray:
    """counts[t, p]: test examples of class t predicted as p (int64, sums to len(true))."""
    t = np.asarray(true, dtype=np.int64)
    p = np.asarray(pred, dtype=np.int64)
    return np.bincount(t * classes + p, minlength=classes * classes).reshape(classes, classes)


@dataclass(frozen=True, eq=False)
class Predictions:
    """The model's answers on the whole test set at one step."""

    step: int
    classes: tuple[str, ...]
    true: np.ndarray  # (N,) int64
    pred: np.ndarray  # (N,) int64
    confidence: np.ndarray  # (N,) float32: the predicted class's probability
    confusion: np.ndarray  # (K, K) int64
    images: np.ndarray  # (M, C, H, W) uint8: the first M test images (the grid's)

    @property
    def accuracy(self) -> float:
        return float((self.true == self.pred).mean()) if len(self.true) else 0.0


def predict(trainer, grid: int = 48, batch: int = 500, cancelled=None) -> Predictions | None:
    """Run ``trainer``'s model on its whole test set in inference mode (the compute thread; the
    trainer's own thread), then put it back in training mode.  None when ``cancelled()`` turns
    true between two batches (an edit is waiting)."""
    import torch

    ds = trainer.dataset
    model = trainer.model
    was_training = model.training
    model.eval()
    preds, confs = [], []
    try:
        with torch.inference_mode():
            x_all = trainer.test_tensor
            for a in range(0, len(x_all), batch):
                if cancelled is not None and cancelled():
                    return None
                logits = model(x_all[a:a + batch].float().div_(255)).flatten(1)
                p = torch.softmax(logits.double(), 1)
                c, k = p.max(1)
                preds.append(k.cpu())
                confs.append(c.float().cpu())
    finally:
        model.train(was_training)
    pred = torch.cat(preds).numpy().astype(np.int64) if preds else np.zeros(0, np.int64)
    conf = torch.cat(confs).numpy() if confs else np.zeros(0, np.float32)
    true = np.array(ds.test_y, dtype=np.int64)
    images = np.array(ds.test_x[:grid])
    for a in (pred, conf, true, images):
        a.setflags(write=False)
    cm = confusion_matrix(true, pred, ds.num_classes)
    cm.setflags(write=False)
    return Predictions(trainer.step_count, tuple(ds.classes), true, pred, conf, cm, images)


@dataclass(frozen=True, eq=False)
class Saliency:
    """How much each input pixel moves the predicted class's score: |d logit[k] / d input|,
    the largest over the channels, for one image under the weights at ``step``."""

    step: int
    watched: int  # the test example's index (-1: an image given by the caller, the drawing)
    image: np.ndarray  # (C, H, W) float32 in [0, 1]
    map: np.ndarray  # (H, W) float32
    predicted: int


def saliency(trainer, image: np.ndarray | None = None) -> Saliency:
    """The saliency of the trainer's watched example (or ``image``, (C, H, W) in [0, 1]) under
    its current weights, in inference mode (no dropout); on the trainer's thread."""
    import torch

    model = trainer.model
    x = trainer.watched_tensor if image is None else torch.tensor(np.asarray(image, np.float32))[None]
    x = x.detach().clone().to(trainer.device).requires_grad_(True)
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            logits = model(x).flatten(1)[0]
            k = int(logits.argmax())
            (g,) = torch.autograd.grad(logits[k], x)
    finally:
        model.train(was_training)
    sal = g[0].abs().amax(0).cpu().numpy().astype(np.float32)
    img = x.detach()[0].cpu().numpy().astype(np.float32)
    for arr in (sal, img):
        arr.setflags(write=False)
    return Saliency(trainer.step_count, trainer.watched_index if image is None else -1, img, sal, k)


def transposed_layers(project) -> dict[int, int]:
    """{layer: groups} of the project's ConvTranspose2d layers (kernel_mosaic's ``transposed``)."""
    return {i: int(s.get("groups") or 1) for i, s in enumerate(project.layers) if s.type == "ConvTranspose2d"}


@dataclass(frozen=True, eq=False)
class GradCam:
    """Grad-CAM (Selvaraju et al., 2017) of one image on the last convolution ``layer``: each of
    its output channels weighted by the mean gradient of the predicted class's score over that
    channel, summed, negative parts cut (ReLU); ``low`` at the layer's size, ``map`` scaled to
    the input (bilinear, as the authors' code resizes it), both not normalised."""

    step: int
    watched: int  # the test example's index (-1: an image given by the caller)
    layer: int
    image: np.ndarray  # (C, H, W) float32 in [0, 1]
    low: np.ndarray  # (h, w) float32: at the layer's output size
    map: np.ndarray  # (H, W) float32: over the input
    predicted: int


def last_conv(project) -> int | None:
    """The index of the project's last convolution whose output is a map of more than one pixel
    (Grad-CAM's layer: LeNet-5's last convolution, to 120 maps of 1 x 1, would say nothing of
    where), or None."""
    info = project.analyze()
    for i in range(len(project.layers) - 1, -1, -1):
        out = tuple(info.layers[i].out_shape) if info.layers[i].ok else ()
        if project.layers[i].layer_type.category == "conv" and len(out) == 3 and out[1] * out[2] > 1:
            return i
    return None


def grad_cam(trainer, image: np.ndarray | None = None) -> GradCam | None:
    """Grad-CAM of the trainer's watched example (or ``image``, (C, H, W) in [0, 1]) on its last
    convolution (``last_conv``), under the current weights, in inference mode; None when the
    stack has no such convolution.  On the trainer's thread."""
    import torch
    import torch.nn.functional as F

    layer = last_conv(trainer.project)
    if layer is None:
        return None
    model = trainer.model
    x = trainer.watched_tensor if image is None else torch.tensor(np.asarray(image, np.float32))[None]
    x = x.detach().clone().to(trainer.device)
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            a = model[:layer + 1](x)
            logits = model[layer + 1:](a).flatten(1)[0]
            k = int(logits.argmax())
            (g,) = torch.autograd.grad(logits[k], a)
        with torch.no_grad():
            alpha = g[0].mean(dim=(1, 2))
            low = torch.relu((alpha[:, None, None] * a[0]).sum(0))
            up = F.interpolate(low[None, None], size=tuple(x.shape[2:]), mode="bilinear", align_corners=False)[0, 0]
    finally:
        model.train(was_training)
    out = [low.cpu().numpy().astype(np.float32), up.cpu().numpy().astype(np.float32),
           x[0].cpu().numpy().astype(np.float32)]
    for arr in out:
        arr.setflags(write=False)
    return GradCam(trainer.step_count, trainer.watched_index if image is None else -1, layer, out[2], out[0], out[1], k)


def probabilities(logits: np.ndarray) -> np.ndarray:
    """Softmax of a vector of class logits (float64, as the trainer computes them), float32."""
    z = np.asarray(logits, dtype=np.float64).ravel()
    e = np.exp(z - z.max()) if z.size else z
    return (e / e.sum()).astype(np.float32) if z.size else e.astype(np.float32)


def class_folder_problem(name: str) -> str | None:
    """Why ``name`` cannot be a class folder of an image-folder data set (one sentence), or None."""
    n = name.strip()
    if not n:
        return "type a class name (the folder the drawing goes into)"
    if n.startswith(".") or any(ch in n for ch in '/\\:*?"<>|') or any(ord(ch) < 32 for ch in n):
        return f"the class name {n!r} cannot be a folder name: use letters, digits, spaces, - or _"
    return None


def save_drawing(root, class_name: str, image: np.ndarray) -> str:
    """Write ``image`` ((C, H, W) float in [0, 1]) as a PNG into ``root``/CLASS/ (the layout of
    an image-folder data set, datasets.read_image_folder), atomically; returns its path."""
    import os
    import tempfile

    from PIL import Image

    problem = class_folder_problem(class_name)
    if problem:
        raise ValueError(problem)
    folder = os.path.join(os.fspath(root), class_name.strip())
    os.makedirs(folder, exist_ok=True)
    a = np.clip(np.round(np.asarray(image, dtype=np.float32) * 255), 0, 255).astype(np.uint8)
    pic = Image.fromarray(a[0], "L") if a.shape[0] < 3 else Image.fromarray(np.ascontiguousarray(
        a[:3].transpose(1, 2, 0)), "RGB")
    n = 1
    while os.path.exists(path := os.path.join(folder, f"drawn-{n:04d}.png")):
        n += 1
    fd, tmp = tempfile.mkstemp(prefix=".drawn-", suffix=".png", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            pic.save(f, "PNG")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


__all__ = ["GAP", "GROUP_GAP", "Block", "Mosaic", "Predictions", "Saliency", "cell_at", "confusion_matrix", "grad_cam", "GradCam", "last_conv", "transposed_layers", "kernel_mosaic", "kernels_of", "predict", "probabilities", "saliency",
           "class_folder_problem", "save_drawing"]
