"""The shapes table: per layer the output shape, params, MACs and the formula with numbers,
totals, and copy as Markdown or CSV.  Every number comes from convviz.report (the same rows
`describe` prints)."""
from __future__ import annotations

from convviz import report

from .qt import QtCore, QtGui, QtWidgets, Qt, Signal


def tr(text: str) -> str:
    return QtCore.QCoreApplication.translate("ShapesTable", text)


class ShapesTable(QtWidgets.QWidget):
    row_activated = Signal(int)  # layer index

    def __init__(self, parent=None):
        super().__init__(parent)
        self.table = QtWidgets.QTableWidget(0, len(report.HEADER))
        self.table.setObjectName("shapesTable")
        self.table.setHorizontalHeaderLabels([tr(h) for h in ("#", "Layer", "Output shape", "Params", "MACs",
                                                             "Formula (output size)")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setStretchLastSection(True)
        for c in range(5):
            hh.setSectionResizeMode(c, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.table.cellDoubleClicked.connect(self._activated)
        self.copy_md = QtWidgets.QPushButton(tr("Copy as Markdown"))
        self.copy_csv = QtWidgets.QPushButton(tr("Copy as CSV"))
        self.totals = QtWidgets.QLabel("")
        self.totals.setStyleSheet("color: #333")
        bar = QtWidgets.QHBoxLayout()
        bar.addWidget(self.totals, 1)
        bar.addWidget(self.copy_md)
        bar.addWidget(self.copy_csv)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.table)
        lay.addLayout(bar)
        self.project = None
        self.copy_md.clicked.connect(self.copy_markdown)
        self.copy_csv.clicked.connect(self.copy_csv_text)

    def set_project(self, project) -> None:
        from convviz.arithmetic import human_bytes, human_count
        self.project = project
        rows = report.rows(project)
        info = project.analyze()
        self.table.setRowCount(len(rows))
        red, grey = QtGui.QColor("#b00020"), QtGui.QColor("#999")
        bold = QtGui.QFont()
        bold.setBold(True)
        for r, row in enumerate(rows):
            layer = info.layers[r - 1] if 0 < r <= len(info.layers) else None
            for c, text in enumerate(row):
                it = QtWidgets.QTableWidgetItem(text)
                if c in (0, 3, 4):
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if layer is not None and layer.error:
                    it.setForeground(red)
                elif layer is not None and layer.blocked_by is not None:
                    it.setForeground(grey)
                if r == len(rows) - 1:
                    it.setFont(bold)
                if c == 5:
                    it.setToolTip(text)
                self.table.setItem(r, c, it)
        self.totals.setText(tr("{p} parameters · {m} MACs · {f} FLOPs · {a} of activations").format(
            p=f"{info.total_params:,}", m=human_count(info.total_macs), f=human_count(2 * info.total_macs),
            a=human_bytes(info.total_activation_bytes)))

    def _activated(self, row: int, _col: int) -> None:
        if self.project is not None and 1 <= row <= len(self.project.layers):
            self.row_activated.emit(row - 1)

    def copy_markdown(self) -> None:
        if self.project is not None:
            QtWidgets.QApplication.clipboard().setText(report.to_markdown(self.project))

    def copy_csv_text(self) -> None:
        if self.project is not None:
            QtWidgets.QApplication.clipboard().setText(report.to_csv(self.project))
