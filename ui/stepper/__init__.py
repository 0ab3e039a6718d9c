"""The kernel stepper: the kernel sliding over the padded input, one multiply-and-add at a time.

    view.py   the widget: controls, following the Layers list and the compute session, zoom
    frame.py  what a frame shows and where (plain data, no Qt): the fit of the grids to the pane
    paint.py  painting a frame on screen or on a QImage in a worker thread
    gif.py    GIF export: a background job that streams every frame asked for to the file
"""
from .view import SlidingView

__all__ = ["SlidingView"]
