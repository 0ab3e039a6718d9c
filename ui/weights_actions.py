"""Weights in and out of the window: File > Load Weights…, Load ImageNet Weights…, and
File > Export > Weights (.safetensors) / ONNX (.onnx).

- Load Weights reads a ``.safetensors`` file or a ``.pt``/``.pth`` state_dict (only through
  ``torch.load(weights_only=True)``, in convviz.weights) as a background job, strictly: every
  problem (a wrong shape, a missing or extra key, a file that is not weights, a pickle that
  would run code) is listed in one message and nothing changes.  Weights that fit become the
  shown weights through the training panel (TrainingPanel.adopt: the "trained / initial" switch,
  training starts from them, Save writes them beside the project).  The undo history is
  untouched: weights are not an edit of the stack.
- Load ImageNet Weights finds which torchvision architecture the stack is (its layers equal an
  import of one with official weights), loads the checkpoint from torch's cache when it is
  there, and otherwise asks first, stating the size and the address, then downloads it
  (convviz.zoo.download) with a progress dialog and Cancel.  Nothing is downloaded unless the
  user says yes.
- Export writes the weights on show (loaded or trained; else the initial ones) as safetensors,
  or the network as ONNX (convviz.export.to_onnx) for Netron; both run as background jobs.

``WeightsActions(window)`` is kept as ``window.weights_actions``; its ``ask_download(info)``
hook (like the window's ``ask_save_changes``) lets tests answer the download question.
"""
from __future__ import annotations

import os

from convviz.arithmetic import human_bytes

from .i18n import tr, tr_core
from .qt import QtCore, QtWidgets, Qt

WEIGHTS_FILTER = "Weights (*.safetensors *.pt *.pth)"


def _problem_text(problems) -> str:
    """The sentences of a refused load, one per line (at most 12, then how many more)."""
    lines = [tr_core(p) for p in problems[:12]]
    if len(problems) > 12:
        lines.append(tr("… and {n} more").format(n=len(problems) - 12))
    return "\n".join(lines)


def _same_stack(a, b) -> bool:
    return a is not None and b is not None and (a.layers, a.kernels, a.input.shape) == (b.layers, b.kernels, b.input.shape)


def _load_job(path: str, project):
    def fn(job):  # a background thread (torch is imported there for a .pt/.pth file)
        from convviz.weights import load_weights
        job.report(-1, os.path.basename(path))
        try:
            loaded = load_weights(path, project, strict=True)
        except (ValueError, OSError) as e:  # WeightsError is a ValueError: one sentence
            return ("refused", (getattr(e, "strerror", None) or (e.args[0] if e.args else str(e)),))
        if loaded.problems:
            return ("refused", tuple(loaded.problems))
        return ("loaded", loaded)
    return fn


def _find_architecture(project):
    """The torchvision architecture with official weights whose import has the project's
    layers (None when there is none); a background thread: imports torchvision.  The one the
    project's title names is tried first (listing them all builds every model: seconds)."""
    from convviz import zoo
    problem = zoo.torchvision_problem()
    if problem:
        return ("problem", problem)
    tv = zoo.load_torchvision()
    title = (project.title or "").removesuffix(" (torchvision)")
    named = [n for n in sorted(tv.models.list_models(module=tv.models)) if zoo.title_of(n) == title]

    def candidates():
        yield from named
        yield from (a.name for a in zoo.architectures() if a.chain and a.weights and a.name not in named)
    for name in candidates():
        try:
            p = _imported(name)
        except zoo.ZooError:
            continue
        if p.layers == project.layers and p.input.channels == project.input.channels:
            info = zoo.official_weights(name)
            if info is not None:
                return ("found", (name, info, zoo.cached_checkpoint(name)))
    return ("none", None)


_IMPORTED: dict = {}


def _imported(name: str):
    if name not in _IMPORTED:
        from convviz import zoo
        _IMPORTED[name] = zoo.import_architecture(name)
    return _IMPORTED[name]


