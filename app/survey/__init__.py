"""Public satisfaction survey (Survei Kepuasan Masyarakat, IKM; domain.md "Public satisfaction"): service
units, yearly campaigns with a public link and QR code, anonymous citizen responses behind abuse protection,
and the IKM per unit and year (NRR per element, index, grade), shown to managers and usable as an RHK
indicator's realised value.

* ``rules``     — the nine elements, NRR / IKM / grade, answer validation (pure, unit-tested);
* ``models``    — the tables, with check constraints;
* ``scope``     — which service units a person may see results of;
* ``services``  — aggregates (``ikm_series`` for the dashboards), storing responses, throttle counters;
* ``public``    — the citizen's pages (no login, no FAB layout): form, thank-you page;
* ``views``     — FAB screens: service units and campaigns (CRUD), results, QR code, PDF, CSV;
* ``api``       — REST: results (read) and campaigns (admin).

An RHK indicator takes the IKM as its realised value when the employee chooses a service unit as its value
source (``Indicator.value_source`` IKM, ``ikm_unit_id``): on "Rencana Kinerja Saya" (a select per indicator, the
active service units of the plan's own OPD first: ``services.service_unit_choices``) and on
``PUT /api/v1/skp/<id>/plan``; ``app.performance.services.save_plan`` checks the unit
(``services.service_unit_states``). The plan and rating screens show the unit's current IKM
(``portal/survey/indicator_ikm.html``, ``survey_ikm_for``: cached per request).
"""


def register(appbuilder):
    """Menus, views, public pages and REST APIs of the survey (called by the app factory)."""
    from flask import current_app

    from . import api, public, views

    public.register(current_app)
    current_app.jinja_env.globals["survey_ikm_for"] = _ikm_for
    views.register(appbuilder)
    api.register(appbuilder)


def _ikm_for(unit_id: int) -> dict:
    """The current IKM of a unit for an RHK indicator whose realised value is the IKM (templates; cached for
    the request): year, ikm, grade code, respondents, unit name."""
    from flask import g, has_request_context, request
    from sqlalchemy import select

    from app.extensions import db
    from app.organisation.models import Unit
    from app.performance.services import today_wib

    from .services import current_ikm

    # per request, on the request itself: g belongs to the app context, which a caller (tests, scripts) may
    # share between many requests, and the IKM must not be carried over from one request to the next
    cache = request.environ.setdefault("portal.survey_ikm_cache", {}) if has_request_context() \
        else g.setdefault("survey_ikm_cache", {})
    if unit_id not in cache:
        year, result = current_ikm(db.session, unit_id, today_wib())
        cache[unit_id] = {"year": year, "ikm": result.ikm, "grade": result.grade_code,
                          "respondents": result.respondents,
                          "unit_name": db.session.scalar(select(Unit.name).where(Unit.id == unit_id))}
    return cache[unit_id]
