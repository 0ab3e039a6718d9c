"""Chapter 10's TextCNN on words, in the window: the sentence's maps and winning n-grams (torch's
own modules recompute them from the weights shown), unknown words marked, a bad sentence gets a
sentence, the classifier trained in the app reaches the accuracy a direct run measures, and the
Conv2d (k, E) = Conv1d(E) equivalence is shown with its measured difference."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from torch import nn

from convviz import textcnn as tc
from ui.walkthrough.textcnn import DEFAULT_SENTENCES, TARGET

from .conftest import wait_maps

CHAPTER = 9  # 10-beyond


def torch_maps(weights: tc.TextCNNWeights, words):
    """Each width's ReLU map, from torch's nn.Embedding and nn.Conv1d loaded with the weights."""
    emb = nn.Embedding.from_pretrained(torch.tensor(weights.embedding))
    x = emb(torch.tensor(weights.vocab.encode(words)))[None].transpose(1, 2)
    out = []
    for k, (w, b) in zip(weights.widths, weights.convs):
        conv = nn.Conv1d(weights.embed, weights.filters, k)
        with torch.no_grad():
            conv.weight.copy_(torch.tensor(w))
            conv.bias.copy_(torch.tensor(b))
            out.append(torch.relu(conv(x))[0].numpy())
    return out


def fires(d, text, width, filt) -> float:
    """The filter's max over the sentence as typed, from torch's modules."""
    words = tc.tokenize(text, d.weights.vocab.lexicon)
    padded = tuple(words) + (tc.PAD,) * (max(tc.WIDTHS) - len(words))
    return float(torch_maps(d.weights, padded)[d.weights.widths.index(width)][filt].max())


def check_shown(d, text):
    e = d.explanation
    words = tc.tokenize(text, d.weights.vocab.lexicon)
    padded = tuple(words) + (tc.PAD,) * (max(tc.WIDTHS) - len(words))
    assert e.words == padded
    for m, want, ws in zip(e.maps, torch_maps(d.weights, padded), e.winners):
        np.testing.assert_allclose(m, want, rtol=1e-5, atol=1e-6)
        for f, win in enumerate(ws):
            assert win.position == int(np.argmax(want[f]))
            if win.fires:
                assert "“" + " ".join(w if w != tc.PAD else "·" for w in win.words) + "”" in d.winners.text()
    assert d.view.explanation is e
    assert e.conv2d_difference < 1e-5 and f"{e.conv2d_difference:.1e}" in d.equivalence.text()


def test_textcnn_on_words_in_both_languages(make_window, qtbot, lang):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(CHAPTER)
    wait_maps(qtbot, win)
    d = win.walkthrough.extra("textcnn")
    qtbot.waitUntil(lambda: d.explanation is not None, timeout=30_000)
    assert d.lang == lang and d.sentence.text() == DEFAULT_SENTENCES[lang]
    check_shown(d, d.sentence.text())
    assert all(d.explanation.known), "the first sentence's words are all in the vocabulary"
    assert d.accuracy is None and not d.weights.trained
    # a sentence of the learner's own, with a word the network never saw (Chinese: typed without
    # spaces, split into the vocabulary's words, one character where none fits)
    text, unknown = {"en": ("the zorblax film was great", "zorblax"), "zh_CN": ("这部佐布拉克电影很精彩", "佐")}[lang]
    d.set_sentence(text)
    qtbot.waitUntil(lambda: d.explanation.words[1] == unknown, timeout=10_000)
    check_shown(d, text)
    assert d.explanation.known[1] is False and unknown in d.winners.text()
    assert d.view.words["row 1"] == unknown
    # a bad sentence: one sentence, and what was shown stays
    before = d.explanation
    d.set_sentence("  ?! ")
    qtbot.waitUntil(lambda: d.error is not None, timeout=10_000)
    assert d.explanation is before and "<span" in d.winners.text()
    d.set_sentence(text)
    qtbot.waitUntil(lambda: d.error is None and d.explanation is not before, timeout=10_000)
    # training in the app: the accuracy a direct run of the same trainer measures
    d.train()
    assert d.training and d.stop_button.isEnabled()
    qtbot.waitUntil(lambda: d.accuracy is not None, timeout=120_000)
    direct = tc.TextTrainer(lang=lang)
    direct.step(direct.epochs)
    # measured on the 56 test sentences: English 0.911, Chinese 0.893 (chance 0.5)
    assert d.accuracy == direct.accuracy() and d.accuracy > 0.75
    assert f"{d.accuracy:.1%}" in d.status.text() and d.weights.trained
    d.set_sentence(DEFAULT_SENTENCES[lang])
    qtbot.waitUntil(lambda: d.explanation_weights is d.weights and d.explanation.words[1] != unknown,
                    timeout=10_000)
    check_shown(d, DEFAULT_SENTENCES[lang])
    # the little task: a sentence of the learner's own that fires the target filter harder
    k, f = TARGET
    base = fires(d, DEFAULT_SENTENCES[lang], k, f)
    assert d.baseline == pytest.approx(base, abs=1e-5) and not d.found and "✓" not in d.find.text()
    typed = [" ".join(w) for w, _, _ in tc.read_sentences(lang=lang)]
    weaker = next(t for t in typed if fires(d, t, k, f) < base)
    d.set_sentence(weaker)
    want = tuple(tc.tokenize(weaker, d.weights.vocab.lexicon))
    qtbot.waitUntil(lambda: d.explanation.words[:len(want)] == want, timeout=10_000)
    assert not d.found and "✓" not in d.find.text()
    stronger = max(typed, key=lambda t: fires(d, t, k, f))  # measured: some sentence always beats the first
    assert fires(d, stronger, k, f) > base
    d.set_sentence(stronger)
    qtbot.waitUntil(lambda: d.found, timeout=10_000)
    win_words = " ".join(w for w in d.winner(k, f).words if w != tc.PAD)
    assert "✓" in d.find.text() and f"“{win_words}”" in d.find.text()
    if os.environ.get("CONVVIZ_SCREENSHOTS"):
        win.resize(1600, 1100)
        win.grab().save(os.path.join(os.environ["CONVVIZ_SCREENSHOTS"], f"ch10-textcnn-{lang}.png"))
        d.grab().save(os.path.join(os.environ["CONVVIZ_SCREENSHOTS"], f"ch10-textcnn-extra-{lang}.png"))


def test_stop_keeps_the_weights_and_claims_no_accuracy(make_window, qtbot):
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(CHAPTER)
    d = win.walkthrough.extra("textcnn")
    qtbot.waitUntil(lambda: d.weights is not None, timeout=30_000)
    d.train()
    d.stop()
    assert not d.training and d.accuracy is None and d.train_button.isEnabled()
    d.train()  # leaving the chapter while training: nothing arrives at a deleted widget
    win.walkthrough.go(CHAPTER - 1)
    wait_maps(qtbot, win)
    assert win.walkthrough.extra("textcnn") is None


def test_each_language_keeps_its_own_network_across_switches(gui_session, qtbot):
    sess = gui_session
    w = sess.open()
    w.ask_save_changes = lambda: "discard"
    w.show()
    w.start()
    w.open_walkthrough(CHAPTER)
    d = w.walkthrough.extra("textcnn")
    qtbot.waitUntil(lambda: d.weights is not None, timeout=30_000)
    d.set_sentence("a great film with rude staff")
    d.train()
    qtbot.waitUntil(lambda: d.accuracy is not None, timeout=120_000)
    weights, acc = d.weights, d.accuracy
    sess.switch_language("zh_CN")  # the Chinese network, on Chinese sentences
    d2 = sess.window.walkthrough.extra("textcnn")
    assert d2 is not d and d2.lang == "zh_CN" and d2.accuracy is None
    assert d2.sentence.text() == DEFAULT_SENTENCES["zh_CN"]
    qtbot.waitUntil(lambda: d2.explanation is not None, timeout=30_000)
    assert d2.weights is not weights and "一点" in d2.weights.vocab
    check_shown(d2, DEFAULT_SENTENCES["zh_CN"])
    assert "随机权重" in d2.status.text()
    sess.switch_language("en")  # back: the English network as the learner left it
    d3 = sess.window.walkthrough.extra("textcnn")
    assert d3.weights is weights and d3.accuracy == acc and d3.sentence.text() == "a great film with rude staff"
    qtbot.waitUntil(lambda: d3.explanation_weights is weights, timeout=30_000)
    check_shown(d3, "a great film with rude staff")
    assert f"{acc:.1%}" in d3.status.text()


def test_the_handout_shows_the_trained_network(make_window, qtbot):
    from ui.app import make_app
    win = make_window(preset="lesson_4x4")
    win.open_walkthrough(CHAPTER)
    d = win.walkthrough.extra("textcnn")
    assert d.prepare_handout(make_app(), timeout=120)
    assert d.accuracy is not None and d.explanation_weights is d.weights and d.weights.trained
    assert f"{d.accuracy:.1%}" in d.status.text()
