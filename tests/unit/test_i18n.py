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
from simlib.scenario.fields import walk

PACKAGE = Path(simlib.__file__).resolve().parent
ROOT = PACKAGE.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def schema_models() -> list[type]:
    """Every section model of the scenario schema (items of lists and mappings included)."""
    from simlib.scenario.definition import Scenario
    from simlib.scenario.schema import Section

    models, todo = [Scenario], list(Section.__subclasses__())
    while todo:
        model = todo.pop()
        models.append(model)
        todo.extend(model.__subclasses__())
    return models


def schema_descriptions() -> dict[str, list[str]]:
    """Every scenario field's description (a lever's tooltip, ``simlib check --explain``'s
    meaning): messages too, translated where they are shown."""
    found: dict[str, list[str]] = {}
    for model in schema_models():
        for record in walk(model):
            if record.description:
                found.setdefault(record.description, []).append(f"schema: {record.dotted}")
    return found


def extracted() -> dict[str | tuple[str, str], list[str]]:
    """Every message the code marks for translation (Babel's extractor over simlib/), and
    every field description of the scenario schema, with where it was found."""
    from babel.messages.extract import extract_from_dir

    found: dict[str | tuple[str, str], list[str]] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), keywords=KEYWORDS, comment_tags=()
    ):
        key = tuple(message) if isinstance(message, tuple) else message
        found.setdefault(key, []).append(f"{filename}:{line}")  # type: ignore[arg-type]
    for description, where in schema_descriptions().items():
        found.setdefault(description, []).extend(where)
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


# Modules whose every user-facing string must be marked for the catalog.
USER_FACING = (
    "errors.py",
    "scenario/problems.py",
    "scenario/schema.py",
    "scenario/loading.py",
    "scenario/fields.py",
    "scenario/dotted.py",
    "scenario/definition.py",
    "scenario/organization.py",
    "scenario/policy.py",
    "scenario/rating.py",
    "scenario/report_settings.py",
    "present/batch_index.py",
    "present/batch_summary.py",
    "present/tables.py",
    "present/voila.py",
    "present/pilot_page.py",
    "present/explorer.py",
    "present/explorer_pilot.py",
    "present/levers.py",
    "cli/failures.py",
    "engine/guards.py",
    "cli/pilot.py",
    "cli/main.py",
    "analysis/pilot.py",
    "cli/calibrate.py",
    "calibration/observed.py",
    "calibration/draws.py",
    "calibration/fit.py",
    "calibration/report.py",
    "calibration/outputs.py",
)
# Calls whose text argument a user reads, and keywords that carry such text.
SHOWN_BY = {"print", "ScenarioError", "ValueError", "ArgumentTypeError", "announce", "HTML"}
SHOWN_AS = {"help", "description", "placeholder", "tooltip", "title", "value"}
# Text a user reads that is not words of a language: markup, units of code, names.
NOT_WORDS = re.compile(r"<[^>]*>|&\w+;|\{[^{}]*\}|\b(?:simlib|voila|Voila|YAML|CSV|PNG|HTML)\b")


