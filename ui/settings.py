"""Settings: QSettings in the platform's user configuration folder (never next to the program),
or the INI file named by $CONVVIZ_SETTINGS (tests use that to stay isolated)."""
from __future__ import annotations

import os

from .i18n import tr
from .qt import QtCore, QtWidgets




def settings() -> QtCore.QSettings:
    path = os.environ.get("CONVVIZ_SETTINGS")
    if path:
        return QtCore.QSettings(path, QtCore.QSettings.Format.IniFormat)
    return QtCore.QSettings(QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope, "convviz", "convviz")


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
