"""Scenarios: the validated, hashed description of an organization and the policies to try.

A scenario keeps apart what the organization *is* (``organization``), the world it lives in
(``environment``), what we are unsure of about people (``behaviour``, the uncertain
assumptions), how it recruits (``hiring``), what management may choose (``policies``, the
levers) and how to run the experiment (``experiment``).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from simlib.errors import ScenarioError
from simlib.scenario.policy import Policy, expand_preset
from simlib.scenario.schema import Section, check_shares, explain

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
            raise ValueError(f"max ({self.max}) must be at least min ({self.min})")
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
        check_shares({d.name: d.share for d in self.departments}, "organization.departments shares")
        if len({d.name for d in self.departments}) != len(self.departments):
            raise ValueError("organization.departments names must be distinct")
        check_shares(self.groups, "organization.groups shares")
        team_size = self.span_of_control + (1 if self.include_managers else 0)
        teams = math.ceil(self.headcount / team_size)
        if teams < len(self.departments):
            raise ValueError(
                f"{len(self.departments)} departments need at least "
                f"{len(self.departments) * (2 if self.include_managers else 1)} positions at "
                f"span of control {self.span_of_control}; headcount is {self.headcount}"
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


class RaterBehaviour(Section):
    """How raters turn what they see into a rating (DESIGN §3, defaults from §7).

    ``model: biased`` (the default) is the realistic rater: a supervisor's rating is
    ``leniency + purpose + similar_to_me + (1 - compression) * impression / scale``, blended
    with the last rating by ``halo``, where the impression is true cycle performance
    (recency-weighted) plus measurement noise of the performance records, a rater-by-ratee
    idiosyncratic impression and random error per rated dimension. With these defaults
    ``simlib.analysis.validation.rating_variance`` reproduces Scullen, Mount & Goff (2000) and
    Viswesvaran, Ones & Schmidt (1996). ``model: reliability`` is the rater of Scullen,
    Bergey & Aiman-Smith (2005): ``sqrt(rel) * y + sqrt(1 - rel) * e``; giving
    ``reliability`` without a ``model`` selects it.
    """

    model: Literal["biased", "reliability"] = Field(
        "biased",
        description="'biased': raters with leniency, compression, halo, recency, "
        "similar-to-me and noise; 'reliability': score = sqrt(rel) y + sqrt(1-rel) e "
        "(default 'reliability' when only reliability is given)",
    )
    reliability: float = Field(
        0.70,
        gt=0,
        le=1,
        description="model 'reliability' (and PIP re-ratings): share of rating variance due "
        "to true cycle performance (Viswesvaran et al. 1996: ~.52 for one supervisor; "
        "Scullen et al. 2005 use .70)",
    )
    leniency_sd: float = Field(
        0.45,
        ge=0,
        le=3,
        description="SD across raters of their mean shift (rating SD units). Rater main "
        "effects are part of the idiosyncratic 53–62% of rating variance (Scullen, Mount & "
        "Goff 2000); their design cannot split it from rater-by-ratee impressions, so about "
        "half of it is assumed to be general leniency",
    )
    compression: float = Field(
        0.20,
        ge=0,
        lt=1,
        description="central tendency: share (0–1) by which raters pull ratings toward their "
        "own midpoint (ratings crowd the upper-middle of scales; Bretz, Milkovich & Read 1992)",
    )
    halo: float = Field(
        0.20,
        ge=0,
        le=1,
        description="weight (0–1) of the ratee's last rating in this one: prior ratings "
        "anchor new ones (Murphy, Balzer, Lockhart & Eisenman 1985)",
    )
    recency: float = Field(
        0.25,
        ge=0,
        le=1,
        description="extra weight (0–1) raters give the last recency_weeks of the cycle over "
        "the cycle as a whole (recency effects: Steiner & Rain 1989)",
    )
    recency_weeks: int = Field(
        13, ge=1, le=104, description="the late part of the cycle that recency favours (weeks)"
    )
    idiosyncratic_sd: float = Field(
        1.00,
        ge=0,
        le=10,
        description="rater-by-ratee impression (SD units of true performance), fresh each "
        "rating; sized so the idiosyncratic share matches Scullen, Mount & Goff (2000)",
    )
    error_sd: float = Field(
        0.70,
        ge=0,
        le=10,
        description="random error of one rated dimension (SD units of true performance); "
        "random error is 11–18% of rating variance (Scullen, Mount & Goff 2000)",
    )
    dimensions: int = Field(
        3, ge=1, le=20, description="performance dimensions rated; the rating is their mean"
    )
    measurement_noise_self_reported_sd: float = Field(
        1.15,
        ge=0,
        le=10,
        description="noise in performance records when employees report their own results "
        "(SD units); shared by every supervisor reading them, it is the supervisors' common "
        "view that makes two supervisors agree (r ≈ .52, Viswesvaran et al. 1996) more than "
        "they agree with the truth",
    )
    measurement_noise_automatic_sd: float = Field(
        0.30,
        ge=0,
        le=10,
        description="the same when results are captured automatically by systems (the seed "
        "articles' digital data collection practice)",
    )
    similar_to_me: float = Field(
        0.20,
        ge=0,
        le=3,
        description="how much higher (rating SD units) raters rate ratees of their own group "
        "than others at equal performance, centred so the mean is unmoved (Kraiger & Ford "
        "1985: r ≈ .18 for rater-ratee race; Tsui & O'Reilly 1989)",
    )
    similar_to_me_groups: list[str] | None = Field(
        None,
        max_length=100,
        description="groups whose raters show similar-to-me bias (null = every group)",
    )
    pay_decision_leniency: float = Field(
        0.33,
        ge=0,
        le=3,
        description="extra leniency of ratings that decide pay over developmental ones "
        "(rating SD units; Jawahar & Williams 1997: about 1/3 SD)",
    )
    training_effect: float = Field(
        0.40,
        ge=0,
        le=1,
        description="share by which training shrinks a trained rater's leniency, compression, "
        "halo, recency and similar-to-me (rater training: Woehr & Huffcutt 1994)",
    )
    peer_perspective_sd: float = Field(
        0.50,
        ge=0,
        le=10,
        description="view shared by a ratee's peers and by no one else (SD units); sized so "
        "peer inter-rater reliability ≈ .42 (Viswesvaran et al. 1996)",
    )
    subordinate_perspective_sd: float = Field(
        0.50,
        ge=0,
        le=10,
        description="view shared by a manager's subordinates (SD units); 360 perspective "
        "effects are small (Scullen, Mount & Goff 2000)",
    )
    self_leniency: float = Field(
        0.35,
        ge=-3,
        le=3,
        description="mean shift of self-ratings (rating SD units): self-ratings are lenient, "
        "d ≈ .3–.5 (Harris & Schaubroeck 1988; Heidemeier & Moser 2009)",
    )
    self_distortion_sd: float = Field(
        1.38,
        ge=0,
        le=10,
        description="self-view distortion (SD units of true performance); sized so "
        "self-supervisor r ≈ .22–.35 (Harris & Schaubroeck 1988)",
    )
    review_hours: float = Field(
        4.0,
        ge=0,
        le=200,
        description="manager hours per review written: preparing, writing, discussing (CEB "
        "2012: managers spend ~210 hours a year on performance management)",
    )
    multi_source_review_hours: float = Field(
        1.0,
        ge=0,
        le=200,
        description="extra manager hours per review for collecting and reading 360 feedback",
    )

    @model_validator(mode="before")
    @classmethod
    def _model_from_reliability(cls, data: Any) -> Any:
        if isinstance(data, dict) and "model" not in data and "reliability" in data:
            data = {**data, "model": "reliability"}
        return data

    def measurement_noise_sd(self, data_capture: str) -> float:
        """Noise of performance records under ``'automatic'`` or ``'self_reported'`` capture."""
        if data_capture == "automatic":
            return self.measurement_noise_automatic_sd
        return self.measurement_noise_self_reported_sd


class AppealBehaviour(Section):
    """When employees appeal a rating, and what the outcome does to perceived fairness."""

    threshold_sd: float = Field(
        1.0,
        ge=0,
        le=10,
        description="gap between self-assessment and final rating (rating SD units) above "
        "which an employee considers appealing",
    )
    propensity_per_sd: float = Field(
        0.10,
        ge=0,
        le=10,
        description="probability of appealing per SD of gap above the threshold (capped at "
        "max_share); formal appeals are rare, a few per 100 ratings",
    )
    max_share: float = Field(
        0.5, ge=0, le=1, description="highest probability of appealing, however large the gap"
    )
    fairness_gain_overturned: float = Field(
        0.10,
        ge=0,
        le=1,
        description="rise in perceived fairness (0–1 scale) when an appeal succeeds (voice and "
        "correctability: Leventhal 1980; Folger 1977)",
    )
    fairness_loss_upheld: float = Field(
        0.05,
        ge=0,
        le=1,
        description="fall in perceived fairness (0–1 scale) when an appeal is rejected",
    )


class IncentiveBehaviour(Section):
    """How people respond to rewards: effort, gaming, helping and sabotage.

    Effort follows expectancy theory (Vroom 1964): it rises with the reward one more SD of
    performance brings (the *stake*: merit raise, bonus and job security, in % of salary),
    weighted by perceived fairness and engagement, against a rising cost of effort.
    Gaming moves work to what the KPIs measure as their weight in pay rises (Kerr 1975;
    Holmström & Milgrom 1991). Relative ranking lowers helping and breeds sabotage that
    grows with the prize spread faster than effort does (Harbring & Irlenbusch 2011;
    Berger, Harbring & Sliwka 2013).
    """

    effort_max_sd: float = Field(
        1.5, ge=0, le=5, description="extra performance at full effort (SD units)"
    )
    effort_cost: float = Field(
        3.0,
        gt=0,
        le=1000,
        description="stake (% of salary per SD) that gets 63% of full effort from a fully "
        "engaged employee who believes ratings are fair",
    )
    exit_value: float = Field(
        100.0,
        ge=0,
        le=1000,
        description="what losing the job is worth to an employee (% of yearly salary); "
        "makes exit rules part of the stake",
    )
    stake_learning: float = Field(
        0.5,
        ge=0,
        le=1,
        description="weight of the latest review's realized pay-for-performance link in the "
        "stake people perceive (0 = they only believe the announced policy)",
    )
    line_of_sight_gain: float = Field(
        1.0,
        ge=0,
        le=5,
        description="extra effort response when pay rests wholly on measured KPIs (a clear "
        "line of sight; share)",
    )
    measured_share: float = Field(
        0.5,
        gt=0,
        lt=1,
        description="share of work that KPIs count; the rest (quality, helping, long-term "
        "work) is unmeasured and complements it in business value",
    )
    gaming_at_full_weight: float = Field(
        0.4,
        ge=0,
        le=1,
        description="share of unmeasured work a typical employee shifts to measured tasks "
        "when pay rests wholly on KPIs (assumption after Kerr 1975)",
    )
    gaming_propensity_sd: float = Field(
        0.5, ge=0, le=3, description="spread of gaming propensity across people (log SD)"
    )
    help_base: float = Field(
        0.5, ge=0, le=1, description="helping (0–1) of an employee under absolute ratings"
    )
    help_effect_sd: float = Field(
        0.3, ge=0, le=3, description="teammates' performance gain per unit of helping (SD)"
    )
    help_ranking_sensitivity: float = Field(
        0.08,
        ge=0,
        le=5,
        description="fall of helping per % of stake under relative ranking (log units)",
    )
    sabotage_propensity: float = Field(
        0.5,
        ge=0,
        le=5,
        description="mean propensity to sabotage rivals under relative ranking (0 = none, "
        "the lab condition without a sabotage option)",
    )
    sabotage_effect_sd: float = Field(
        1.5, ge=0, le=10, description="teammates' performance loss per unit of sabotage (SD)"
    )
    sabotage_stake_ref: float = Field(
        6.0,
        ge=0.01,  # smaller references overflow the power law (found by fuzzing)
        le=1000,
        description="stake (% of salary per SD) at which a typical saboteur is at full "
        "sabotage; sabotage grows with the stake to the power 1.5",
    )


class GoalBehaviour(Section):
    """Goal-setting effects (Locke & Latham 1990, 2002)."""

    specific_sd: float = Field(
        0.1, ge=-2, le=2, description="gain from having a specific goal at all (SD units)"
    )
    difficulty_slope: float = Field(
        0.35,
        ge=0,
        le=3,
        description="gain per SD of target difficulty while the goal is accepted; with the "
        "defaults specific difficult goals beat 'do your best' by d ~ 0.4-0.5",
    )
    abandon_gap_sd: float = Field(
        2.0,
        ge=0,
        le=10,
        description="gap between target and capability (SD) at which half give up on the goal",
    )
    abandon_width_sd: float = Field(
        0.35, gt=0, le=5, description="how sharply acceptance falls around that gap (SD)"
    )
    abandon_penalty_sd: float = Field(
        0.3, ge=0, le=3, description="performance lost by someone who has given up (SD)"
    )
    decoupled_tolerance_sd: float = Field(
        0.5,
        ge=0,
        le=5,
        description="extra gap people accept when goals are not tied to pay (OKR practice)",
    )
    estimate_noise_sd: float = Field(
        0.3, ge=0, le=3, description="error of managers' baseline estimates behind targets (SD)"
    )
    misalignment_loss: float = Field(
        0.2,
        ge=0,
        le=1,
        description="business value lost on work not linked to company goals (share)",
    )


class EngagementBehaviour(Section):
    """Engagement and perceived fairness (0–1): what raises and lowers them."""

    set_point: float = Field(
        0.65, ge=0, le=1, description="engagement people drift toward under neutral conditions"
    )
    adjust_weeks: float = Field(
        26.0, gt=0, le=520, description="time for engagement to close 63% of a gap (weeks)"
    )
    checkin_gain: float = Field(
        0.12,
        ge=0,
        le=1,
        description="set-point gain from weekly check-ins with perfect feedback (Gallup: "
        "regular manager conversations are the strongest engagement driver)",
    )
    disappointment_penalty: float = Field(
        0.04, ge=0, le=1, description="engagement lost per grade below one's self-assessment"
    )
    self_leniency_sd: float = Field(
        0.4,
        ge=0,
        le=3,
        description="self-assessments exceed supervisors' (d ~ .3-.5, Harris & Schaubroeck 1988)",
    )
    pip_penalty: float = Field(0.10, ge=0, le=1, description="engagement lost on entering a PIP")
    promotion_boost: float = Field(0.10, ge=0, le=1, description="engagement gained on promotion")
    ranking_stress: float = Field(
        0.05,
        ge=0,
        le=1,
        description="set-point loss under forced ranking (Schleicher et al. 2009: seen as "
        "less fair, more stressful)",
    )
    hopeless_penalty: float = Field(
        0.25, ge=0, le=1, description="set-point loss for someone whose goal looks hopeless"
    )
    fairness_update: float = Field(
        0.5, ge=0, le=1, description="weight of each review in perceived fairness (0–1)"
    )
    fairness_feedback_gain: float = Field(
        0.2,
        ge=0,
        le=1,
        description="fairness gain from weekly, perfect feedback (procedural and "
        "informational justice, Colquitt et al. 2001)",
    )
    fairness_gap_penalty: float = Field(
        0.1, ge=0, le=1, description="fairness lost per grade below one's self-assessment"
    )
    fairness_ranking_penalty: float = Field(
        0.1, ge=0, le=1, description="fairness lost under forced ranking (Schleicher et al. 2009)"
    )
    coaching_skill_sd: float = Field(
        0.10,
        ge=0,
        le=2,
        description="yearly skill growth from weekly check-ins with perfect feedback (SD)",
    )
    warning_coaching_sd: float = Field(
        0.03, ge=0, le=1, description="skill gain from one early-warning coaching session (SD)"
    )


class ExitBehaviour(Section):
    """Voluntary turnover as a hazard (Trevor, Gerhart & Boudreau 1997; Griffeth et al. 2000).

    The hazard multiplies ``voluntary_quit_rate``, which holds for someone of average
    performance, paid at the market's pace for their performance, with neutral attitudes.
    Realized turnover is higher where merit pay lags for top performers or attitudes sour.
    """

    u_curvature: float = Field(
        0.10,
        ge=0,
        lt=0.5,
        description="U-shape of quits in performance: hazard x exp(c z^2), z = performance "
        "in SD (Trevor et al. 1997)",
    )
    market_premium_per_sd: float = Field(
        0.01,
        ge=0,
        le=0.5,
        description="yearly pay growth the market offers per SD of performance (share)",
    )
    pay_lag_sensitivity: float = Field(
        40.0,
        ge=0,
        le=500,
        description="log hazard per unit of yearly pay growth short of what the market pays "
        "for one's performance; high performers with low salary growth quit much more "
        "(Trevor et al. 1997)",
    )
    engagement_sensitivity: float = Field(
        3.0, ge=0, le=50, description="log hazard per unit of engagement below its set point"
    )
    fairness_sensitivity: float = Field(
        1.5, ge=0, le=50, description="log hazard per unit of fairness below the new-hire level"
    )


class Behaviour(Section):
    """The uncertain assumptions about people, with literature defaults."""

    performance_noise_sd: float = Field(
        1.0,
        ge=0,
        le=10,
        description="week-to-week luck in true performance (SD units per week)",
    )
    output_per_sd: float = Field(
        0.20, ge=0, le=1, description="output change per SD of performance (share of 100)"
    )
    voluntary_quit_rate: float = Field(
        0.10, ge=0, le=1, description="yearly voluntary turnover at average conditions (share)"
    )
    raters: RaterBehaviour = Field(default_factory=RaterBehaviour)
    appeals: AppealBehaviour = Field(default_factory=AppealBehaviour)
    incentives: IncentiveBehaviour | None = Field(
        default_factory=IncentiveBehaviour,
        description="effort, gaming, helping, sabotage (null = performance does not respond)",
    )
    goals: GoalBehaviour = Field(default_factory=GoalBehaviour)
    engagement: EngagementBehaviour | None = Field(
        default_factory=EngagementBehaviour,
        description="engagement and fairness dynamics (null = attitudes stay as hired)",
    )
    exits: ExitBehaviour | None = Field(
        default_factory=ExitBehaviour,
        description="who quits (null = quits unrelated to performance, pay or attitudes)",
    )


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
        2, ge=1, le=100_000, description="recruiters working in parallel; null = unlimited"
    )
    requisitions_per_recruiter: int = Field(
        12, ge=1, le=200, description="vacancies one recruiter works on at once"
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


class Scenario(Section):
    """A whole scenario. Build it with :func:`load_scenario`."""

    name: str = Field("scenario", min_length=1, max_length=120)
    description: str = Field("", max_length=10_000)
    organization: Organization = Field(default_factory=Organization)
    environment: Environment = Field(default_factory=Environment)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    hiring: Hiring = Field(default_factory=Hiring)
    policies: dict[PolicyName, Policy] = Field(min_length=1, max_length=100)
    experiment: Experiment = Field(default_factory=Experiment)

    @model_validator(mode="before")
    @classmethod
    def _presets(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("policies"), dict):
            data = dict(data)
            data["policies"] = {
                name: expand_preset(raw, f"policies.{name}")
                for name, raw in data["policies"].items()
            }
        return data

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        names = list(self.policies)
        exp = self.experiment
        for chosen in exp.policies or []:
            if chosen not in self.policies:
                raise ValueError(
                    f"experiment.policies: {chosen!r} is not a declared policy; "
                    f"declared: {', '.join(names)}"
                )
        if exp.baseline is not None and exp.baseline not in self.policies:
            raise ValueError(
                f"experiment.baseline: {exp.baseline!r} is not a declared policy; "
                f"declared: {', '.join(names)}"
            )
        return self

    @model_validator(mode="after")
    def _rater_groups(self) -> Scenario:
        chosen = self.behaviour.raters.similar_to_me_groups or []
        unknown = [g for g in chosen if g not in self.organization.groups]
        if unknown:
            raise ValueError(
                f"behaviour.raters.similar_to_me_groups: {unknown} are not groups of "
                f"organization.groups; declared: {', '.join(self.organization.groups)}"
            )
        return self

    # --- derived views -------------------------------------------------------------

    @property
    def policy_names(self) -> list[str]:
        """The policies this scenario compares, in order."""
        return list(self.experiment.policies or self.policies)

    @property
    def baseline(self) -> str:
        return self.experiment.baseline or self.policy_names[0]

    def to_dict(self) -> dict[str, Any]:
        """The fully resolved parameters (defaults filled in, presets expanded)."""
        return self.model_dump(mode="json")

    @property
    def hash(self) -> str:
        """A stable 16-hex-digit hash of the resolved parameters."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A new scenario with dotted-path overrides applied and validated."""
        return load_scenario(self.to_dict(), overrides=overrides)


