"""What people cost and what their work is worth: the money in a comparison.

The simulation counts people, hires, exits and manager hours; this section turns them into
the scenario's currency (the metrics are in :mod:`simlib.metrics.money`). Each default
says where it comes from, or that it is an assumption and over what range to read it.

Output lost while a position is empty and while a new hire gets up to speed is not a
parameter here: the simulation leaves positions empty for ``hiring.time_to_fill_weeks``
(longer when recruiters are busy) and slows new hires over ``hiring.ramp_up_weeks``, so that
loss is already in the value of the output it produces.
"""

from __future__ import annotations

from pydantic import Field

from simlib.scenario.schema import Section
from simlib.scenario.sizes import COSTS, assumption, definition, sourced

# Hours a full-time employee works in a year: OECD Employment Outlook 2023, average annual
# hours actually worked per worker, OECD countries 2022, 1,752.
HOURS_PER_YEAR = 1752.0


class Costs(Section):
    """Costs of people and the value of their output, in the scenario's currency."""

    currency: str | None = Field(
        None,
        min_length=1,
        max_length=8,
        description="currency of every amount; null = the salary bands' currency "
        "(organization.salary_bands.currency), which it must equal when given",
    )
    hiring_cost_share: float = Field(
        0.086,
        ge=0,
        le=2,
        **sourced(
            COSTS,
            "cash cost of one hire (advertising, agencies, recruiters' and interviewers' "
            "time, onboarding), share of the position's yearly salary",
            "SHRM Human Capital Benchmarking Report 2016, average cost per hire USD 4,129 "
            "(2,048 employers), over the US national average wage of 2015, USD 48,099 "
            "(Social Security Administration): 0.086; agency-filled roles cost 0.15-0.30",
            (0.05, 0.3),
            "The whole replacement cost of a leaver, lost output included, has a median of "
            "0.21 of salary across 27 case studies (Boushey & Glynn 2012); the lost output "
            "is simulated here, so only the cash part is a parameter",
        ),
    )
    severance_weeks_policy_exit: float = Field(
        4.0,
        ge=0,
        le=104,
        **assumption(
            COSTS,
            "weeks of pay given to someone the policy's exit rule lets go (bottom grades, "
            "failed PIPs)",
            (0, 26),
            "practice runs from none (US at-will employment) to notice plus statutory pay "
            "in much of Europe",
        ),
    )
    severance_weeks_layoff: float = Field(
        8.0,
        ge=0,
        le=104,
        **assumption(
            COSTS,
            "weeks of pay given to someone laid off",
            (4, 26),
            "a common rule of thumb is one to two weeks of pay per year of service; at a "
            "median tenure of about 4 years (US BLS, Employee Tenure in 2022: 4.1 years) "
            "that is 4-8 weeks; law and practice vary by country",
        ),
    )
    severance_weeks_discharge: float = Field(
        0.0,
        ge=0,
        le=104,
        **assumption(
            COSTS,
            "weeks of pay given to someone discharged for cause",
            (0, 4),
            "a discharge for cause usually carries none",
        ),
    )
    labour_share: float = Field(
        0.6,
        ge=0.05,  # below, output would be worth over 20 salaries a head (or overflow)
        le=1,
        **assumption(
            COSTS,
            "share of the value an average full-speed employee adds that is paid to them "
            "in salary; it prices output when output_value_per_point is null: an average "
            "hire's 100 index points are worth the mean salary / labour_share a year",
            (0.4, 0.8),
            "labour's share of value added is about 0.55-0.65 in OECD economies (OECD "
            "Employment Outlook 2018, ch. 2; ILO 2019 puts the world's at 0.51); any one "
            "organization's may differ",
        ),
    )
    output_value_per_point: float | None = Field(
        None,
        ge=0,
        le=1e9,
        **definition(
            COSTS,
            "value of one index point of output (business value) per head per year "
            "(currency); null = derived from the salary bands and labour_share",
            "what one more point of output is worth to this organization, as the scenario "
            "states it; when null, labour_share (an assumption with a range) prices it",
        ),
    )
    manager_hourly_rate: float | None = Field(
        None,
        ge=0,
        le=1e6,
        **sourced(
            COSTS,
            "loaded cost of one manager hour (currency); null = the manager band's "
            "midpoint over 1,752 hours a year divided by 0.70",
            "OECD Employment Outlook 2023, hours worked per worker 2022: 1,752 a year; "
            "US BLS Employer Costs for Employee Compensation, private industry, 2023: "
            "wages are 70% of the cost of compensation",
        ),
    )
