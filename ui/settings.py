"""Settings: QSettings in the platform's user configuration folder (never next to the program),
or the INI file named by $CONVVIZ_SETTINGS (tests use that to stay isolated).

A settings file is user data that may be damaged or hand-edited, so nothing is read from it
raw: every value goes through one of the readers below, which return a usable value and, when
the stored one was not usable, a note for the status bar (start-up never fails on settings).

Keys: compute/device ("cpu" | "cuda"), compute/threads (1 .. cores), view/normalisation
("channel" | "layer" | "global"), view/language, window/geometry, window/state (bytes from
Qt), project/last (path), project/recent (list of paths), files/last_dir (the folder file dialogs
start in), walkthrough/chapter, walkthrough/done.
"""
from __future__ import annotations

import os

from .i18n import tr
from .qt import QtCore, QtWidgets

DEVICES = ("cpu", "cuda")
NORMALISATIONS = ("channel", "layer", "global")
MAX_PATH_CHARS = 4096


def settings() -> QtCore.QSettings:
    path = os.environ.get("CONVVIZ_SETTINGS")
    if path:
        return QtCore.QSettings(path, QtCore.QSettings.Format.IniFormat)
    return QtCore.QSettings(QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope, "convviz", "convviz")


def cpu_threads() -> int:
    return max(1, os.cpu_count() or 1)


def shown(value) -> str:
    """A stored value as the status bar may print it: escaped (no raw newlines or control
    characters from a hand-edited file) and short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _note(key: str, value, default) -> str:
    return tr("Settings: {key} = {value} is not usable; using {default}").format(
        key=key, value=shown(value), default=default)


def read_int(s: QtCore.QSettings, key: str, default: int, lo: int, hi: int) -> tuple[int, str | None]:
    """A whole number in [lo, hi]; anything else (text, negative, huge, a list) gives the default
    and a note."""
    if not s.contains(key):
        return default, None
    v = s.value(key)
    n = None
    if isinstance(v, int) and not isinstance(v, bool):
        n = v
    elif isinstance(v, str) and 0 < len(v.strip()) <= 12:
        try:
            n = int(v.strip())
        except ValueError:
            n = None
    if n is None or not lo <= n <= hi:
        return default, _note(key, v, default)
    return n, None


def read_choice(s: QtCore.QSettings, key: str, default: str, choices) -> tuple[str, str | None]:
    if not s.contains(key):
        return default, None
    v = s.value(key)
    if isinstance(v, str) and v in choices:
        return v, None
    return default, _note(key, v, default)


def read_bytes(s: QtCore.QSettings, key: str) -> tuple[QtCore.QByteArray | None, str | None]:
    """Bytes Qt wrote (window geometry and state); None when absent or not bytes."""
    if not s.contains(key):
        return None, None
    v = s.value(key)
    if isinstance(v, QtCore.QByteArray):
        return v, None
    if isinstance(v, (bytes, bytearray)):
        return QtCore.QByteArray(bytes(v)), None
    return None, tr("Settings: {key} is damaged; using the default layout").format(key=key)


def _path_ok(v) -> bool:
    return isinstance(v, str) and 0 < len(v) <= MAX_PATH_CHARS and "\0" not in v and \
        not any(0xD800 <= ord(c) <= 0xDFFF for c in v)


def read_path(s: QtCore.QSettings, key: str) -> tuple[str, str | None]:
    """A remembered file path ("" when none); anything but one line of text gives a note."""
    v = s.value(key, "")
    if v is None or (isinstance(v, str) and not v):
        return "", None
    if not _path_ok(v):
        return "", tr("Settings: {key} = {value} is not a file path; ignored").format(key=key, value=shown(v))
    return v, None


def read_paths(s: QtCore.QSettings, key: str) -> list[str]:
    """A remembered list of file paths; entries that are not paths are dropped."""
    v = s.value(key, [])
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, (list, tuple)):
        return []
    return [p for p in v if _path_ok(p)]


def read_compute(s: QtCore.QSettings) -> tuple[str, int, list[str]]:
    """(device, threads, notes) for the compute engine."""
    device, n1 = read_choice(s, "compute/device", "cpu", DEVICES)
    threads, n2 = read_int(s, "compute/threads", cpu_threads(), 1, cpu_threads())
    return device, threads, [n for n in (n1, n2) if n]


class SettingsDialog(QtWidgets.QDialog):
    def __init__(self, device: str, threads: int, cuda_available: bool, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Settings"))
        self.device = QtWidgets.QComboBox()
        self.device.addItem(tr("CPU"), "cpu")
        if cuda_available:
            self.device.addItem(tr("CUDA GPU"), "cuda")
        self.device.setCurrentIndex(max(0, self.device.findData(device)))
        self.device.setToolTip(tr("Where torch computes the maps; CUDA appears when a GPU is available"))
        self.threads = QtWidgets.QSpinBox()
        self.threads.setRange(1, max(1, os.cpu_count() or 1))
        self.threads.setValue(max(1, min(threads, self.threads.maximum())))
        self.threads.setToolTip(tr("Threads torch uses on the CPU; one fewer than the cores keeps the window smooth"))
        form = QtWidgets.QFormLayout(self)
        form.addRow(tr("Compute device"), self.device)
        form.addRow(tr("CPU threads"), self.threads)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok |
                                             QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, int]:
        return self.device.currentData(), self.threads.value()
