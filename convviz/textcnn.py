"""TextCNN on words (walkthrough chapter 10): a sentence as a matrix, one row per word, and
convolutions as wide as the embedding that slide down the sentence.  Qt-free; torch is imported
only inside the functions that train or compute.

* ``load_sentiment``: the bundled sentences (resources/datasets/sentiment/, written for convviz,
  CC0; English, and Chinese with its words separated by spaces), split into train and test by a
  seed, whole pairs to one side.  ``tokenize`` splits what the learner types: English at spaces
  and punctuation, Chinese (written without spaces) into the longest words of the vocabulary.
* ``build_vocab`` / ``Vocab``: the words of the training sentences; a word outside it is read
  as ``<unk>`` and marked, never an error.
* ``TextCNNWeights``: embedding (V, E), one Conv1d(E, F, k) per kernel width k (2, 3 and 4),
  ReLU, the max over time, a Linear to the two classes.  Frozen numpy copies: they cross
  threads.  ``init_weights`` draws them from a seed; ``TextTrainer`` trains them in slices
  (Adam, full batch, seeded: the same run bit for bit on the CPU) and measures test accuracy.
* ``explain``: one sentence through the network: each width's map (filters x positions), the
  n-gram that wins each filter's max over time, the class probabilities, and the same maps
  computed as a Conv2d with kernel (k, E) over the (1, L, E) sentence, with their largest
  difference from the Conv1d's (the two are one computation: ``conv1d_as_conv2d``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .messages import Msg
from .samples import resources_dir
from .spec import QT_TRANSLATE_NOOP

PAD, UNK = "<pad>", "<unk>"
WIDTHS = (2, 3, 4)
CLASSES = ("negative", "positive")
MAX_WORDS = 40  # a typed sentence longer than this is refused with a sentence
DATA_DIR = ("datasets", "sentiment")


class TextError(ValueError):
    """A sentence or setting that cannot be used: one sentence saying what to change."""


LANGUAGES = ("en", "zh_CN")  # a data set per language: sentences.tsv, sentences.zh_CN.tsv
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u3400-\u9fff\uf900-\ufaff]+")
MAX_WORD = 6  # the longest Chinese word the segmentation tries


def _segment(run: str, lexicon) -> list[str]:
    """A run of Chinese characters split into words: at each place the longest word of
    ``lexicon`` that starts there, else one character (forward maximum matching)."""
    out, i = [], 0
    while i < len(run):
        for n in range(min(MAX_WORD, len(run) - i), 0, -1):
            if n == 1 or run[i:i + n] in lexicon:
                out.append(run[i:i + n])
                i += n
                break
    return out


def tokenize(text: str, lexicon=frozenset()) -> list[str]:
    """Lower-case words: letters, digits and inner apostrophes; a run of Chinese characters is
    split into the longest words of ``lexicon`` (one character where none fits), since Chinese
    is written without spaces.  Punctuation is dropped."""
    out: list[str] = []
    for m in _TOKEN.finditer(str(text).lower()):
        t = m.group()
        out += _segment(t, lexicon) if t[0] >= "\u3400" else [t]
    return out


def split_words(text: str) -> list[str]:
    """A sentence of the data files, its words separated by spaces (Chinese too)."""
    return [w for piece in str(text).split() for w in _TOKEN.findall(piece.lower())]


# --- the bundled sentences ---------------------------------------------------------------------

@dataclass(frozen=True)
class SentimentData:
    train: tuple[tuple[tuple[str, ...], int], ...]  # (words, label index into CLASSES)
    test: tuple[tuple[tuple[str, ...], int], ...]
    seed: int
    classes: tuple[str, ...] = CLASSES
    lang: str = "en"

    @property
    def provenance(self) -> str:
        return f"{data_path(self.lang).name} in resources/datasets/sentiment/: written for convviz, CC0 1.0"


def data_path(lang: str = "en"):
    if lang not in LANGUAGES:
        raise TextError(f"there are sentences in {', '.join(LANGUAGES)}, not {lang}")
    return resources_dir().joinpath(*DATA_DIR, "sentences.tsv" if lang == "en" else f"sentences.{lang}.tsv")


def read_sentences(path=None, lang: str = "en") -> list[tuple[tuple[str, ...], int, int]]:
    """Every (words, label, pair) of the file: ``pair<TAB>label<TAB>sentence`` per line, #
    comments.  The two sentences of a pair share their words but for those that carry the
    sentiment."""
    out = []
    for n, line in enumerate(open(path or data_path(lang), encoding="utf-8").read().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[0].isdigit() or parts[1] not in CLASSES or not split_words(parts[2]):
            raise TextError(f"line {n} of the sentences file is not a pair number, 'negative' or 'positive' and "
                            "a sentence, separated by tabs")
        out.append((tuple(split_words(parts[2])), CLASSES.index(parts[1]), int(parts[0])))
    return out


def load_sentiment(seed: int = 0, test_fraction: float = 0.2, lang: str = "en") -> SentimentData:
    """The bundled sentences split into train and test: ``test_fraction`` of the pairs in test,
    chosen by ``seed`` (the same seed, the same split).  A pair goes whole to one side, so no
    test sentence has a twin of the other label in training whose shared words would teach the
    network the opposite."""
    rows = read_sentences(lang=lang)
    pairs = sorted({r[2] for r in rows})
    rng = np.random.default_rng(seed)
    order = [pairs[i] for i in rng.permutation(len(pairs))]
    test_pairs = set(order[:int(round(len(pairs) * test_fraction))])
    train = tuple((w, y) for w, y, g in rows if g not in test_pairs)
    test = tuple((w, y) for w, y, g in rows if g in test_pairs)
    return SentimentData(train, test, seed, lang=lang)


# --- vocabulary ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Vocab:
    words: tuple[str, ...]  # index -> word; 0 is <pad>, 1 is <unk>

    def __post_init__(self):
        object.__setattr__(self, "_index", {w: i for i, w in enumerate(self.words)})
        object.__setattr__(self, "_lexicon", frozenset(self.words[2:]))

    def __len__(self) -> int:
        return len(self.words)

    @property
    def lexicon(self) -> frozenset:
        """The words a typed Chinese sentence is segmented into where they fit."""
        return self._lexicon

    def __contains__(self, word: str) -> bool:
        return word in self._index and word not in (PAD, UNK)

    def id(self, word: str) -> int:
        return self._index.get(word, 1)

    def encode(self, words, length: int | None = None) -> np.ndarray:
        """Word ids, padded with <pad> (0) to ``length`` when longer than the words."""
        ids = [self.id(w) for w in words]
        if length is not None and len(ids) < length:
            ids += [0] * (length - len(ids))
        return np.array(ids, dtype=np.int64)


def build_vocab(sentences) -> Vocab:
    """<pad>, <unk>, then the sentences' words in alphabetical order."""
    return Vocab((PAD, UNK) + tuple(sorted({w for words, _ in sentences for w in words})))


