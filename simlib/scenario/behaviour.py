"""The uncertain assumptions about people: effort and incentives, goals, engagement and
fairness, who quits, and the ``behaviour`` section that gathers them with the rater
assumptions of :mod:`simlib.scenario.rater_behaviour`.

Every number says where its size comes from and how sure we are (sourced, calibrated, an
assumption with a plausible range, or a definition: :mod:`simlib.scenario.sizes`); the
register of them all is :mod:`simlib.scenario.sources`. These are what a sweep
(``simlib sweep --vary behaviour.*``) varies.
"""

from __future__ import annotations

from pydantic import Field

from simlib.scenario.rater_behaviour import AppealBehaviour, RaterBehaviour
from simlib.scenario.schema import Section
from simlib.scenario.sizes import (
    CAREERS,
    EFFORT,
    ENGAGEMENT,
    FEEDBACK,
    GAMING,
    GOALS,
    HELPING,
    LAYOFFS,
    QUITS,
    WORK,
    assumption,
    calibrated,
    definition,
    sourced,
)


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
        **assumption(
            EFFORT,
            "extra performance at full effort (SD units)",
            (0.5, 3.0),
            "set in an earlier version of the model, with a fixed exit threat, so that a "
            "forced curve gained the 6-12% of output Berger, Harbring & Sliwka (2013) found, "
            "and not re-tuned since; for scale, piece rates raised the same workers' output "
            "by about 22%, half of the 44% Lazear (2000) found, about 1.1 SD at "
            "output_per_sd 0.20",
        ),
    )
    effort_cost: float = Field(
        7.7,
        gt=0,
        le=1000,
        **assumption(
            EFFORT,
            "stake (% of yearly salary per SD) that draws 63% of full effort",
            (3.0, 20.0),
            "carried over, not tuned: it was 3.0 when effort was proportional to engagement "
            "x fairness (0-1 each), and 7.7 = 3.0 / (0.65 x 0.6) gives the same effort as "
            "before to someone at the usual attitudes (engagement at its set point, fairness "
            "as hired)",
        ),
    )
    engagement_performance_sd: float = Field(
        0.06,
        ge=0,
        le=1,
        **sourced(
            EFFORT,
            "performance (SD units) per SD of engagement above or below its usual level "
            "(the engagement set point), over and above the effort the stake draws",
            "Riketta 2008, meta-analysis of 16 panel studies: attitudes move later "
            "performance, baseline performance controlled, by beta = .06 (performance moves "
            "later attitudes by .00)",
            (0.06, 0.30),
            note="The upper end reads cross-sectional correlations as wholly causal "
            "(individual satisfaction-performance r = .30, Judge et al. 2001; business-unit "
            "engagement-productivity .25, Harter, Schmidt & Hayes 2002). One SD of an "
            "attitude is taken as 0.22 on the 0-1 scale (a 1-5 survey item's SD of ~0.9 "
            "points, as for behaviour.exits.engagement_sensitivity)",
        ),
    )
    fairness_performance_sd: float = Field(
        0.03,
        ge=0,
        le=1,
        **assumption(
            EFFORT,
            "performance (SD units) per SD of perceived fairness above or below the new-hire level",
            (0.0, 0.06),
            "half the engagement effect, as the quit hazard's fairness term is half its "
            "engagement term; justice relates to task performance through the attitudes it "
            "builds (Colquitt et al. 2013; distributive justice mostly through procedural, "
            "Viswesvaran & Ones 2002; performance relates mainly to procedural justice, "
            "Cohen-Charash & Spector 2001)",
            note="Whether ratings follow performance is already the stake's learned link, "
            "so fairness is counted once, here",
        ),
    )
    job_loss_cost: float = Field(
        140.0,
        ge=0,
        le=1000,
        **sourced(
            EFFORT,
            "what losing one's job costs (% of a year's pay, present value)",
            "Davis & von Wachter 2011: men displaced in mass layoffs lose 1.4 years of "
            "earnings when unemployment is below 6%, 2.8 years above 8% (lasting losses of "
            "~25% a year, Jacobson, LaLonde & Sullivan 1993)",
            (0.0, 280.0),
            note="Plausibly less for short tenures; 0 is a lab bonus tournament with no "
            "job at stake",
        ),
    )
    learning_rate: float = Field(
        0.5,
        ge=0,
        le=1,
        **assumption(
            EFFORT,
            "weight of the latest review's realized consequences in what people believe "
            "each grade brings (0 = they only believe the announced terms)",
            (0.2, 0.8),
            "no study measures how fast employees revise what a grade brings",
        ),
    )
    discount_rate: float = Field(
        0.05,
        ge=0,
        le=1,
        **assumption(
            EFFORT,
            "yearly rate at which people discount future pay, to value a raise that lasts "
            "as long as they stay",
            (0.02, 0.20),
            "5% is the rate Davis & von Wachter (2011) discount job losses at, so raises "
            "and job loss are valued alike; individual rates vary far more widely "
            "(Frederick, Loewenstein & O'Donoghue 2002)",
        ),
    )
    line_of_sight_gain: float = Field(
        1.0,
        ge=0,
        le=5,
        **assumption(
            EFFORT,
            "extra effort response when pay rests wholly on measured KPIs (a clear line of "
            "sight; share)",
            (0.0, 2.0),
            "that people respond more to pay their work visibly moves is expectancy "
            "theory's instrumentality (Vroom 1964); no study gives the size",
        ),
    )
    measured_share: float = Field(
        0.5,
        ge=0.01,  # a vanishing share overflows what gaming adds to it (found by fuzzing)
        lt=1,
        **assumption(
            GAMING,
            "share of work that KPIs count; the rest (quality, helping, long-term work) is "
            "unmeasured and complements it in business value",
            (0.3, 0.8),
            "how much of a job its KPIs count depends on the job and its KPIs; no general figure",
        ),
    )
    gaming_at_full_weight: float = Field(
        0.4,
        ge=0,
        le=1,
        **assumption(
            GAMING,
            "share of unmeasured work a typical employee shifts to measured tasks when pay "
            "rests wholly on KPIs",
            (0.1, 0.6),
            "the direction is Kerr (1975) and Holmström & Milgrom (1991); no study gives the "
            "share, and goals.gameable_share caps what it adds to the KPIs",
        ),
    )
    gaming_propensity_sd: float = Field(
        0.5,
        ge=0,
        le=3,
        **assumption(
            GAMING,
            "spread of gaming propensity across people (log SD)",
            (0.25, 1.0),
            "people differ in how far they game; no published spread",
        ),
    )
    help_base: float = Field(
        0.5,
        ge=0,
        le=1,
        **definition(
            HELPING,
            "helping (0-1) of an employee at the new-hire engagement under absolute ratings",
            "the reference level of the 0-1 cooperation scale; what helping does to "
            "teammates is its product with help_effect_sd (0.15 SD at the defaults)",
        ),
    )
    help_effect_sd: float = Field(
        0.3,
        ge=0,
        le=3,
        **assumption(
            HELPING,
            "teammates' performance gain per unit of helping (SD)",
            (0.1, 0.6),
            "no published number turns helping into teammates' performance; at the "
            "defaults helping adds 0.15 SD to everyone under absolute ratings",
        ),
    )
    help_ranking_sensitivity: float = Field(
        0.08,
        ge=0,
        le=5,
        **assumption(
            HELPING,
            "fall of helping per % of yearly salary of stake under relative ranking (log units)",
            (0.02, 0.20),
            "the direction is Drago & Garvey (1998): helping falls where pay is relative; at "
            "a stake of 5% of salary per SD, 0.08 cuts helping by a third (the range: by a "
            "tenth to two thirds)",
        ),
    )
    sabotage_propensity: float = Field(
        0.5,
        ge=0,
        le=5,
        **assumption(
            HELPING,
            "mean propensity to sabotage rivals under relative ranking (0 = none, the lab "
            "condition without a sabotage option)",
            (0.0, 1.0),
            "part of the sabotage sizes set in an earlier version so that sabotage erases a "
            "forced curve's gain (see sabotage_stake_ref); no published share of saboteurs "
            "carries over",
        ),
    )
    sabotage_effect_sd: float = Field(
        1.5,
        ge=0,
        le=10,
        **assumption(
            HELPING,
            "teammates' performance loss per unit of sabotage (SD)",
            (0.5, 3.0),
            "part of the sabotage sizes set in an earlier version so that sabotage erases a "
            "forced curve's gain (see sabotage_stake_ref); no published size",
        ),
    )
    sabotage_stake_ref: float = Field(
        6.0,
        ge=0.01,  # smaller references overflow the power law (found by fuzzing)
        le=1000,
        **calibrated(
            HELPING,
            "stake (% of yearly salary per SD) at which a typical saboteur is at full sabotage",
            "set in an earlier version, and not re-tuned, so that sabotage erases a forced "
            "curve's gain, as Berger, Harbring & Sliwka (2013) found when workers could "
            "sabotage each other (finding bhs2013_fd_with_sabotage)",
            (3.0, 12.0),
            note="Sabotage grows with the stake to the power 1.5, faster than effort "
            "(Harbring & Irlenbusch 2011)",
        ),
    )


