"""The performance cycle (PP 30/2019, PermenPANRB 6/2022): pure business rules.

* ``rating``       — rating hasil kerja / perilaku kerja, predikat kinerja (the matrix), predikat kinerja
                     organisasi, credit-point factors (angka kredit) and follow-up priorities.
* ``distribution`` — the distribution curve (pola distribusi) of staff predikat per organisation rating.
* ``workflow``     — the state machines of the SKP (Sasaran Kinerja Pegawai), the evaluation (penilaian)
                     and the objection (keberatan), with the actor allowed to make each transition.
* ``deadlines``    — the objection window, the SKP submission deadline, annual/quarterly (triwulan)/monthly
                     periods.

No Flask app, request or database here: plain values in, plain values (and lazy, translatable messages)
out, so the models, views, API and CLI all enforce the same rules. Unit-tested in tests/unit.
"""


def register(appbuilder):
    """Menus, views and REST APIs of the performance cycle (called by the app factory). Each screen
    module registers its own views; add one line per module."""
    from . import admin_views

    admin_views.register(appbuilder)
    from . import api

    api.register(appbuilder)
    from . import evaluation_views

    evaluation_views.register(appbuilder)
    from . import planning_views

    planning_views.register(appbuilder)