# --- weights -------------------------------------------------------------------------------------

def _frozen(a) -> np.ndarray:
    if hasattr(a, "detach"):  # a torch tensor
        a = a.detach().cpu().numpy()
    a = np.array(a, dtype=np.float32, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class TextCNNWeights:
    """The network's numbers, read-only numpy copies.  ``convs[i]`` is width ``widths[i]``'s
    Conv1d weight (F, E, k) and bias (F,); ``linear`` is (weight (2, F*len(widths)), bias (2,))."""

    vocab: Vocab
    embedding: np.ndarray  # (V, E); row 0 (<pad>) stays zero
    widths: tuple[int, ...]
    convs: tuple[tuple[np.ndarray, np.ndarray], ...]
    linear: tuple[np.ndarray, np.ndarray]
    trained: bool = False

    @property
    def embed(self) -> int:
        return self.embedding.shape[1]

    @property
    def filters(self) -> int:
        return self.convs[0][0].shape[0]


def _params(weights: TextCNNWeights, requires_grad: bool = False):
    import torch

    def t(a):
        return torch.tensor(np.array(a), requires_grad=requires_grad)
    return ([t(weights.embedding)] + [t(a) for wb in weights.convs for a in wb] + [t(a) for a in weights.linear])


def _from_params(weights: TextCNNWeights, params, trained: bool) -> TextCNNWeights:
    arrays = [p.detach().clone().cpu().numpy() for p in params]
    n = len(weights.widths)
    convs = tuple((_frozen(arrays[1 + 2 * i]), _frozen(arrays[2 + 2 * i])) for i in range(n))
    return TextCNNWeights(weights.vocab, _frozen(arrays[0]), weights.widths, convs,
                          (_frozen(arrays[-2]), _frozen(arrays[-1])), trained)


def init_weights(vocab: Vocab, embed: int = 8, filters: int = 4, widths=WIDTHS, seed: int = 0) -> TextCNNWeights:
    """Initial weights drawn from ``seed``: torch's own initialisations of nn.Embedding,
    nn.Conv1d and nn.Linear (the <pad> row zeroed)."""
    import torch
    from torch import nn

    if embed < 1 or filters < 1 or not widths or min(widths) < 1:
        raise TextError("the embedding, the number of filters and every kernel width must be at least 1")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        emb = nn.Embedding(len(vocab), embed, padding_idx=0)
        convs = [nn.Conv1d(embed, filters, k) for k in widths]
        lin = nn.Linear(filters * len(widths), len(CLASSES))
    return TextCNNWeights(vocab, _frozen(emb.weight.detach()), tuple(int(k) for k in widths),
                          tuple((_frozen(c.weight.detach()), _frozen(c.bias.detach())) for c in convs),
                          (_frozen(lin.weight.detach()), _frozen(lin.bias.detach())))


def _forward(params, widths, ids):
    """Logits (B, 2) and each width's ReLU map (B, F, L-k+1) for word ids (B, L)."""
    import torch
    import torch.nn.functional as F

    emb = params[0]
    x = F.embedding(ids, emb, padding_idx=0).transpose(1, 2)  # (B, E, L): the embedding as channels
    maps, pooled = [], []
    for i in range(len(widths)):
        m = torch.relu(F.conv1d(x, params[1 + 2 * i], params[2 + 2 * i]))
        maps.append(m)
        pooled.append(m.amax(dim=2))  # the max over time
    return F.linear(torch.cat(pooled, 1), params[-2], params[-1]), maps


# --- training ------------------------------------------------------------------------------------

class TextTrainer:
    """Trains a TextCNN on the bundled sentences; use from one thread (the compute thread).
    ``step(epochs)`` trains that many full-batch epochs (Adam) and returns the weights now;
    ``accuracy()`` measures the test set."""

    def __init__(self, data: SentimentData | None = None, embed: int = 8, filters: int = 4, widths=WIDTHS,
                 epochs: int = 60, lr: float = 0.02, seed: int = 0, lang: str = "en", threads: int | None = 1):
        import torch

        self.data = data if data is not None else load_sentiment(seed, lang=lang)
        self.vocab = build_vocab(self.data.train)
        self.epochs = int(epochs)
        self.threads = threads  # torch's intra-op threads while training (None: as they are)
        self.epoch = 0
        self.seed = seed
        self.initial = init_weights(self.vocab, embed, filters, widths, seed)
        self.widths = self.initial.widths
        self.params = _params(self.initial, requires_grad=True)
        self.optimizer = torch.optim.Adam(self.params, lr=lr)
        self.train_x, self.train_y = self._tensors(self.data.train)
        self.test_x, self.test_y = self._tensors(self.data.test)
        self.losses: list[float] = []

    def _tensors(self, rows):
        import torch
        n = max(max(len(w) for w, _ in rows), max(self.widths))
        x = torch.tensor(np.stack([self.vocab.encode(w, n) for w, _ in rows]))
        y = torch.tensor([c for _, c in rows], dtype=torch.int64)
        return x, y

    @property
    def done(self) -> bool:
        return self.epoch >= self.epochs

    def step(self, epochs: int = 1, cancelled: Callable[[], bool] | None = None) -> int:
        """Train up to ``epochs`` epochs (fewer when done or ``cancelled()``) with ``threads``
        torch threads; returns how many."""
        from .cost_experiment import torch_threads
        with torch_threads(self.threads):
            return self._step(epochs, cancelled)

    def _step(self, epochs, cancelled) -> int:
        import torch
        import torch.nn.functional as F

        n = 0
        while n < epochs and not self.done and not (cancelled is not None and cancelled()):
            logits, _ = _forward(self.params, self.widths, self.train_x)
            loss = F.cross_entropy(logits, self.train_y)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            with torch.no_grad():
                self.params[0][0].zero_()  # <pad> stays the zero vector
            self.losses.append(float(loss.detach()))
            self.epoch += 1
            n += 1
        return n

    def accuracy(self, which: str = "test") -> float:
        import torch
        x, y = (self.test_x, self.test_y) if which == "test" else (self.train_x, self.train_y)
        with torch.no_grad():
            logits, _ = _forward(self.params, self.widths, x)
        return float((logits.argmax(1) == y).double().mean())

    def weights(self) -> TextCNNWeights:
        """The weights now (copies)."""
        return _from_params(self.initial, self.params, trained=self.epoch > 0)


# --- one sentence --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Winner:
    """The window that wins one filter's max over time."""

    width: int
    filter: int
    position: int  # first word of the window
    value: float  # the max over time (after ReLU); 0: the filter does not fire on this sentence
    words: tuple[str, ...]

    @property
    def fires(self) -> bool:
        return self.value > 0


@dataclass(frozen=True, eq=False)
class Explanation:
    words: tuple[str, ...]  # the sentence's words, padded with <pad> to the widest kernel
    known: tuple[bool, ...]  # per word: in the vocabulary (False for unknown words and padding)
    maps: tuple[np.ndarray, ...]  # per width: (F, L-k+1) after ReLU
    winners: tuple[tuple[Winner, ...], ...]  # per width, per filter
    probabilities: np.ndarray  # (2,): negative, positive
    conv2d_difference: float  # largest |Conv2d(1, F, (k, E)) - Conv1d(E, F, k)| over every map
    embedded: np.ndarray  # (L, E): the sentence as a matrix, one row per word

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(w for w, k in zip(self.words, self.known) if not k and w != PAD)

    @property
    def label(self) -> str:
        return CLASSES[int(np.argmax(self.probabilities))]


def conv1d_as_conv2d(weight: np.ndarray) -> np.ndarray:
    """A Conv1d weight (F, E, k) as the Conv2d weight (F, 1, k, E) that computes the same map
    over the sentence laid out as an image (1, L, E): kernel height k words, width E."""
    return np.ascontiguousarray(np.transpose(weight, (0, 2, 1))[:, None])


def explain(weights: TextCNNWeights, text: str) -> Explanation:
    """``text`` through the network.  Raises TextError (one sentence) for an empty or too long
    sentence; unknown words are read as <unk> and marked."""
    import torch
    import torch.nn.functional as F

    words = tokenize(text, weights.vocab.lexicon)
    if not words:
        raise TextError(Msg(QT_TRANSLATE_NOOP("core", "type a sentence of at least one word")))
    if len(words) > MAX_WORDS:
        raise TextError(Msg(QT_TRANSLATE_NOOP("core", "the sentence has {n} words; type at most {m}"),
                            n=len(words), m=MAX_WORDS))
    n = max(len(words), max(weights.widths))
    words = tuple(words) + (PAD,) * (n - len(words))
    ids = torch.tensor(weights.vocab.encode(words))[None]
    params = _params(weights)
    with torch.no_grad():
        logits, maps = _forward(params, weights.widths, ids)
        x_img = F.embedding(ids, params[0])[:, None]  # (1, 1, L, E): the sentence as an image
        diff = 0.0
        for i, m in enumerate(maps):
            w2 = torch.tensor(conv1d_as_conv2d(weights.convs[i][0]))
            m2 = torch.relu(F.conv2d(x_img, w2, params[2 + 2 * i]))[:, :, :, 0]  # (1, F, L-k+1)
            diff = max(diff, float((m2 - m).abs().max()))
        probs = torch.softmax(logits[0].double(), 0).numpy()
    maps_np = tuple(_frozen(m[0].numpy()) for m in maps)
    winners = []
    for k, m in zip(weights.widths, maps_np):
        row = []
        for f in range(m.shape[0]):
            p = int(np.argmax(m[f]))
            row.append(Winner(k, f, p, float(m[f, p]), words[p:p + k]))
        winners.append(tuple(row))
    known = tuple(w in weights.vocab for w in words)
    return Explanation(words, known, maps_np, tuple(winners), _frozen(probs),
                       diff, _frozen(weights.embedding[weights.vocab.encode(words)]))


__all__ = ["CLASSES", "Explanation", "MAX_WORDS", "PAD", "SentimentData", "TextCNNWeights", "TextError",
           "TextTrainer", "UNK", "Vocab", "WIDTHS", "Winner", "build_vocab", "conv1d_as_conv2d", "explain",
           "init_weights", "load_sentiment", "read_sentences", "tokenize"]
