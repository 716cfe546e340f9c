"""Training and socialization (pelatihan dan sosialisasi, domain.md "Training and socialization"): the topic
catalogue, sessions with trainers, invitations with a waiting list, attendance with self check-in, test
scores and certificates, participant feedback, external trainings, the yearly JP ledger against the target
per ASN type, and training needs derived from the evaluations (with the effect of training).

* ``rules``     — vocabularies and pure rules (no Flask app, no database), unit-tested in tests/unit;
* ``models``    — the tables, with check constraints built from the vocabularies;
* ``scope``     — row scope as SQL clauses (Pelatih: the sessions they train);
* ``services``  — everything that reads or writes the database (one transaction per change);
* ``views``     — FAB CRUD screens (topics, sessions, participants, external trainings, JP targets, rules);
* ``screens``   — "Pelatihan Saya", "Sesi Saya", the roster, the JP ledger, "Kebutuhan Pelatihan", feedback;
* ``api``       — the REST API (/api/v1/training_session, …);
* ``documents`` — the printable attendance list (PDF).
"""


def register(appbuilder):
    """Menus, views and REST APIs of training and socialization (called by the app factory)."""
    from . import api, screens, views

    screens.register_personal(appbuilder)  # "Pelatihan Saya" and "Sesi Saya" first in the menu
    views.register(appbuilder)
    screens.register(appbuilder)
    api.register(appbuilder)
