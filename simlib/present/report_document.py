"""The report as a document a consultant can send: one HTML page and its A4 PDF.

:func:`render_html` turns an executed report notebook into a standalone page (code hidden,
figures embedded, the scenario's name as its ``<title>``) styled by :data:`REPORT_CSS`, which
serves the screen and print alike. :func:`write_pdf` renders that page to ``report.pdf`` with
WeasyPrint: A4, page numbers in the footer, figures and tables never cut across pages, and
fonts found offline (DejaVu or Liberation, else the system's sans-serif). In Chinese the page
and its footer are in Chinese, and the page carries the glyphs it uses of Noto Sans CJK SC
(:mod:`simlib.i18n.fonts`), which the PDF embeds.
"""

from __future__ import annotations

import html
from pathlib import Path

from simlib.errors import ScenarioError
from simlib.i18n import _, language
from simlib.i18n.fonts import CJK_FAMILY, css_font_face, embedded_font_face
from simlib.storage.atomic import atomic_write_bytes, atomic_write_text

FONTS = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif"
# Chinese: the CJK font first (the PDF's, then a browser's usual ones), Latin fonts after.
CJK_FONTS = f"'{CJK_FAMILY}', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', {FONTS}"

REPORT_CSS_TEMPLATE = """
@page {{
  size: A4;
  margin: 18mm 16mm 20mm 16mm;
  @bottom-center {{
    content: {PAGE_OF};
    font-family: {FONTS}; font-size: 8.5pt; color: #555;
  }}
  @bottom-left {{
    content: string(report-title);
    font-family: {FONTS}; font-size: 8.5pt; color: #555;
  }}
}}
html {{ font-family: {FONTS}; font-size: 10.5pt; color: #1a1a1a; line-height: 1.45; }}
body {{ max-width: 60em; margin: 1.5em auto; padding: 0 1.2em; }}
@media print {{ body {{ max-width: none; margin: 0; padding: 0; }} }}
h1 {{ font-size: 20pt; margin: 0 0 0.2em 0; string-set: report-title content(); }}
h2 {{ font-size: 14pt; margin: 1.4em 0 0.4em 0; border-bottom: 2px solid #0072B2;
      padding-bottom: 0.15em; break-after: avoid; }}
h3 {{ font-size: 11.5pt; margin: 1.1em 0 0.3em 0; break-after: avoid; }}
h2#appendix, h2.appendix {{ break-before: page; }}
p, li {{ orphans: 3; widows: 3; }}
.subtitle {{ color: #444; margin-bottom: 1em; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1em 0; font-size: 9pt; width: 100%;
         break-inside: auto; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
th, td {{ border-bottom: 1px solid #d8d8d8; padding: 0.25em 0.45em; text-align: left;
          vertical-align: top; }}
thead th {{ background: #eef3f8; border-bottom: 1.5px solid #8aa; }}
td.num, .money td {{ font-variant-numeric: tabular-nums; }}
.money td, .money thead th {{ text-align: right; white-space: nowrap; }}
.money tr.total th, .money tr.total td {{ border-top: 1.5px solid #333; font-weight: bold; }}
.ci {{ color: #555; font-size: 0.92em; }}
.unit {{ font-weight: normal; color: #666; font-size: 0.85em; }}
.answer-table th {{ width: 22%; }}
.answer-table td.others {{ color: #333; font-size: 0.95em; }}
.question {{ font-size: 11pt; background: #f5f7fa; border-left: 4px solid #0072B2;
             padding: 0.5em 0.8em; }}
.in-short {{ font-size: 11.5pt; }}
.how-to-read, .note {{ color: #444; font-size: 9.5pt; }}
.fairness tr.flag td {{ background: #fde8e0; font-weight: bold; }}
.warnings li {{ color: #8a2b00; }}
img {{ max-width: 100%; height: auto; display: block; margin: 0.5em auto;
       break-inside: avoid; page-break-inside: avoid; }}
.anchor-link {{ display: none; }}
.jp-MarkdownCell, .text_cell {{ break-after: avoid; }}
@media print {{ img {{ max-height: 245mm; width: auto; }} }}
.fairness td:nth-child(3), .fairness td:nth-child(4) {{ white-space: nowrap; }}
.uncertainty td:nth-child(2) {{ white-space: nowrap; }}
table.money, table.answer-table tr {{ break-inside: avoid; }}
.simlib-assumptions {{ font-size: 7.5pt; }}
.simlib-assumptions td {{ word-break: break-word; }}
.simlib-assumptions:not(.simlib-levers) td:nth-child(3),
.simlib-assumptions:not(.simlib-levers) td:nth-child(4),
.simlib-assumptions:not(.simlib-levers) th:nth-child(3),
.simlib-assumptions:not(.simlib-levers) th:nth-child(4) {{ white-space: nowrap; }}
code {{ font-family: 'DejaVu Sans Mono', 'Liberation Mono', monospace; font-size: 0.9em; }}
"""


