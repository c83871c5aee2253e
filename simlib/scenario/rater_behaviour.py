"""Assumptions about raters and appeals: how people turn what they see into a rating, and
when employees contest one.

Each number says where its size comes from and how sure we are
(:mod:`simlib.scenario.sizes`; DESIGN §3 and §7).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from simlib.scenario.schema import Section
from simlib.scenario.sizes import APPEALS, RATERS, assumption, calibrated, definition, sourced


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

    Calibration: ``idiosyncratic_sd``, ``error_sd``, the two perspective views, the records'
    noise and ``self_distortion_sd`` are set together so that the Scullen, Mount & Goff design
    lands inside every published range at once (ratee 21-25%, idiosyncratic 53-62%, error
    11-18% of rating variance; supervisor agreement .45-.61, peer .37-.47, self-supervisor
    r .22-.35). The ranges leave only a narrow region: the sources disagree on how much
    raters of one perspective share (SMG 2000 find it small; two supervisors agreeing at .52
    and two peers at .42 need a shared view), so every figure sits within about .01 of an
    edge of its range. Self-ratings are assumed no more than 1.2 times as valid as a
    supervisor's (they converge with objective measures about as well: Heidemeier & Moser
    2009, Mabe & West 1982), which rules out the fits where the self sees nearly the truth.
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
        **sourced(
            RATERS,
            "model 'reliability' (and PIP re-ratings, and the reliability people first "
            "assume ratings have): share of rating variance due to true cycle performance",
            "Scullen, Bergey & Aiman-Smith 2005 use .70; two supervisors' ratings agree at "
            ".52 (Viswesvaran, Ones & Schmidt 1996)",
            (0.52, 0.70),
        ),
    )
    leniency_sd: float = Field(
        0.45,
        ge=0,
        le=3,
        **calibrated(
            RATERS,
            "SD across raters of their mean shift (rating SD units)",
            "with idiosyncratic_sd, inside the idiosyncratic 53-62% of rating variance "
            "(Scullen, Mount & Goff 2000); their design cannot split rater main effects from "
            "rater-by-ratee impressions, so about half is assumed to be general leniency",
        ),
    )
    compression: float = Field(
        0.20,
        ge=0,
        lt=1,
        **assumption(
            RATERS,
            "central tendency: share (0-1) by which raters pull ratings toward their own midpoint",
            (0.1, 0.4),
            "ratings crowd the upper middle of scales (Bretz, Milkovich & Read 1992); no "
            "size carries over",
        ),
    )
    halo: float = Field(
        0.20,
        ge=0,
        le=1,
        **assumption(
            RATERS,
            "weight (0-1) of the ratee's last rating in this one",
            (0.1, 0.4),
            "prior ratings anchor new ones (Murphy, Balzer, Lockhart & Eisenman 1985); no "
            "size carries over",
        ),
    )
    recency: float = Field(
        0.25,
        ge=0,
        le=1,
        **assumption(
            RATERS,
            "extra weight (0-1) raters give the last recency_weeks of the cycle over the "
            "cycle as a whole",
            (0.1, 0.5),
            "recency effects (Steiner & Rain 1989); no size carries over",
        ),
    )
    recency_weeks: int = Field(
        13,
        ge=1,
        le=104,
        **assumption(
            RATERS,
            "the late part of the cycle that recency favours (weeks)",
            (4, 26),
            "a quarter; no published span",
        ),
    )
    idiosyncratic_sd: float = Field(
        1.18,
        ge=0,
        le=10,
        **calibrated(
            RATERS,
            "rater-by-ratee impression (SD units of true performance), fresh each rating",
            "with leniency_sd, so that the idiosyncratic share of rating variance is 53-62% "
            "(Scullen, Mount & Goff 2000)",
        ),
    )
    error_sd: float = Field(
        0.72,
        ge=0,
        le=10,
        **calibrated(
            RATERS,
            "random error of one rated dimension (SD units of true performance)",
            "so that random error is 11-18% of rating variance (Scullen, Mount & Goff 2000)",
        ),
    )
    dimensions: int = Field(
        3,
        ge=1,
        le=20,
        **definition(
            RATERS,
            "performance dimensions rated; the rating is their mean",
            "the rating form: the number of dimensions it rates",
        ),
    )
    measurement_noise_self_reported_sd: float = Field(
        1.18,
        ge=0,
        le=10,
        **calibrated(
            RATERS,
            "noise in performance records when employees report their own results (SD "
            "units); shared by every supervisor reading them",
            "to two supervisors' agreement, r = .52 (band .45-.61; Viswesvaran, Ones & "
            "Schmidt 1996): the records' shared noise makes supervisors agree with each "
            "other more than with the truth",
        ),
    )
    measurement_noise_automatic_sd: float = Field(
        0.30,
        ge=0,
        le=10,
        **assumption(
            RATERS,
            "the same when results are captured automatically by systems (the seed "
            "articles' digital data collection practice)",
            (0.1, 0.6),
            "no published size for how much automatic capture cleans the records",
        ),
    )
    similar_to_me: float = Field(
        0.20,
        ge=0,
        le=3,
        **assumption(
            RATERS,
            "how much higher (rating SD units) raters rate ratees of their own group than "
            "others at equal performance, centred so the mean is unmoved",
            (0.0, 0.4),
            "Kraiger & Ford (1985): ratee race and rating correlate .18 with white raters "
            "and -.22 with black raters, each favouring their own group, but not at equal "
            "performance, so an upper end; Sackett & DuBois (1991) found raters of both "
            "groups rating whites higher, not their own group (see also Tsui & O'Reilly "
            "1989)",
        ),
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
        **sourced(
            RATERS,
            "extra leniency of ratings that decide pay over developmental ones (rating SD units)",
            "Jawahar & Williams 1997: ratings for administrative purposes run about 1/3 SD higher",
            note="The validation's d of pay over developmental ratings echoes this "
            "parameter (divided by the rating SD)",
        ),
    )
    training_effect: float = Field(
        0.40,
        ge=0,
        le=1,
        **assumption(
            RATERS,
            "share by which training shrinks a trained rater's leniency, compression, halo, "
            "recency and similar-to-me",
            (0.2, 0.6),
            "rater training reduces rating errors and frame-of-reference training raises "
            "accuracy (Woehr & Huffcutt 1994; Roch et al. 2012); no single share carries "
            "over",
        ),
    )
    peer_perspective_sd: float = Field(
        0.75,
        ge=0,
        le=10,
        **calibrated(
            RATERS,
            "view shared by a ratee's peers and by no one else (SD units)",
            "so that two peers agree at about .37-.47 (Viswesvaran, Ones & Schmidt 1996: "
            ".42; Conway & Huffcutt 1997: .37)",
        ),
    )
    subordinate_perspective_sd: float = Field(
        0.0,
        ge=0,
        le=10,
        **assumption(
            RATERS,
            "view shared by a manager's subordinates (SD units)",
            (0.0, 0.5),
            "360 perspective effects are small (Scullen, Mount & Goff 2000), and any shared "
            "view here lowers the idiosyncratic share below its range, so none by default",
        ),
    )
    self_leniency: float = Field(
        0.35,
        ge=-3,
        le=3,
        **sourced(
            RATERS,
            "mean shift of self-ratings (rating SD units)",
            "self-ratings are lenient, d = .32 observed, .49 corrected (Heidemeier & Moser 2009)",
            (0.32, 0.49),
        ),
    )
    self_distortion_sd: float = Field(
        1.55,
        ge=0,
        le=10,
        **calibrated(
            RATERS,
            "self-view distortion (SD units of true performance)",
            "so that self-supervisor r is .22-.35 (Heidemeier & Moser 2009: r .22; Harris & "
            "Schaubroeck 1988: rho .35)",
            note="Self-ratings are assumed no more than 1.2 times as valid as a "
            "supervisor's (Heidemeier & Moser 2009; Mabe & West 1982)",
        ),
    )
    review_hours: float = Field(
        4.0,
        ge=0,
        le=200,
        **assumption(
            RATERS,
            "manager hours per review written: preparing, writing, discussing",
            (2.0, 8.0),
            "Adobe saved 80,000 hours of managers' time a year by dropping annual reviews "
            "for its ~11,500 employees (Morris 2013), about 7 per person reviewed with "
            "ranking sessions included (the model counts calibration meetings apart); "
            "managers spend ~210 hours a year on all performance management (CEB 2012)",
        ),
    )
    multi_source_review_hours: float = Field(
        1.0,
        ge=0,
        le=200,
        **assumption(
            RATERS,
            "extra manager hours per review for collecting and reading 360 feedback",
            (0.5, 3.0),
            "no published size",
        ),
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
        **assumption(
            APPEALS,
            "gap between self-assessment and final rating (rating SD units) above which an "
            "employee considers appealing",
            (0.5, 2.0),
            "no published size",
        ),
    )
    propensity_per_sd: float = Field(
        0.10,
        ge=0,
        le=10,
        **assumption(
            APPEALS,
            "probability of appealing per SD of gap above the threshold (capped at max_share)",
            (0.05, 0.30),
            "formal appeals are rare; no published rate",
        ),
    )
    max_share: float = Field(
        0.5,
        ge=0,
        le=1,
        **assumption(
            APPEALS,
            "highest probability of appealing, however large the gap",
            (0.2, 0.8),
            "no published size",
        ),
    )
    fairness_gain_overturned: float = Field(
        0.10,
        ge=0,
        le=1,
        **assumption(
            APPEALS,
            "rise in perceived fairness (0-1 scale) when an appeal succeeds",
            (0.05, 0.20),
            "the direction is voice and correctability (Leventhal 1980; Folger 1977); no "
            "size carries over",
        ),
    )
    fairness_loss_upheld: float = Field(
        0.05,
        ge=0,
        le=1,
        **assumption(
            APPEALS,
            "fall in perceived fairness (0-1 scale) when an appeal is rejected",
            (0.0, 0.10),
            "no published size",
        ),
    )
