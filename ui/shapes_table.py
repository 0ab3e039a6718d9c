"""The shapes table: per layer the output shape, params, MACs and the formula with numbers,
totals, and copy as Markdown or CSV.  Every number comes from convviz.report (the same rows
`describe` prints)."""
from __future__ import annotations

from convviz import report

from .i18n import tr, tr_core
from .qt import QtGui, QtWidgets, Qt, Signal




class ShapesTable(QtWidgets.QWidget):
    row_activated = Signal(int)  # layer index

    def __init__(self, parent=None):
        super().__init__(parent)
        self.table = QtWidgets.QTableWidget(0, len(report.HEADER))
        self.table.setObjectName("shapesTable")
        self.table.setHorizontalHeaderLabels(["#", tr("Layer"), tr("Output shape"), tr("Params"), tr("MACs"),
                                              tr("Receptive field"), tr("Formula (output size)")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setStretchLastSection(True)
        # Columns are sized once per update (ResizeToContents would re-measure on every setItem:
        # 0.4 ms a cell, half a second for VGG-16).
        self._rows: list[tuple[str, ...]] = []
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

    def set_project(self, project, info=None) -> None:
        from convviz.arithmetic import human_bytes, human_count
        if info is not None and project is self.project and info is getattr(self, "_info", None):
            return  # the same analysis (a drawn stroke, new weights): the table is already this
        self._info = info
        self.project = project
        info = info or project.analyze()
        rows = report.rows(project, info)
        t = self.table
        t.setUpdatesEnabled(False)
        try:
            t.setRowCount(len(rows))
            red, grey, black = QtGui.QColor("#b00020"), QtGui.QColor("#999"), QtGui.QColor("#000")
            bold = QtGui.QFont()
            bold.setBold(True)
            old = self._rows
            for r, row in enumerate(rows):
                layer = info.layers[r - 1] if 0 < r <= len(info.layers) else None
                colour = red if (layer is not None and layer.error) else \
                    grey if (layer is not None and layer.blocked_by is not None) else black
                if r < len(old) and old[r] == row and t.item(r, 0) is not None \
                        and t.item(r, 0).foreground().color() == colour and r != len(rows) - 1:
                    continue
                for c, text in enumerate(row):
                    it = t.item(r, c)
                    if it is None:
                        it = QtWidgets.QTableWidgetItem()
                        if c in (0, 3, 4):
                            it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                        t.setItem(r, c, it)
                    it.setText(tr_core(text))
                    it.setForeground(colour)
                    it.setFont(bold if r == len(rows) - 1 else QtGui.QFont())
                    if c == 5:
                        it.setToolTip(tr("Theoretical receptive field: its size on the input, the jump (effective "
                                         "stride) and the input coordinate of output (0, 0)'s top-left corner"))
                    if c == 6:
                        it.setToolTip(tr_core(text))
            self._rows = rows
            for c in range(6):
                t.resizeColumnToContents(c)
        finally:
            t.setUpdatesEnabled(True)
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
