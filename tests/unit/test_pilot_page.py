"""The pilot page: power curves and advice, written atomically and joinable to the report."""

from __future__ import annotations

import pandas as pd
import pytest

from simlib.analysis.pilot import COLUMNS, recommendations
from simlib.errors import ScenarioError
from simlib.present.pilot_page import pilot_section_from, power_figure, write_pilot_page


def _table() -> pd.DataFrame:
    rows = []
    for units in (5, 10, 20):
        for cycles in (1, 2):
            for metric, scale in (("engagement", 1.0), ("voluntary_attrition", 0.2)):
                power = min(1.0, scale * (0.2 + 0.03 * units + 0.1 * cycles))
                rows.append([units, cycles, metric, 0.05, 0.05, power, 0.05])
    return pd.DataFrame(rows, columns=COLUMNS)


def test_one_panel_per_metric_one_line_per_cycles_and_the_80_line():
    fig = power_figure(_table(), "title")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == ["Engagement", "Voluntary attrition"]
    for ax in panels:
        assert [line.get_label() for line in ax.lines[:2]] == ["1 cycle", "2 cycles"]
        assert list(ax.lines[0].get_xdata()) == [5, 10, 20]
        flat = [line for line in ax.lines if set(line.get_ydata()) == {0.8}]
        assert flat, "the 80% line"


def test_the_page_says_the_recommendation_and_joins_the_report(tmp_path):
    table = _table()
    page, png = write_pilot_page(table, recommendations(table), tmp_path, "Pilot of a vs b")
    text = page.read_text()
    assert "Pilot of a vs b" in text
    assert "Pilot in 20 units for 1 cycle" in text  # engagement reaches 0.8 at 20 x 1
    assert "No design in range reaches 80% power on voluntary_attrition" in text
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert not list(tmp_path.glob("*.tmp*"))  # nothing half-written left behind
    table.to_csv(tmp_path / "pilot.csv", index=False)  # as simlib pilot writes it
    section = pilot_section_from(tmp_path)
    assert section.startswith("<section class='pilot'>") and "data:image/png;base64," in section
    with pytest.raises(ScenarioError, match="holds no pilot.csv"):
        pilot_section_from(tmp_path / "elsewhere")
