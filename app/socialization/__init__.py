"""Socialization material (materi sosialisasi; domain.md "Training and socialization"): guides published to
employees, versioned, with each employee's acknowledgement of each version and the reach per unit.

* ``rules``    — vocabularies, the HTML sanitiser, validation, audience and reading state, reach sums (pure);
* ``starter``  — the starter set of real material generated from the performance rules (pure);
* ``services`` — what needs the database: visibility, acknowledgement, publishing, reach (aggregate SQL);
* ``views``    — the reader's, the manager's and the reach screens; ``api`` — /api/v1/material;
* ``cli``      — ``flask portal load-material``.
"""


def register(appbuilder):
    """Menus, views, REST API and CLI command of the socialization material (called by the app factory)."""
    from flask_babel import lazy_gettext as _l

    from . import api, cli, views  # noqa: F401  (cli registers `flask portal load-material`)

    appbuilder.add_view(views.MaterialView, "Socialization Material", label=_l("Socialization material"),
                        icon="fa-book")
    cat_label = _l("Performance management")
    appbuilder.add_view(views.MaterialAdminView, "Manage Material", label=_l("Manage socialization material"),
                        icon="fa-pencil-square-o", category="Performance", category_label=cat_label)
    appbuilder.add_view(views.MaterialReachView, "Material Reach", label=_l("Reach of socialization material"),
                        icon="fa-check-circle-o", category="Performance", category_label=cat_label)
    api.register(appbuilder)
