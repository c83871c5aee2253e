"""The index page of a batch: every scenario with its status, time, links and error."""

from __future__ import annotations

import datetime as _dt
import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from simlib.i18n import N_, _, language, ngettext
from simlib.i18n.fonts import CJK_FAMILY, embedded_font_face
from simlib.present.batch_plan import REPORT, ScenarioRun
from simlib.storage.atomic import atomic_write_text, make_readable
from simlib.version import __version__

_STATUS_STYLE = {
    "ok": (N_("ok"), "#1b7f3b"),
    "skipped": (N_("ok (up to date, not re-run)"), "#1b7f3b"),
    "failed": (N_("FAILED"), "#b00020"),
    "interrupted": (N_("not run (batch interrupted)"), "#8a6d00"),
    "pending": (N_("not run"), "#8a6d00"),
}


def _link(name: str, file: str) -> str:
    return f"<a href='{quote(name)}/{quote(file)}'>{html.escape(file)}</a>"


def index_html(runs: Sequence[ScenarioRun], notebook: Path, parameters: dict[str, Any]) -> str:
    """The batch's index page: every scenario with its status, time, links and error."""
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    failed = [r for r in runs if r.status == "failed"]
    rows = []
    for run in runs:
        label, colour = _STATUS_STYLE.get(run.status, (run.status, "#333"))
        report = _link(run.name, REPORT) if REPORT in run.files else ""
        others = " · ".join(_link(run.name, f) for f in run.files if f != REPORT)
        error = f"<pre>{html.escape(run.error)}</pre>" if run.error else ""
        rows.append(
            "<tr>"
            f"<td><b>{html.escape(run.name)}</b><br><small>{html.escape(run.source)}</small></td>"
            f"<td class='status-{html.escape(run.status)}' style='color:{colour}'>"
            f"<b>{html.escape(_(label))}</b></td>"
            f"<td style='text-align:right'>{run.seconds:.1f} s</td>"
            f"<td>{report}</td><td><small>{others}</small>{error}</td>"
            "</tr>"
        )
    params = html.escape(json.dumps(parameters, sort_keys=True)) if parameters else _("none")
    summary = (
        ngettext(
            "{count} scenario, {failed} failed", "{count} scenarios, {failed} failed", len(runs)
        ).format(count=len(runs), failed=len(failed))
        if runs
        else _("no scenarios")
    )
    words = {
        "title": _("simlib batch reports"),
        "heading": _("Policy comparison reports"),
        "about": _(
            "Notebook {notebook}, parameters {parameters}, simlib {version}, generated {when}."
        ).format(
            notebook=f"<code>{html.escape(notebook.name)}</code>",
            parameters=f"<code>{params}</code>",
            version=html.escape(__version__),
            when=now,
        ),
        "head": "".join(
            f"<th>{html.escape(h)}</th>"
            for h in (_("Scenario"), _("Status"), _("Time"), _("Report"), _("Files"))
        ),
    }
    lang = "zh-Hans" if language() == "zh" else "en"
    words["line"] = _("{summary}. {about}").format(
        summary=html.escape(summary), about=words["about"]
    )
    # Chinese glyphs travel with the page (a machine without CJK fonts shows no boxes).
    shown = "".join(str(v) for v in words.values()) + "".join(rows)
    font = embedded_font_face(shown) if lang != "en" else ""
    if font:
        font += f"body {{ font-family: '{CJK_FAMILY}', system-ui, sans-serif; }}\n"
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{words["title"]}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .5rem .75rem; vertical-align: top; }}
th {{ text-align: left; background: #f4f4f4; }}
pre {{ white-space: pre-wrap; color: #b00020; margin: .3rem 0 0; font-size: .85rem; }}
{font}</style></head><body>
<h1>{words["heading"]}</h1>
<p>{words["line"]}</p>
<table>
<thead><tr>{words["head"]}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""


def write_index(
    out: Path, runs: Sequence[ScenarioRun], notebook: Path, parameters: dict[str, Any]
) -> Path:
    """Write ``OUT/index.html`` atomically."""
    path = atomic_write_text(out / "index.html", index_html(runs, notebook, parameters))
    make_readable([path])
    return path
