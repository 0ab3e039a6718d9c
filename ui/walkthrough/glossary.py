"""The hover glossary: the terms of the chapter texts, each in English and Chinese with a one-line
definition, shown as a tooltip over the term wherever it appears in a chapter's page.

A Chinese learner reads papers in English, an English one meets the Chinese names in class: so
every tooltip gives the term in both languages (卷积核 (kernel)) and the definition in the page's
language.  The table is bilingual data (both languages side by side, as a printed glossary is),
not UI text to translate, so it lives here rather than in the translation files.

``find_terms(text, lang)`` is the Qt-free matcher (longest form first, no overlaps, whole words
in English); ``prepare(document, lang)`` marks the terms of a laid-out QTextDocument (a dotted
underline and the char format's tooltip, which QTextBrowser shows on hover by itself), gives
code blocks and inline code a real monospaced family (the CJK fallback otherwise stands in for
the generic "monospace", and code is set in a proportional font), and on a Chinese page turns
any italics into bold (Chinese type has no italics).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Term:
    key: str
    en: str
    zh: str
    en_def: str
    zh_def: str
    en_forms: tuple[str, ...]  # regular expressions, matched as whole words, case-insensitive
    zh_forms: tuple[str, ...] = ()  # plain substrings of Chinese text


TERMS: tuple[Term, ...] = (
    Term("kernel", "kernel", "卷积核",
         "The small block of weights that slides over the input; one kernel makes one output channel.",
         "在输入上滑动的一小块权重；一个卷积核产生一个输出通道。",
         (r"kernels?",), ("卷积核",)),
    Term("stride", "stride", "步长",
         "How far the kernel moves between two neighbouring outputs.",
         "卷积核在相邻两个输出之间移动的距离。",
         (r"strides?", r"strided"), ("步长",)),
    Term("padding", "padding", "填充",
         "The border added around the input before convolving (zeros, reflect, replicate or circular).",
         "卷积之前在输入四周补上的边（补零、镜像、复制边缘或循环）。",
         (r"padding", r"padded"), ("填充",)),
    Term("dilation", "dilation rate", "空洞率",
         "The spacing of the kernel's taps: with dilation d a kernel of k taps spans d(k − 1) + 1 pixels.",
         "卷积核采样点之间的间距：空洞率为 d 时，k 个采样点跨越 d(k − 1) + 1 个像素。",
         (r"dilation(?: rate)?", r"dilated", r"atrous"), ("空洞率", "空洞卷积", "空洞")),
    Term("receptive_field", "receptive field", "感受野",
         "The region of the input that one output pixel depends on.",
         "一个输出像素所依赖的输入区域。",
         (r"receptive fields?",), ("感受野",)),
    Term("jump", "jump", "跳距",
         "How far apart, in input pixels, two neighbouring pixels of a map are: the product of the strides so far.",
         "特征图上相邻两个像素在输入上相隔的像素数：此前各层步长的乘积。",
         (r"jump",), ("跳距",)),
    Term("feature_map", "feature map", "特征图",
         "The 2-D output of one kernel: one channel of a layer's output.",
         "一个卷积核的二维输出，即某一层输出中的一个通道。",
         (r"feature maps?",), ("特征图",)),
    Term("channel", "channel", "通道",
         "One 2-D slice of a 3-D block (R, G or B of a photo); a kernel is as deep as its input has channels.",
         "三维数据块中的一个二维切片（如照片的 R、G、B）；卷积核的深度等于输入的通道数。",
         (r"channels?",), ("通道",)),
    Term("depthwise", "depthwise convolution", "逐通道卷积",
         "One k×k kernel per input channel (groups = in_channels): each channel is filtered on its own.",
         "每个输入通道各用一个 k×k 卷积核（groups = in_channels）：各通道单独滤波。",
         (r"depthwise(?: convolutions?)?",), ("逐通道卷积", "逐通道")),
    Term("pointwise", "pointwise convolution", "逐点卷积",
         "A 1×1 convolution: at each pixel it mixes the channels, it never looks at a neighbour.",
         "1×1 卷积：在每个像素上混合各通道，从不看相邻像素。",
         (r"pointwise(?: convolutions?)?",), ("逐点卷积", "逐点")),
    Term("cross_correlation", "cross-correlation", "互相关",
         "What torch's Conv2d computes: the kernel slides over the input without being flipped.",
         "torch 的 Conv2d 实际计算的运算：卷积核不翻转，直接在输入上滑动。",
         (r"cross-correlation",), ("互相关",)),
    Term("true_convolution", "true convolution", "（数学意义上的）卷积",
         "Cross-correlation with the kernel rotated by 180°, as mathematics and signal processing define it.",
         "把卷积核旋转 180° 后再做互相关，即数学和信号处理中的定义。",
         (r"true convolution",), ("真正的卷积",)),
    Term("equivariance", "equivariance", "等变性",
         "Shift the input and the output shifts the same way: f(shift(x)) = shift(f(x)).",
         "输入平移，输出随之同样平移：f(平移(x)) = 平移(f(x))。",
         (r"equivariant", r"equivariance"), ("等变性", "等变")),
    Term("invariance", "invariance", "不变性",
         "Shift the input and the output stays the same: f(shift(x)) = f(x).",
         "输入平移，输出保持不变：f(平移(x)) = f(x)。",
         (r"invariant", r"invariance"), ("平移不变性", "不变性")),
    Term("weight_sharing", "weight sharing", "权值共享",
         "The same kernel weights are used at every position of the input.",
         "在输入的每个位置使用同一组卷积核权重。",
         (r"shared weights", r"weight sharing", r"shares? (?:its|the same) weights"), ("权值共享", "共享权重")),
    Term("global_pooling", "global pooling", "全局池化",
         "Pooling over all positions at once: one number per channel, wherever the feature was.",
         "在所有位置上一次性池化：每个通道只留一个数，与特征出现在哪里无关。",
         (r"global (?:max |average |avg )?pooling",), ("全局最大池化", "全局平均池化", "全局池化")),
    Term("pooling", "pooling", "池化",
         "A sliding window without weights that keeps the largest value (max) or the mean (average).",
         "没有权重的滑动窗口，保留窗口中的最大值（最大池化）或平均值（平均池化）。",
         (r"pooling",), ("池化",)),
    Term("bias", "bias", "偏置",
         "The number a kernel adds to every one of its outputs.",
         "卷积核给它的每个输出都加上的一个数。",
         (r"bias(?:es)?",), ("偏置",)),
    Term("transposed", "transposed convolution", "转置卷积",
         "Enlarges a map: zeros between the input pixels, padding, then an ordinary convolution with the "
         "kernel flipped.",
         "放大特征图：在输入像素之间插入零、加上填充，再用翻转的卷积核做普通卷积。",
         (r"transposed convolutions?",), ("转置卷积",)),
    Term("checkerboard", "checkerboard artefact", "棋盘格伪影",
         "A grid pattern a transposed convolution leaves when its kernel size is not a multiple of its stride.",
         "转置卷积的卷积核大小不是步长的整数倍时，在输出上留下的网格状图案。",
         (r"checkerboard(?: artefacts?| artifacts?| pattern)?",), ("棋盘格伪影", "棋盘格")),
    Term("groups", "groups", "分组",
         "Conv2d's groups: the channels split into groups convolved separately; groups = in_channels is depthwise.",
         "Conv2d 的 groups：把通道分成几组分别卷积；groups = in_channels 就是逐通道卷积。",
         (r"groups",), ("分组卷积", "分组")),
    Term("fully_connected", "fully connected layer", "全连接层",
         "A layer in which every output has a weight of its own for every input value.",
         "每个输出对每个输入值都有自己的一个权重的层。",
         (r"fully connected(?: layers?)?",), ("全连接层", "全连接")),
    Term("activation", "activation", "激活函数",
         "A non-linear function (ReLU, for example) applied to every value of a map.",
         "逐个作用于特征图每个值的非线性函数（例如 ReLU）。",
         (r"activations?(?: functions?)?",), ("激活函数", "激活")),
    Term("macs", "MACs", "乘加运算量",
         "Multiply-accumulate operations: one multiplication and one addition each (FLOPs ≈ 2 × MACs).",
         "乘加运算次数：每次一个乘法和一个加法（FLOPs ≈ 2 × MACs）。",
         (r"MACs",), ("乘加运算量", "乘加运算")),
    Term("floor", "floor division", "向下取整",
         "Division rounded down (// in Python): the rows a stride cannot reach are dropped.",
         "除法结果向下取整（Python 的 //）：步长到不了的行列被丢掉。",
         (r"floor(?: division)?", r"rounded down"), ("向下取整",)),
    Term("embedding", "embedding", "词向量",
         "The vector of numbers that stands for a word; a sentence becomes one row per word.",
         "代表一个词的一串数；一个句子变成每词一行的矩阵。",
         (r"embeddings?",), ("词向量", "词嵌入")),
)

BY_KEY = {t.key: t for t in TERMS}


def _patterns() -> list[tuple[re.Pattern, str]]:
    """(pattern, key), the longest forms first so 'global max pooling' wins over 'pooling'."""
    out = []
    for t in TERMS:
        for f in t.en_forms:
            out.append((len(f), re.compile(r"(?<![\w-])" + f + r"(?![\w-])", re.IGNORECASE), t.key))
        for f in t.zh_forms:
            out.append((len(f) * 3, re.compile(re.escape(f)), t.key))  # a Chinese character says more
    out.sort(key=lambda x: -x[0])
    return [(p, k) for _, p, k in out]


_PATTERNS = _patterns()


def find_terms(text: str, lang: str = "en") -> list[tuple[int, int, str]]:
    """The glossary terms in ``text``: (start, end, key), sorted, never overlapping.  English forms
    are matched in every language (a Chinese page names the English term in brackets)."""
    taken = [False] * len(text)
    found = []
    for pat, key in _PATTERNS:
        for m in pat.finditer(text):
            a, b = m.span()
            if a == b or any(taken[a:b]):
                continue
            for i in range(a, b):
                taken[i] = True
            found.append((a, b, key))
    return sorted(found)


def tooltip(key: str, lang: str = "en") -> str:
    """The tooltip of a term: both names, then the definition in the page's language."""
    t = BY_KEY[key]
    definition = t.zh_def if lang.startswith("zh") else t.en_def
    return (f"<table width='340' cellspacing='0' cellpadding='0'><tr><td><b>{escape(t.en)}</b> · "
            f"<b>{escape(t.zh)}</b></td></tr><tr><td style='padding-top:3px'>{escape(definition)}</td></tr></table>")


