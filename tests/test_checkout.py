"""The tests test this checkout: the app's packages are imported from the tree under test, not
from wherever an editable install or another folder on sys.path points."""
from __future__ import annotations

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _inside(path: str) -> bool:
    return os.path.commonpath([os.path.realpath(path), os.path.realpath(ROOT)]) == os.path.realpath(ROOT)


def test_convviz_is_this_checkout():
    import convviz
    assert _inside(convviz.__file__), convviz.__file__


def test_ui_is_this_checkout():
    import ui
    import ui.main_window
    assert _inside(ui.__file__), ui.__file__
    assert os.path.dirname(os.path.realpath(ui.main_window.__file__)) == os.path.join(os.path.realpath(ROOT), "ui")


def test_test_packages_do_not_shadow_the_app():
    # a test folder named like an app package would be imported in its place
    for name in os.listdir(os.path.join(ROOT, "tests")):
        assert name not in ("ui", "convviz"), f"tests/{name} shadows the app's package"
