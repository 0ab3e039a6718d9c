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
