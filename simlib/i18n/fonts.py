"""Fonts that draw Chinese: Noto Sans CJK SC, shipped by the ``mplfonts`` package, so a
fresh machine renders charts (matplotlib) and the PDF (WeasyPrint) without system fonts.

English keeps the fonts it always had (DejaVu Sans); Chinese puts the CJK font first, with
DejaVu Sans after it for any glyph the CJK font lacks.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

CJK_FAMILY = "Noto Sans CJK SC"
CJK_FILE = "NotoSansCJKsc-Regular.otf"


@cache
def cjk_font_path() -> Path | None:
    """The CJK font file shipped with ``mplfonts`` (None if the package is missing)."""
    try:
        import mplfonts
    except ImportError:
        return None
    path = Path(mplfonts.__file__).resolve().parent / "fonts" / CJK_FILE
    return path if path.exists() else None


@cache
def register_cjk_font() -> str | None:
    """Add the CJK font to matplotlib's font manager (once); its family name, or None."""
    path = cjk_font_path()
    if path is None:
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def matplotlib_fonts(language: str) -> dict[str, object]:
    """The rc settings that make matplotlib draw ``language``: empty for English."""
    if language != "zh":
        return {}
    family = register_cjk_font()
    if family is None:
        return {}
    # The shipped CJK font has one weight: titles drawn regular, not a bold it lacks.
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.titleweight": "normal",
    }


def css_font_face(language: str) -> str:
    """An ``@font-face`` rule naming the CJK font file, for the report's CSS (empty for
    English or when the font is missing)."""
    path = cjk_font_path()
    if language != "zh" or path is None:
        return ""
    return (
        f"@font-face {{ font-family: '{CJK_FAMILY}'; src: url('{path.as_uri()}') "
        "format('opentype'); }\n"
    )


def embedded_font_face(text: str) -> str:
    """An ``@font-face`` rule carrying the CJK font inside the page: only the glyphs of the
    CJK characters in ``text`` (a few hundred kilobytes), so the HTML report renders Chinese
    on any machine and WeasyPrint embeds it in the PDF. Empty if ``text`` has none or the
    font is missing."""
    import base64
    import io

    path = cjk_font_path()
    chars = "".join(sorted({c for c in text if ord(c) >= 0x2E80}))
    if path is None or not chars:
        return ""
    from fontTools import subset

    options = subset.Options()
    options.name_IDs = ["*"]  # keep the family name
    font = subset.load_font(str(path), options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        data = io.BytesIO()
        font.save(data)
    finally:
        font.close()  # the font file stays open until closed (a ResourceWarning otherwise)
    encoded = base64.b64encode(data.getvalue()).decode("ascii")
    return (
        f"@font-face {{ font-family: '{CJK_FAMILY}'; "
        f"src: url(data:font/otf;base64,{encoded}) format('opentype'); }}\n"
    )


def catalog_glyphs(language: str) -> str:
    """Every character the catalog of ``language`` can show (its translations), sorted."""
    from simlib.i18n import messages

    chars: set[str] = set()
    for said in messages(language).values():
        for text in (said,) if isinstance(said, str) else said:
            chars.update(text)
    return "".join(sorted(chars))


@cache
def page_font_style(language: str, scope: str) -> str:
    """A ``<style>`` for a page that is not a report (the explorer): the CJK glyphs of the
    whole catalog embedded (:func:`embedded_font_face`) and put first for everything inside
    ``scope`` (a CSS selector), so Chinese renders on a machine without CJK fonts. Latin
    text keeps the page's own font (the subset has no Latin glyphs). Empty for English."""
    if language != "zh":
        return ""
    face = embedded_font_face(catalog_glyphs(language))
    if not face:
        return ""
    rule = (
        f"{scope}, {scope} *:not(.fa) {{ font-family: '{CJK_FAMILY}', "
        "var(--jp-ui-font-family, system-ui, sans-serif) !important; }"
    )
    return f"<style>{face}{rule}</style>"