class WeightsActions(QtCore.QObject):
    """See the module doc."""

    loaded = QtCore.Signal(str)  # the file whose weights are now shown
    refused = QtCore.Signal(str)  # the sentences of a refused load or download, one per line

    def __init__(self, window):
        super().__init__(window)
        self.win = window
        self.source_path = ""  # the file the weights on show came from
        self._adopted = None  # the training panel's weights as loaded (identity: still those?)
        self.last_problem = ""  # the last refusal, as shown
        self.progress: QtWidgets.QProgressDialog | None = None
        self.download_job = None
        self.ask_download = self._ask_download
        a = window._action
        self.act_load = a(tr("Load &Weights…"), lambda: self.load_weights(), "Ctrl+Shift+L",
                          tr("Show the maps with weights from a .safetensors, .pt or .pth file (a state_dict)"))
        self.act_imagenet = a(tr("Load &ImageNet Weights…"), lambda: self.load_imagenet(), None,
                              tr("Load the official ImageNet weights of the torchvision model this stack is "
                                 "(from torch's cache, or downloaded when you agree)"))
        self.act_import = a(tr("&torchvision Model…"), lambda: window.zoo.open(), None,
                            tr("Import an architecture torchvision defines (VGG, AlexNet, …) as a new project"))
        self.act_export_weights = a(tr("Weights (.safetensors)…"), lambda: self.export_weights(), None,
                                    tr("Save the weights on show (loaded, trained or initial) as a .safetensors file"))
        self.act_export_onnx = a(tr("ONNX Model (.onnx)…"), lambda: self.export_onnx(), None,
                                 tr("Save the network with the weights on show as ONNX (opens in Netron)"))

    # --- the weights on show ------------------------------------------------------------------
    def shown_weights(self):
        """The weights the maps use ({layer: {name: array}}), or None for the initial ones."""
        return self.win.training_panel.weights_to_save() if self.win.training_panel.show_trained else None

    def source_name(self) -> str:
        """The loaded file's name while its weights are on show ("" otherwise)."""
        panel = self.win.training_panel
        if self.source_path and panel.trained is not None and panel.trained is self._adopted:
            return os.path.basename(self.source_path)
        return ""

    # --- Load Weights -------------------------------------------------------------------------
    def load_weights(self, path: str | None = None):
        """Load ``path`` (asked for when None) strictly, as a background job; returns the job."""
        if not path:
            path, _ = QtWidgets.QFileDialog.getOpenFileName(self.win, tr("Load weights"), self.win._last_dir(),
                                                            WEIGHTS_FILTER)
        if not path:
            return None
        path = os.path.abspath(os.path.expanduser(path))
        project = self.win.project
        return self.win.runner.submit("load-weights", _load_job(path, project),
                                      label=tr("Reading weights"),
                                      on_done=lambda r: self._loaded(path, project, r),
                                      on_failed=lambda s: self._refuse(path, (s,)))

    def _loaded(self, path: str, project, result) -> None:
        kind, value = result
        if kind == "refused":
            self._refuse(path, value)
            return
        if not _same_stack(project, self.win.project):
            self._refuse(path, (tr("The stack changed while the weights were read: load them again."),))
            return
        self.source_path = path
        self.win.training_panel.adopt(value.weights)
        self._adopted = self.win.training_panel.trained  # until training, an edit or a file replaces them
        self.win._remember_dir(path)
        n = len(value.loaded)
        self.win.status.showMessage(tr("Weights of {n} layers loaded from {f}").format(
            n=n, f=os.path.basename(path)), 15000)
        self.last_problem = ""
        self.loaded.emit(path)

    def _refuse(self, path: str, problems) -> None:
        text = _problem_text(tuple(problems))
        self.last_problem = text
        self.win._warn(tr("These weights cannot be loaded; nothing was changed"),
                       f"{os.path.basename(path)}:\n{text}" if path else text)
        self.refused.emit(text)

    # --- Load ImageNet Weights ----------------------------------------------------------------
    def load_imagenet(self):
        """Find the architecture, then load its checkpoint from the cache or offer to download it."""
        project = self.win.project
        return self.win.runner.submit("imagenet", lambda job: _find_architecture(project),
                                      label=tr("Looking for the official weights"),
                                      on_done=lambda r: self._found(project, r),
                                      on_failed=lambda s: self._refuse("", (s,)))

    def _found(self, project, result) -> None:
        kind, value = result
        if kind == "problem":
            self._refuse("", (value,))
            return
        if kind == "none":
            self._refuse("", (tr("This stack is none of torchvision's architectures with official ImageNet weights "
                                 "(import one with File > Import > torchvision Model, and keep its layers)."),))
            return
        _name, info, cached = value
        if cached:
            self.load_weights(cached)
            return
        if not self.ask_download(info):
            self.win.status.showMessage(tr("Nothing was downloaded."), 8000)
            return
        self.download(info)

    def _ask_download(self, info) -> bool:
        if os.environ.get("CONVVIZ_NO_DIALOGS"):
            return False
        box = QtWidgets.QMessageBox(self.win)
        box.setIcon(QtWidgets.QMessageBox.Icon.Question)
        box.setWindowTitle(tr("Download the ImageNet weights?"))
        box.setText(tr("The official weights of {n} are not on this computer.").format(n=info.name))
        box.setInformativeText(tr("Download {size} from {url}? They are kept in torch's cache for next time.").format(
            size=human_bytes(info.size_bytes) if info.size_bytes else tr("an unknown size"), url=info.url))
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Yes | QtWidgets.QMessageBox.StandardButton.No)
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.No)
        return box.exec() == QtWidgets.QMessageBox.StandardButton.Yes

    def download(self, info):
        """Download ``info`` (a background job) with a progress dialog and Cancel; then load it."""
        if self.download_job is not None and self.progress is not None:  # one download at a time
            self.progress.raise_()
            return self.download_job
        total = max(int(info.size_bytes or 0), 0)
        dlg = QtWidgets.QProgressDialog(tr("Downloading {f} ({size})…").format(
            f=info.filename, size=human_bytes(total) if total else "?"), tr("Cancel"), 0, 1000, self.win)
        dlg.setObjectName("downloadProgress")
        dlg.setWindowTitle(tr("Downloading weights"))
        # not modal: a modal QProgressDialog runs the event loop inside setValue, where the end
        # of the download could close it under the caller's feet
        dlg.setWindowModality(Qt.WindowModality.NonModal)
        dlg.setMinimumDuration(0)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.setValue(0)
        self.progress = dlg

        def fn(job):  # a background thread
            from convviz import zoo

            def progress(done, size):
                size = int(size or total)
                job.post((int(done), size))
                if size > 0:  # the status bar's bar too
                    job.report(min(1.0, done / size), human_bytes(done))
            try:
                return ("done", zoo.download(info, progress=progress, cancelled=job.cancelled))
            except zoo.ZooError as e:
                return ("refused", e.args[0] if e.args else str(e))
        job = self.win.runner.submit("download", fn, label=tr("Downloading {f}").format(f=info.filename),
                                     on_done=self._downloaded, on_posted=self._download_progress,
                                     on_failed=lambda s: self._downloaded(("refused", s)))
        self.download_job = job
        dlg.canceled.connect(self._cancel_download)
        dlg.show()
        return job

    def _download_progress(self, message) -> None:
        done, size = message
        dlg = self.progress
        if dlg is None:
            return
        if size > 0:
            dlg.setLabelText(tr("Downloading: {d} of {t}").format(d=human_bytes(done), t=human_bytes(size)))
            dlg.setValue(min(1000, int(1000 * done / size)))
        else:
            dlg.setRange(0, 0)

    def _close_progress(self) -> None:
        dlg, self.progress = self.progress, None
        if dlg is not None:
            dlg.canceled.disconnect(self._cancel_download)
            dlg.close()
            dlg.deleteLater()

    def _cancel_download(self) -> None:
        """The progress dialog's Cancel: the download stops at its next block and removes its
        partial file (convviz.zoo.download); nothing is loaded."""
        job, self.download_job = self.download_job, None
        if job is not None:
            job.cancel()
        self._close_progress()
        self.win.status.showMessage(tr("Download cancelled: nothing was kept."), 8000)

    def _downloaded(self, result) -> None:
        self.download_job = None
        self._close_progress()
        kind, value = result
        if kind == "refused":
            self._refuse("", (value,))
            return
        self.load_weights(value)

    # --- export ---------------------------------------------------------------------------------
    def _ask_path(self, title: str, default: str, filters: str, suffix: str) -> str | None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.win, title, os.path.join(self.win._last_dir(), default),
                                                        filters)
        if not path:
            return None
        return path if path.lower().endswith(suffix) else path + suffix

    def _stem(self) -> str:
        if self.win.doc.path:
            return os.path.splitext(os.path.basename(self.win.doc.path))[0]
        return "model"

    def export_weights(self, path: str | None = None):
        """The weights on show as .safetensors (a background job: the initial weights are made
        by torch there); returns the job."""
        path = path or self._ask_path(tr("Save weights"), self._stem() + ".safetensors",
                                      "safetensors (*.safetensors)", ".safetensors")
        if not path:
            return None
        project, weights = self.win.project, self.shown_weights()
        if not project.analyze().ok:
            self.win._warn(tr("The weights could not be saved"), tr("Fix the invalid layers first."))
            return None

        def fn(job):  # a background thread
            from convviz.weights import save_weights
            w = weights
            if w is None:
                from convviz.training import build_model, model_state
                w = model_state(build_model(project))
            save_weights(path, w)
            return path
        return self._export_job(fn, path, tr("Saving weights"))

    def export_onnx(self, path: str | None = None):
        """The network with the weights on show as ONNX (a background job); returns the job."""
        path = path or self._ask_path(tr("Save ONNX model"), self._stem() + ".onnx", "ONNX (*.onnx)", ".onnx")
        if not path:
            return None
        project, weights = self.win.project, self.shown_weights()
        if not project.analyze().ok:
            self.win._warn(tr("The ONNX model could not be saved"), tr("Fix the invalid layers first."))
            return None

        def fn(job):  # a background thread
            from convviz.export import to_onnx
            to_onnx(project, weights, path)
            return path
        return self._export_job(fn, path, tr("Saving the ONNX model"))

    def _export_job(self, fn, path: str, label: str):
        def run(job):  # a failed write is a sentence, not "the computation failed"
            try:
                return ("saved", fn(job))
            except OSError as e:
                return ("error", e.strerror or str(e))
            except ValueError as e:  # WeightsError, ExportError, ...: one sentence
                return ("error", e.args[0] if e.args else str(e))

        def done(result) -> None:
            kind, value = result
            if kind == "error":
                self.last_problem = tr_core(value)
                self.win._warn(tr("The file could not be saved"), f"{path}: {self.last_problem}")
                return
            self.last_problem = ""
            self.win._remember_dir(path)
            self.win.status.showMessage(tr("Saved {p}").format(p=path), 8000)
        return self.win.runner.submit("export-" + os.path.splitext(path)[1], run, label=label, on_done=done,
                                      on_failed=lambda s: done(("error", s)))
