"""HR data: the canonical tables an HR export and a simulated organization share, and the
observed moments computed from them (one definition for both)."""

from simlib.hr.tables import HrTables, HrTablesError, make_tables

__all__ = ["HrTables", "HrTablesError", "make_tables"]
