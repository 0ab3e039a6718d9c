"""The walkthrough's content (issue 16): the hover glossary in both languages, code in a
monospaced family and no italics on Chinese pages, the corrected texts, chapter 3's lesson
numbers checked by the engine (torch as the oracle, Show me never counted), and the rendered
handout pages (full colour, one per chapter and language)."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from convviz import lesson_numbers as ln
from ui.walkthrough import glossary
from ui.walkthrough.chapters import chapter_text, chapters

from .conftest import wait_maps


# --- the texts --------------------------------------------------------------------------------------

def _all(lang: str) -> dict[str, str]:
    from ui.app import make_app
    make_app()
    return {ch.key: chapter_text(ch.key, lang) for ch in chapters()}


def test_the_corrected_facts_are_taught():
    en, zh = _all("en"), _all("zh_CN")
    one = en["01-why"]
    # equivariance from shared weights, invariance of the score from pooling over all positions
    assert "equivariant" in one and "invariant" in one and "global max" in one and "same weights" in one
    assert "stacked with non-linear activations it extracts features that are\ninsensitive" not in one
    assert "(n − k + 2p) / s + 1" in en["04-formula"] and "3.5" in en["04-formula"]
    assert "on the right" not in en["02-kernel3d"] and "centre tab" in en["02-kernel3d"]
    assert "BatchNorm" in en["09-separable"] and "BN → ReLU → 1×1" in en["09-separable"]
    assert "generally, bigger is better" not in en["07-receptive"]
    assert "r += (k − 1) · d · j" in en["07-receptive"]
    # Chinese: 高亮标出 (填充 means padding), 空洞率 for the dilation rate, natural phrasing, no italics
    text = "".join(zh.values())
    for bad in ("被填充出来", "统治图像识别", "你无需相信", "空洞为"):
        assert bad not in text, bad
    assert "高亮标出" in zh["07-receptive"] and "空洞率" in zh["08-dilation"] and "空洞率" in zh["04-formula"]
    assert "卷积核（kernel）" in zh["01-why"] or "卷积核（kernel）" in zh["02-kernel3d"]
    assert "(n − k + 2p) / s + 1" in zh["04-formula"] and "平移等变性" in zh["01-why"] and "全局" in zh["01-why"]
    for key, t in zh.items():  # *emphasis* (italics) is not used on Chinese text; **bold** is
        prose = re.sub(r"```.*?```|`[^`]*`", "", t, flags=re.S)
        prose = "\n".join(line for line in prose.splitlines() if not line.startswith("    "))
        assert not re.search(r"(?<!\*)\*(?!\*)", prose), key


def test_find_terms_prefers_the_longest_form_and_never_overlaps():
    found = glossary.find_terms("A global max pooling after the kernels; pooling again, dilated.", "en")
    keys = [k for _, _, k in found]
    assert keys == ["global_pooling", "kernel", "pooling", "dilation"]
    zh = glossary.find_terms("空洞率为 2 的空洞卷积，卷积核逐通道卷积", "zh_CN")
    assert [k for _, _, k in zh] == ["dilation", "dilation", "kernel", "depthwise"]
    spans = [(a, b) for a, b, _ in found + zh]
    assert all(a < b for a, b in spans)
    assert glossary.find_terms("kernelsize strides_x", "en") == []  # whole words only


def _term_point(browser, word: str, last: bool = False):
    from ui.qt import QtGui
    doc = browser.document()
    block = doc.lastBlock() if last else doc.begin()
    while block.isValid():  # the first (last) occurrence outside headings and code
        i = block.text().rfind(word) if last else block.text().find(word)
        if i >= 0 and block.blockFormat().headingLevel() == 0 and not block.blockFormat().nonBreakableLines():
            c = QtGui.QTextCursor(doc)
            c.setPosition(block.position() + i + len(word) // 2)
            browser.ensureCursorVisible()
            browser.setTextCursor(c)
            browser.ensureCursorVisible()
            return browser.cursorRect(c).center()
        block = block.previous() if last else block.next()
    raise AssertionError(f"{word!r} not in the page")


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the offscreen platform, showing the tooltip
def test_hovering_a_term_shows_both_languages_and_a_definition(make_window, qtbot, lang):
    from ui.qt import QtCore, QtGui, QtWidgets
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(1)  # the 3-D kernel chapter
    wait_maps(qtbot, win)
    browser = win.walkthrough.text
    word = "kernel" if lang == "en" else "卷积核"
    pt = _term_point(browser, word)
    assert glossary.term_at(browser, pt) == "kernel"
    ev = QtGui.QHelpEvent(QtCore.QEvent.Type.ToolTip, pt, browser.viewport().mapToGlobal(pt))
    QtWidgets.QApplication.sendEvent(browser.viewport(), ev)
    tip = QtWidgets.QToolTip.text()
    term = glossary.BY_KEY["kernel"]
    assert "kernel" in tip and "卷积核" in tip
    assert (term.zh_def if lang == "zh_CN" else term.en_def) in tip
    QtWidgets.QToolTip.hideText()
    # not only the first occurrence: the last one on the page has its tooltip too
    assert glossary.term_at(browser, _term_point(browser, word, last=True)) == "kernel"


def test_code_is_monospaced_and_chinese_pages_have_no_italics(make_window, qtbot, lang):
    from ui.qt import QtGui
    win = make_window(preset="lesson_4x4")
    code = 0
    for i, ch in enumerate(win.walkthrough.chapters):
        win.walkthrough._enter(i)  # the page only
        doc = win.walkthrough.text.document()
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                fmt = frag.charFormat()
                if block.blockFormat().nonBreakableLines() or fmt.fontFixedPitch():
                    code += 1
                    assert QtGui.QFontInfo(fmt.font()).fixedPitch(), (ch.key, frag.text())
                if lang == "zh_CN":
                    assert not fmt.fontItalic(), (ch.key, frag.text())
                it += 1
            block = block.next()
    assert code > 10, "the pages' code was found"


# --- chapter 3: the lesson's own numbers ---------------------------------------------------------------

def _torch_map(kernel) -> np.ndarray:
    x = torch.arange(1.0, 17.0).reshape(1, 1, 4, 4)
    w = torch.as_tensor(np.asarray(kernel, dtype=np.float32)).reshape(1, 1, 2, 2)
    return torch.nn.functional.conv2d(x, w)[0, 0].numpy()


def _type_kernel(ex, k) -> None:
    for b, v in zip(ex.weight_boxes, np.asarray(k).ravel()):
        b.setValue(float(v))
    ex.try_button.click()


def test_lesson_numbers_predict_explain_reproduce_flip(make_window, qtbot, lang):
    from ui.i18n import tr
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(2)
    wait_maps(qtbot, win)
    panel = win.walkthrough
    ex = panel.extra("numbers")
    m = ln.printed(0)
    # before the prediction: only the first row is shown, the why-question is not asked yet
    assert "0.7158" not in ex.map_label.text() and "0.3269" in ex.map_label.text()
    assert ex.why.isHidden() and not panel.done()
    # a wrong prediction of the known kind gets its feedback
    top, right, _ = ln.ramp_fit(m)
    ex.predict_box.setValue(top + right)
    ex.predict_check.click()
    assert tr("That is one step to the right. One row down moves the window by a whole row of the input, and each "
              "pixel there is 4 larger (the row is 4 wide).") in ex.predict_result.text()
    assert "0.7158" in ex.map_label.text() and not ex.why.isHidden()
    assert (ex.correct, ex.asked) == (0, 1)
    # Show me: the why-question revealed, never counted
    panel.demo()
    assert ex.why.status == "shown" and (ex.correct, ex.asked, ex.shown) == (0, 1, 1)
    # Show me: a kernel that reproduces the map, on the layer and checked, but not the learner's
    panel.demo()
    wait_maps(qtbot, win)
    assert ln.matches(ex.engine_map(), m) == 9 and not panel.done() and ex.correct == 0
    # the same kernel typed again is still Show me's
    ex.try_button.click()
    wait_maps(qtbot, win)
    assert not panel.done() and ex.correct == 0
    # a kernel whose weights add up to the wrong step: its feedback names the sum
    k = ln.reproducing_kernel(m) + np.array([[0.01, 0], [0, 0]])
    _type_kernel(ex, k)
    wait_maps(qtbot, win)
    np.testing.assert_allclose(ex.engine_map(), _torch_map(k), atol=1e-5)
    assert ln.diagnose(k, ex.engine_map(), m) == "sum" and not panel.done()
    assert f"{k.sum():.4f}" in ex.kernel_result.text()
    # the right sum but the weight in other places: the top-left value is named
    k2 = ln.reproducing_kernel(m) + np.array([[0.02, -0.02], [0, 0]])
    _type_kernel(ex, k2)
    wait_maps(qtbot, win)
    assert ln.diagnose(k2, ex.engine_map(), m) == "top" and "1·w00 + 2·w01 + 5·w10 + 6·w11" in ex.kernel_result.text()
    # a kernel of the learner's own (not the one Show me offered): the map torch computes matches
    b, c = 0.02, -0.03  # w01, w10 chosen; then w00 + w11 = the step, w00 + 6 w11 = what the top-left leaves
    s_, t_ = right - b - c, top - 2 * b - 5 * c
    d = (t_ - s_) / 5
    own = np.round(np.array([[s_ - d, b], [c, d]]), 5)
    out = _torch_map(own)
    assert ln.matches(out, m) == 9, out
    asked = ex.asked
    _type_kernel(ex, own)
    wait_maps(qtbot, win)
    np.testing.assert_allclose(ex.engine_map(), out, atol=1e-5)
    assert panel.done() and ex.correct == 1 and ex.asked == asked + 1  # each kernel tried is an answer
    # cross-correlation vs convolution: the stepper's flip gives the flipped kernel's map, same step
    ex.choose(ex.flip_q, ex.flip_q.right)
    ex.flip_button.click()
    assert win.stepper.flip.isChecked()
    flipped = np.asarray(win.stepper.slider_model.output(0), dtype=np.float64)
    np.testing.assert_allclose(flipped, _torch_map(np.rot90(np.asarray(own), 2)), atol=1e-4)
    assert abs(ln.steps(flipped)[0] - ln.steps(out)[0]) < 1e-4
    assert ex.correct == 2 and ex.shown == 2
    # the panel's per-concept progress has the learner's own answers only
    scores = panel.scores()
    assert (scores.right("weight_sharing"), scores.answered("weight_sharing")) == (1, 4)
    assert (scores.right("correlation"), scores.answered("correlation")) == (1, 1)


# --- the handout ------------------------------------------------------------------------------------

def test_rendered_pages_are_full_colour_one_per_chapter(tmp_path, lang):
    from ui.app import render_walkthrough
    from ui.qt import QtGui
    keys = ("03-conv2d", "06-stride")
    pdf = tmp_path / "all.pdf"
    written = render_walkthrough(str(tmp_path), lang, only=keys, pdf=str(pdf))
    assert written[-1] == str(pdf) and pdf.read_bytes()[:5] == b"%PDF-"
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) == len(keys) + 1, "a page per chapter, then the glossary"
    written = written[:-1]
    suffix = "" if lang == "en" else "." + lang
    assert sorted(p.rsplit("/", 1)[1] for p in written) == sorted(f"{k}{suffix}.png" for k in keys)
    for path in written:
        img = QtGui.QImage(path)
        assert img.width() >= 1600 and img.height() >= 1000
        assert img.format() not in (QtGui.QImage.Format.Format_Indexed8, QtGui.QImage.Format.Format_Mono)
        img = img.convertToFormat(QtGui.QImage.Format.Format_RGB32)
        arr = np.frombuffer(img.constBits(), np.uint32, img.width() * img.height()).copy()
        assert len(np.unique(arr)) > 256, "a full-colour page (anti-aliased text and colour maps), not a palette"


def test_a_language_switch_keeps_the_lesson_numbers_as_the_learner_left_them(gui_session, qtbot):
    s = gui_session
    w = s.open()
    w.show()
    w.start()
    w.open_walkthrough(2)
    wait_maps(qtbot, w)
    ex = w.walkthrough.extra("numbers")
    m = ln.printed(0)
    ex.predict(ln.row_below(m))
    ex.choose(ex.why, 0)  # a wrong answer, kept as wrong
    _type_kernel(ex, ln.reproducing_kernel(m))
    wait_maps(qtbot, w)
    assert w.walkthrough.done()
    s.switch_language("zh_CN")
    w2 = s.window
    wait_maps(qtbot, w2)
    ex2 = w2.walkthrough.extra("numbers")
    assert ex2 is not None and ex2 is not ex
    assert (ex2.correct, ex2.asked, ex2.shown) == (2, 3, 0)
    assert ex2.predict_status == "answered" and ex2.why.last == 0 and ex2.why.status == "answered"
    assert w2.walkthrough.done(), "the learner's kernel still reproduces the map in the new window"
    assert "0.7158" in ex2.map_label.text()


def test_every_bold_span_of_the_source_renders_bold_and_nothing_else_does(qtbot):
    """CommonMark does not close ** after a full-width bracket when a Chinese character follows
    (**卷积（convolution）**让 stays literal or pairs with a later **): each chapter's bold runs on
    screen are exactly the **spans** of its source, in both languages."""
    from ui.app import make_app
    from ui.qt import QtGui
    make_app()
    for lang in ("en", "zh_CN"):
        for ch in chapters():
            src = chapter_text(ch.key, lang)
            body = "\n".join(line for line in src.splitlines() if not line.startswith("#"))
            want = [re.sub(r"\s*\n\s*", " ", m.replace("`", "")) for m in re.findall(r"\*\*(.+?)\*\*", body, re.S)]
            doc = QtGui.QTextDocument()
            doc.setMarkdown(src)
            runs, block = [], doc.begin()
            while block.isValid():
                if block.blockFormat().headingLevel() == 0:
                    it, run = block.begin(), ""
                    while not it.atEnd():
                        frag = it.fragment()
                        if frag.charFormat().fontWeight() >= QtGui.QFont.Weight.DemiBold:
                            run += frag.text()
                        elif run:
                            runs.append(run)
                            run = ""
                        it += 1
                    if run:
                        runs.append(run)
                block = block.next()
            assert runs == want, (lang, ch.key)
            assert "**" not in doc.toPlainText(), (lang, ch.key)
