"""Translation: every UI string goes through ``tr`` (one context, as pyside6-lupdate files bare
tr() calls), the English source text being the key.  Strings defined outside a tr() call are
marked with QT_TRANSLATE_NOOP(context, text) and translated with ``tr_in(context, text)``.

The translations live in resources/translations/convviz_<lang>.ts (made by pyside6-lupdate,
completed by hand or by scripts/translations.py) and are compiled to .qm by pyside6-lrelease.
"""
from __future__ import annotations

import os

from PySide6 import QtCore

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}


def tr(text: str) -> str:
    return QtCore.QCoreApplication.translate("", text)


def tr_in(context: str, text: str) -> str:
    return QtCore.QCoreApplication.translate(context, text)


def tr_core(text) -> str:
    """A sentence written by the core (a convviz.messages.Msg, or plain text) in the UI's language."""
    from convviz.messages import translate
    return translate(text, lambda t: QtCore.QCoreApplication.translate("core", t))


def translations_dir() -> str:
    from convviz.samples import resources_dir
    return str(resources_dir() / "translations")


_installed: list[QtCore.QTranslator] = []
_current = ["en"]


def current_language() -> str:
    return _current[0]


def system_language() -> str:
    name = QtCore.QLocale.system().name()  # e.g. zh_CN, en_US
    return "zh_CN" if name.startswith("zh") else "en"


def install(app, lang: str) -> str:
    """Install the translator for ``lang`` (English needs none); returns the language used."""
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    if lang not in LANGUAGES:
        lang = "en"
    if lang != "en":
        t = QtCore.QTranslator(app)
        path = os.path.join(translations_dir(), f"convviz_{lang}.qm")
        if t.load(path):
            app.installTranslator(t)
            _installed.append(t)
        else:
            lang = "en"
    load_cjk_font()
    _current[0] = lang
    return lang


_font_loaded = False


def load_cjk_font() -> None:
    """Register the bundled CJK font (WenQuanYi Micro Hei, Apache-2.0) so Chinese renders on any
    machine, and add it as a fallback after the default family."""
    global _font_loaded
    if _font_loaded:
        return
    from PySide6 import QtGui
    from convviz.samples import resources_dir
    path = resources_dir() / "fonts" / "wqy-microhei.ttc"
    fid = QtGui.QFontDatabase.addApplicationFont(str(path))
    if fid >= 0:
        fams = QtGui.QFontDatabase.applicationFontFamilies(fid)
        if fams:
            base = QtGui.QGuiApplication.font()
            QtGui.QFont.insertSubstitution(base.family(), fams[0])
            for generic in ("Sans Serif", "DejaVu Sans", "Monospace", "DejaVu Sans Mono"):
                QtGui.QFont.insertSubstitution(generic, fams[0])
    _font_loaded = True
