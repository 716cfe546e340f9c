"""The public satisfaction survey (app/survey) in the generated access matrix (tests/test_access_matrix.py).

Record kind ``sunit``: a public-service unit (survey_service) with an open campaign of this year and a few
answers. Service units of the matrix: Puskesmas Sukarami ("pkm", in Dinas Kesehatan), Bidang P2P ("p2p", whose
head position Siti — the matrix Atasan — holds) and Dinas Pendidikan ("disdik"). Own / in scope / out of scope:

* Admin and Pengelola Kinerja: the puskesmas (the whole city is theirs); they manage services and campaigns;
* Pimpinan (Ahmad, Dinas Kesehatan): in = the puskesmas, out = Dinas Pendidikan (404 / not listed);
* Atasan (Siti): own = Bidang P2P (she heads it), out = the puskesmas;
* Pegawai, Pelatih: no results permission (403); anonymous: sign in.

The citizen's pages need no account: the form, the submission (the cell first fetches the form, as a phone
does, for the device cookie; the answer is stored and the browser sent to the thank-you page) and the
thank-you page are open to every role. A record is recognised in an answer by its service name.

``add_rows(ACCESS, RECORDS)`` is called at the end of tests/access_matrix.py; ``install(namespace)`` at the end
of tests/test_access_matrix.py.
"""
from __future__ import annotations

from datetime import date
from itertools import count

from sqlalchemy import func, select
from app.performance.services import today_wib  # the city's date (WIB), as the app uses

_seq = count(1)
YEAR = today_wib().year
KINDS = ("own", "in", "out")

_UNITS = {"Admin": (None, "pkm", None), "Pengelola Kinerja": (None, "pkm", None),
          "Pimpinan": (None, "pkm", "disdik"), "Atasan": ("p2p", None, "pkm"), "Pegawai": (None, None, "pkm"),
          "Pelatih": (None, None, "pkm"), "anonymous": (None, None, "pkm")}

MANAGE_LIST = ("-A-", "-A-", "F", "F", "F", "F", "L")
MANAGE_NEW = ("A", "A", "F", "F", "F", "F", "L")
RESULT_LIST = ("-A-", "-A-", "-AH", "A-H", "F", "F", "L")
RESULT_ONE = ("-A-", "-A-", "-AN", "A-N", "F", "F", "L")
PUBLIC = ("A",) * 7


def _crud(view):
    return {
        f"{view}.list GET": MANAGE_LIST, f"{view}.show GET": MANAGE_LIST, f"{view}.export GET": MANAGE_LIST,
        f"{view}.add GET": MANAGE_NEW, f"{view}.add POST": MANAGE_NEW,
        f"{view}.edit GET": MANAGE_LIST, f"{view}.edit POST": MANAGE_LIST,
        f"{view}.delete GET": ("-R-", "-R-", "F", "F", "F", "F", "L"),  # FAB refuses a delete by GET
        f"{view}.delete POST": MANAGE_LIST,
        f"{view}.download GET": ("N", "N", "F", "F", "F", "F", "L"),  # serves nothing
        f"{view}.action GET": ("M",) * 7, f"{view}.action_post POST": ("N",) * 7,
    }


ROWS = {
    **_crud("SurveyServiceView"),
    **_crud("SurveyCampaignView"),
    "SurveyResultsView.index GET": RESULT_LIST,
    "SurveyResultsView.export GET": RESULT_LIST,
    "SurveyResultsView.detail GET": RESULT_ONE,
    "SurveyResultsView.pdf GET": RESULT_ONE,
    "SurveyResultsView.qr GET": RESULT_ONE,
    "SurveyResultsView.poster GET": RESULT_ONE,
    "SurveyResultApi.get_list GET": RESULT_LIST,
    "SurveyResultApi.get GET": RESULT_ONE,
    "SurveyResultApi.ikm GET": RESULT_LIST,
    "SurveyCampaignApi.get_list GET": MANAGE_LIST,
    "SurveyCampaignApi.get GET": MANAGE_LIST,
    "SurveyCampaignApi.info GET": MANAGE_NEW,
    "SurveyCampaignApi.post POST": MANAGE_NEW,
    "SurveyCampaignApi.put PUT": MANAGE_LIST,
    "SurveyCampaignApi.delete DELETE": MANAGE_LIST,
    "survey_public.survey_form GET": PUBLIC,
    "survey_public.survey_submit POST": PUBLIC,
    "survey_public.survey_thanks GET": PUBLIC,
}
VIEWS = {"SurveyServiceView", "SurveyCampaignView", "SurveyResultsView", "SurveyResultApi", "SurveyCampaignApi",
         "survey_public"}
