"""Sentences the core writes for people, in a form the UI can translate.

A ``Msg`` is the English sentence (a ``str``, so the CLI, the tests and the JSON see plain
text) that also remembers its template and arguments.  The UI translates the template — marked
with QT_TRANSLATE_NOOP("core", ...) so pyside6-lupdate collects it — and formats it with the
(recursively translated) arguments.  Qt-free.
"""
from __future__ import annotations

from typing import Any, Callable



class Msg(str):
    template: str
    args: dict

    def __new__(cls, template: str, **args: Any) -> "Msg":
        self = super().__new__(cls, template.format(**args))
        self.template = template
        self.args = args
        return self


def translate(text: Any, tr: Callable[[str], str]) -> str:
    """``text`` in the language of ``tr`` (a function from a template to its translation)."""
    if isinstance(text, Msg):
        args = {k: translate(v, tr) for k, v in text.args.items()}
        try:
            return tr(text.template).format(**args)
        except (KeyError, IndexError, ValueError):  # a broken translation: fall back to English
            return str(text)
    return str(text)


# --- untrusted text in messages -----------------------------------------------------------------
#
# Titles, keys, paths and values come from files other people wrote.  Everything that quotes
# them in a sentence goes through ``escape`` (text) or ``show`` (any JSON value), so a message is
# always one line of printable text: no newlines, no terminal control sequences (C0, DEL, C1),
# no lone surrogates (which cannot even be printed as UTF-8) and no bidirectional overrides
# that would reorder what the reader sees; and it is short, however large the value.

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unsafe(ch: str) -> bool:
    o = ord(ch)
    return (o < 0x20 or 0x7f <= o <= 0x9f or 0xd800 <= o <= 0xdfff or o in (0x2028, 0x2029)
            or ch in _BIDI)


def escape(text: Any, limit: int | None = None) -> str:
    """``text`` as one printable line: control characters, lone surrogates, line and paragraph
    separators and bidirectional overrides written as escapes (``\\n``, ``\\x1b``,
    ``\\ud800``); cut to ``limit`` characters with an ellipsis when longer."""
    s = text if isinstance(text, str) else str(text)
    if limit is not None and len(s) > 4 * limit:
        s = s[:4 * limit]  # escaping only lengthens; never scan megabytes for a short message
    if any(_unsafe(c) for c in s):
        out = []
        for c in s:
            if not _unsafe(c):
                out.append(c)
            elif c in _NAMED:
                out.append(_NAMED[c])
            elif ord(c) < 0x100:
                out.append(f"\\x{ord(c):02x}")
            else:
                out.append(f"\\u{ord(c):04x}")
        s = "".join(out)
    if limit is not None and len(s) > limit:
        s = s[:max(0, limit - 1)] + "…"
    return s


def show(value: Any, limit: int = 80) -> str:
    """A short, one-line, Python-style rendering of a value read from a file, for messages:
    ``'Conv2d'``, ``[3, 3]``, ``None``; long text and lists are cut (``[1, 2, 3, …]``), deep
    nesting is not followed and a number too long to print is described by its length."""
    return escape(_show(value, 0, limit), limit)


def _show(v: Any, depth: int, limit: int) -> str:
    if isinstance(v, str):
        return repr(v[:limit]) + ("…" if len(v) > limit else "")
    if isinstance(v, bool) or v is None or isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        if v.bit_length() <= 96:
            return repr(v)
        return f"a {'negative ' if v < 0 else ''}number of about {int(v.bit_length() * 0.30103) + 1:,} digits"
    if isinstance(v, (list, tuple, dict)):
        opening, closing = ("{", "}") if isinstance(v, dict) else ("[", "]") if isinstance(v, list) else ("(", ")")
        if not v:
            return opening + closing
        if depth >= 3:
            return opening + "…" + closing
        parts, used = [], 0
        items = v.items() if isinstance(v, dict) else v
        for i, item in enumerate(items):
            if used > limit or i >= 16:
                parts.append("…")
                break
            text = (f"{_show(item[0], depth + 1, limit)}: {_show(item[1], depth + 1, limit)}"
                    if isinstance(v, dict) else _show(item, depth + 1, limit))
            parts.append(text)
            used += len(text) + 2
        return opening + ", ".join(parts) + closing
    return f"<{type(v).__name__}>"
