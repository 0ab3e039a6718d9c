"""Own images: every size printed as height × width (and said so), a non-square image fitted
the way the user chooses (stretch, centre crop or pad) with the choice shown and saved, and
transparency composited on white for grayscale and RGB alike.

The expected pixels come from the picture's construction (solid blocks whose place after a
crop or a pad is known by arithmetic), not from the decoder."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from convviz.project import InputSpec, Project, ProjectError, load, loads, save
from convviz.samples import load_input

from .conftest import wait_maps

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def three_blocks(path, w=60, h=20):
    """A wide picture: red, green and blue thirds, left to right."""
    a = np.zeros((h, w, 3), np.uint8)
    a[:, : w // 3] = RED
    a[:, w // 3: 2 * w // 3] = GREEN
    a[:, 2 * w // 3:] = BLUE
    Image.fromarray(a).save(path)
    return path


def expected(fit: str, size: int = 30) -> list:
    """What a size x size input holds for three_blocks(60 x 20), as (rows, cols, RGB in 0..255),
    away from the block edges (resampling may blend a pixel or two there)."""
    s = size
    if fit == "stretch":  # three vertical stripes, each a third of the width
        return [(slice(0, s), slice(0, s // 3 - 2), RED), (slice(0, s), slice(s // 3 + 2, 2 * s // 3 - 2), GREEN),
                (slice(0, s), slice(2 * s // 3 + 2, s), BLUE)]
    if fit == "crop":  # the centred 20 x 20 square is the green third, exactly
        return [(slice(0, s), slice(0, s), GREEN)]
    # pad: 60 x 20 scaled by 1/2 to 30 x 10, centred: rows 10..19 hold the stripes, the rest black
    return [(slice(0, 10), slice(0, s), (0, 0, 0)), (slice(20, s), slice(0, s), (0, 0, 0)),
            (slice(10, 20), slice(0, 8), RED), (slice(11, 19), slice(12, 18), GREEN),
            (slice(10, 20), slice(22, s), BLUE)]


def check(arr, fit):
    for rows, cols, rgb in expected(fit):
        for c in range(3):
            np.testing.assert_allclose(arr[c, rows, cols], rgb[c] / 255, atol=2 / 255, err_msg=f"{fit} {rows} {cols}")


@pytest.mark.parametrize("fit", ["stretch", "crop", "pad"])
def test_fit_places_the_picture(tmp_path, fit):
    path = three_blocks(tmp_path / "wide.png")
    check(load_input(str(path), 3, 30, 30, fit=fit), fit)
    # a tall picture (the wide one turned) is cropped top and bottom, padded left and right
    tall = tmp_path / "tall.png"
    Image.open(path).transpose(Image.Transpose.ROTATE_90).save(tall)
    got = load_input(str(tall), 3, 30, 30, fit=fit)
    want = load_input(str(path), 3, 30, 30, fit=fit)
    np.testing.assert_allclose(got, np.rot90(want, 1, axes=(1, 2)), atol=2 / 255)


def test_fit_is_saved_only_when_chosen_and_checked(tmp_path):
    p = Project(input=InputSpec(source="sample:coffee", fit="crop"))
    save(p, tmp_path / "a.json")
    assert json.loads((tmp_path / "a.json").read_text())["input"]["fit"] == "crop"
    assert load(tmp_path / "a.json") == p
    save(Project(), tmp_path / "b.json")  # the default is not written: old readers and files agree
    assert "fit" not in json.loads((tmp_path / "b.json").read_text())["input"]
    assert load(tmp_path / "b.json").input.fit == "stretch"
    d = json.loads((tmp_path / "a.json").read_text())
    d["input"]["fit"] = "squash"
    with pytest.raises(ProjectError, match=r"input\.fit: expected one of 'stretch', 'crop', 'pad', got 'squash'"):
        loads(json.dumps(d))


def choose_fit(win, fit):
    panel = win.input_panel
    i = panel.fit.findData(fit)
    panel.fit.setCurrentIndex(i)
    panel.fit.activated.emit(i)


def test_window_fits_a_wide_image_as_chosen(make_window, qtbot, tmp_path):
    from dataclasses import replace
    win = make_window(preset="teaching")
    path = three_blocks(tmp_path / "wide.png")
    win.edit_input(replace(win.project.input, height=30, width=30), "size")
    assert win.set_input_image(str(path))
    panel = win.input_panel
    assert panel.fit.isEnabled() and panel.fit.currentData() == "stretch"
    assert "20 × 60 (H × W), stretched to 30 × 30" in panel.info.text()
    assert "[3, 30, 30] (channels, height, width)" in panel.info.text()
    wait_maps(qtbot, win)
    check(win.features.widget_for(-1).array, "stretch")
    for fit, words in (("crop", "centre-cropped to 30 × 30"), ("pad", "padded to 30 × 30 with black bars")):
        choose_fit(win, fit)
        assert win.project.input.fit == fit and words in panel.info.text()
        wait_maps(qtbot, win)
        check(win.features.widget_for(-1).array, fit)
    # undoable, saved with the project, shown again when it is opened
    win.doc.undo_stack.undo()  # (successive choices of the fit are one edit, as for every field)
    assert win.project.input.fit == "stretch" and panel.fit.currentData() == "stretch"
    win.doc.undo_stack.redo()
    assert win.project.input.fit == "pad" and panel.fit.currentData() == "pad"
    assert win.save_to(str(tmp_path / "p.json"))
    assert load(tmp_path / "p.json").input.fit == "pad"
    win.file_new()
    assert win.project.input.fit == "pad", "New keeps the input, its fit included"
    assert win.open_path(str(tmp_path / "p.json"))
    assert panel.fit.currentData() == "pad"
    # a pattern is drawn at the size: nothing to fit
    win.edit_input(replace(win.project.input, source="pattern:checkerboard"), "pattern")
    assert not panel.fit.isEnabled()


def test_transparency_is_on_white_for_gray_and_rgb_and_the_panel_says_so(make_window, qtbot, tmp_path):
    from dataclasses import replace
    win = make_window(preset="teaching")
    a = np.zeros((16, 16, 4), np.uint8)
    a[:, :8] = (200, 40, 40, 255)  # left half opaque red
    a[:, 8:] = (0, 0, 0, 0)  # right half fully transparent (black underneath)
    path = tmp_path / "half.png"
    Image.fromarray(a, "RGBA").save(path)
    win.edit_input(replace(win.project.input, height=16, width=16), "size")
    assert win.set_input_image(str(path))
    for channels in (3, 1):
        win.edit_input(replace(win.project.input, channels=channels), "colour")
        wait_maps(qtbot, win)
        arr = win.features.widget_for(-1).array
        assert arr.shape == (channels, 16, 16)
        np.testing.assert_allclose(arr[:, :, 10:], 1.0, atol=1e-6, err_msg=f"{channels} channel(s): not on white")
    assert "white" in win.input_panel.fit.toolTip() and "white" in win.input_panel.open_button.toolTip()


def test_open_recent_names_the_folder(make_window, tmp_path):
    win = make_window(preset="lesson_4x4")
    for folder in ("week1", "week2"):
        (tmp_path / folder).mkdir()
        assert win.save_to(str(tmp_path / folder / "project.json"))
    labels = [a.text() for a in win.recent_menu.actions()]
    assert len(labels) == 2 and labels[0] != labels[1], labels
    for label, folder in zip(labels, ("week2", "week1")):
        assert "project.json" in label and folder in label, label
    assert labels[0].startswith("&1 ") and win.recent_menu.actions()[0].toolTip() == str(tmp_path / "week2" / "project.json")


def test_file_dialogs_start_in_the_last_used_folder(make_window, qtbot, tmp_path, monkeypatch):
    from ui.qt import QtWidgets
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    photo = three_blocks(pictures / "wide.png")
    win = make_window(preset="lesson_4x4")
    assert win.set_input_image(str(photo))
    wait_maps(qtbot, win)
    win.close()
    asked = []

    def dialog(parent, title, start, filters, *rest):
        asked.append(start)
        return "", ""
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", dialog)
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", dialog)
    again = make_window(preset="lesson_4x4", wait=False)  # the next session: the folder is remembered
    again.file_open()
    again.open_image()
    again.file_save_as()
    assert asked == [str(pictures), str(pictures), str(pictures / "project.json")]
    # saving elsewhere moves it there
    (tmp_path / "lessons").mkdir()
    assert again.save_to(str(tmp_path / "lessons" / "mine.json"))
    asked.clear()
    again.open_image()
    assert asked == [str(tmp_path / "lessons")]
    wait_maps(qtbot, again)