class GoalBehaviour(Section):
    """Goal-setting effects (Locke & Latham 1990, 2002)."""

    specific_sd: float = Field(
        0.1,
        ge=-2,
        le=2,
        **calibrated(
            GOALS,
            "gain from having a specific goal at all (SD units)",
            "with difficulty_slope, so that specific difficult goals beat 'do your best' by "
            "d .4-.8 (Locke & Latham 1990, 2002; finding goal_difficulty_d); how the gain "
            "splits between a goal's being specific and its being difficult is an assumption",
            (0.0, 0.2),
        ),
    )
    difficulty_slope: float = Field(
        0.35,
        ge=0,
        le=3,
        **calibrated(
            GOALS,
            "gain per SD of target difficulty while the goal is accepted",
            "with specific_sd, so that specific difficult goals beat 'do your best' by "
            "d .4-.8 (Locke & Latham 1990, 2002; finding goal_difficulty_d)",
        ),
    )
    abandon_gap_sd: float = Field(
        2.0,
        ge=0,
        le=10,
        **assumption(
            GOALS,
            "gap between target and capability (SD) at which half give up on the goal",
            (1.0, 3.0),
            "goals that look out of reach stop helping (Locke & Latham 2002); no published gap",
        ),
    )
    abandon_width_sd: float = Field(
        0.35,
        gt=0,
        le=5,
        **assumption(
            GOALS,
            "how sharply acceptance falls around that gap (SD)",
            (0.2, 0.7),
            "no published size",
        ),
    )
    abandon_penalty_sd: float = Field(
        0.3,
        ge=0,
        le=3,
        **assumption(
            GOALS,
            "performance lost by someone who has given up on the goal (SD)",
            (0.0, 0.5),
            "no published size for performing below 'do your best' after giving up",
        ),
    )
    decoupled_tolerance_sd: float = Field(
        0.5,
        ge=0,
        le=5,
        **assumption(
            GOALS,
            "extra gap people accept when goals are not tied to pay (OKR practice)",
            (0.0, 1.0),
            "OKR practice expects stretch goals to be partly missed (0.6-0.7 is the sweet "
            "spot, Doerr 2018); no study sizes how much more stretch people accept",
        ),
    )
    estimate_noise_sd: float = Field(
        0.3,
        ge=0,
        le=3,
        **assumption(
            GOALS,
            "error of managers' baseline estimates behind targets (SD)",
            (0.1, 0.6),
            "no published size",
        ),
    )
    gameable_share: float = Field(
        0.05,
        ge=0,
        le=1,
        **assumption(
            GAMING,
            "most that gaming can add to what the KPIs count, as a share of the real output "
            "behind them",
            (0.02, 0.10),
            "timing games cost one software vendor 6-8% of revenue (Larkin 2014), an upper "
            "end of what one measure lets people move",
            note="A KPI can be pushed ahead of the work only so far (timing, selection, "
            "reclassification)",
        ),
    )
    misalignment_loss: float = Field(
        0.2,
        ge=0,
        le=1,
        **assumption(
            GOALS,
            "business value lost on work not linked to company goals (share)",
            (0.0, 0.4),
            "no published size",
        ),
    )