def table_html(lang: str = "en") -> str:
    """The whole glossary as an HTML table (the handout's last page): English, Chinese and the
    definition in ``lang``."""
    zh = lang.startswith("zh")
    head = ("术语", "中文", "定义") if zh else ("term", "中文", "definition")
    rows = "".join(f"<tr><td><b>{escape(t.en)}</b></td><td>{escape(t.zh)}</td>"
                   f"<td>{escape(t.zh_def if zh else t.en_def)}</td></tr>" for t in sorted(TERMS, key=lambda t: t.en.lower()))
    title = "术语表 · Glossary" if zh else "Glossary · 术语表"
    return (f"<h2>{title}</h2><table cellspacing='0' cellpadding='4' border='1' width='100%'>"
            f"<tr>{''.join(f'<th align=left>{h}</th>' for h in head)}</tr>{rows}</table>")


def prepare(document, lang: str = "en") -> int:
    """Mark the glossary's terms in a chapter page (a QTextDocument made by setMarkdown) and set
    its code in a monospaced family.  Headings and code are not marked.  Returns the number of
    terms marked."""
    from ..qt import QtGui
    from ..stepper.paint import fixed_family

    mono = [fixed_family()]
    fallback = QtGui.QGuiApplication.font().families() or [QtGui.QGuiApplication.font().family()]
    marked = 0
    block = document.begin()
    while block.isValid():
        code_block = block.blockFormat().nonBreakableLines()
        # the fragments' formats: code (fixed pitch from the Markdown reader) gets a real family
        it = block.begin()
        code_spans = []
        while not it.atEnd():
            frag = it.fragment()
            if frag.isValid():
                fmt = frag.charFormat()
                if fmt.fontItalic() and lang.startswith("zh"):  # Chinese has no italics: emphasis is bold
                    cur = QtGui.QTextCursor(document)
                    cur.setPosition(frag.position())
                    cur.setPosition(frag.position() + frag.length(), QtGui.QTextCursor.MoveMode.KeepAnchor)
                    f = QtGui.QTextCharFormat()
                    f.setFontItalic(False)
                    f.setFontWeight(QtGui.QFont.Weight.Bold)
                    cur.mergeCharFormat(f)
                if code_block or fmt.fontFixedPitch() or "monospace" in (fmt.fontFamilies() or []):
                    code_spans.append((frag.position() - block.position(), frag.length()))
                    cur = QtGui.QTextCursor(document)
                    cur.setPosition(frag.position())
                    cur.setPosition(frag.position() + frag.length(), QtGui.QTextCursor.MoveMode.KeepAnchor)
                    f = QtGui.QTextCharFormat()
                    f.setFontFamilies(mono + list(fallback))
                    f.setFontFixedPitch(True)
                    cur.mergeCharFormat(f)
            it += 1
        if not code_block and block.blockFormat().headingLevel() == 0:
            seen = set()  # every occurrence has the tooltip; the first in a paragraph is underlined
            for a, b, key in find_terms(block.text(), lang):
                if any(s <= a < s + n or s < b <= s + n for s, n in code_spans):
                    continue
                cur = QtGui.QTextCursor(document)
                cur.setPosition(block.position() + a)
                cur.setPosition(block.position() + b, QtGui.QTextCursor.MoveMode.KeepAnchor)
                f = QtGui.QTextCharFormat()
                f.setToolTip(tooltip(key, lang))
                if key not in seen:  # a page of dotted lines reads badly
                    f.setUnderlineStyle(QtGui.QTextCharFormat.UnderlineStyle.DotLine)
                    f.setUnderlineColor(QtGui.QColor("#7a8fa6"))
                    seen.add(key)
                f.setProperty(GLOSSARY_PROPERTY, key)
                cur.mergeCharFormat(f)
                marked += 1
        block = block.next()
    return marked


GLOSSARY_PROPERTY = 0x100000 + 16  # QTextFormat.UserProperty + 16: the term's key on its characters


def term_at(browser, pos) -> str | None:
    """The glossary key under viewport point ``pos`` of a QTextBrowser (None off a term)."""
    from ..qt import QtGui
    cur = browser.cursorForPosition(pos)
    doc = browser.document()
    for p in (cur.position(), cur.position() + 1):  # the character after the point, then before
        c = QtGui.QTextCursor(doc)
        c.setPosition(min(p, doc.characterCount() - 1))
        key = c.charFormat().property(GLOSSARY_PROPERTY)
        if key:
            return str(key)
    return None
