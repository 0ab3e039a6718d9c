"""convviz: make convolution visible.

The Qt-free core: layer specs, torch-exact arithmetic and validation, project files.  Only
``convviz.engine`` imports torch, and only when it is used; nothing here imports Qt.
"""
from .spec import LAYER_TYPES, LayerSpec, SpecError
from .validate import LayerInfo, StackInfo, analyze

__version__ = "0.1.0"
__all__ = ["LAYER_TYPES", "LayerSpec", "SpecError", "LayerInfo", "StackInfo", "analyze", "__version__"]
