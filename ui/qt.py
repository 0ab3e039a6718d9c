"""Import Qt in one place, PySide6 first, so pyqtgraph never picks another binding."""
import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
os.environ.setdefault("QT_API", "pyside6")

from PySide6 import QtCore, QtGui, QtWidgets  # noqa: E402,F401
from PySide6.QtCore import Qt, Signal, Slot  # noqa: E402,F401

import pyqtgraph as pg  # noqa: E402

pg.setConfigOptions(imageAxisOrder="row-major", antialias=False, background="w", foreground="#333")