MODEL_OF_VIEW = {view: "sunit" for view in VIEWS}
MODELS = {"sunit", "sservice", "scampaign", "sresponse"}


def add_rows(access: dict, records: dict) -> None:
    for role, units in _UNITS.items():
        records[role]["sunit"] = units
    access.update(ROWS)


# --- records ------------------------------------------------------------------------------------------------------

def _service(world, unit, name):
    from app.survey.models import SurveyCampaign, SurveyResponse, SurveyService
    from app.survey.services import new_token

    db = world.db
    service = SurveyService(unit_id=unit.id, service_name=name, active=True)
    db.session.add(service)
    db.session.flush()
    campaign = SurveyCampaign(unit_id=unit.id, year=YEAR, opens_on=date(YEAR, 1, 1), closes_on=date(YEAR, 12, 31),
                              active=True, token=new_token())
    db.session.add(campaign)
    db.session.flush()
    for value in (3, 4):
        db.session.add(SurveyResponse(campaign_id=campaign.id, **{f"u{i}": value for i in range(1, 10)}))
    db.session.commit()
    service.matrix_campaign = campaign
    return service


def _ensure(world) -> dict:
    found = world.__dict__.get("survey_services")
    if found is None:
        org = world.org
        org.units["p2p"].head_position_id = org.positions["kabid"].id
        world.db.session.commit()
        found = {key: _service(world, org.units[key], f"Layanan Survei {org.units[key].code}")
                 for key in ("pkm", "p2p", "disdik")}
        world.__dict__["survey_services"] = found
    return found


def _obj(world, model, key):
    return _ensure(world)[key]


def _identity(model, record):
    return record.service_name


def _fingerprint(world, model, pk):
    from app.survey.models import SurveyCampaign, SurveyResponse, SurveyService

    world.db.session.expire_all()
    cls = {"sunit": SurveyService, "sservice": SurveyService, "scampaign": SurveyCampaign,
           "sresponse": SurveyResponse}[model]
    if pk is None:
        return world.db.session.execute(select(func.count()).select_from(cls)).scalar()
    row = world.db.session.get(cls, pk)
    if row is None:
        return None
    if cls is SurveyService:
        return (row.service_name, row.active)
    if cls is SurveyCampaign:
        return (row.opens_on, row.closes_on, row.active)
    return (row.id,)


def _twin_service(world, key):
    """A disposable service unit beside ``key`` (a new unit with the same parent), without campaigns."""
    from app.organisation.models import Unit
    from app.survey.models import SurveyService

    n = next(_seq)
    base = world.org.units[key]
    unit = Unit(code=f"SVY-KEMBAR-{n}", name=f"Unit Layanan Kembar {n}", unit_type=base.unit_type,
                parent_id=base.parent_id, active=True)
    world.db.session.add(unit)
    world.db.session.flush()
    service = SurveyService(unit_id=unit.id, service_name=f"Layanan Kembar {n}", active=True)
    world.db.session.add(service)
    world.db.session.commit()
    return service


