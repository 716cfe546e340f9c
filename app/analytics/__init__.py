"""Rater-bias analytics (*subjektivitas penilaian*, issue 6): per rater (*pejabat penilai*), the ratings they
gave against their unit (OPD) and the city — distribution, leniency / severity, central tendency, the gap
with the employees' self-assessments, identical ratings for everyone — with documented thresholds and the
reasons of each flag in plain language. Visible only to Admin, Pengelola Kinerja and the rater's own
leadership chain.

* ``rules``    — the statistics and thresholds (pure; tests/unit/test_rater_bias_rules.py);
* ``scope``    — who may see which rater, as one SQL clause;
* ``services`` — the per-rater aggregate (one GROUP BY statement) and the baselines;
* ``views``    — /rater-bias/ (list, rater page with charts, CSV);
* ``api``      — /api/v1/rater_bias/.
"""


def register(appbuilder):
    """Menu, screens and REST API of the rater-bias analytics (called by the app factory)."""
    from . import api, views

    views.register(appbuilder)
    api.register(appbuilder)
