"""What the organization is and the world around it: structure, pay bands, horizon,
market shocks, how it hires, and how the experiment is run.

These sections describe the organization as given; the uncertain assumptions about people
live in :mod:`simlib.scenario.behaviour` and :mod:`simlib.scenario.rater_behaviour`, the
levers management may pull in :mod:`simlib.scenario.policy`.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from simlib.i18n import _
from simlib.scenario.schema import Section, check_shares

PolicyName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w][\w .\-]*$")]
WEEKS_PER_YEAR = 52


class Department(Section):
    name: str = Field(min_length=1, max_length=64)
    share: float = Field(ge=0, le=1, description="share of headcount (0–1); shares sum to 1")


class SalaryBand(Section):
    min: float = Field(gt=0, le=1e9, description="band minimum (currency per year)")
    max: float = Field(gt=0, le=1e9, description="band maximum (currency per year)")

    @model_validator(mode="after")
    def _ordered(self) -> SalaryBand:
        if self.max < self.min:
            raise ValueError(
                _("max ({high}) must be at least min ({low})").format(high=self.max, low=self.min)
            )
        return self

    @property
    def midpoint(self) -> float:
        return 0.5 * (self.min + self.max)


class SalaryBands(Section):
    currency: str = Field("EUR", min_length=1, max_length=8)
    individual_contributor: SalaryBand = SalaryBand(min=45_000, max=75_000)
    manager: SalaryBand = SalaryBand(min=70_000, max=110_000)


class Organization(Section):
    """Who works here: size, structure, demographic groups and pay bands."""

    name: str = Field("Organization", max_length=120)
    headcount: int = Field(500, ge=2, le=2_000_000, description="positions, managers included")
    departments: list[Department] = Field(
        default_factory=lambda: [Department(name="Company", share=1.0)],
        min_length=1,
        max_length=200,
    )
    span_of_control: int = Field(8, ge=2, le=200, description="team members per manager")
    include_managers: bool = Field(
        True,
        description="managers are employees too (rated in their department's "
        "management team); false models ratees only, each team with a rater of its own",
    )
    groups: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=lambda: {"all": 1.0},
        description="demographic groups (label -> share), used only to audit bias",
    )
    group_clustering: float = Field(
        0.0,
        ge=0,
        le=1,
        description="how far demographic groups cluster by team (0–1): each person, at hire, "
        "joins their team's own group with this probability, else the organization's mix; "
        "0 = groups independent of team, 1 = teams as homogeneous as the shares allow",
    )
    salary_bands: SalaryBands = Field(default_factory=SalaryBands)
    potential_distribution: Literal["normal", "pareto"] = Field(
        "normal", description="distribution of applicants' potential (both standardized)"
    )
    pareto_shape: float = Field(3.0, gt=2.05, le=50, description="tail index of 'pareto'")
    initial_workforce: Literal["hired", "population"] = Field(
        "hired",
        description="'hired': today's staff were selected by today's hiring system (a steady "
        "state); 'population': staff drawn from the applicant population",
    )

    @model_validator(mode="after")
    def _structure(self) -> Organization:
        check_shares(
            {d.name: d.share for d in self.departments}, _("organization.departments shares")
        )
        if len({d.name for d in self.departments}) != len(self.departments):
            raise ValueError(_("organization.departments names must be distinct"))
        check_shares(self.groups, _("organization.groups shares"))
        team_size = self.span_of_control + (1 if self.include_managers else 0)
        teams = math.ceil(self.headcount / team_size)
        if teams < len(self.departments):
            raise ValueError(
                _(
                    "{departments} departments need at least {positions} positions at span of "
                    "control {span}; headcount is {headcount}"
                ).format(
                    departments=len(self.departments),
                    positions=len(self.departments) * (2 if self.include_managers else 1),
                    span=self.span_of_control,
                    headcount=self.headcount,
                )
            )
        return self


class MarketShock(Section):
    week: int = Field(ge=0, le=100 * WEEKS_PER_YEAR, description="week the shock starts")
    size_sd: float = Field(ge=-5, le=5, description="change in demand-driven output (SD units)")
    duration_weeks: int | None = Field(
        None, ge=1, le=100 * WEEKS_PER_YEAR, description="how long it lasts; null = for good"
    )


class Environment(Section):
    """The world around the organization: horizon, review rhythm, shocks, pay market."""

    years: int = Field(5, ge=1, le=100, description="simulated horizon (years)")
    weeks_per_cycle: int = Field(52, ge=4, le=104, description="weeks between reviews")
    exit_check_weeks: int = Field(
        4, ge=1, le=104, description="how often quit decisions are drawn (weeks)"
    )
    market_shocks: list[MarketShock] = Field(default_factory=list, max_length=1000)
    random_shocks_per_year: float = Field(0.0, ge=0, le=12)
    random_shock_size_sd: float = Field(0.5, ge=0, le=5)
    random_shock_weeks: int = Field(13, ge=1, le=520)
    pay_drift: float = Field(
        0.03, ge=-0.2, le=0.5, description="yearly growth of market pay (share)"
    )

    @property
    def weeks(self) -> int:
        return self.years * WEEKS_PER_YEAR


# Positions per recruiter when a scenario does not say: the capacity of the shipped default
# (2 recruiters x 12 requisitions for 500 people) kept per head, so that a larger
# organization is not starved of hires. An assumption; SHRM's 2016 Human Capital
# Benchmarking Report puts all HR staff at about 1.3 per 100 employees, of whom recruiters
# are a part.
HEADS_PER_RECRUITER = 250


def default_recruiters(headcount: int) -> int:
    """Recruiters of an organization of ``headcount`` positions that states none."""
    return max(1, math.floor(headcount / HEADS_PER_RECRUITER + 0.5))


class Hiring(Section):
    """How vacancies are filled."""

    selection_ratio: float = Field(
        0.10,
        ge=0.0001,
        le=1,
        description="hires per applicant; each hire is the best of 1/ratio (at most 10,000)",
    )
    selection_validity: float = Field(
        0.30, ge=0, le=1, description="correlation of the selection score with potential"
    )
    time_to_fill_weeks: float = Field(8.0, ge=0, le=104, description="mean weeks per vacancy")
    recruiters: int | None = Field(
        2,
        ge=1,
        le=100_000,
        description="recruiters working in parallel; null = unlimited. Not stated: one per "
        f"{HEADS_PER_RECRUITER} positions (at least one), 2 for the default 500",
    )
    requisitions_per_recruiter: int = Field(
        12, ge=1, le=200, description="vacancies one recruiter works on at once"
    )
    start_date_weeks: int = Field(
        1,
        ge=1,
        le=13,
        description="weeks between start dates: a hire starts on the start date nearest the "
        "end of their search, at the earliest the first after it began (an assumption of the "
        "model's calendar: 1 = any week, 4 = a monthly start date; fewer events, the same mean "
        "time to fill while that is well above the spacing)",
    )
    ramp_up_weeks: int = Field(12, ge=0, le=104, description="weeks for a hire to reach full speed")
    ramp_up_deficit_sd: float = Field(
        1.0, ge=0, le=5, description="performance shortfall on day one (SD units)"
    )

    @property
    def applicants_per_hire(self) -> int:
        return max(1, round(1.0 / self.selection_ratio))


class Experiment(Section):
    """How to run the comparison."""

    reps: int = Field(10, ge=1, le=100_000, description="replications per policy")
    seed: int = Field(0, ge=0, le=2**63 - 1)
    baseline: PolicyName | None = Field(None, description="policy to compare against")
    policies: list[PolicyName] | None = Field(
        None, description="policies to compare (default: all declared)"
    )
