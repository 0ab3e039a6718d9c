"""convviz desktop UI (PySide6 + pyqtgraph).  The only package that imports Qt."""
