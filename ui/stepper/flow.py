"""A layout that places widgets left to right and wraps them onto more lines when the pane is
narrow (Qt's Flow Layout example): the stepper's controls fit a 1280x720 window without being
cut off, and take one line on a wide one."""
from __future__ import annotations

from ..qt import QtCore, QtWidgets


class FlowLayout(QtWidgets.QLayout):
    def __init__(self, parent=None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QtWidgets.QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, i):  # noqa: N802
        return self._items[i] if 0 <= i < len(self._items) else None

    def takeAt(self, i):  # noqa: N802
        return self._items.pop(i) if 0 <= i < len(self._items) else None

    def expandingDirections(self):  # noqa: N802
        return QtCore.Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QtCore.QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self):  # noqa: N802
        w = sum(it.sizeHint().width() for it in self._items if not it.isEmpty())
        w += self._spacing * max(0, len(self._items) - 1)
        h = max((it.sizeHint().height() for it in self._items if not it.isEmpty()), default=0)
        m = self.contentsMargins()
        return QtCore.QSize(w + m.left() + m.right(), h + m.top() + m.bottom())

    def minimumSize(self):  # noqa: N802
        size = QtCore.QSize()
        for it in self._items:
            if not it.isEmpty():
                size = size.expandedTo(it.minimumSize())
        m = self.contentsMargins()
        return size + QtCore.QSize(m.left() + m.right(), m.top() + m.bottom())

    def _place(self, rect, move: bool) -> int:
        m = self.contentsMargins()
        r = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = r.x(), r.y(), 0
        # a line's items share its height and are centred in it
        rows: list[list[tuple[QtWidgets.QLayoutItem, int, QtCore.QSize]]] = [[]]
        for it in self._items:
            if it.isEmpty():
                continue
            hint = it.sizeHint()
            if x + hint.width() > r.right() + 1 and rows[-1]:
                x, y = r.x(), y + line + self._spacing
                line = 0
                rows.append([])
            rows[-1].append((it, x, hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        if move:
            yy = r.y()
            for row in rows:
                h = max((hint.height() for _, _, hint in row), default=0)
                for it, xx, hint in row:
                    it.setGeometry(QtCore.QRect(QtCore.QPoint(xx, yy + (h - hint.height()) // 2), hint))
                yy += h + self._spacing
        return y + line - rect.y() + m.bottom()
