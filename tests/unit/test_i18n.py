"""Messages in English and Chinese: every user-facing message has its Chinese translation, the
language is chosen by ``--lang``, ``SIMLIB_LANG`` or a ``with`` block, and the words a client
reads (labels, units, report sentences) change with it while English stays as it was."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

import simlib
from simlib import i18n
from simlib.i18n import _, ngettext
from simlib.metrics.catalogue import FAMILIES, METRICS
from simlib.present import report, wording

PACKAGE = Path(simlib.__file__).resolve().parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> dict[str | tuple[str, str], list[str]]:
    """Every message the code marks for translation (Babel's extractor over simlib/), with
    where it was found."""
    from babel.messages.extract import extract_from_dir

    found: dict[str | tuple[str, str], list[str]] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), keywords=KEYWORDS, comment_tags=()
    ):
        key = tuple(message) if isinstance(message, tuple) else message
        found.setdefault(key, []).append(f"{filename}:{line}")  # type: ignore[arg-type]
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_user_facing_message_has_a_chinese_translation():
    catalog = i18n.messages("zh")
    found = extracted()
    assert len(found) > 200  # the reports, charts, explorer and CLI are all marked
    missing = [f"{m!r} ({where[0]})" for m, where in found.items() if m not in catalog]
    assert not missing, "untranslated messages:\n" + "\n".join(missing)


def test_translations_keep_every_placeholder_and_are_chinese():
    catalog = i18n.messages("zh")
    for message, translated in catalog.items():
        source = message[1] if isinstance(message, tuple) else message
        text = translated[0] if isinstance(translated, tuple) else translated
        assert fields(text) == fields(source), (message, text)
        words = re.sub(r"\{[^{}]*\}", "", source)  # placeholders are code, not words
        if re.search(r"[A-Za-z]{3}", words) and len(words) > 3:
            assert re.search(r"[\u4e00-\u9fff]", text), (message, text)


def test_the_catalog_holds_no_message_the_code_no_longer_uses():
    stale = set(i18n.messages("zh")) - set(extracted())
    assert not stale, sorted(map(str, stale))


def test_the_catalog_uses_the_terms_of_chinese_hr_practice():
    with i18n.use("zh"):
        assert _("PIPs") == "绩效改进计划"
        assert "校准会" in _(METRICS["manager_hours"].unit)
        assert _("top grades") == "高绩效等级"
        assert "强制分布" in _(
            "Every check passed: headcount stays at or above 95% of positions, no policy's "
            "advantage comes from empty positions, and every forced distribution ranks within "
            "units large enough for its grade shares."
        )


def test_the_language_comes_from_a_with_block_then_the_environment_then_english(monkeypatch):
    monkeypatch.setenv(i18n.ENV, "en")  # restored (removed) after the test
    assert i18n.language() == "en"
    assert _("Money") == "Money"
    monkeypatch.setenv(i18n.ENV, "zh_CN.UTF-8")
    assert i18n.language() == "zh"
    assert _("Money") == "财务"
    with i18n.use("en"):
        assert _("Money") == "Money"
    assert _("Money") == "财务"
    monkeypatch.setenv(i18n.ENV, "fr")  # unknown: English
    assert _("Money") == "Money"


def test_an_unknown_language_is_refused_naming_the_languages_there_are():
    with pytest.raises(ValueError, match=r"unknown language 'fr'; one of en .*zh"):
        i18n.check("fr")
    with pytest.raises(ValueError), i18n.use("klingon"):
        pass


def test_plural_forms_follow_the_language():
    args = ("{count} other variation", "{count} other variations")
    assert ngettext(*args, 1) == args[0]
    assert ngettext(*args, 2) == args[1]
    with i18n.use("zh"):
        said = ngettext(
            "; {count} other variation flip it too", "; {count} other variations flip it too", 3
        )
        assert said.format(count=3) == "；另有 3 个变体也会使其翻转"


def test_an_untranslated_message_falls_back_to_english():
    with i18n.use("zh"):
        assert _("a message nobody wrote") == "a message nobody wrote"


def test_metric_labels_and_units_are_translated_in_one_place_the_catalogue():
    for name in METRICS:
        english = wording.label(name)
        assert english == METRICS[name].label
        with i18n.use("zh"):
            chinese = wording.label(name)
            assert chinese != english and re.search(r"[\u4e00-\u9fff]", chinese), name
            assert wording.unit(name) != METRICS[name].unit or not METRICS[name].unit
    assert wording.label("grade_share:S") == "Share graded S"
    with i18n.use("zh"):
        assert wording.label("grade_share:S") == "评为 S 的比例"
        assert set(FAMILIES) <= {f.prefix for f in FAMILIES.values()}


def test_numbers_keep_their_form_and_take_chinese_units():
    assert wording.interval(0.034, 0.007, 0.06, "share") == ("+3.4 percentage points", "[0.7, 6.0]")
    with i18n.use("zh"):
        assert wording.interval(0.034, 0.007, 0.06, "share") == ("+3.4 个百分点", "[0.7, 6.0]")
        assert wording.money(34_644_969.0, "EUR") == "€34.6 百万"


def test_report_headings_follow_the_language():
    assert report.heading("money") == "<h2>Money</h2>"
    assert "class='appendix'" in report.heading("appendix")
    with i18n.use("zh"):
        assert report.heading("money") == "<h2>财务</h2>"
        assert "九宫格" in report.heading("nine_box")


def test_the_cli_takes_lang_and_passes_it_on_to_notebooks(monkeypatch, capsys, tmp_path):
    from simlib.cli.main import main

    monkeypatch.setenv(i18n.ENV, "en")  # restored (removed) after the test
    code = main(["--lang", "zh", "show", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("simlib：错误：") and "此处没有保存的比较" in err
    import os

    assert os.environ[i18n.ENV] == "zh"  # the batch's notebooks inherit it
    monkeypatch.setenv(i18n.ENV, "en")
    assert main(["show", str(tmp_path)]) == 2
    assert "no saved comparison here" in capsys.readouterr().err


def test_the_cli_refuses_an_unknown_language(capsys):
    from simlib.cli.main import main

    with pytest.raises(SystemExit) as stop:
        main(["--lang", "xx", "show", "."])
    assert stop.value.code == 2
    assert "unknown language 'xx'" in capsys.readouterr().err


def test_no_message_hides_inside_an_f_string_where_extraction_cannot_see_it():
    """Babel does not read ``f"{_('text')}"``: such a message would never reach the catalog,
    so the test above could not miss it. Every literal message stands outside f-strings."""
    import ast

    hidden = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in KEYWORDS
                    and inner.args
                    and isinstance(inner.args[0], ast.Constant)
                ):
                    hidden.append(f"{path.relative_to(PACKAGE)}:{inner.lineno}")
    assert not hidden, hidden


def test_no_module_that_translates_rebinds_the_underscore():
    """``_`` is the translation function wherever it is imported: a throwaway ``_`` in the
    same module would shadow it (and fail only when that line runs)."""
    import ast

    shadowed = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports = any(
            isinstance(n, ast.ImportFrom)
            and (n.module or "").startswith("simlib.i18n")
            and any(a.name == "_" for a in n.names)
            for n in ast.walk(tree)
        )
        if not imports:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                shadowed.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not shadowed, shadowed


def test_the_explorer_language_selector_relabels_the_page_and_redraws(tmp_path, monkeypatch):
    pytest.importorskip("ipywidgets")
    from simlib.present.explorer import Explorer

    monkeypatch.setenv(i18n.ENV, "en")  # restored (removed) after the test
    small = tmp_path / "small.yaml"
    small.write_text(
        "name: small\norganization: {headcount: 40, span_of_control: 6}\n"
        "environment: {years: 1}\npolicies:\n  absolute: {preset: absolute}\n"
        "  curve: {preset: forced_distribution}\n"
        "experiment: {reps: 2, seed: 5, baseline: absolute}\n"
    )
    explorer = Explorer(scenario=small, years=1, reps=2, live=False)
    assert explorer.run_button.description == "Run"
    assert explorer.run() is not None
    english = bytes(explorer.tabs.children[0].children[0].value)
    assert "Mean [95% CI]" in explorer.summary.value
    explorer.language_box.value = "zh"
    assert i18n.language() == "zh"
    assert explorer.run_button.description == "运行"
    assert explorer.tabs.get_title(0) == "随时间变化"
    assert (
        "95% 置信区间" in explorer.summary.value and "Mean [95% CI]" not in explorer.summary.value
    )
    chinese = bytes(explorer.tabs.children[0].children[0].value)
    assert chinese.startswith(b"\x89PNG") and chinese != english  # redrawn in Chinese
    explorer.language_box.value = "en"
    assert explorer.run_button.description == "Run"
    assert "Mean [95% CI]" in explorer.summary.value