def _words(node) -> str:
    """The literal text of a string or f-string node, without markup and placeholders."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    else:
        return ""
    return NOT_WORDS.sub(" ", text)


# Deliberate exceptions: (module, text) read the same in every language.
ALLOWED = {("present/explorer.py", "Language / 语言")}  # the selector names both languages
SCHEMA_CALLS = {"Field", "sized"}  # field descriptions: checked through schema_descriptions()


def _leaves(node) -> list:
    """The string parts of a text expression (``"<p>" + x + "</p>"``), leaving out what a
    marked call (``_()``, ``ngettext()``…) already translates."""
    import ast

    if isinstance(node, (ast.Constant, ast.JoinedStr)):
        return [node]
    if isinstance(node, ast.BinOp):
        return _leaves(node.left) + _leaves(node.right)
    if isinstance(node, ast.IfExp):
        return _leaves(node.body) + _leaves(node.orelse)
    return []


def unmarked_messages(source: str, name: str) -> list[str]:
    """Literal English text handed to the user without passing through the catalog: an
    argument of print/ScenarioError/ValueError/…, or a help=, description=, tooltip=, … text,
    or a widget's ``.value``/``.description`` set to a literal."""
    import ast

    tree = ast.parse(source)
    shown = []
    for node in ast.walk(tree):
        texts = []
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called in KEYWORDS or called in SCHEMA_CALLS:
                continue
            if called in SHOWN_BY:
                texts += node.args[:1]
            texts += [k.value for k in node.keywords if k.arg in SHOWN_AS]
        elif isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Attribute) and t.attr in SHOWN_AS for t in node.targets):
                texts.append(node.value)
        for text in texts:
            for part in _leaves(text):
                words = _words(part)
                if (
                    re.search(r"[A-Za-z]{3,}", words)
                    and (name, getattr(part, "value", None)) not in ALLOWED
                ):
                    shown.append((part.lineno, f"{name}:{part.lineno}: {words.strip()[:60]!r}"))
    return [line for _at, line in sorted(shown)]


def test_every_user_facing_string_in_these_modules_is_marked_for_the_catalog():
    found = []
    for name in USER_FACING:
        found += unmarked_messages((PACKAGE / name).read_text(encoding="utf-8"), name)
    assert not found, "unmarked messages:\n" + "\n".join(found)


def test_the_scan_finds_an_unmarked_message():
    """The scan above would notice a new message written without ``_()``."""
    added = (
        "def f(path):\n"
        "    raise ScenarioError(f'{path}: cannot be read')\n"
        "def g(parser, w):\n"
        "    parser.add_argument('--x', help='how many')\n"
        "    w.button.description = 'Run now'\n"
        "    print(_('marked') + ' and not marked')\n"
    )
    found = unmarked_messages(added, "new.py")
    assert [line.split(":")[1] for line in found] == ["2", "4", "5", "6"], found
    assert not unmarked_messages("raise ValueError(_('marked {x}').format(x=1))\n", "ok.py")


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_field_of_the_schema_has_its_words_for_the_explorer():
    from simlib.present.lever_words import CHOICES, FIELD_WORDS
    from simlib.present.levers import choice_label

    records = [r for model in schema_models() for r in walk(model)]
    names = {str(r.path[-1]).replace("_", " ") for r in records}
    assert names - set(FIELD_WORDS) == set()
    choices = {c for r in records if r.kind == "choice" for c in r.choices if isinstance(c, str)}
    assert {c.replace("_", " ") for c in choices} - set(CHOICES) == set()
    assert choice_label("largest_remainder") == "largest_remainder"  # English: the value
    with i18n.use("zh"):
        assert all(CJK.search(choice_label(c)) for c in choices)
        assert choice_label("largest_remainder") == "最大余数法"


def test_the_explorer_levers_speak_chinese_with_their_paths_kept():
    from simlib.present.levers import group_title, levers
    from simlib.scenario.loading import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "policy_showdown.yaml")
    english = levers(scenario, "forced_distribution")
    with i18n.use("zh"):
        chinese = levers(scenario, "forced_distribution")
        titles = {group_title(lv.group) for lv in chinese}
    assert [lv.path for lv in chinese] == [lv.path for lv in english]
    for en, zh in zip(english, chinese, strict=True):
        if en.label.split(" · ")[-1] not in scenario.policies["forced_distribution"].rating.grades:
            assert CJK.search(zh.label), (en.label, zh.label)
        if en.description:
            assert CJK.search(zh.description) and zh.path in zh.tooltip, en.path
        if en.unit and en.unit != "0-1":
            assert CJK.search(zh.unit), en.unit
    assert all(CJK.search(t) for t in titles), titles
    assert "forced_distribution: 绩效评级" in titles and "评价者" in titles
    by_path = {lv.path: lv for lv in chinese}
    assert by_path["policies.forced_distribution.rating.ranking_unit"].label == "排名单元"
    quits = by_path["behaviour.voluntary_quit_rate"]
    assert quits.label == "主动离职率" and quits.group == "assumptions: general"
    assert "年度主动离职率" in quits.tooltip and "Scullen, Bergey & Aiman-Smith" in quits.tooltip
    assert quits.tooltip.endswith("\nbehaviour.voluntary_quit_rate")


