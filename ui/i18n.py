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


def tr_title(title: str) -> str:
    """A project's title in the UI's language when it is one of ours (a preset's, a walkthrough
    chapter's); any other title is the user's own text and stays as written."""
    return QtCore.QCoreApplication.translate("title", title) if title else title


def tr_preset(description: str) -> str:
    """A bundled preset's one-line description (convviz.samples.PRESETS) in the UI's language."""
    return QtCore.QCoreApplication.translate("preset", description)


# The bundled presets' titles (the "title" of resources/presets/*.json) and one-line descriptions
# (convviz.samples.PRESETS), for pyside6-lupdate; tests/gui/test_language.py checks that every
# preset's are here and translated.
PRESET_TITLES = (
    QtCore.QT_TRANSLATE_NOOP("title", "A dilated stack"),
    QtCore.QT_TRANSLATE_NOOP("title", "LeNet-5"),
    QtCore.QT_TRANSLATE_NOOP("title", "The lesson's 4x4 example: one 2x2 kernel"),
    QtCore.QT_TRANSLATE_NOOP("title", "The lesson's 4x4 example: two 2x2 kernels"),
    QtCore.QT_TRANSLATE_NOOP("title", "Padding: 4x4 input, kernel 2, padding 2 gives 7x7"),
    QtCore.QT_TRANSLATE_NOOP("title", "A MobileNet depthwise-separable block"),
    QtCore.QT_TRANSLATE_NOOP("title", "A small RGB teaching stack"),
    QtCore.QT_TRANSLATE_NOOP("title", "Tiny VGG (CNN Explainer's classifier)"),
    QtCore.QT_TRANSLATE_NOOP("title", "VGG-16 convolution stack (features)"),
    QtCore.QT_TRANSLATE_NOOP("title", "VGG-16 (features and classifier, 1000 classes)"),
)
PRESET_DESCRIPTIONS = (
    QtCore.QT_TRANSLATE_NOOP("preset", "A small RGB teaching stack on the astronaut"),
    QtCore.QT_TRANSLATE_NOOP("preset", "The lesson's 4x4 input with a 2x2 kernel: [1, 1, 3, 3]"),
    QtCore.QT_TRANSLATE_NOOP("preset", "Two 2x2 kernels give two channels: [1, 2, 3, 3]"),
    QtCore.QT_TRANSLATE_NOOP("preset", "Padding 2 around the 4x4 input gives 7x7"),
    QtCore.QT_TRANSLATE_NOOP("preset", "LeNet-5 on a 32x32 digit-sized input: its features, then Flatten and "
                                       "Linear layers to 10 logits (61,706 parameters)"),
    QtCore.QT_TRANSLATE_NOOP("preset", "CNN Explainer's Tiny VGG: two conv-ReLU-conv-ReLU-maxpool blocks, "
                                       "Flatten, Linear to 10 classes"),
    QtCore.QT_TRANSLATE_NOOP("preset", "VGG-16's 13 convolutions and 5 max-pools at 224x224"),
    QtCore.QT_TRANSLATE_NOOP("preset", "The whole VGG-16: features, AdaptiveAvgPool2d(7), Flatten and the "
                                       "classifier to 1000 classes (138,357,544 parameters)"),
    QtCore.QT_TRANSLATE_NOOP("preset", "A MobileNet depthwise-separable block beside a standard conv"),
    QtCore.QT_TRANSLATE_NOOP("preset", "A dilated stack: the receptive field grows without more weights"),
)


def tr_core(text) -> str:
    """A sentence written by the core (a convviz.messages.Msg, plain text, or an exception whose
    first argument is one: SpecError, ProjectError, InputError) in the UI's language."""
    from convviz.messages import translate
    if isinstance(text, BaseException):
        text = text.args[0] if text.args and isinstance(text.args[0], str) else str(text)
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


def qt_translations_dir() -> str | None:
    """Where Qt's own translations are (qtbase_<lang>.qm: the standard dialog buttons, the file
    dialog, the text fields' context menus): the folder Qt reports, else PySide6's, else the
    packaged executable's copy of it."""
    import sys
    candidates = [QtCore.QLibraryInfo.path(QtCore.QLibraryInfo.LibraryPath.TranslationsPath)]
    try:
        import PySide6
        candidates.append(os.path.join(os.path.dirname(PySide6.__file__), "Qt", "translations"))
    except ImportError:  # pragma: no cover - PySide6 is what we run on
        pass
    if getattr(sys, "_MEIPASS", None):
        candidates.append(os.path.join(sys._MEIPASS, "PySide6", "Qt", "translations"))
    for c in candidates:
        if c and os.path.isdir(c):
            return c
    return None


def install(app, lang: str) -> str:
    """Install the translators for ``lang`` (English needs none): ours, and Qt's own for the
    standard buttons (Save, Discard, Cancel, OK…) and dialogs.  Returns the language used."""
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
            qt_dir = qt_translations_dir()
            qt = QtCore.QTranslator(app)
            if qt_dir and qt.load(f"qtbase_{lang}", qt_dir):
                app.installTranslator(qt)
                _installed.append(qt)
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
