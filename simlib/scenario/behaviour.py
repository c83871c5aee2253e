"""The uncertain assumptions about people: effort and incentives, goals, engagement and
fairness, who quits, and the ``behaviour`` section that gathers them with the rater
assumptions of :mod:`simlib.scenario.rater_behaviour`.

Every number is a default with a literature source in its description; these are what a
sweep (``simlib sweep --vary behaviour.*``) varies.
"""

from __future__ import annotations

from pydantic import Field

from simlib.scenario.rater_behaviour import AppealBehaviour, RaterBehaviour
from simlib.scenario.schema import Section


class IncentiveBehaviour(Section):
    """How people respond to rewards: effort, gaming, helping and sabotage.

    Effort follows expectancy theory (Vroom 1964): it rises with the *stake*, what one more
    SD of performance is worth to an employee in % of yearly salary, against a rising cost
    of effort. The stake is a tournament's incentive (Lazear & Rosen 1981): the spread of
    what the grades bring (merit raise, bonus, promotion, and job loss at its learned
    chance: the valences) times how strongly grades follow performance (the
    instrumentality). Both are beliefs, learned from what the organization's reviews
    actually delivered (:mod:`simlib.mechanisms.expectations`). Engagement and perceived
    fairness do not multiply the stake: whether performance pays is already the learned
    link, and attitudes relate to performance only modestly, so they add a small effect of
    their own around their usual levels (``engagement_performance_sd``,
    ``fairness_performance_sd``). Gaming moves work to what the KPIs
    measure as their weight in pay rises (Kerr 1975; Holmström & Milgrom 1991). Relative
    ranking lowers helping and breeds sabotage that grows with the prize spread faster
    than effort does (Harbring & Irlenbusch 2011; Berger, Harbring & Sliwka 2013).
    """

    effort_max_sd: float = Field(
        1.5,
        ge=0,
        le=5,
        description="extra performance at full effort (SD units); assumption, set in an "
        "earlier version of the model (with a fixed exit threat) so that a forced curve "
        "gained 6-12% of output, and not re-tuned since",
    )
    effort_cost: float = Field(
        7.7,
        gt=0,
        le=1000,
        description="stake (% of yearly salary per SD) that gets 63% of full effort; "
        "assumption. It was 3.0 when effort was proportional to engagement x fairness "
        "(0-1 each); 7.7 = 3.0 / (0.65 x 0.6) gives the same effort as before to an employee "
        "at the usual attitudes (engagement at its default set point, fairness as hired), "
        "so the size of the effort response is unchanged there and, like the old value, "
        "not re-tuned",
    )
    engagement_performance_sd: float = Field(
        0.06,
        ge=0,
        le=1,
        description="performance (SD units) per SD of engagement above or below its usual "
        "level (the engagement set point), over and above the effort the stake draws. "
        "Riketta (2008, meta-analysis of 16 panel studies): 'the effect of job attitudes on "
        "subsequent performance, with baseline performance controlled, was weak but "
        "statistically significant (beta = .06)', and performance hardly moved attitudes "
        "(beta = .00). Range 0.06-0.30: the upper end reads the cross-sectional correlations "
        "as wholly causal (individual satisfaction-performance r = .30, Judge et al. 2001; "
        "business-unit engagement-productivity .25, Harter, Schmidt & Hayes 2002). One SD "
        "of an attitude is taken as 0.22 on the 0-1 scale (a 1-5 survey item's SD of ~0.9 "
        "points, as for behaviour.exits.engagement_sensitivity)",
    )
    fairness_performance_sd: float = Field(
        0.03,
        ge=0,
        le=1,
        description="performance (SD units) per SD of perceived fairness above or below "
        "the new-hire level. Justice relates to task performance through the attitudes it "
        "builds (trust, commitment, affect: Colquitt et al. 2013; distributive justice "
        "mostly through procedural, Viswesvaran & Ones 2002; performance relates mainly to "
        "procedural justice, Cohen-Charash & Spector 2001), and whether ratings follow "
        "performance is already the stake's learned link, so it is counted once, here. The "
        "size is an assumption: half the attitude effect (as the quit hazard's fairness "
        "term is half its engagement term), range 0-0.06",
    )
    job_loss_cost: float = Field(
        140.0,
        ge=0,
        le=1000,
        description="what losing one's job costs (% of a year's pay, present value): men "
        "displaced in mass layoffs lose 1.4 years of earnings when unemployment is below 6% "
        "and 2.8 years above 8% (Davis & von Wachter 2011; lasting losses of ~25% a year, "
        "Jacobson, LaLonde & Sullivan 1993); plausibly less for short tenures; range 0 (a "
        "lab bonus tournament, no job at stake) to 280",
    )
    learning_rate: float = Field(
        0.5,
        ge=0,
        le=1,
        description="weight of the latest review's realized consequences in what people "
        "believe each grade brings (0 = they only believe the announced terms); assumption, "
        "plausible range 0.2-0.8",
    )
    discount_rate: float = Field(
        0.05,
        ge=0,
        le=1,
        description="yearly rate at which people discount future pay, to value a raise that "
        "lasts as long as they stay; 5% is the rate Davis & von Wachter (2011) discount job "
        "losses at; individual rates vary widely (Frederick, Loewenstein & O'Donoghue 2002)",
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
        ge=0.01,  # a vanishing share overflows what gaming adds to it (found by fuzzing)
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
        description="fall of helping per % of yearly salary of stake under relative ranking "
        "(log units); assumption (helping falls under relative pay: Drago & Garvey 1998), "
        "size not sourced",
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
        description="stake (% of yearly salary per SD) at which a typical saboteur is at "
        "full sabotage; sabotage grows with the stake to the power 1.5, faster than effort "
        "(Harbring & Irlenbusch 2011); assumption, set in an earlier version so that "
        "sabotage erased a forced curve's gain, not re-tuned since",
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
    gameable_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="most that gaming can add to what the KPIs count, as a share of the real "
        "output behind them: a KPI can be pushed ahead of the work only so far (timing, "
        "selection, reclassification). An assumption, range 0.02-0.10: timing games cost "
        "one software vendor 6-8% of revenue (Larkin 2014), an upper end of what one "
        "measure lets people move",
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
        description="yearly skill growth from weekly check-ins with feedback wholly on the "
        "task (SD; task learning). Assumption, range 0.05-0.30: programmes with professional "
        "coaches raise outcomes by g = .43-.74 (Theeboom, Beersma & van Vianen 2014) or .59 "
        "over 37 randomized trials, less on observed than self-reported outcomes (de Haan & "
        "Nilsson 2023), an upper bound for a manager's one-to-ones",
    )
    feedback_task_sd: float = Field(
        0.36,
        ge=0,
        le=3,
        description="extra performance (SD units) while people get weekly feedback wholly "
        "on the task: what they did and how far it is from the standard (task motivation). "
        "Itzchakov & Latham (2020): feedback added to a goal raised performance by d = .36 "
        "(95% CI .23-.49; four experiments, one with customer-service employees), whatever "
        "its sign, through the goals people then set themselves, so it applies with or "
        "without assigned goals; range .23-.49",
    )
    feedback_threat_sd: float = Field(
        0.26,
        ge=0,
        le=3,
        description="performance lost (SD units) while weekly feedback aimed wholly at the "
        "person tells someone they fall short of their teammates (a normative verdict that "
        "moves attention from the task to the self). Sized by analogy with another threat "
        "to the self in an evaluative situation: stereotype threat lowers test performance "
        "by |d| = .26 (Nguyen & Ryan 2008, meta-analysis; subgroups .11-.64; publication "
        "bias suggests less, Zigerell 2017). Assumption, range 0.10-0.40",
    )
    feedback_praise_sd: float = Field(
        0.0,
        ge=0,
        le=3,
        description="performance gained while weekly feedback aimed wholly at the person "
        "tells someone they outdo their teammates (praise). Praise, like grades, made people "
        "ego-involved and performed below task comments (Butler 1987). Assumption 0, range "
        "0-.24 (reinforcement and praise d = .24 on learning: Wisniewski, Zierer & Hattie "
        "2020)",
    )
    warning_coaching_sd: float = Field(
        0.03, ge=0, le=1, description="skill gain from one early-warning coaching session (SD)"
    )


