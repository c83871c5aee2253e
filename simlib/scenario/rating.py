"""How a policy rates: the rating scheme, who rates, calibration committees and appeals.

Part of a :class:`simlib.scenario.policy.Policy` (DESIGN §4).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from simlib.i18n import _
from simlib.scenario.schema import Section, check_shares
from simlib.scenario.sizes import APPEALS, assumption, sourced

DEFAULT_GRADES = ("S", "A", "B", "C", "D")


class RatingSources(Section):
    """Who rates: weights of each source in the final rating (a 360 policy uses several).

    Weights are relative; a source nobody can give (no peers in a one-person team, no
    subordinates for someone who manages no one) is left out and the rest reweighted.
    """

    supervisor: float = Field(1.0, ge=0, le=1, description="weight of the manager's rating")
    peers: float = Field(0.0, ge=0, le=1, description="weight of the mean peer rating")
    self_rating: float = Field(
        0.0, ge=0, le=1, alias="self", description="weight of the self-rating (lenient)"
    )
    subordinates: float = Field(
        0.0, ge=0, le=1, description="weight of the mean subordinate rating (managers only)"
    )
    peer_count: int = Field(3, ge=1, le=50, description="teammates rating each employee")
    subordinate_count: int = Field(
        5, ge=1, le=200, description="most subordinates rating each manager"
    )

    @model_validator(mode="after")
    def _some_weight(self) -> RatingSources:
        if self.supervisor + self.peers + self.self_rating + self.subordinates <= 0:
            raise ValueError(_("at least one source needs a weight above 0"))
        return self

    @property
    def multi_source(self) -> bool:
        return self.peers > 0 or self.self_rating > 0 or self.subordinates > 0


class CalibrationRule(Section):
    """Calibration committees: meetings that check each manager's ratings against the
    shared performance records and pull them toward what the records support."""

    strength: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share (0–1) of the part of each rating that departs from what the "
        "performance records predict that a meeting removes (with the reliability rater "
        "model, which keeps no records: of each manager's departure from the "
        "organization's rating mean and spread); 0 = no calibration",
    )
    committees: int = Field(1, ge=1, le=1000, description="committees meeting in parallel")
    committee_hours: float = Field(
        80.0,
        gt=0,
        le=10_000,
        description="hours each committee can meet in a review season; departments not "
        "reached keep their uncalibrated ratings",
    )
    minutes_per_employee: float = Field(
        5.0, ge=0, le=120, description="meeting minutes spent per rated employee"
    )
    overhead_hours: float = Field(
        1.0, ge=0, le=40, description="fixed hours per department meeting"
    )


class AppealRule(Section):
    """Rating appeals: who hears them and how often ratings are changed."""

    enabled: bool = Field(True, description="employees may appeal their rating")
    panels: int = Field(
        1,
        ge=1,
        le=10_000,
        description="HR/committee panels hearing appeals in parallel; one panel hears "
        "52 / weeks_per_case cases a year, and appeals beyond that wait in a queue",
    )
    weeks_per_case: float = Field(2.0, gt=0, le=52, description="panel weeks per appeal")
    hours_per_case: float = Field(
        3.0, ge=0, le=200, description="manager hours per appeal (statement, hearing)"
    )
    overturn_share: float = Field(
        0.25,
        ge=0,
        le=1,
        **assumption(
            APPEALS,
            "share of appeals the panel upholds (raising the grade one step) when the "
            "evidence tells it nothing about the rating's error: its leaning toward "
            "appellants; with informative evidence it overturns wrong ratings more often",
            (0.1, 0.4),
            "no published overturn rate for internal rating appeals",
        ),
    )
    evidence_reliability: float = Field(
        0.5,
        ge=0,
        le=1,
        **sourced(
            APPEALS,
            "share (0-1) of the variance of the panel's reading of a case that reflects the "
            "rating's real error (0 = the panel decides by lot)",
            "the panel re-judges the record like a second rater, whose agreement with a "
            "first is about .52 (Viswesvaran, Ones & Schmidt 1996)",
        ),
    )


class QuotaRounding(Section):
    """How a forced distribution's shares become whole people in each ranking unit.

    The shares of a unit of ``n`` rated people are ``n * share`` people per grade. Largest
    remainder gives every grade the whole part of its quota and the people left over to
    the grades with the largest fractional parts, so every unit's counts are the closest
    whole numbers to its quota. Small units rarely reach a small grade: a team of 8 on
    5/20/60/10/5 has a quota of 0.4 D and gets none. ``bottom_grade_min_unit`` can insist on
    one. When two grades have an equal claim on the last person (a team of 10 on
    5/20/60/10/5 has half an S and half a D), ``ties`` decides who gets it.
    """

    method: Literal["largest_remainder"] = Field(
        "largest_remainder",
        description="rounding of each unit's quota to whole people: the whole part of each "
        "grade's quota, the people left over to the largest fractional parts",
    )
    bottom_grade_min_unit: int | None = Field(
        None,
        ge=2,
        le=1_000_000,
        description="units of at least this many rated people give at least one person the "
        "bottom grade, taken from the grade rounded furthest above its quota (null = off: "
        "the shares alone decide)",
    )
    ties: Literal["random", "better"] = Field(
        "random",
        description="a tie at a grade boundary: grades with equal claims on a unit's last "
        "person, or equal rating scores straddling a boundary. 'random' draws who gets the "
        "better grade (each equally likely); 'better' gives the place to the better grade "
        "and keeps equal scores in position order",
    )


class RatingPolicy(Section):
    """How observed performance becomes a grade.

    ``absolute`` compares each rating score (SD units) with fixed thresholds: anyone can get
    any grade. ``forced_distribution`` ranks employees within a ranking unit and hands out
    grades by fixed shares, rounded to whole people as ``rounding`` says (largest
    remainder; optionally at least one bottom grade in larger units; ties drawn at random).
    """

    scheme: Literal["absolute", "forced_distribution"] = "absolute"
    grades: list[Annotated[str, Field(min_length=1, max_length=24)]] = Field(
        default_factory=lambda: list(DEFAULT_GRADES), min_length=2, max_length=10
    )
    thresholds: list[Annotated[float, Field(ge=-10, le=10)]] | None = Field(
        default=None,
        description="absolute: minimum rating score (SD units) for each grade but the last, "
        "best grade first, strictly descending",
    )
    shares: dict[str, Annotated[float, Field(ge=0, le=1)]] | None = Field(
        default=None, description="forced_distribution: share of each grade, best first; sum 1"
    )
    bottom_cut: Annotated[float, Field(gt=0, lt=1)] | None = Field(
        default=None,
        description="forced_distribution shorthand: the bottom share gets the last grade, "
        "everyone else the first (two grades, e.g. 'retain' and 'cut')",
    )
    ranking_unit: Literal["team", "department", "organization"] = "team"
    rounding: QuotaRounding = Field(
        default_factory=QuotaRounding,
        description="forced_distribution: how each unit's quota becomes whole people "
        "(absolute ratings have no quota and ignore it)",
    )
    min_weeks_rated: int = Field(
        13, ge=1, le=104, description="weeks worked in a cycle needed to be rated in it"
    )
    sources: RatingSources = Field(
        default_factory=RatingSources, description="who rates, with weights (360 feedback)"
    )
    calibration: CalibrationRule = Field(
        default_factory=CalibrationRule, description="calibration committees (strength 0 = none)"
    )
    data_capture: Literal["self_reported", "automatic"] = Field(
        "self_reported",
        description="how results reach the rater: reported by employees, or captured "
        "automatically by systems (less measurement noise)",
    )
    rater_training: float = Field(
        0.0, ge=0, le=1, description="share of raters trained (0–1); training shrinks biases"
    )
    purpose: Literal["administrative", "developmental"] = Field(
        "administrative",
        description="ratings that decide pay and promotion run more lenient than "
        "developmental ones (Jawahar & Williams 1997)",
    )
    appeals: AppealRule = Field(default_factory=AppealRule)

    @model_validator(mode="before")
    @classmethod
    def _grades_from_shares(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if isinstance(data.get("shares"), dict) and "grades" not in data:
                data["grades"] = list(data["shares"])
            if data.get("bottom_cut") is not None and "grades" not in data:
                data["grades"] = ["retain", "cut"]
        return data

    @model_validator(mode="after")
    def _consistent(self) -> RatingPolicy:
        if len(set(self.grades)) != len(self.grades):
            raise ValueError(_("grades must be distinct, got {grades}").format(grades=self.grades))
        if self.scheme == "absolute":
            if self.shares is not None or self.bottom_cut is not None:
                raise ValueError(_("shares and bottom_cut belong to scheme forced_distribution"))
            if self.thresholds is not None:
                need = len(self.grades) - 1
                if len(self.thresholds) != need:
                    raise ValueError(
                        _("thresholds need {need} values for {count} grades, got {given}").format(
                            need=need, count=len(self.grades), given=len(self.thresholds)
                        )
                    )
                if any(a <= b for a, b in zip(self.thresholds, self.thresholds[1:], strict=False)):
                    raise ValueError(_("thresholds must be strictly descending (best grade first)"))
        else:
            if self.thresholds is not None:
                raise ValueError(_("thresholds belong to scheme absolute"))
            if (self.shares is None) == (self.bottom_cut is None):
                raise ValueError(_("forced_distribution needs exactly one of shares or bottom_cut"))
            if self.shares is not None:
                check_shares(self.shares, "rating.shares")
                if list(self.shares) != self.grades:
                    raise ValueError(_("rating.shares keys must be the grades, best first"))
            elif len(self.grades) != 2:
                raise ValueError(
                    _("bottom_cut gives two grades; list exactly two or leave grades out")
                )
            if self.rounding.bottom_grade_min_unit is not None and self.grade_shares()[-1] <= 0:
                raise ValueError(
                    _("rounding.bottom_grade_min_unit needs a bottom grade with a share above 0")
                )
        return self

    def grade_shares(self) -> list[float]:
        """Shares per grade, best first (forced distribution only)."""
        if self.shares is not None:
            return [self.shares[g] for g in self.grades]
        assert self.bottom_cut is not None
        return [1.0 - self.bottom_cut, self.bottom_cut]

    def grade_thresholds(self) -> list[float]:
        """Minimum rating score per grade but the last (absolute only)."""
        if self.thresholds is not None:
            return list(self.thresholds)
        # Spread like a typical lenient 5-point scale: ~7/24/52/12/5% of a N(0,1) population.
        defaults = {2: [-1.28], 3: [1.0, -1.0], 4: [1.2, 0.0, -1.2], 5: [1.5, 0.7, -0.9, -1.65]}
        n = len(self.grades)
        if n in defaults:
            return defaults[n]
        from scipy.stats import norm

        return [float(norm.ppf(1 - k / n)) for k in range(1, n)]
