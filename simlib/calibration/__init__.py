"""Calibration to an organization's own HR data: fit, posterior, backtest and report.

``simlib calibrate DIR/organization.yaml --observed DIR/observed.csv --out CAL`` fits the
behavioural assumptions the observed moments identify (:mod:`.assumptions`), each inside its
literature range, by simulating the status quo recorded as an HR export and computing the
same moments from it (:mod:`.simulated`). Phase 1 searches for the best fit
(:mod:`.fit`, seeded TPE); phase 2 weighs draws around it into an approximate posterior
(:mod:`.posterior`). :mod:`.outputs` writes the calibrated scenario, the fit table, the
posterior and the backtest; :mod:`.report` the HTML page and chart.

The "calibration" mechanism (committee meetings that calibrate ratings) is
:mod:`simlib.mechanisms.calibration`, unrelated to this package.
"""
