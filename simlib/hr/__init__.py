"""HR data: the canonical tables an HR export and a simulated organization share, and the
observed moments computed from them (one definition for both).

``simlib.hr.panel.record_panel`` records a simulation as such tables and
``simlib.hr.example`` writes the shipped synthetic export; they are not imported here, so
reading an export does not load the model.
"""

from simlib.hr.moments import observed_moments
from simlib.hr.tables import HrTables, HrTablesError, make_tables

__all__ = ["HrTables", "HrTablesError", "make_tables", "observed_moments"]