class ExitBehaviour(Section):
    """Who leaves besides those the policy's exit rule lets go.

    Quits: ``hazard = intercept x U(z) x pay lag x engagement x fairness``. The intercept is
    not typed in: the engine solves it so that the scenario's status-quo policy realises
    ``behaviour.voluntary_quit_rate`` (see :mod:`simlib.engine.turnover_anchor`); the terms
    below only move other policies away from the status quo. Layoffs and discharges for
    cause: involuntary exits no performance policy decides, at yearly base rates
    (:mod:`simlib.mechanisms.layoffs`). Each size says where it comes from: a published
    number where there is one, otherwise an assumption with a range.
    """

    u_curvature: float = Field(
        0.10,
        ge=0,
        lt=0.5,
        description="U-shape of quits in performance: hazard x exp(c z^2), z = performance "
        "in SD. The shape is Trevor, Gerhart & Boudreau (1997): turnover higher for low and "
        "high performers than for average ones. The size is an assumption: 0.10 makes "
        "people 2 SD from average quit ~1.5x as often as average performers; range "
        "0.05-0.20 (1.2x-2.2x)",
    )
    market_premium_per_sd: float = Field(
        0.01,
        ge=0,
        le=0.5,
        description="yearly pay growth outside employers offer per SD of performance "
        "(share). Assumption: the market rewards performance about as merit practice does "
        "(top grades ~1.5x the middle raise on a 3% budget: ~1 point per SD); range "
        "0.005-0.02",
    )
    pay_lag_sensitivity: float = Field(
        40.0,
        ge=0,
        le=500,
        description="log hazard per unit of yearly pay growth short of what the market "
        "pays for one's performance. Direction from Trevor, Gerhart & Boudreau (1997; "
        "high performers with low salary growth quit 'extremely' often, with high growth "
        "'rather' seldom) and Nyberg (2010); no size carries over, so the size is an "
        "assumption: 40 makes a 2-point shortfall multiply the hazard by 2.2; range 10-60 "
        "(1.2x-3.3x)",
    )
    engagement_sensitivity: float = Field(
        2.0,
        ge=0,
        le=50,
        description="log hazard per unit of engagement (0-1) below its set point. From "
        "Griffeth, Hom & Gaertner (2000): job satisfaction and turnover rho = -.19. A "
        "log-linear hazard gives a point-biserial r = b s sqrt(p/(1-p)) for an attitude of "
        "SD s at a turnover rate p; with p = .15 and s = .22 (a 1-5 survey scale's SD of "
        "~0.9 points on 0-1) b = .19 x 2.38 / .22 = 2.0; range 1.5-3.0 (p .10-.20, "
        "s .20-.25)",
    )
    fairness_sensitivity: float = Field(
        1.0,
        ge=0,
        le=50,
        description="log hazard per unit of perceived fairness (0-1) below the new-hire "
        "level. Justice perceptions relate to withdrawal (Colquitt et al. 2001), largely "
        "through the satisfaction and commitment the engagement term already carries; "
        "the direct path is an assumption: half the engagement slope, range 0-2.0",
    )
    promotion_visibility: float = Field(
        1.0,
        ge=0,
        le=1,
        description="how far outside employers read a promotion as evidence of "
        "performance: a promoted person's market standing is at least this share of the "
        "mean standing of everyone promoted (signalling, Waldman 1984; Trevor, Gerhart & "
        "Boudreau 1997: promotions give 'visibility and legitimacy in the external job "
        "market', most for weaker performers). Assumption; 0 = promotions invisible "
        "outside, 1 = the market believes the signal fully",
    )
    layoff_rate: float = Field(
        0.04,
        ge=0,
        le=0.5,
        description="yearly share of people laid off (restructuring, cuts), whatever their "
        "performance; 0 = no layoffs. US employers' layoffs and discharges together run at "
        "0.6-0.9% of employment a month in finance and manufacturing in expansion years "
        "(BLS JOLTS, e.g. March 2013: manufacturing 0.7, financial activities 0.6, all "
        "nonfarm 1.0), i.e. 7-11% a year, counting temporary and seasonal staff and firings "
        "a performance policy decides; in 1984 about 5% of all jobs ended or were "
        "interrupted by a layoff and 1% by a firing (Census SIPP working paper 101). "
        "Assumption for permanent staff: 0.04 (with discharge_rate, 5% a year, one in five "
        "for cause), range 0.01-0.08",
    )
    discharge_rate: float = Field(
        0.01,
        ge=0,
        le=0.5,
        description="yearly share of people discharged for cause (misconduct, attendance), "
        "outside any rating-based exit rule; 0 = none. About one involuntary separation in "
        "six is a firing (SIPP 1984: 1% of jobs ended by a firing, 5% by a layoff). "
        "Assumption: 0.01, range 0.005-0.02",
    )
    discharge_performance_correlation: float = Field(
        0.32,
        ge=0,
        lt=1,
        description="correlation of the conduct that gets someone discharged with low "
        "performance (liability model: a discharge is the worst tail of a normal conduct "
        "score). Counterproductive and citizenship behaviour correlate -.32 (Dalal 2005, "
        "meta-analysis); frequent absence goes with lower performance, modestly and "
        "variably (Bycio 1992, meta-analysis). Assumption that misconduct relates to "
        "overall performance about that strongly: 0.32, range 0.15-0.45; 0 = discharges "
        "unrelated to performance",
    )