def report_css() -> str:
    """The report's style in the language in force: its fonts and the footer's words."""
    fonts = CJK_FONTS if language() == "zh" else FONTS
    before, after = _("Page {page} of {pages}").split("{page}")
    between, end = after.split("{pages}")
    page_of = " ".join(
        part
        for part in (
            f'"{before}"' if before else "",
            "counter(page)",
            f'"{between}"',
            "counter(pages)",
            f'"{end}"' if end else "",
        )
        if part
    )
    return REPORT_CSS_TEMPLATE.format(FONTS=fonts, PAGE_OF=page_of)


# The English style (kept for readers of the constant).
REPORT_CSS = REPORT_CSS_TEMPLATE.format(
    FONTS=FONTS, PAGE_OF='"Page " counter(page) " of " counter(pages)'
)


_HTML_LANG = {"en": "en", "zh": "zh-Hans"}


class ReportError(ScenarioError):
    """The report could not be made (for example, no PDF renderer is installed)."""


def document(body: str, title: str) -> str:
    """A standalone HTML page: ``title`` in ``<title>``, the report's style, ``body``; a
    Chinese page carries the glyphs it uses of the CJK font, so it needs no system font."""
    style = report_css()
    if language() == "zh":
        style = embedded_font_face(title + body + style) + style
    return (
        f"<!DOCTYPE html>\n<html lang='{_HTML_LANG[language()]}'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{style}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def notebook_body(notebook_path: Path) -> str:
    """The executed notebook's outputs and text as HTML, every code input hidden."""
    import nbformat
    from nbconvert import HTMLExporter

    node = nbformat.read(str(notebook_path), as_version=4)
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _resources = exporter.from_notebook_node(node)
    return body


def render_html(notebook_path: Path, html_path: Path, title: str | None = None) -> None:
    """Render an executed report notebook to a standalone HTML page, code hidden.

    ``title`` (the scenario's name) goes into ``<title>``; default: the notebook's name.
    """
    body = notebook_body(notebook_path)
    atomic_write_text(html_path, document(body, title or Path(notebook_path).stem))


def _page_language(page: object) -> str:
    """``zh`` if the page says it is Chinese (``<html lang='zh-Hans'>``), else ``en``."""
    root = getattr(page, "etree_element", None)
    code = root.get("lang", "") if root is not None else ""
    return "zh" if str(code).lower().startswith("zh") else "en"


def write_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Render the HTML report to an A4 PDF beside it, with WeasyPrint.

    Raises
    ------
    ReportError
        With a one-line reason if WeasyPrint (or the Pango library it needs) is missing or
        the page cannot be rendered.
    """
    try:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReportError(
            f"report.pdf could not be made: WeasyPrint is not available ({reason}); "
            "install it with 'pip install weasyprint' (it needs the Pango library)"
        ) from None
    try:
        page = HTML(filename=str(html_path), base_url=str(Path(html_path).parent))
        # A Chinese page names the CJK font file for the PDF only (the HTML stays portable).
        face = css_font_face(_page_language(page))
        fonts = FontConfiguration()  # loads the @font-face file
        sheets = [CSS(string=face, font_config=fonts)] if face else None
        data = page.write_pdf(stylesheets=sheets, font_config=fonts)
    except Exception as exc:  # noqa: BLE001 - any rendering failure becomes one clear line
        raise ReportError(f"report.pdf could not be made: {type(exc).__name__}: {exc}") from None
    if data is None:
        raise ReportError("report.pdf could not be made: the renderer returned nothing")
    return atomic_write_bytes(pdf_path, data)
