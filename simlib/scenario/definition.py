"""Scenarios: the validated, hashed description of an organization and the policies to try.

A scenario keeps apart what the organization *is* (``organization``), the world it lives in
(``environment``), what we are unsure of about people (``behaviour``, the uncertain
assumptions), how it recruits (``hiring``), what management may choose (``policies``, the
levers) and how to run the experiment (``experiment``). The sections are defined in
:mod:`simlib.scenario.organization`, :mod:`simlib.scenario.behaviour`,
:mod:`simlib.scenario.rater_behaviour` and :mod:`simlib.scenario.policy`; reading a scenario
from YAML with overrides is :mod:`simlib.scenario.loading`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import Field, PrivateAttr, model_validator

from simlib.i18n import _
from simlib.scenario.behaviour import (
    Behaviour,
)
from simlib.scenario.costs import Costs
from simlib.scenario.organization import (
    Environment,
    Experiment,
    Hiring,
    Organization,
    PolicyName,
    default_recruiters,
)
from simlib.scenario.policy import Policy, expand_preset
from simlib.scenario.report_settings import ReportSettings
from simlib.scenario.schema import Section

# Names that code outside the scenario layer still imports from this module; new code
# imports them from the module that defines them.
__all__ = ["Scenario"]


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
    costs: Costs = Field(default_factory=Costs)
    report: ReportSettings = Field(default_factory=ReportSettings)
    # Whether hiring.recruiters was derived from the headcount (not stated): a copy with
    # another headcount then derives it again (:meth:`restated`).
    _recruiters_derived: bool = PrivateAttr(False)

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
                    _(
                        "experiment.policies: {name} is not a declared policy; declared: {names}"
                    ).format(name=repr(chosen), names=", ".join(names))
                )
        if exp.baseline is not None and exp.baseline not in self.policies:
            raise ValueError(
                _("experiment.baseline: {name} is not a declared policy; declared: {names}").format(
                    name=repr(exp.baseline), names=", ".join(names)
                )
            )
        return self

    @model_validator(mode="after")
    def _rater_groups(self) -> Scenario:
        chosen = self.behaviour.raters.similar_to_me_groups or []
        unknown = [g for g in chosen if g not in self.organization.groups]
        if unknown:
            raise ValueError(
                _(
                    "behaviour.raters.similar_to_me_groups: {unknown} are not groups of "
                    "organization.groups; declared: {names}"
                ).format(unknown=unknown, names=", ".join(self.organization.groups))
            )
        return self

    @model_validator(mode="after")
    def _currency(self) -> Scenario:
        stated, bands = self.costs.currency, self.organization.salary_bands.currency
        if stated is not None and stated != bands:
            raise ValueError(
                _(
                    "costs.currency: {stated} differs from organization.salary_bands.currency "
                    "{bands}; every amount is in one currency (leave costs.currency out)"
                ).format(stated=repr(stated), bands=repr(bands))
            )
        return self

    @model_validator(mode="after")
    def _recruiting_capacity(self) -> Scenario:
        """Recruiters not stated scale with the headcount (:func:`default_recruiters`)."""
        if "recruiters" not in self.hiring.model_fields_set:
            scaled = default_recruiters(self.organization.headcount)
            if scaled != self.hiring.recruiters:
                hiring = self.hiring.model_copy(update={"recruiters": scaled})
                object.__setattr__(self, "hiring", hiring)
            self._recruiters_derived = True
        return self

    # --- derived views -------------------------------------------------------------

    @property
    def policy_names(self) -> list[str]:
        """The policies this scenario compares, in order."""
        return list(self.experiment.policies or self.policies)

    @property
    def baseline(self) -> str:
        return self.experiment.baseline or self.policy_names[0]

    def restated(self) -> dict[str, Any]:
        """The parameters as a scenario file would state them: :meth:`to_dict` without the
        values derived from others (recruiters from the headcount), so that overrides of
        what they derive from move them too."""
        data = self.to_dict()
        if self._recruiters_derived:
            del data["hiring"]["recruiters"]
        return data

    def to_dict(self) -> dict[str, Any]:
        """The fully resolved parameters (defaults filled in, presets expanded)."""
        return self.model_dump(mode="json")

    @property
    def hash(self) -> str:
        """A stable 16-hex-digit hash of the resolved parameters."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]
