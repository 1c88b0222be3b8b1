"""The compiled message catalogs, read in a given language without Flask.

The one way to put words in a language other than the request's (or outside any
request): API errors carry their Chinese words beside the English detail
(``custody.web.messages.message_in``), scan answers are written in both languages
(``custody.web.scan_answers``, which the demo uses without an app). Pages use
Flask-Babel, which reads the same catalogs (``custody.web.i18n``).
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel.support import Translations

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


def N_(msgid: str) -> str:  # noqa: N802 (pybabel's marker: extracted, looked up when said)
    """Mark English words for the catalogs; they are translated when said."""
    return msgid


@functools.cache
def catalog(lang: str) -> Translations:
    """The compiled catalog of one language (``scripts/catalogs.py compile``)."""
    return Translations.load(str(TRANSLATIONS), [lang], "messages")


def say(lang: str, msgid: str, **params) -> str:
    """``msgid`` in ``lang``, its ``%(name)s`` placeholders filled from ``params``."""
    text = catalog(lang).gettext(msgid)
    return text % params if params else text