def _twin_campaign(world, key):
    from app.survey.models import SurveyCampaign
    from app.survey.services import new_token

    service = _ensure(world)[key]
    campaign = SurveyCampaign(unit_id=service.unit_id, year=YEAR + 1, opens_on=date(YEAR + 1, 1, 1),
                              closes_on=date(YEAR + 1, 6, 30), active=True, token=new_token())
    world.db.session.add(campaign)
    world.db.session.commit()
    return campaign


def _build(world, case_class, key, role, kind, token):
    from access_matrix import RECORDS

    services = _ensure(world)
    endpoint, _, rest = key.partition(" ")
    method, _, suffix = rest.partition(":")
    view, _, handler = endpoint.partition(".")
    rec_key = RECORDS[role]["sunit"][KINDS.index(kind)] if kind else None
    record = services[rec_key] if rec_key else None
    form = lambda **d: dict(d, csrf_token=token)  # noqa: E731
    campaign = services["pkm"].matrix_campaign

    if view == "survey_public":
        if handler == "survey_form":
            return case_class("GET", f"/survei/{campaign.token}", target_model="sunit", target=services["pkm"])
        if handler == "survey_thanks":
            return case_class("GET", f"/survei/{campaign.token}/terima-kasih")
        answers = {f"u{i}": "3" for i in range(1, 10)}
        return case_class("POST", f"/survei/{campaign.token}", data=form(**answers), watch=("sresponse", None),
                          writes=True)

    if view in ("SurveyServiceView", "SurveyCampaignView"):
        base = "/surveyserviceview" if view == "SurveyServiceView" else "/surveycampaignview"
        model = "sservice" if view == "SurveyServiceView" else "scampaign"
        target = record
        pk = (record.id if view == "SurveyServiceView" else record.matrix_campaign.id) if record else 1
        if method == "POST" and handler in ("edit", "delete", "action_post") and rec_key:
            twin = _twin_service(world, rec_key) if view == "SurveyServiceView" else _twin_campaign(world, rec_key)
            pk, target = twin.id, None
        watch = (model, pk if rec_key else None)
        if handler == "list":
            return case_class("GET", f"{base}/list/?psize_{view}=100", target_model="sunit", target=target,
                              listing=True)
        if handler == "export":
            return case_class("GET", f"{base}/export/csv/", target_model="sunit", target=target, listing=True)
        if handler == "show":
            return case_class("GET", f"{base}/show/{pk}", target_model="sunit", target=target)
        if handler == "download":
            return case_class("GET", f"{base}/download/x.txt")
        if handler == "add":
            if method == "GET":
                return case_class("GET", f"{base}/add")
            n = next(_seq)
            if view == "SurveyServiceView":
                from app.organisation.models import Unit

                unit = Unit(code=f"SVY-BARU-{n}", name=f"Unit Layanan Baru {n}", unit_type="PUSKESMAS",
                            parent_id=world.org.units["dinkes"].id, active=True)
                world.db.session.add(unit)
                world.db.session.commit()
                data = {"unit": str(unit.id), "service_name": f"Layanan Baru {n}", "active": "y"}
            else:
                data = {"service": str(services["pkm"].id), "year": str(YEAR + 1), "opens_on": f"{YEAR + 1}-01-01",
                        "closes_on": f"{YEAR + 1}-12-31", "active": "y"}
            return case_class("POST", f"{base}/add", data=form(**data), watch=(model, None), writes=True)
        if handler == "edit":
            if method == "GET":
                return case_class("GET", f"{base}/edit/{pk}", target_model="sunit", target=target)
            if view == "SurveyServiceView":
                from app.survey.models import SurveyService

                item = world.db.session.get(SurveyService, pk)
                data = {"unit": str(item.unit_id) if item else "", "service_name": f"Layanan Diubah {next(_seq)}",
                        "active": "y"}
            else:
                from app.survey.models import SurveyCampaign

                item = world.db.session.get(SurveyCampaign, pk)
                data = {"service": str(services[rec_key].id) if rec_key else "", "year": str(YEAR + 1),
                        "opens_on": f"{YEAR + 1}-01-01", "closes_on": f"{YEAR + 1}-09-30", "active": "y"} \
                    if item else {}
            return case_class("POST", f"{base}/edit/{pk}", data=form(**data), watch=watch, writes=True)
        if handler == "delete":
            if method == "GET":
                return case_class("GET", f"{base}/delete/{pk}", watch=watch)
            return case_class("POST", f"{base}/delete/{pk}", data=form(), watch=watch, writes=True)
        if handler == "action":
            return case_class("GET", f"{base}/action/{suffix or 'nope'}/{pk}", watch=watch)
        if handler == "action_post":
            return case_class("POST", f"{base}/action_post", data=form(action=suffix or "nope", rowid=str(pk)),
                              watch=watch, writes=True)
        raise AssertionError(key)

    if view == "SurveyResultsView":
        unit_id = record.unit_id if record else world.org.units["pkm"].id
        campaign_id = record.matrix_campaign.id if record else campaign.id
        url = {"index": f"/survey-results/?year={YEAR}", "export": f"/survey-results/export/csv?year={YEAR}",
               "detail": f"/survey-results/{unit_id}/{YEAR}", "pdf": f"/survey-results/{unit_id}/{YEAR}/pdf",
               "qr": f"/survey-results/qr/{campaign_id}.svg",
               "poster": f"/survey-results/poster/{campaign_id}"}[handler]
        shows = handler in ("index", "export", "detail", "poster")
        return case_class("GET", url, target_model="sunit", target=record if shows else None,
                          listing=handler in ("index", "export"))

    if view == "SurveyResultApi":
        if handler == "get_list":
            return case_class("GET", "/api/v1/survey_result/?q=(page_size:100)", target_model="sunit", target=record,
                              listing=True)
        if handler == "get":
            return case_class("GET", f"/api/v1/survey_result/{record.id if record else 1}", target_model="sunit",
                              target=record)
        return case_class("GET", f"/api/v1/survey_result/ikm?year={YEAR}", target_model="sunit", target=record,
                          listing=True)

    if view == "SurveyCampaignApi":
        base = "/api/v1/survey_campaign"
        if handler == "get_list":
            return case_class("GET", f"{base}/?q=(page_size:100)")
        if handler == "get":
            return case_class("GET", f"{base}/{record.matrix_campaign.id if record else 1}")
        if handler == "info":
            return case_class("GET", f"{base}/_info")
        if handler == "post":
            body = {"service": services["pkm"].id, "year": YEAR + 1, "opens_on": f"{YEAR + 1}-01-01",
                    "closes_on": f"{YEAR + 1}-12-31", "active": True}
            return case_class("POST", f"{base}/", json=body, watch=("scampaign", None), writes=True)
        twin = _twin_campaign(world, rec_key) if rec_key else None
        pk = twin.id if twin else 1
        if handler == "put":
            return case_class("PUT", f"{base}/{pk}", json={"closes_on": f"{YEAR + 1}-03-31"},
                              watch=("scampaign", pk if twin else None), writes=True)
        return case_class("DELETE", f"{base}/{pk}", watch=("scampaign", pk if twin else None), writes=True)
    raise AssertionError(key)


def install(namespace: dict) -> None:
    """Hook the survey rows into tests/test_access_matrix.py (its World, build, run_cell and view → kind map)."""
    from access_hooks import hook_area

    hook_area(namespace, model_of_view=MODEL_OF_VIEW, build=_build, models=MODELS, obj=_obj,
              identity=lambda world, model, record: _identity(model, record), fingerprint=_fingerprint)
    prev_run_cell = namespace["run_cell"]

    def run_cell(world, client, key, role, kind, expected, token):
        if key.startswith("survey_public.survey_submit"):  # a phone fetches the form first (device cookie)
            client.get(f"/survei/{_ensure(world)['pkm'].matrix_campaign.token}")
        return prev_run_cell(world, client, key, role, kind, expected, token)

    namespace["run_cell"] = run_cell
