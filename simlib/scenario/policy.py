"""Policies: named compositions of a rating scheme and its consequences (DESIGN §4).

A scenario declares its policies by name. Each may start from a shipped preset
(``preset: forced_distribution``) and override any part of it; the result is validated like
the rest of the scenario.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from simlib.scenario.schema import Section, check_shares

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
            raise ValueError("at least one source needs a weight above 0")
        return self

    @property
    def multi_source(self) -> bool:
        return self.peers > 0 or self.self_rating > 0 or self.subordinates > 0


class CalibrationRule(Section):
    """Calibration committees: meetings that pull each manager's ratings toward the norm."""

    strength: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share (0–1) by which a meeting moves each manager's rating mean and "
        "spread toward the organization's; 0 = no calibration",
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
        0.25, ge=0, le=1, description="share of appeals that raise the grade one step"
    )


class RatingPolicy(Section):
    """How observed performance becomes a grade.

    ``absolute`` compares each rating score (SD units) with fixed thresholds: anyone can get
    any grade. ``forced_distribution`` ranks employees within a ranking unit and hands out
    grades by fixed shares, rounded to whole people by largest remainder.
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
            raise ValueError(f"grades must be distinct, got {self.grades}")
        if self.scheme == "absolute":
            if self.shares is not None or self.bottom_cut is not None:
                raise ValueError("shares and bottom_cut belong to scheme forced_distribution")
            if self.thresholds is not None:
                need = len(self.grades) - 1
                if len(self.thresholds) != need:
                    raise ValueError(
                        f"thresholds need {need} values for {len(self.grades)} grades, "
                        f"got {len(self.thresholds)}"
                    )
                if any(a <= b for a, b in zip(self.thresholds, self.thresholds[1:], strict=False)):
                    raise ValueError("thresholds must be strictly descending (best grade first)")
        else:
            if self.thresholds is not None:
                raise ValueError("thresholds belong to scheme absolute")
            if (self.shares is None) == (self.bottom_cut is None):
                raise ValueError("forced_distribution needs exactly one of shares or bottom_cut")
            if self.shares is not None:
                check_shares(self.shares, "rating.shares")
                if list(self.shares) != self.grades:
                    raise ValueError("rating.shares keys must be the grades, best first")
            elif len(self.grades) != 2:
                raise ValueError(
                    "bottom_cut gives two grades; list exactly two or leave grades out"
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


class PipRule(Section):
    """A performance improvement plan: coaching for a while, then pass or exit."""

    weeks: int = Field(12, ge=1, le=52, description="length of the plan (weeks)")
    pass_score: float = Field(
        -0.5, ge=-5, le=5, description="rating score (SD units) over the plan needed to pass"
    )
    improvement_sd: float = Field(
        0.2, ge=0, le=3, description="lasting skill gain from the plan's coaching (SD units)"
    )


class Consequences(Section):
    """What a grade leads to: exits and performance improvement plans."""

    terminate_bottom_grade: bool = Field(
        False, description="everyone in the bottom grade leaves at the review (or enters a PIP)"
    )
    consecutive_bottom_to_exit: int | None = Field(
        None, ge=1, le=10, description="exit (or PIP) after this many bottom grades in a row"
    )
    pip: PipRule | None = Field(
        None, description="if set, an exit decision starts a PIP instead; only failing it exits"
    )


class GoalPolicy(Section):
    """How goals are set: regime, difficulty, coupling to pay, cascade and re-baselining.

    ``none`` is "do your best" (no specific individual goal). ``kpi`` sets attainable
    targets that count in the rating; ``okr`` sets stretch targets graded 0–1, whose
    weight in pay is a lever (0 = decoupled, the Google practice).
    """

    regime: Literal["none", "kpi", "okr"] = "none"
    stretch_sd: float | None = Field(
        None,
        ge=0,
        le=5,
        description="how far targets sit above what each person would do anyway (SD units); "
        "default 0.5 for kpi (attainable, SMART), 1.2 for okr (stretch, ~0.6-0.7 graded), 0 "
        "for none",
    )
    kpi_weight: float = Field(
        0.5, ge=0, le=1, description="share of the rating that comes from measured KPIs (0–1)"
    )
    pay_coupling: float | None = Field(
        None,
        ge=0,
        le=1,
        description="how far goal attainment feeds pay (0 = decoupled); default 1 for kpi, 0 "
        "for okr",
    )
    alignment: float = Field(
        0.9,
        ge=0,
        le=1,
        description="share of goals linked to a parent goal at each step of the cascade "
        "company -> department -> team -> individual (0–1)",
    )
    rebaseline: bool = Field(
        False, description="reset targets mid-cycle when market demand moves (re-baselining)"
    )

    @property
    def stretch(self) -> float:
        if self.stretch_sd is not None:
            return self.stretch_sd if self.regime != "none" else 0.0
        return {"none": 0.0, "kpi": 0.5, "okr": 1.2}[self.regime]

    @property
    def coupling(self) -> float:
        if self.pay_coupling is not None:
            return self.pay_coupling
        return 0.0 if self.regime == "okr" else 1.0

    @property
    def measured_pay_weight(self) -> float:
        """Weight of measured KPIs in what decides pay (0 with no goals)."""
        return 0.0 if self.regime == "none" else self.kpi_weight * self.coupling


class CheckinPolicy(Section):
    """Check-ins and one-to-ones between review cycles, and the early warning they allow."""

    cadence: Literal["none", "weekly", "biweekly", "monthly"] = "none"
    minutes: float = Field(
        30, ge=0, le=480, description="manager minutes per check-in per employee"
    )
    feedback_quality: float = Field(
        0.5,
        ge=0,
        le=1,
        description="quality of feedback (0–1); structured feedback such as SBI "
        "(situation-behaviour-impact) ~0.9, a perfunctory nod ~0.2",
    )
    early_warning_weeks: int | None = Field(
        None,
        ge=1,
        le=26,
        description="coach anyone whose measured weekly output is below their baseline this "
        "many weeks running (null = no early warning)",
    )
    coaching_hours: float = Field(
        1.0, ge=0, le=40, description="manager hours per early-warning coaching session"
    )
    warning_margin_sd: float = Field(
        1.0,
        ge=0,
        le=5,
        description="how far below baseline a week's output must fall to count (in SDs of "
        "weekly luck)",
    )

    @property
    def interval_weeks(self) -> int | None:
        return {"none": None, "weekly": 1, "biweekly": 2, "monthly": 4}[self.cadence]


class PromotionRule(Section):
    """High-potential pool from the top grades, and promotion out of it."""

    pool_grades: int = Field(
        2, ge=1, le=9, description="the best this many grades enter the high-potential pool"
    )
    share_promoted: float = Field(
        0.25, ge=0, le=1, description="share of the pool promoted at each review (0–1)"
    )
    raise_share: float = Field(0.10, ge=0, le=1, description="promotion raise (share of salary)")
    development_sd: float = Field(
        0.1, ge=0, le=2, description="skill gain from the pool's development programme (SD)"
    )


class PayPolicy(Section):
    """Merit pay: a matrix grade x compa-ratio band -> raise, scaled to a merit budget.

    ``matrix`` maps each grade to raises (share of salary) per compa-ratio band, lowest
    band first; with no ``compa_bands`` each grade has one raise. Without a matrix the
    default is a typical merit grid (best grade 1.6x the middle raise, bottom grade none).
    ``flat`` gives everyone the budget: no merit differentiation.
    """

    scheme: Literal["matrix", "flat"] = "matrix"
    merit_budget: float | None = Field(
        None,
        ge=0,
        le=0.5,
        description="raises as a share of payroll per year (null = the market's pay drift); "
        "typical budgets 0.03-0.04 (WorldatWork salary budget surveys)",
    )
    compa_bands: list[Annotated[float, Field(gt=0, le=5)]] = Field(
        default_factory=list,
        max_length=8,
        description="compa-ratio boundaries between bands, ascending (e.g. [0.9, 1.1])",
    )
    matrix: dict[str, list[Annotated[float, Field(ge=0, le=1)]]] | None = Field(
        None, description="raise (share of salary) per grade and compa-ratio band"
    )
    scale_to_budget: bool = Field(
        True, description="scale the matrix so raises spend exactly the merit budget"
    )
    bonus_target: float = Field(
        0.0, ge=0, le=2, description="target bonus (share of yearly salary)"
    )
    bonus_multipliers: dict[str, Annotated[float, Field(ge=0, le=10)]] | None = Field(
        None, description="bonus multiplier per grade (default 1 for every grade)"
    )
    promotion: PromotionRule | None = Field(None, description="promotion rule (null = none)")

    @model_validator(mode="after")
    def _bands(self) -> PayPolicy:
        bands = self.compa_bands
        if any(a >= b for a, b in zip(bands, bands[1:], strict=False)):
            raise ValueError("compa_bands must be strictly ascending")
        if self.matrix is not None:
            for grade, row in self.matrix.items():
                if len(row) != len(bands) + 1:
                    raise ValueError(
                        f"matrix row {grade!r} has {len(row)} raises; {len(bands)} compa_bands "
                        f"make {len(bands) + 1} bands"
                    )
        return self


class DevelopmentPolicy(Section):
    """Targeted capability training for the bottom grades after each review."""

    bottom_grades: int = Field(
        0, ge=0, le=9, description="the worst this many grades get training (0 = none)"
    )
    skill_gain_sd: float = Field(
        0.1, ge=0, le=2, description="skill gain from one round of training (SD units)"
    )
    hours: float = Field(16.0, ge=0, le=500, description="training hours per trainee")


class Policy(Section):
    """A named composition of a rating scheme and its consequences."""

    description: str = Field("", max_length=2000)
    rating: RatingPolicy = Field(default_factory=RatingPolicy)
    consequences: Consequences = Field(default_factory=Consequences)
    goals: GoalPolicy = Field(default_factory=GoalPolicy)
    checkins: CheckinPolicy = Field(default_factory=CheckinPolicy)
    pay: PayPolicy = Field(default_factory=PayPolicy)
    development: DevelopmentPolicy = Field(default_factory=DevelopmentPolicy)

    @model_validator(mode="after")
    def _pay_grades(self) -> Policy:
        grades = self.rating.grades
        for what, table in (
            ("pay.matrix", self.pay.matrix),
            ("pay.bonus_multipliers", self.pay.bonus_multipliers),
        ):
            if table is not None and set(table) != set(grades):
                raise ValueError(
                    f"{what} keys must be the rating grades {grades}, got {list(table)}"
                )
        if self.development.bottom_grades >= len(grades):
            raise ValueError(
                f"development.bottom_grades must be below the number of grades ({len(grades)})"
            )
        if self.pay.promotion is not None and self.pay.promotion.pool_grades >= len(grades):
            raise ValueError(
                f"pay.promotion.pool_grades must be below the number of grades ({len(grades)})"
            )
        return self


PRESETS: dict[str, dict[str, Any]] = {
    "absolute": {
        "description": "Absolute ratings against fixed standards; no forced curve, no exits "
        "by grade.",
        "rating": {"scheme": "absolute"},
    },
    "forced_distribution": {
        "description": "Forced curve S5/A20/B60/C10/D5 within departments (a team of eight "
        "is too small for a 5% grade); exit after two consecutive D grades.",
        "rating": {
            "scheme": "forced_distribution",
            "shares": {"S": 0.05, "A": 0.20, "B": 0.60, "C": 0.10, "D": 0.05},
            "ranking_unit": "department",
        },
        "consequences": {"consecutive_bottom_to_exit": 2},
    },
    "calibrated": {
        "description": "Absolute ratings, then calibration committees that move each "
        "manager's rating mean and spread 80% of the way to the organization's.",
        "rating": {"scheme": "absolute", "calibration": {"strength": 0.8}},
    },
    "feedback_360": {
        "description": "Absolute ratings from 360 feedback: supervisor 50%, three peers 30%, "
        "self 10%, subordinates 10% (managers).",
        "rating": {
            "scheme": "absolute",
            "sources": {"supervisor": 0.5, "peers": 0.3, "self": 0.1, "subordinates": 0.1},
        },
    },
    "rank_and_yank": {
        "description": "Fire the bottom 10% of each team every review (Scullen et al. 2005).",
        "rating": {"scheme": "forced_distribution", "bottom_cut": 0.10, "ranking_unit": "team"},
        "consequences": {"terminate_bottom_grade": True},
    },
    "okr": {
        "description": "OKRs: stretch goals graded 0-1 (~0.6-0.7 expected), decoupled from "
        "pay, cascaded with high alignment, biweekly check-ins with structured feedback, "
        "re-baselined when the market moves; absolute ratings.",
        "rating": {"scheme": "absolute"},
        "goals": {
            "regime": "okr",
            "stretch_sd": 1.2,
            "pay_coupling": 0.0,
            "alignment": 0.9,
            "rebaseline": True,
        },
        "checkins": {"cadence": "biweekly", "feedback_quality": 0.8},
    },
    "pay_matrix": {
        "description": "Merit matrix grade x compa-ratio band on a 3.5% budget: S gets 1.5x "
        "A, no raise at C and below; bonus multipliers S 1.2, A 1.1, B 1.0; the S/A grades "
        "form a high-potential pool with promotion.",
        "rating": {"scheme": "absolute"},
        "goals": {"regime": "kpi"},
        "pay": {
            "scheme": "matrix",
            "merit_budget": 0.035,
            "compa_bands": [0.9, 1.1],
            "matrix": {
                "S": [0.075, 0.06, 0.045],
                "A": [0.05, 0.04, 0.03],
                "B": [0.035, 0.025, 0.015],
                "C": [0.0, 0.0, 0.0],
                "D": [0.0, 0.0, 0.0],
            },
            "bonus_target": 0.10,
            "bonus_multipliers": {"S": 1.2, "A": 1.1, "B": 1.0, "C": 0.5, "D": 0.0},
            "promotion": {"pool_grades": 2, "share_promoted": 0.25, "raise_share": 0.10},
        },
    },
}


def _merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def expand_preset(raw: Any, where: str) -> Any:
    """Resolve ``preset: NAME`` in a raw policy mapping into the merged mapping.

    Raises ``ValueError`` naming the allowed presets for an unknown one.
    """
    if not isinstance(raw, dict) or "preset" not in raw:
        return raw
    rest = {k: v for k, v in raw.items() if k != "preset"}
    name = raw["preset"]
    if not isinstance(name, str) or name not in PRESETS:
        import difflib

        close = difflib.get_close_matches(str(name), list(PRESETS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(
            f"{where}.preset: unknown preset {_short(name)}{hint} Allowed: {', '.join(PRESETS)}"
        )
    base = copy.deepcopy(PRESETS[name])
    rating = rest.get("rating")
    if isinstance(rating, dict):
        if rating.get("scheme", base["rating"]["scheme"]) != base["rating"]["scheme"]:
            # A scheme change replaces the whole rating block rather than mixing two schemes.
            base.pop("rating")
        elif {"shares", "bottom_cut", "grades", "thresholds"} & set(rating):
            # A new curve replaces the preset's curve whole: shares are never merged key by key.
            for key in ("shares", "bottom_cut", "grades", "thresholds"):
                base["rating"].pop(key, None)
    return _merge(base, rest)
