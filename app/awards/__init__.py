"""Awards (penghargaan; domain.md "Follow-up"): the candidates of a year computed from the final annual
predikat (talent pool, competence development) and the years of service (Satyalancana Karya Satya), the
Pengelola Kinerja's decisions on them, and each employee's own awards.

* ``rules``    — award kinds, years of service, candidate rules, decision validation (pure);
* ``services`` — candidates in a constant number of queries, bulk decisions, decision lists;
* ``views``    — candidates with the bulk decision, decisions with export, "Penghargaan Saya";
* ``api``      — /api/v1/award (decisions, candidates, decide).
"""


def register(appbuilder):
    """Menus, views and REST API of the awards (called by the app factory)."""
    from flask_babel import lazy_gettext as _l

    from . import api, views

    cat_label = _l("Performance management")
    appbuilder.add_view(views.AwardCandidateView, "Award Candidates", label=_l("Award candidates"),
                        icon="fa-star", category="Performance", category_label=cat_label)
    appbuilder.add_view(views.AwardDecisionView, "Awards", label=_l("Awards"), icon="fa-trophy",
                        category="Performance", category_label=cat_label)
    appbuilder.add_view(views.MyAwardsView, "My Awards", label=_l("My awards"), icon="fa-trophy",
                        category="Kinerja", category_label=_l("My performance"))
    api.register(appbuilder)
