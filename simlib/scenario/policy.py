"""Policies: named compositions of a rating scheme and its consequences (DESIGN §4).

A scenario declares its policies by name. Each may start from a shipped preset
(``preset: forced_distribution``) and override any part of it; the result is validated like
the rest of the scenario. The presets are data: one commented YAML file per preset in
``simlib/scenario/presets/``. How ratings are given is :mod:`simlib.scenario.rating`.
"""

from __future__ import annotations

import copy
from importlib import resources
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, model_validator

from simlib.i18n import _
from simlib.scenario.rating import (
    DEFAULT_GRADES,
    AppealRule,
    CalibrationRule,
    RatingPolicy,
    RatingSources,
)
from simlib.scenario.schema import Section, closest
from simlib.scenario.sizes import TRAINING, assumption

# Rating names that code outside the scenario layer still imports from this module.
__all__ = [
    "DEFAULT_GRADES",
    "PRESETS",
    "AppealRule",
    "CalibrationRule",
    "CheckinPolicy",
    "Consequences",
    "DevelopmentPolicy",
    "GoalPolicy",
    "PayPolicy",
    "PipRule",
    "Policy",
    "PromotionRule",
    "RatingPolicy",
    "RatingSources",
    "expand_preset",
]


class PipRule(Section):
    """A performance improvement plan: coaching for a while, then pass or exit."""

    weeks: int = Field(12, ge=1, le=52, description="length of the plan (weeks)")
    pass_score: float = Field(
        -0.5, ge=-5, le=5, description="rating score (SD units) over the plan needed to pass"
    )
    improvement_sd: float = Field(
        0.2,
        ge=0,
        le=3,
        **assumption(
            TRAINING,
            "lasting skill gain from the plan's coaching (SD units)",
            (0.05, 0.40),
            "no published size for a PIP's coaching; programmes with professional coaches "
            "raise outcomes by g = .43-.74 (Theeboom, Beersma & van Vianen 2014), an upper "
            "bound",
        ),
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
    level: Literal["individual", "team"] = Field(
        "individual",
        description="whose goal: each person's own, or one shared target for each team's "
        "mean performance that every member strives for (group goals)",
    )
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


# Weeks between check-ins at each cadence (None: no check-ins).
CADENCE_WEEKS: dict[str, int | None] = {"none": None, "weekly": 1, "biweekly": 2, "monthly": 4}


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
        description="quality of feedback (0–1): the share of it aimed at the task (what "
        "was done and how far it is from the standard) rather than at the person (verdicts, "
        "praise, comparisons with others); structured feedback such as SBI "
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
        return CADENCE_WEEKS[self.cadence]


class PromotionRule(Section):
    """High-potential pool from the top grades, and promotion out of it: one career level
    up, into a role judged against higher demands (``behaviour.careers``), with a raise."""

    pool_grades: int = Field(
        2, ge=1, le=9, description="the best this many grades enter the high-potential pool"
    )
    share_promoted: float = Field(
        0.25, ge=0, le=1, description="share of the pool promoted at each review (0–1)"
    )
    raise_share: float = Field(0.10, ge=0, le=1, description="promotion raise (share of salary)")
    development_sd: float = Field(
        0.1,
        ge=0,
        le=2,
        **assumption(
            TRAINING,
            "skill gain from the pool's development programme (SD) for someone with no "
            "skill gained yet; it shrinks linearly to nothing as skill nears the coaching "
            "ceiling of 1 SD (diminishing returns)",
            (0.05, 0.30),
            "no published size; the same range as a year of check-in coaching "
            "(behaviour.engagement.coaching_skill_sd)",
        ),
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
            raise ValueError(_("compa_bands must be strictly ascending"))
        if self.matrix is not None:
            for grade, row in self.matrix.items():
                if len(row) != len(bands) + 1:
                    raise ValueError(
                        _(
                            "matrix row {grade} has {raises} raises; {count} compa_bands make "
                            "{bands} bands"
                        ).format(
                            grade=repr(grade),
                            raises=len(row),
                            count=len(bands),
                            bands=len(bands) + 1,
                        )
                    )
        return self


class DevelopmentPolicy(Section):
    """Targeted capability training for the bottom grades after each review."""

    bottom_grades: int = Field(
        0, ge=0, le=9, description="the worst this many grades get training (0 = none)"
    )
    skill_gain_sd: float = Field(
        0.1,
        ge=0,
        le=2,
        **assumption(
            TRAINING,
            "skill gain from one round of training (SD units)",
            (0.05, 0.30),
            "no published size carries over to this model's skill scale",
        ),
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
                    _("{what} keys must be the rating grades {grades}, got {keys}").format(
                        what=what, grades=grades, keys=list(table)
                    )
                )
        if self.development.bottom_grades >= len(grades):
            raise ValueError(
                _("development.bottom_grades must be below the number of grades ({count})").format(
                    count=len(grades)
                )
            )
        if self.pay.promotion is not None and self.pay.promotion.pool_grades >= len(grades):
            raise ValueError(
                _("pay.promotion.pool_grades must be below the number of grades ({count})").format(
                    count=len(grades)
                )
            )
        return self


# --- presets ------------------------------------------------------------------------------

PRESET_NAMES = (
    "absolute",
    "forced_distribution",
    "calibrated",
    "feedback_360",
    "rank_and_yank",
    "okr",
    "pay_matrix",
)
"""The shipped presets in the order they are offered (one ``presets/<name>.yaml`` each)."""


def _load_presets() -> dict[str, dict[str, Any]]:
    folder = resources.files("simlib.scenario").joinpath("presets")
    found = {}
    for name in PRESET_NAMES:
        text = folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8")
        found[name] = yaml.safe_load(text)
    return found


PRESETS: dict[str, dict[str, Any]] = _load_presets()
"""Preset name -> the raw policy mapping it stands for (read once, at import)."""


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
        raise ValueError(unknown_preset(name, where))
    return _merge(preset_base(name, rest), rest)


def unknown_preset(name: Any, where: str) -> str:
    """The message for an unknown preset, with the closest shipped name (any case)."""
    close = closest(name, PRESETS)
    hint = _("; did you mean '{name}'?").format(name=close) if close else "."
    said = _("{where}.preset: unknown preset {name}").format(where=where, name=_short(name))
    return said + hint + _(" Allowed: {names}").format(names=", ".join(PRESETS))


def preset_base(name: str, rest: dict[str, Any]) -> dict[str, Any]:
    """What preset ``name`` contributes to a policy that also states ``rest``.

    A scheme change in ``rest`` drops the preset's whole rating block (two schemes are never
    mixed); a new curve (shares, bottom_cut, grades or thresholds) drops the preset's curve
    whole (shares are never merged key by key).
    """
    base = copy.deepcopy(PRESETS[name])
    rating = rest.get("rating")
    if isinstance(rating, dict):
        if rating.get("scheme", base["rating"]["scheme"]) != base["rating"]["scheme"]:
            base.pop("rating")
        elif {"shares", "bottom_cut", "grades", "thresholds"} & set(rating):
            for key in ("shares", "bottom_cut", "grades", "thresholds"):
                base["rating"].pop(key, None)
    pay, base_pay = rest.get("pay"), base.get("pay")
    if isinstance(pay, dict) and isinstance(base_pay, dict):
        scale = _stated_grades(rating)
        for table in GRADE_TABLES:
            mine, theirs = pay.get(table), base_pay.get(table)
            if not (isinstance(mine, dict) and isinstance(theirs, dict)):
                continue
            if set(mine) - set(theirs) or (scale is not None and set(mine) == set(scale)):
                # A table for another grade scale (naming grades the preset has not, or
                # exactly the policy's own grades) replaces the preset's table whole
                # instead of adding rows to it.
                base_pay.pop(table)
    return base


def _stated_grades(rating: Any) -> list[str] | None:
    """The grades a raw rating block states (its grades, or its shares' keys), if any."""
    if not isinstance(rating, dict):
        return None
    if isinstance(rating.get("grades"), list):
        return [str(g) for g in rating["grades"]]
    if isinstance(rating.get("shares"), dict):
        return [str(g) for g in rating["shares"]]
    return None


GRADE_TABLES = ("matrix", "bonus_multipliers")
"""The pay tables keyed by grade."""