class EngagementBehaviour(Section):
    """Engagement and perceived fairness (0–1): what raises and lowers them."""

    set_point: float = Field(
        0.65,
        ge=0,
        le=1,
        **assumption(
            ENGAGEMENT,
            "engagement (0-1) people drift toward under neutral conditions",
            (0.55, 0.75),
            "the usual level of the 0-1 scale; the attitude terms of effort and quits are "
            "measured from it, so it matters mainly through helping (which scales with "
            "engagement) and the ends of the scale",
        ),
    )
    between_person_sd: float = Field(
        0.22,
        ge=0,
        le=0.5,
        **assumption(
            ENGAGEMENT,
            "SD of engagement across people (0-1 scale) under neutral conditions, at reviews "
            "(0 = everyone alike, as before people differed)",
            (0.20, 0.25),
            "the spread the attitude terms are read in: a 1-5 survey item's SD of ~0.9 "
            "points on the 0-1 scale (the unit of behaviour.incentives."
            "engagement_performance_sd and behaviour.exits.engagement_sensitivity); the "
            "ends of the scale trim it by about a tenth",
        ),
    )
    disposition_share: float = Field(
        0.5,
        ge=0,
        le=1,
        **sourced(
            ENGAGEMENT,
            "share of the between-person variance of engagement that is a stable personal "
            "set point (dispositional affect), the rest a swing redrawn every review cycle",
            "Dormann & Zapf 2001, meta-analysis of job-satisfaction stabilities: about .50 "
            "over the studies' intervals, higher over short lags; job changers' stability "
            "puts an 'upper limit estimate of 0.51' on direct dispositional influence",
            (0.40, 0.60),
            note="Dispositional affect carries into job satisfaction (Staw & Ross 1985; "
            "Judge & Larsen 2001). The swing is drawn per review cycle (not weekly, for "
            "speed) and engagement follows it with adjust_weeks' lag, so the year-to-year "
            "correlation at annual reviews is this share plus what a year leaves of the "
            "swing (about .57 at the defaults), falling toward the share at longer lags",
        ),
    )
    adjust_weeks: float = Field(
        26.0,
        gt=0,
        le=520,
        **assumption(
            ENGAGEMENT,
            "time for engagement to close 63% of a gap (weeks)",
            (13.0, 52.0),
            "attitudes move over months; no published time constant",
        ),
    )
    checkin_gain: float = Field(
        0.12,
        ge=0,
        le=1,
        **assumption(
            ENGAGEMENT,
            "set-point gain from weekly check-ins with feedback wholly on the task",
            (0.05, 0.20),
            "Gallup finds regular conversations with one's manager the strongest driver of "
            "engagement; no size carries over",
        ),
    )
    disappointment_penalty: float = Field(
        0.04,
        ge=0,
        le=1,
        **assumption(
            ENGAGEMENT,
            "engagement lost per grade below one's self-assessment",
            (0.01, 0.08),
            "no published size",
        ),
    )
    self_leniency_sd: float = Field(
        0.4,
        ge=0,
        le=3,
        **sourced(
            ENGAGEMENT,
            "how far self-assessments exceed what supervisors see (SD units), where the "
            "rater model makes no self-ratings",
            "self-ratings exceed supervisors' by d = .32 observed, .49 corrected (Heidemeier "
            "& Moser 2009)",
            (0.32, 0.49),
        ),
    )
    pip_penalty: float = Field(
        0.10,
        ge=0,
        le=1,
        **assumption(
            ENGAGEMENT, "engagement lost on entering a PIP", (0.05, 0.20), "no published size"
        ),
    )
    promotion_boost: float = Field(
        0.10,
        ge=0,
        le=1,
        **assumption(
            ENGAGEMENT, "engagement gained on promotion", (0.05, 0.20), "no published size"
        ),
    )
    ranking_stress: float = Field(
        0.05,
        ge=0,
        le=1,
        **assumption(
            ENGAGEMENT,
            "set-point loss under forced ranking",
            (0.0, 0.10),
            "the direction is Schleicher et al. (2009): forced ranking is seen as less fair "
            "and more stressful; no size carries over",
        ),
    )
    hopeless_penalty: float = Field(
        0.25,
        ge=0,
        le=1,
        **assumption(
            ENGAGEMENT,
            "set-point loss for someone whose goal looks hopeless",
            (0.1, 0.4),
            "no published size",
        ),
    )
    fairness_update: float = Field(
        0.5,
        ge=0,
        le=1,
        **assumption(
            ENGAGEMENT,
            "weight of each review in perceived fairness (0-1)",
            (0.2, 0.8),
            "no published size",
        ),
    )
    fairness_feedback_gain: float = Field(
        0.2,
        ge=0,
        le=1,
        **assumption(
            ENGAGEMENT,
            "fairness gain from weekly feedback wholly on the task",
            (0.1, 0.3),
            "the direction is procedural and informational justice (Colquitt et al. 2001); "
            "no size carries over",
        ),
    )
    fairness_gap_penalty: float = Field(
        0.1,
        ge=0,
        le=1,
        **assumption(
            ENGAGEMENT,
            "fairness lost per grade below one's self-assessment",
            (0.05, 0.20),
            "no published size",
        ),
    )
    fairness_ranking_penalty: float = Field(
        0.1,
        ge=0,
        le=1,
        **assumption(
            ENGAGEMENT,
            "fairness lost under forced ranking",
            (0.05, 0.20),
            "the direction is Schleicher et al. (2009); no size carries over",
        ),
    )
    coaching_skill_sd: float = Field(
        0.10,
        ge=0,
        le=2,
        **assumption(
            FEEDBACK,
            "yearly skill growth from weekly check-ins with feedback wholly on the task (SD; "
            "task learning)",
            (0.05, 0.30),
            "programmes with professional coaches raise outcomes by g = .43-.74 (Theeboom, "
            "Beersma & van Vianen 2014) or .59 over 37 randomized trials, less on observed "
            "than self-reported outcomes (de Haan & Nilsson 2023): an upper bound for a "
            "manager's one-to-ones",
        ),
    )
    feedback_task_sd: float = Field(
        0.36,
        ge=0,
        le=3,
        **sourced(
            FEEDBACK,
            "extra performance (SD units) while people get weekly feedback wholly on the "
            "task: what they did and how far it is from the standard (task motivation)",
            "Itzchakov & Latham 2020: feedback added to a goal raised performance by d = .36 "
            "(95% CI .23-.49; four experiments, one with customer-service employees)",
            (0.23, 0.49),
            note="Whatever its sign, feedback worked through the goals people then set "
            "themselves, so it applies with or without assigned goals",
        ),
    )
    feedback_threat_sd: float = Field(
        0.26,
        ge=0,
        le=3,
        **assumption(
            FEEDBACK,
            "performance lost (SD units) while weekly feedback aimed wholly at the person "
            "tells someone they fall short of their teammates (a verdict that moves "
            "attention from the task to the self)",
            (0.10, 0.40),
            "by analogy with another threat to the self in an evaluative situation: "
            "stereotype threat lowers test performance by d = .26 (Nguyen & Ryan 2008, "
            "meta-analysis; subgroups .11-.64; publication bias suggests less, Zigerell 2017)",
        ),
    )
    feedback_praise_sd: float = Field(
        0.0,
        ge=0,
        le=3,
        **assumption(
            FEEDBACK,
            "performance gained while weekly feedback aimed wholly at the person tells "
            "someone they outdo their teammates (praise)",
            (0.0, 0.24),
            "praise, like grades, made people ego-involved and perform below task comments "
            "(Butler 1987); the upper end is reinforcement and praise, d = .24 on learning "
            "(Wisniewski, Zierer & Hattie 2020)",
        ),
    )
    warning_coaching_sd: float = Field(
        0.03,
        ge=0,
        le=1,
        **assumption(
            FEEDBACK,
            "skill gain from one early-warning coaching session (SD)",
            (0.01, 0.10),
            "no published size; about a third of what a year of weekly task feedback "
            "coaches (coaching_skill_sd)",
        ),
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
        **assumption(
            QUITS,
            "U-shape of quits in performance: hazard x exp(c z^2), z = performance in SD",
            (0.05, 0.20),
            "the shape is Trevor, Gerhart & Boudreau (1997): turnover is higher for low and "
            "high performers than for average ones; no size carries over. 0.10 makes people "
            "2 SD from average quit ~1.5x as often as average performers (the range: "
            "1.2x-2.2x)",
        ),
    )
    market_premium_per_sd: float = Field(
        0.01,
        ge=0,
        le=0.5,
        **assumption(
            QUITS,
            "yearly pay growth outside employers offer per SD of performance (share)",
            (0.005, 0.02),
            "the market rewards performance about as merit practice does: top grades get "
            "~1.5x the middle raise on a 3% budget, ~1 point per SD",
        ),
    )
    pay_lag_sensitivity: float = Field(
        40.0,
        ge=0,
        le=500,
        **assumption(
            QUITS,
            "log hazard per unit of yearly pay growth short of what the market pays for "
            "one's performance",
            (10.0, 60.0),
            "the direction is Trevor, Gerhart & Boudreau (1997: high performers with low "
            "salary growth quit 'extremely' often, with high growth 'rather' seldom) and "
            "Nyberg (2010); no size carries over. 40 makes a 2-point shortfall multiply the "
            "hazard by 2.2 (the range: 1.2x-3.3x)",
        ),
    )
    engagement_sensitivity: float = Field(
        2.0,
        ge=0,
        le=50,
        **sourced(
            QUITS,
            "log hazard per unit of engagement (0-1) below its set point",
            "Griffeth, Hom & Gaertner 2000: job satisfaction and turnover correlate "
            "rho = -.19, turned into a log-hazard slope",
            (1.5, 3.0),
            note="A log-linear hazard gives a point-biserial r = b s sqrt(p/(1-p)) for an "
            "attitude of SD s at a turnover rate p; with p = .15 and s = .22 (a 1-5 survey "
            "scale's SD of ~0.9 points on 0-1) b = .19 x 2.38 / .22 = 2.0; the range spans "
            "p .10-.20 and s .20-.25",
        ),
    )
    fairness_sensitivity: float = Field(
        1.0,
        ge=0,
        le=50,
        **assumption(
            QUITS,
            "log hazard per unit of perceived fairness (0-1) below the new-hire level",
            (0.0, 2.0),
            "half the engagement slope: justice perceptions relate to withdrawal (Colquitt "
            "et al. 2001) largely through the satisfaction and commitment the engagement "
            "term already carries",
        ),
    )
    promotion_visibility: float = Field(
        1.0,
        ge=0,
        le=1,
        **assumption(
            CAREERS,
            "how far outside employers read a promotion as evidence of performance: a "
            "promoted person's market standing is at least this share of the mean standing "
            "of everyone promoted (0 = promotions invisible outside, 1 = the market believes "
            "the signal fully)",
            (0.0, 1.0),
            "signalling (Waldman 1984); promotions give 'visibility and legitimacy in the "
            "external job market', most for weaker performers (Trevor, Gerhart & Boudreau "
            "1997); no size carries over",
        ),
    )
    layoff_rate: float = Field(
        0.04,
        ge=0,
        le=0.5,
        **assumption(
            LAYOFFS,
            "yearly share of people laid off (restructuring, cuts), whatever their "
            "performance; 0 = no layoffs",
            (0.01, 0.08),
            "set for permanent staff below the published rates for all staff: US "
            "employers' layoffs and discharges together run at 0.6-0.9% of employment a "
            "month in finance and manufacturing in expansion years "
            "(BLS JOLTS, e.g. March 2013: manufacturing 0.7, financial activities 0.6, all "
            "nonfarm 1.0), 7-11% a year counting temporary and seasonal staff and firings a "
            "performance policy decides; in 1984 about 5% of all jobs ended or were "
            "interrupted by a layoff and 1% by a firing (Census SIPP working paper 101)",
            note="With discharge_rate, 5% a year, one in five for cause",
        ),
    )
    discharge_rate: float = Field(
        0.01,
        ge=0,
        le=0.5,
        **assumption(
            LAYOFFS,
            "yearly share of people discharged for cause (misconduct, attendance), outside "
            "any rating-based exit rule; 0 = none",
            (0.005, 0.02),
            "about one involuntary separation in six is a firing (SIPP 1984: 1% of jobs "
            "ended by a firing, 5% by a layoff)",
        ),
    )
    discharge_performance_correlation: float = Field(
        0.32,
        ge=0,
        lt=1,
        **assumption(
            LAYOFFS,
            "correlation of the conduct that gets someone discharged with low performance "
            "(liability model: a discharge is the worst tail of a normal conduct score; "
            "0 = discharges unrelated to performance)",
            (0.15, 0.45),
            "that misconduct relates to overall performance about as strongly as "
            "counterproductive and citizenship behaviour correlate, -.32 (Dalal 2005, "
            "meta-analysis); frequent absence goes with lower performance, modestly and "
            "variably (Bycio 1992, meta-analysis)",
        ),
    )


