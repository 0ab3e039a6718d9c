"""Edits that come faster than the maps (a held spin arrow) are paced by the maps.

A held arrow changes a value every 30 ms or so.  Applied one by one, each edit started a compute
that the next one cancelled before it ended (the session shows only the newest generation's
maps), so on a busy machine no map was drawn until the arrow was let go.  Paced, the newest
value of the field waits while a quick compute is in flight and is applied when its maps are
drawn: every value that reaches the project is computed to its end and shown, the maps follow
the arrow at the rate the machine draws them, and the last value always wins.

Only a field changing again within HELD_SECONDS of its last change is paced (an arrow held, not
a value typed or set once: those apply at once, as before), and only on a quick stack (the
compute expected to end within PACE_SECONDS): on a slow one a new value still cancels the
running compute at once.  A waiting value never waits longer than
MAX_WAIT_MS; an edit of another field first applies the one waiting, so edits keep their order;
and a change of the project by any other way (undo, a menu, a lesson) drops it, so an undo is
never followed by the value it undid.  The document (and its undo history) receives exactly
the edits applied.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Hashable

from .qt import QtCore

PACE_SECONDS = 0.25  # computes expected to end within this are let end before the next value
HELD_SECONDS = 0.2  # a field changing again within this is being held (autorepeat is 30-100 ms)
MAX_WAIT_MS = 250  # a waiting value is applied after this at the latest


class EditPacer(QtCore.QObject):
    """Applies edits through ``apply`` functions, holding the newest value of a field back while
    a quick compute of the session is in flight."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self._waiting: tuple[Hashable, Callable[..., Any], tuple] | None = None
        self._applying = False
        self._last: tuple[Hashable, float] | None = None  # the field changed last, and when
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(MAX_WAIT_MS)
        self._timer.timeout.connect(self.flush)
        session.maps_updated.connect(self._drawn)
        session.failed.connect(self._drawn)
        session.stopped.connect(self._drawn)
        session.analysed.connect(self._analysed)

    def waiting(self) -> bool:
        """A value is held back (tests)."""
        return self._waiting is not None

    def pace(self, key: Hashable, apply: Callable[..., Any], *args) -> None:
        """Apply ``apply(*args)`` now, or, while a quick compute is in flight, as the newest
        value of field ``key`` when its maps are drawn."""
        s = self.session
        now = time.monotonic()
        held = self._last is not None and self._last[0] == key and now - self._last[1] < HELD_SECONDS
        self._last = (key, now)
        quick = held and s.busy and s.estimate <= PACE_SECONDS and not s.long
        if quick:
            if self._waiting is not None and self._waiting[0] != key:
                self.flush()  # another field: the one waiting goes first, in order
                quick = s.busy and s.estimate <= PACE_SECONDS
        if quick:
            self._waiting = (key, apply, args)
            if not self._timer.isActive():
                self._timer.start()
            return
        self.flush()
        self._apply(apply, args)

    def _apply(self, apply, args) -> None:
        self._applying = True
        try:
            apply(*args)
        finally:
            self._applying = False

    def _analysed(self, *_):
        if not self._applying and self._waiting is not None:
            self._waiting = None  # the project changed another way: the value held back is void
            self._timer.stop()

    def _drawn(self, *_):
        # the compute in flight has ended (drawn, failed or stopped): the newest value goes now
        self.flush()

    def flush(self) -> None:
        """Apply the value waiting, if any."""
        w, self._waiting = self._waiting, None
        self._timer.stop()
        if w is not None:
            _key, apply, args = w
            self._apply(apply, args)


def input_key(old, new) -> tuple:
    """The pacing key of an input edit: which of the input's fields it changes (height and
    width are different fields, however the panel names the undo step)."""
    from dataclasses import fields
    return ("input",) + tuple(f.name for f in fields(new) if getattr(old, f.name) != getattr(new, f.name))
