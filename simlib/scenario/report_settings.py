"""What the scenario's report is about: the outcomes its summary and charts lead with.

``report: {metrics: [business_value, engagement]}`` names the metrics (catalogue names, see
:mod:`simlib.metrics.catalogue`) the report states a recommendation for and charts over
time; headcount is always charted. Left out, the report uses its default objectives. The
names are checked against the catalogue when a comparison starts
(:func:`simlib.metrics.catalogue.check_metric_names`), since the schema sits below it.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from simlib.i18n import _
from simlib.scenario.schema import Section


class ReportSettings(Section):
    """The outcomes a scenario's report leads with."""

    metrics: list[str] | None = Field(
        None,
        min_length=1,
        max_length=9,
        description="metrics (catalogue names, e.g. business_value) the report's summary "
        "recommends on and charts over time, 1 to 9; null = the report's default objectives "
        "(net value, business value, workforce potential, turnover, engagement, fairness, "
        "the rating gap, manager hours)",
    )

    @field_validator("metrics")
    @classmethod
    def _distinct(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return value
        repeated = sorted({m for m in value if value.count(m) > 1})
        if repeated:
            raise ValueError(_("listed more than once: {names}").format(names=", ".join(repeated)))
        return value