def test_scenario_problems_are_told_in_chinese_with_the_paths_as_written(
    tmp_path, capsys, monkeypatch
):
    from simlib.cli.main import main

    monkeypatch.setenv(i18n.ENV, "en")  # --lang sets it; restored after the test
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\norganization: {headcount: 0, span_of_control: 6, headcont: 3}\n"
        "policies:\n  a: {preset: OKR}\n"
        "  b: {preset: forced_distribution, rating: {shares: [0.1, 0.2, 0.6, 0.1]}}\n"
        "experiment: {reps: 2, baseline: c}\n"
    )
    assert main(["--lang", "zh", "check", str(bad)]) == 2
    said = capsys.readouterr().err
    lines = [line.removeprefix("  - ") for line in said.splitlines()[1:]]
    assert said.splitlines()[0].endswith("5 个问题")
    paths = [line.split("：")[0] for line in lines]
    assert paths == [
        "policies.a.preset",
        "policies.b.rating.shares",
        "organization.headcount",
        "organization.headcont",
        "experiment.baseline",
    ]
    for line in lines:
        line = re.split("可选：|此处有效的键：", line)[0]  # what follows lists names (code)
        words = re.sub(r"[\w.]*_\w*|'[^']*'|\{[^}]*\}|\b[a-z]+\.[\w.]+", "", line.split("：", 1)[1])
        assert CJK.search(line) and not re.search(r"\b[a-z]{4,}\b", words), line


def test_the_batch_index_speaks_chinese_and_carries_its_glyphs():
    from simlib.i18n.fonts import CJK_FAMILY
    from simlib.present.batch_index import index_html
    from simlib.present.batch_plan import ScenarioRun

    runs = [
        ScenarioRun("scenarios/a.yaml", "a", "k", status="ok", files=["report.html"]),
        ScenarioRun("scenarios/b.yaml", "b", "k", status="failed", error="boom"),
    ]
    english = index_html(runs, Path("compare.ipynb"), {"reps": 3})
    assert "2 scenarios, 1 failed" in english and "FAILED" in english
    assert "@font-face" not in english and not CJK.search(english)
    with i18n.use("zh"):
        page = index_html(runs, Path("compare.ipynb"), {"reps": 3})
    assert 'lang="zh-Hans"' in page and "2 个情景，1 个失败。笔记本" in page
    assert "<th>状态</th>" in page and ">失败<" in page
    assert f"font-family: '{CJK_FAMILY}'" in page and "data:font/otf;base64," in page


def test_the_command_line_s_own_words_and_errors_speak_chinese(capsys, monkeypatch):
    from simlib.cli.main import main

    monkeypatch.setenv(i18n.ENV, "en")  # --lang sets it; restored after the test
    with pytest.raises(SystemExit):
        main(["--lang", "zh", "check", "--help"])
    shown = capsys.readouterr().out
    assert shown.startswith("用法：simlib check") and "选项" in shown
    assert "显示此帮助信息并退出" in shown and "show this help" not in shown
    with pytest.raises(SystemExit):
        main(["--lang", "zh", "pilot", "x.yaml", "--policy", "a", "--out", "o", "--units", "x"])
    said = capsys.readouterr().err
    assert "参数 --units：无效的选择 'x'" in said and "invalid choice" not in said
    with pytest.raises(SystemExit):
        main(["--lang", "en", "check"])
    said = capsys.readouterr().err
    assert said.startswith("usage: simlib check") and "arguments are required: file" in said