class CareerBehaviour(Section):
    """What a promotion changes besides pay: the demands of the new role."""

    level_demand_sd: float = Field(
        0.5,
        ge=0,
        le=3,
        description="performance the next career level demands beyond the current one (SD "
        "units): a promoted person is rated against the higher level, so the same work "
        "looks this much weaker. Assumption: 0 = the next level asks no more; ~1.2, the "
        "standing of those promoted, makes a promotee an average performer of the new "
        "level (the Peter principle's starting point); range 0-1.5",
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
        0.10,
        ge=0,
        le=1,
        description="yearly voluntary turnover realised under the status-quo policy "
        "(experiment.baseline, else the first policy), share; the quit hazard's intercept "
        "is solved to reproduce it, and other policies move away from it only through the "
        "hazard's terms (without behaviour.exits the rate applies to everyone as is)",
    )
    anchor_turnover: bool = Field(
        True,
        description="solve the quit hazard's intercept so the status quo realises "
        "voluntary_quit_rate (false: the rate is the intercept itself, the yearly quit rate "
        "at average performance, market-paced pay and neutral attitudes, and realised "
        "turnover differs from it)",
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
        description="who quits, and layoffs and discharges for cause (null = quits "
        "unrelated to performance, pay or attitudes, and no layoffs or discharges: only the "
        "policy's exit rule makes people leave involuntarily)",
    )
    careers: CareerBehaviour = Field(default_factory=CareerBehaviour)
