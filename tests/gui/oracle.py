"""An independent forward for the GUI tests: torch.nn modules built by tests/torch_oracle.py
under the documented per-layer seeds (convviz.project.layer_seed), named kernels filled here
from their definition, never from convviz.engine or convviz.kernels."""
from __future__ import annotations

import warnings

import numpy as np

from convviz.display import map_shape
from convviz.project import Project, layer_seed
from convviz.samples import load_input


def _fill(module, spec, c_in: int, kernel) -> None:
    """identity / box / typed values on a Conv2d: weight[o, i] = K / (in_channels / groups),
    bias 0 (the rule the user guide states for named kernels)."""
    import torch
    if kernel is None:
        return
    assert spec.type == "Conv2d", f"the oracle fills named kernels on Conv2d only, not {spec.type}"
    w = module.weight
    co, per, kh, kw = w.shape
    if isinstance(kernel, tuple) and kernel[0] == "values":
        k = torch.as_tensor(np.asarray(kernel[1], dtype=np.float64), dtype=w.dtype)
    elif kernel == "identity":
        k2 = torch.zeros(kh, kw)
        k2[(kh - 1) // 2, (kw - 1) // 2] = 1.0
        k = (k2 / per).expand(co, per, kh, kw)
    elif kernel == "box":
        k = torch.full((co, per, kh, kw), 1.0 / (kh * kw * per))
    else:
        raise AssertionError(f"the oracle does not know kernel {kernel!r}")
    with torch.no_grad():
        w.copy_(k)
        if module.bias is not None:
            module.bias.zero_()


def torch_forward(project: Project, base_dir: str | None = None) -> list[np.ndarray]:
    """Every valid layer's output (C, H, W) float32, computed by torch alone (a vector as the
    maps it is drawn as: convviz.display.map_shape, the values in order)."""
    import torch

    from torch_oracle import build, seeded_biases
    inp = project.input
    x = torch.as_tensor(load_input(inp.source, inp.channels, inp.height, inp.width, base_dir, inp.shift,
                                      inp.fit))[None]
    n_ok = sum(l.ok for l in project.analyze().layers)
    outs = []
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, spec in enumerate(project.layers[:n_ok]):
            c_in = x.shape[1]
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(layer_seed(project.seed, i))
                m = build(spec, tuple(x.shape[1:])).eval()  # Linear reads the last dimension
            seeded_biases(m, layer_seed(project.seed, i))
            _fill(m, spec, c_in, project.kernels[i])
            x = m(x)
            outs.append(x[0].numpy().reshape(map_shape(tuple(x.shape[1:]))).copy())
    return outs


def assert_all_drawn(win, compare: bool = True) -> None:
    """Every valid layer of the window's project shows its maps, of the right shape, drawn from
    the very array it holds (and, with ``compare``, equal to the torch forward); every invalid
    one shows its message and no maps; nothing says it is still computing."""
    info = win.info
    assert win.last_result is not None and win.last_result.generation == win.generation
    assert not win.session.busy and win.compute_label.text() != "Computing…"
    want = torch_forward(win.project, win.doc.base_dir) if compare else None
    for l in info.layers:
        w = win.features.widget_for(l.index)
        if l.ok:
            assert w.array is not None, f"layer {l.index} is valid but has no maps"
            assert w.array.shape == l.map_shape, (l.index, w.array.shape, l.out_shape)
            assert w.array is win.session.map(l.index)
            w.render()
            assert w.drawn is not None and w.drawn.array is w.array
            mh, mw = w.image.image.shape[:2]
            assert (mh, mw) == w.drawn.sub.size
            assert w.message.isHidden(), w.message.text()
            if compare:
                np.testing.assert_allclose(w.array, want[l.index], rtol=1e-4, atol=1e-4,
                                           err_msg=f"layer {l.index} differs from torch")
        else:
            assert w.array is None and w.drawn is None, f"invalid layer {l.index} still shows maps"
            assert not w.message.isHidden()
            assert win.session.map(l.index) is None
