"""Messages in the reader's language: English (the source language) or Simplified Chinese.

Every label, message, table header and chart text a user reads is written in English inside
``_()`` (or ``ngettext`` for counts, ``N_`` to mark a string translated later, such as a
catalogue label) and looked up in the message catalog ``simlib/locale/<lang>/LC_MESSAGES/
simlib.po``. The ``.po`` file is read directly with Babel's reader (no compiled ``.mo`` to
build or commit), once per language.

The language in force, first found wins:

1. :func:`use` (a ``with`` block: the explorer's language selector, a test);
2. the ``SIMLIB_LANG`` environment variable (``--lang`` sets it, so a report notebook run
   in another process reads the same language);
3. English.

A message without a translation falls back to English (a test fails when one is missing).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "简体中文"}
SOURCE = "en"
ENV = "SIMLIB_LANG"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "simlib"

_chosen: ContextVar[str | None] = ContextVar("simlib_language", default=None)


def normalise(code: str | None) -> str:
    """A language code as simlib knows it: ``zh_CN``, ``zh-Hans`` and ``ZH`` are ``zh``;
    anything unknown (or empty) is English."""
    if not code:
        return SOURCE
    base = code.strip().replace("-", "_").split("_")[0].split(".")[0].lower()
    return base if base in LANGUAGES else SOURCE


def check(code: str) -> str:
    """``code`` if simlib speaks it, else a ValueError naming the languages there are."""
    base = code.strip().replace("-", "_").split("_")[0].lower()
    if base not in LANGUAGES:
        known = ", ".join(f"{k} ({v})" for k, v in LANGUAGES.items())
        raise ValueError(f"unknown language {code!r}; one of {known}")
    return base


def language() -> str:
    """The language in force: ``en`` or ``zh``."""
    chosen = _chosen.get()
    return normalise(chosen if chosen is not None else os.environ.get(ENV))


def set_language(code: str) -> str:
    """Speak ``code`` from now on in this process and the processes it starts (the
    explorer's language selector; ``--lang``): sets ``SIMLIB_LANG``."""
    os.environ[ENV] = check(code)
    return language()


@contextmanager
def use(code: str) -> Iterator[str]:
    """Speak ``code`` inside the block (this thread or task only)."""
    token = _chosen.set(check(code))
    try:
        yield language()
    finally:
        _chosen.reset(token)


def catalog_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def messages(code: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    """The translations of one language: msgid (or (singular, plural)) → msgstr, read from
    its ``.po`` file; empty for English and for untranslated or fuzzy entries."""
    path = catalog_path(code)
    if code == SOURCE or not path.exists():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        catalog = read_po(f, locale=code)
    found: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    for m in catalog:
        if not m.id or m.fuzzy or not m.string:
            continue
        if isinstance(m.id, tuple):
            strings = tuple(m.string)
            if all(strings):
                found[(str(m.id[0]), str(m.id[1]))] = strings
        else:
            found[str(m.id)] = str(m.string)
    return found


def gettext(message: str) -> str:
    """``message`` in the language in force (English if it has no translation)."""
    code = language()
    if code == SOURCE:
        return message
    found = messages(code).get(message)
    return found if isinstance(found, str) else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n``: Chinese has one form for every count; English two."""
    code = language()
    found = messages(code).get((singular, plural)) if code != SOURCE else None
    if isinstance(found, tuple):
        return found[0]
    return singular if n == 1 else plural


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (it is translated where
    it is shown, e.g. a catalogue label through :func:`gettext`)."""
    return message


_ = gettext

__all__ = [
    "LANGUAGES",
    "N_",
    "_",
    "check",
    "gettext",
    "language",
    "ngettext",
    "set_language",
    "use",
]
