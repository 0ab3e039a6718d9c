from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVVIZ_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("CONVVIZ_NO_DIALOGS", "1")


def wait_maps(qtbot, win, timeout=90_000):
    qtbot.waitUntil(lambda: win.last_result is not None and win.last_result.generation == win.generation,
                    timeout=timeout)
    return win.last_result


@pytest.fixture
def make_window(qtbot):
    from ui.app import make_app
    from ui.main_window import MainWindow
    make_app()
    made = []

    def factory(project=None, path=None, preset="lesson_4x4"):
        from convviz.samples import load_preset
        win = MainWindow(restore_layout=False)
        win.ask_save_changes = lambda: "discard"
        qtbot.addWidget(win)
        win.resize(1280, 820)
        win.show()
        win.set_project(project or load_preset(preset), path)
        win.start()
        wait_maps(qtbot, win)
        made.append(win)
        return win

    yield factory
    for win in made:
        win.ask_save_changes = lambda: "discard"
        win.close()
        assert not win.compute.isRunning(), "closing the window stops and joins the compute thread"