class CareerBehaviour(Section):
    """What a promotion changes besides pay: the demands of the new role."""

    level_demand_sd: float = Field(
        0.5,
        ge=0,
        le=3,
        **assumption(
            CAREERS,
            "performance the next career level demands beyond the current one (SD units): "
            "a promoted person is rated against the higher level, so the same work looks "
            "this much weaker",
            (0.0, 1.5),
            "no published size; 0 = the next level asks no more, ~1.2 (the standing of "
            "those promoted) makes a promotee an average performer of the new level (the "
            "Peter principle's starting point)",
        ),
    )


class Behaviour(Section):
    """The uncertain assumptions about people, each with where its size comes from."""

    performance_noise_sd: float = Field(
        1.0,
        ge=0,
        le=10,
        **assumption(
            WORK,
            "week-to-week luck in true performance (SD units per week)",
            (0.5, 1.7),
            "weekly sales varied mostly within person, 73% of their variance (Stewart & "
            "Nandkeolyar 2006; self-rated task performance 77%, Fisher & Noble 2004), about "
            "1.6 between-person SDs a week; less where output is steadier",
        ),
    )
    output_per_sd: float = Field(
        0.20,
        ge=0,
        le=1,
        **sourced(
            WORK,
            "output change per SD of performance (share of an average hire's output)",
            "Schmidt & Hunter 1983: the SD of output averages 20% of mean output in jobs "
            "not paid by the piece (15% with piece rates)",
            (0.15, 0.48),
            note="Hunter, Schmidt & Judiesch (1990) found about 19%, 32% and 48% in low, "
            "medium and high complexity jobs",
        ),
    )
    voluntary_quit_rate: float = Field(
        0.10,
        ge=0,
        le=1,
        **definition(
            QUITS,
            "yearly voluntary turnover realised under the status-quo policy "
            "(experiment.baseline, else the first policy), share",
            "your organization's own rate, from its HR records; 10% as in the design of "
            "Scullen, Bergey & Aiman-Smith (2005); SHRM's 2008 benchmarks put median "
            "voluntary turnover at 5-6% in biotech and high tech and 35-36% in agriculture "
            "and transport",
            (0.05, 0.36),
            note="The quit hazard's intercept is solved to reproduce it, and other policies "
            "move away from it only through the hazard's terms (without behaviour.exits the "
            "rate applies to everyone as is)",
        ),
    )
    anchor_turnover: bool = Field(
        True,
        description="switch: solve the quit hazard's intercept so the status quo realises "
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