# --- loading -------------------------------------------------------------------------

MAX_SCENARIO_BYTES = 2_000_000


def _read_yaml(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError("file not found", source=str(path)) from None
    except IsADirectoryError:
        raise ScenarioError("is a directory, not a scenario file", source=str(path)) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read: {exc.strerror}", source=str(path)) from None
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            f"file is {len(raw):,} bytes; scenarios are limited to {MAX_SCENARIO_BYTES:,}",
            source=str(path),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"not UTF-8 text (byte {exc.start}); save the scenario as UTF-8 YAML", source=str(path)
        ) from None
    try:
        if _flow_nesting(text) > MAX_FLOW_NESTING:  # the parser slows quadratically first
            raise RecursionError
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - safe loader with limits
    except _TooComplex as exc:
        raise ScenarioError(str(exc), source=str(path)) from None
    except RecursionError:
        raise ScenarioError(
            "the YAML is nested too deeply to be a scenario (lists or mappings inside each "
            "other hundreds of levels down)",
            source=str(path),
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"YAML syntax error at {where}{problem}", source=str(path)) from None


class _TooComplex(Exception):
    pass


class _SafeLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses documents that expand too far (alias bombs)."""

    max_expanded_nodes = 200_000

    def compose_document(self) -> Any:  # type: ignore[override]
        node = super().compose_document()
        sizes: dict[int, int] = {}

        def expanded(n: Any) -> int:
            key = id(n)
            if key not in sizes:
                sizes[key] = 0  # guards against recursive aliases
                if isinstance(n, yaml.SequenceNode):
                    total = 1 + sum(expanded(c) for c in n.value)
                elif isinstance(n, yaml.MappingNode):
                    total = 1 + sum(expanded(k) + expanded(v) for k, v in n.value)
                else:
                    total = 1
                sizes[key] = total
            return sizes[key]

        if node is not None and expanded(node) > self.max_expanded_nodes:
            raise _TooComplex(
                f"the YAML expands to more than {self.max_expanded_nodes:,} values through "
                "aliases; refused as a possible alias bomb"
            )
        return node


MAX_FLOW_NESTING = 100


def _flow_nesting(text: str) -> int:
    """Deepest nesting of ``[`` and ``{`` in ``text`` (quotes not excluded: an upper bound)."""
    depth = peak = 0
    for match in re.finditer(r"[\[\]{}]", text):
        if match.group() in "[{":
            depth += 1
            peak = max(peak, depth)
        else:
            depth = max(0, depth - 1)
    return peak


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``dotted.path=value`` (the value is read as YAML: numbers, booleans, lists)."""
    shown = repr(text) if len(text) <= 80 else repr(text[:77] + "...")
    if "=" not in text:
        raise ScenarioError(f"override {shown} must look like dotted.path=value")
    path, _, value = text.partition("=")
    path = path.strip()
    if not path or any(not part for part in path.split(".")):
        raise ScenarioError(f"override {shown}: the path before '=' is empty or malformed")
    try:
        if _flow_nesting(value) > MAX_FLOW_NESTING:
            raise RecursionError
        parsed = yaml.load(value, Loader=_SafeLoader) if value.strip() else ""  # noqa: S506
    except (yaml.YAMLError, _TooComplex, RecursionError):
        parsed = value
    return path, parsed


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Set each ``dotted.path`` in a copy of ``data``; validation later catches bad keys."""
    out = json.loads(json.dumps(data, default=str)) if data else {}
    for dotted, value in overrides.items():
        parts = str(dotted).split(".")
        node: Any = out
        for i, key in enumerate(parts[:-1]):
            if isinstance(node, list):
                try:
                    node = node[int(key)]
                    continue
                except (ValueError, IndexError):
                    raise ScenarioError(
                        f"override {dotted}: {'.'.join(parts[: i + 1])} is not an index "
                        f"of a list of {len(node)}"
                    ) from None
            if not isinstance(node, dict):
                raise ScenarioError(f"override {dotted}: {'.'.join(parts[:i])} is not a section")
            node = node.setdefault(key, {})
        if isinstance(node, list):
            try:
                node[int(parts[-1])] = value
            except (ValueError, IndexError):
                raise ScenarioError(f"override {dotted}: not an index of a list") from None
        elif isinstance(node, dict):
            node[parts[-1]] = value
        else:
            raise ScenarioError(f"override {dotted}: {'.'.join(parts[:-1])} is not a section")
    return out


def load_scenario(
    source: str | Path | dict[str, Any] | Scenario, overrides: dict[str, Any] | None = None
) -> Scenario:
    """Load and validate a scenario from a YAML path or a mapping.

    Parameters
    ----------
    source
        A path to a YAML file, a mapping with the same structure, or a Scenario.
    overrides
        ``{"organization.headcount": 200, ...}`` applied before validation, the same as
        the CLI's ``--set organization.headcount=200``.

    Raises
    ------
    ScenarioError
        With one line per problem, each naming the field path and what is allowed.
    """
    if isinstance(source, Scenario):
        if not overrides:
            return source
        source = source.to_dict()
    if isinstance(source, dict):
        label = "<dict>"
        data: Any = source
    else:
        path = Path(source)
        label = str(path)
        data = _read_yaml(path)
    if data is None:
        raise ScenarioError("the scenario is empty", source=label)
    if not isinstance(data, dict):
        raise ScenarioError(
            f"a scenario must be a mapping of sections, got {type(data).__name__}", source=label
        )
    if overrides:
        data = apply_overrides(data, overrides)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(explain(exc, Scenario), source=label) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise ScenarioError(str(exc), source=label) from None
