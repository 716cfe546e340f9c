"""The evaluation, rating and objection screens (app/performance/evaluation_views.py) on the `org` city:
Budi (staff1) is rated by Siti (kabid), whose supervisor Ahmad (kadis) decides Budi's objections; Dewi
(staff2) and Yuni (guru) are outsiders to Budi's evaluation.

Every step goes through the real forms (CSRF on): the rating (the predikat stored is the matrix's, a posted
predikat is ignored), finalisation with snapshots, the PDF, the objection window (day 14 accepted, day 15
refused), the explanation, the decision DIUBAH, 404 outside the scope, 422 for the wrong person, 409 on a
version conflict, the lists, notifications, and a constant number of queries for the evaluation page.
"""
from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.performance import services as S
from app.performance.models import Evaluation, Notification, Objection, Period, Skp
from app.performance.rating import PREDIKAT_MATRIX, Rating
from conftest import count_queries, csrf_token, login, logout

YEAR = 2026


def ctx(org, key) -> S.ActorContext:
    user = org.users[key]
    employee = org.employees.get(key)
    names = {r.name for r in user.roles} | ({"Pegawai"} if employee is not None else set())
    return S.ActorContext(user.id, f"{user.first_name} {user.last_name}", employee.id if employee else None, names)


def plan_data(rhks=1):
    return {"approach": "KUANTITATIF", "rhks": [
        {"kind": "UTAMA", "text": f"Tersedianya data kasus penyakit menular {i}",
         "indicators": [{"aspect": "KUANTITAS", "text": "Jumlah laporan", "target_value": "12",
                         "target_unit": "dokumen"}]} for i in range(rhks)]}


def approved_plan(db, org, key, rater_key, rhks=1):
    skp = S.start_plan(db.session, ctx(org, key), org.employees[key], YEAR)
    S.save_plan(db.session, ctx(org, key), skp, plan_data(rhks), skp.version)
    S.submit_plan(db.session, ctx(org, key), skp, skp.version)
    S.approve_plan(db.session, ctx(org, rater_key), skp, skp.version)
    return skp


@pytest.fixture
def period(db):
    q1 = Period(year=YEAR, kind="QUARTERLY", number=1, code=f"{YEAR}-Q1", starts_on=date(YEAR, 1, 1),
                ends_on=date(YEAR, 3, 31), is_open=True)
    db.session.add(q1)
    db.session.commit()
    return q1


def open_evaluation(db, org, period, key="staff1", rater="kabid", rhks=1):
    approved_plan(db, org, key, rater, rhks)
    S.open_evaluations(db.session, ctx(org, "analis"), period)
    return db.session.scalar(sa.select(Evaluation).join(Skp).where(Skp.employee_id == org.employees[key].id))


@pytest.fixture
def evaluation(db, org, period):
    return open_evaluation(db, org, period)


def fresh(db, cls, pk):
    db.session.expire_all()
    return db.session.get(cls, pk)


def post(client, url, page, **data):
    data.setdefault("csrf_token", csrf_token(client, "/resetmypassword/form"))
    return client.post(url, data=data)


def final(db, org, evaluation, hasil="SESUAI", perilaku="DI_BAWAH", days_ago=0):
    S.rate(db.session, ctx(org, "kabid"), evaluation, hasil, perilaku)
    S.finalise(db.session, ctx(org, "kabid"), evaluation)
    evaluation.finalised_at = S.now_wib() - timedelta(days=days_ago)
    db.session.commit()
    return evaluation


# --- rating ------------------------------------------------------------------------------------------------

def test_the_rater_rates_through_the_form_and_the_matrix_gives_the_predikat(client, db, org, evaluation):
    login(client, org.username("kabid"))
    page = f"/evaluations/{evaluation.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'class="portal-rating-form"' in html and "data-matrix='" in html
    assert "js/rating.js" in html and 'name="predikat"' not in html
    assert "Di Atas Ekspektasi" in html and "Sesuai Ekspektasi" in html and "Di Bawah Ekspektasi" in html
    # the matrix rendered for the preview is the 9-cell matrix of rating.py
    matrix = json.loads(re.search(r"data-matrix='([^']+)'", html).group(1))
    assert {k: v["code"] for k, v in matrix.items()} == {f"{h}|{p}": v.value for (h, p), v in PREDIKAT_MATRIX.items()}
    cells = [(Rating.DI_ATAS, Rating.DI_ATAS), (Rating.SESUAI, Rating.DI_BAWAH), (Rating.DI_BAWAH, Rating.SESUAI),
             (Rating.DI_BAWAH, Rating.DI_BAWAH)]
    for hasil, perilaku in cells:
        version = fresh(db, Evaluation, evaluation.id).version
        r = post(client, f"{page}/rate", page, hasil_rating=hasil.value, perilaku_rating=perilaku.value,
                 notes="Catatan", recommendation="Pelatihan", version=str(version), predikat="SANGAT_BAIK")
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        stored = fresh(db, Evaluation, evaluation.id)
        assert (stored.status, stored.predikat) == ("DINILAI", PREDIKAT_MATRIX[(hasil, perilaku)].value)
        assert (stored.hasil_rating, stored.perilaku_rating, stored.notes) == (hasil.value, perilaku.value, "Catatan")
    html = client.get(page).get_data(as_text=True)
    assert "Sangat Kurang" in html  # the preview starts from the stored ratings


def test_missing_rating_is_refused_beside_the_field_and_input_kept(client, db, org, evaluation):
    login(client, org.username("kabid"))
    page = f"/evaluations/{evaluation.id}"
    r = post(client, f"{page}/rate", page, hasil_rating="DI_ATAS", notes="Catatan <b>tetap</b>",
             version=str(evaluation.version))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "has-error" in html and "Catatan &lt;b&gt;tetap&lt;/b&gt;" in html
    assert fresh(db, Evaluation, evaluation.id).status == "DIBUKA"


def test_a_pegawai_cannot_rate_their_own_evaluation(client, db, org, evaluation):
    login(client, org.username("staff1"))
    page = f"/evaluations/{evaluation.id}"
    html = client.get(page).get_data(as_text=True)
    assert "portal-rating-form" not in html and "portal-self-assessment-form" in html
    r = post(client, f"{page}/rate", page, hasil_rating="DI_ATAS", perilaku_rating="DI_ATAS",
             version=str(evaluation.version))
    assert r.status_code == 422
    assert "portal-evaluation-message" in r.get_data(as_text=True)
    assert fresh(db, Evaluation, evaluation.id).predikat is None
    # the owner's own step: the self-assessment
    r = post(client, f"{page}/self-assessment", page, self_assessment="Target tercapai", version=str(evaluation.version))
    assert r.status_code == 302
    assert fresh(db, Evaluation, evaluation.id).status == "PENILAIAN_DIRI"


def test_version_conflict_shows_the_message_and_keeps_the_input(client, db, org, evaluation):
    login(client, org.username("kabid"))
    page = f"/evaluations/{evaluation.id}"
    stale = evaluation.version
    S.rate(db.session, ctx(org, "kabid"), evaluation, "SESUAI", "SESUAI", expected_version=stale)  # another tab
    r = post(client, f"{page}/rate", page, hasil_rating="DI_BAWAH", perilaku_rating="DI_BAWAH",
             notes="Tulisan saya", version=str(stale))
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Tulisan saya" in html and "portal-evaluation-message" in html
    assert fresh(db, Evaluation, evaluation.id).predikat == "BAIK"


# --- finalise, document ----------------------------------------------------------------------------------

def test_finalise_copies_snapshots_and_offers_the_pdf(client, db, org, evaluation):
    S.rate(db.session, ctx(org, "kabid"), evaluation, "DI_ATAS", "SESUAI")
    login(client, org.username("kabid"))
    page = f"/evaluations/{evaluation.id}"
    assert "portal-finalise-form" in client.get(page).get_data(as_text=True)
    r = post(client, f"{page}/finalise", page, version=str(fresh(db, Evaluation, evaluation.id).version))
    assert r.status_code == 302
    stored = fresh(db, Evaluation, evaluation.id)
    assert stored.status == "FINAL" and stored.finalised_at is not None
    assert (stored.employee_name, stored.employee_nip) == ("Budi Santoso", org.employees["staff1"].nip)
    assert (stored.rater_name, stored.rater_supervisor_name) == ("Siti Aminah", "Ahmad Fauzi")
    html = client.get(page).get_data(as_text=True)
    assert "portal-rating-form" not in html and "portal-pdf" in html
    logout(client)
    login(client, org.username("staff1"))
    html = client.get(page).get_data(as_text=True)
    assert 'data-days-left="14"' in html and "portal-objection-form" in html
    r = client.get(f"{page}/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert r.headers["Content-Disposition"].startswith("attachment;")


def test_pdf_only_for_a_final_evaluation(client, db, org, evaluation):
    login(client, org.username("staff1"))
    assert client.get(f"/evaluations/{evaluation.id}/pdf").status_code == 404


# --- objections -----------------------------------------------------------------------------------------------

def test_objection_day_15_refused(client, db, org, evaluation):
    final(db, org, evaluation, days_ago=15)
    login(client, org.username("staff1"))
    page = f"/evaluations/{evaluation.id}"
    html = client.get(page).get_data(as_text=True)
    assert "portal-objection-form" not in html and 'data-window="closed"' in html
    r = post(client, f"{page}/objection", page, reasons="Terlambat")
    assert r.status_code == 422
    deadline = (fresh(db, Evaluation, evaluation.id).finalised_at.date() + timedelta(days=14)).isoformat()
    assert deadline in r.get_data(as_text=True)  # "The objection period ended on <deadline>."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Objection)) == 0


def test_objection_day_14_explained_and_decided_diubah(client, db, org, evaluation):
    final(db, org, evaluation, "SESUAI", "DI_BAWAH", days_ago=14)
    page = f"/evaluations/{evaluation.id}"
    # the employee objects on day 14; reasons are required
    login(client, org.username("staff1"))
    assert 'data-days-left="0"' in client.get(page).get_data(as_text=True)
    r = post(client, f"{page}/objection", page, reasons="  ")
    assert r.status_code == 422
    r = post(client, f"{page}/objection", page, reasons="Perilaku dinilai terlalu rendah")
    assert r.status_code == 302, r.get_data(as_text=True)[:400]
    objection = db.session.scalar(sa.select(Objection))
    assert objection.status == "DIAJUKAN"
    assert client.get(f"/objections/{objection.id}").status_code == 302
    assert f'data-objection="{objection.id}"' in client.get("/objections/").get_data(as_text=True)
    # the employee cannot explain or decide
    r = post(client, f"/objections/{objection.id}/explain", page, explanation="x", version=str(objection.version))
    assert r.status_code == 422
    logout(client)

    # the rater explains
    login(client, org.username("kabid"))
    html = client.get(page).get_data(as_text=True)
    assert "portal-explain-form" in html and "portal-decide-form" not in html
    assert f'data-objection="{objection.id}"' in client.get("/objections/").get_data(as_text=True)
    r = post(client, f"/objections/{objection.id}/explain", page, explanation="Tiga kali terlambat rapat",
             version=str(objection.version))
    assert r.status_code == 302
    assert fresh(db, Objection, objection.id).status == "DIJELASKAN"
    logout(client)

    # the rater's supervisor decides DIUBAH with new ratings
    login(client, org.username("kadis"))
    html = client.get(page).get_data(as_text=True)
    assert "portal-decide-form" in html and "Tiga kali terlambat rapat" in html
    version = fresh(db, Objection, objection.id).version
    r = post(client, f"/objections/{objection.id}/decide", page, decision="DIUBAH", new_hasil_rating="SESUAI",
             new_perilaku_rating="DI_BAWAH", decision_text="x", version=str(version))
    assert r.status_code == 422  # DIUBAH must change a rating
    r = post(client, f"/objections/{objection.id}/decide", page, decision="DIUBAH", new_hasil_rating="SESUAI",
             new_perilaku_rating="SESUAI", decision_text="Keterlambatan beralasan", version=str(version))
    assert r.status_code == 302, r.get_data(as_text=True)[:400]
    stored = fresh(db, Objection, objection.id)
    assert (stored.status, stored.decision, stored.new_predikat) == ("DIPUTUS", "DIUBAH", "BAIK")
    ev = fresh(db, Evaluation, evaluation.id)
    assert (ev.status, ev.perilaku_rating, ev.predikat) == ("FINAL", "SESUAI", "BAIK")
    logout(client)

    login(client, org.username("staff1"))
    html = client.get(page).get_data(as_text=True)
    assert 'data-predikat="BAIK"' in html and 'data-decision="DIUBAH"' in html
    assert html.count('data-to="DIPUTUS"') == 1 and 'data-to="DIJELASKAN"' in html


def test_outsiders_get_404(client, db, org, evaluation):
    final(db, org, evaluation)
    objection = S.file_objection(db.session, ctx(org, "staff1"), evaluation, "Mohon ditinjau")
    for key in ("staff2", "guru", "kapus"):
        login(client, org.username(key))
        token = csrf_token(client, "/resetmypassword/form")
        for url in (f"/evaluations/{evaluation.id}", f"/evaluations/{evaluation.id}/pdf", f"/objections/{objection.id}"):
            r = client.get(url)
            assert r.status_code == 404, (key, url, r.status_code)
            assert "Budi" not in r.get_data(as_text=True)
        for url, data in ((f"/objections/{objection.id}/explain", {"explanation": "x"}),
                          (f"/objections/{objection.id}/decide", {"decision": "TETAP", "decision_text": "x"}),
                          (f"/evaluations/{evaluation.id}/rate", {"hasil_rating": "SESUAI", "perilaku_rating": "SESUAI"})):
            assert client.post(url, data=dict(data, csrf_token=token, version="1")).status_code == 404, (key, url)
        assert "Budi" not in client.get("/objections/").get_data(as_text=True)
        logout(client)
    assert fresh(db, Objection, objection.id).status == "DIAJUKAN"


def test_lists(client, db, org, period):
    evaluation = open_evaluation(db, org, period)
    login(client, org.username("kabid"))
    html = client.get("/rate/").get_data(as_text=True)
    assert f'data-evaluation="{evaluation.id}"' in html and "Budi Santoso" in html
    assert f'data-evaluation="{evaluation.id}"' not in client.get("/my-evaluations/").get_data(as_text=True)
    logout(client)
    login(client, org.username("staff1"))
    assert f'data-evaluation="{evaluation.id}"' in client.get("/my-evaluations/").get_data(as_text=True)
    assert f'data-evaluation="{evaluation.id}"' not in client.get("/rate/").get_data(as_text=True)
    logout(client)
    login(client, org.username("pelatih"))
    assert client.get("/my-evaluations/").status_code == 403
    assert client.get("/notifications/").status_code == 403


# --- notifications ---------------------------------------------------------------------------------------------

def test_notifications_listed_paginated_and_marked_read(client, db, org):
    me, other = org.users["staff1"].id, org.users["staff2"].id
    base = S.now_wib()
    db.session.add_all([Notification(user_id=me, kind="x", title=f"Pesan {i:02d}", link="/my-evaluations/",
                                     created_on=base - timedelta(minutes=i)) for i in range(30)])
    foreign = Notification(user_id=other, kind="x", title="Rahasia Dewi")
    db.session.add(foreign)
    db.session.commit()
    login(client, org.username("staff1"))
    html = client.get("/notifications/").get_data(as_text=True)
    assert "Rahasia Dewi" not in html
    assert html.count("data-notification=") == 25 and html.index("Pesan 00") < html.index("Pesan 01")
    assert "Pesan 29" in client.get("/notifications/?page=2").get_data(as_text=True)
    first = db.session.scalar(sa.select(Notification).where(Notification.title == "Pesan 00"))
    r = post(client, f"/notifications/{first.id}/read", "/notifications/")
    assert r.status_code == 302
    assert fresh(db, Notification, first.id).read_at is not None
    r = post(client, f"/notifications/{foreign.id}/read", "/notifications/")  # someone else's: not found
    assert r.status_code == 404 and fresh(db, Notification, foreign.id).read_at is None
    r = post(client, "/notifications/read-all", "/notifications/")
    assert r.status_code == 302
    unread = db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.read_at.is_(None)))
    assert unread == 1  # only Dewi's


def test_finalising_notifies_with_a_link_to_the_page(client, db, org, evaluation):
    final(db, org, evaluation)
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == org.users["staff1"].id,
                                                           Notification.kind == S.EVALUATION_READY))
    assert note.link == f"/evaluations/{evaluation.id}"
    login(client, org.username("staff1"))
    assert f'href="/evaluations/{evaluation.id}"' in client.get("/notifications/").get_data(as_text=True)


# --- query counts ----------------------------------------------------------------------------------------------

def test_evaluation_page_runs_a_constant_number_of_queries(client, db, org, period):
    small = open_evaluation(db, org, period, "staff1", "kabid", rhks=2)
    big = open_evaluation(db, org, period, "staff2", "kabid", rhks=10)
    login(client, org.username("kabid"))
    counts = []
    for pk in (small.id, big.id):
        client.get(f"/evaluations/{pk}")  # warm up
        with count_queries(db) as queries:
            r = client.get(f"/evaluations/{pk}")
        assert r.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 15, counts  # the budget per screen


def test_rate_list_puts_the_rater_work_first_and_pages(client, db, org, period, monkeypatch):
    """"Evaluations to rate": the self-assessed ones (waiting for the rating) first, then the rated ones (to
    finalise), then the open ones; a page at a time with the total in the heading."""
    from app.performance import evaluation_views

    first = open_evaluation(db, org, period, "staff1", "kabid")
    second = open_evaluation(db, org, period, "staff2", "kabid")
    S.save_self_assessment(db.session, ctx(org, "staff2"), second, "Target tercapai.", second.version)
    login(client, org.username("kabid"))
    html = client.get("/rate/").get_data(as_text=True)
    assert html.index(f'data-evaluation="{second.id}"') < html.index(f'data-evaluation="{first.id}"')
    assert 'portal-list-total">2<' in html and "portal-pager" not in html
    monkeypatch.setattr(evaluation_views, "PAGE_SIZE", 1)
    page1, page2 = (client.get(f"/rate/?page={n}").get_data(as_text=True) for n in (1, 2))
    assert f'data-evaluation="{second.id}"' in page1 and f'data-evaluation="{first.id}"' not in page1
    assert f'data-evaluation="{first.id}"' in page2 and "portal-pager" in page2
    assert f'data-evaluation="{first.id}"' in client.get("/rate/?page=99").get_data(as_text=True)  # the last


def test_plan_visible_agrees_with_the_scope_clause(db, org):
    """The single-record pages check the scope by walking up from the plan (``scope.plan_visible``); the lists
    filter with ``scope.skp_clause``: both give the same answer for every plan and every person."""
    from app.performance.scope import skp_clause, skp_visible
    from app.security.scope import Scope, build_scope

    e = org.employees
    plans = []
    for key, person in e.items():
        rater = person.supervisor
        plans.append(Skp(employee_id=person.id, unit_id=person.unit_id, year=YEAR, status="DRAFT",
                         rater_id=rater.id if rater else None,
                         rater_supervisor_id=rater.supervisor_id if rater else None))
    # a plan written in another unit than the employee's (moved since), rated by someone outside the chain
    plans.append(Skp(employee_id=e["guru"].id, unit_id=org.units["pkm"].id, year=YEAR - 1, status="DRAFT",
                     rater_id=e["kapus"].id, rater_supervisor_id=e["kadis"].id))
    db.session.add_all(plans)
    db.session.commit()
    scopes = [Scope(), Scope(everything=True)]
    for key, user in org.users.items():
        person = e.get(key)
        names = {r.name for r in user.roles} | ({"Pegawai"} if person is not None else set())
        scopes.append(build_scope(names, person.id if person else None, person.unit_id if person else None))
    scopes.append(Scope(employee_id=e["kabid"].id, subordinates_of=e["kabid"].id, unit_root_id=org.units["pkm"].id))
    for scope in scopes:
        listed = set(db.session.scalars(sa.select(Skp.id).where(skp_clause(scope))))
        checked = {skp.id for skp in plans if skp_visible(db.session, scope, skp)}
        assert listed == checked, scope
        if db.engine.dialect.name == "postgresql":  # the REST lists' form there (= ANY(ARRAY(...))): the same rows
            assert set(db.session.scalars(sa.select(Skp.id).where(skp_clause(scope, True)))) == checked, scope


def _plans_of_everyone(db, org, period):
    """A plan of YEAR for every employee (rated by their supervisor), one of last year in another unit, an
    evaluation of each, an objection against every other one."""
    from app.performance.models import Evaluation, Objection

    e = org.employees
    plans = []
    for key, person in e.items():
        rater = person.supervisor
        plans.append(Skp(employee_id=person.id, unit_id=person.unit_id, year=YEAR, status="DISETUJUI",
                         rater_id=rater.id if rater else None,
                         rater_supervisor_id=rater.supervisor_id if rater else None))
    plans.append(Skp(employee_id=e["guru"].id, unit_id=org.units["pkm"].id, year=YEAR - 1, status="DISETUJUI",
                     rater_id=e["kapus"].id, rater_supervisor_id=e["kadis"].id))
    db.session.add_all(plans)
    db.session.flush()
    evaluations = [Evaluation(skp_id=skp.id, period_id=period.id, status="DIBUKA") for skp in plans]
    db.session.add_all(evaluations)
    db.session.flush()
    db.session.add_all([Objection(evaluation_id=ev.id, reasons="Nilai tidak sesuai.", status="DIAJUKAN")
                        for ev in evaluations[::2]])
    db.session.commit()


def test_array_form_of_the_scope_lists_the_same_rows(db, org, period):
    """The REST lists on PostgreSQL write the scope with arrays (``= ANY(ARRAY(subquery))``, ``arrays=True``):
    the same plans, evaluations and objections as the plain form for every person."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the array form is PostgreSQL's (SQLite has no arrays)")
    from app.performance import scope as PS
    from app.performance.models import Evaluation, Objection
    from app.security.scope import Scope, build_scope

    e = org.employees
    _plans_of_everyone(db, org, period)
    scopes = [Scope(), Scope(everything=True)]
    for key, user in org.users.items():
        person = e.get(key)
        names = {r.name for r in user.roles} | ({"Pegawai"} if person is not None else set())
        scopes.append(build_scope(names, person.id if person else None, person.unit_id if person else None))
    scopes.append(Scope(employee_id=e["kabid"].id, subordinates_of=e["kabid"].id, unit_root_id=org.units["pkm"].id))

    def rows(scope, arrays):
        return (set(db.session.scalars(sa.select(Skp.id).where(PS.skp_clause(scope, arrays)))),
                set(db.session.scalars(sa.select(Evaluation.id).where(PS.evaluation_clause(scope, arrays)))),
                set(db.session.scalars(sa.select(Objection.id).where(PS.objection_clause(scope, arrays)))))

    def resolved(scope):
        """The evaluation and objection lists of a wide scope: the plan ids resolved once, in the statement."""
        inside = PS.IN_STATEMENT
        return (set(db.session.scalars(sa.select(Skp.id).where(PS.skp_clause(scope, True)))),
                set(db.session.scalars(sa.select(Evaluation.id).where(PS.evaluation_clause(scope, inside)))),
                set(db.session.scalars(sa.select(Objection.id).where(PS.objection_clause(scope, inside)))))

    for scope in scopes:
        assert rows(scope, True) == rows(scope, False), scope
        if PS.resolves_plans(scope):
            assert resolved(scope) == rows(scope, False), scope
    assert any(PS.resolves_plans(scope) and rows(scope, False)[2] for scope in scopes)
    assert any(rows(scope, False)[1] and rows(scope, False)[2] for scope in scopes[2:])  # people see some


def test_subordinate_array_finds_the_supervisor_chain_even_when_it_loops(db, org):
    """``subordinate_array`` (the supervisor chain level by level, PostgreSQL) finds the same people as the
    recursive ``subordinate_ids`` below everyone, also in a corrupted chain that loops (two people each other's
    supervisor, below a real one): it ends, with each person once."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the array form is PostgreSQL's (SQLite has no arrays)")
    from app.organisation.models import Employee
    from app.performance import scope as PS
    from app.security.scope import subordinate_ids

    def both(supervisor_id):
        chain = set(db.session.scalars(subordinate_ids(supervisor_id)))
        found = db.session.scalar(sa.select(PS.subordinate_array(supervisor_id)))
        assert len(found) == len(set(found)), supervisor_id
        return chain, set(found)

    people = db.session.scalars(sa.select(Employee.id)).all()
    for person in people:
        chain, found = both(person)
        assert found == chain, person
    assert any(both(person)[0] for person in people)
    e = org.employees
    # staff1 -> kabid -> kadis: kabid and staff1 become each other's supervisor (a loop)
    db.session.execute(sa.update(Employee).where(Employee.id == e["kabid"].id).values(supervisor_id=e["staff1"].id))
    db.session.execute(sa.update(Employee).where(Employee.id == e["staff1"].id).values(supervisor_id=e["kabid"].id))
    db.session.flush()
    for person in (e["kabid"].id, e["staff1"].id, e["kadis"].id):
        chain, found = both(person)
        assert found == chain and chain, person
    db.session.rollback()


def test_rest_lists_count_the_rows_they_list_for_every_person(client, db, org, period, monkeypatch):
    """The REST lists of plans, evaluations and objections (on PostgreSQL: the array form, the plan ids of a wide
    scope resolved once for the count and the page): for every person the count is the number of rows listed,
    and the rows are those of the plain scope clause (the same request with the array form switched off)."""
    from app.performance import api as performance_api
    from app.performance import scope as PS
    from app.security.scope import build_scope

    _plans_of_everyone(db, org, period)

    def listed(name):
        r = client.get(f"/api/v1/{name}/?q=(page_size:100)")
        if r.status_code == 403:  # an account without the permission (the Pelatih)
            return None
        assert r.status_code == 200, (name, r.status_code)
        body = r.get_json()
        ids = [row["id"] for row in body["result"]]
        assert body["count"] == len(ids) == len(set(ids)), name
        return set(ids)

    def scope_of(key):
        person, names = org.employees.get(key), {r.name for r in org.users[key].roles}
        return build_scope(names | ({"Pegawai"} if person else set()), person and person.id, person and person.unit_id)

    arrays = performance_api._PerformanceApi.__dict__["_arrays"]
    seen = 0
    for key in org.users:
        client.application.appbuilder.sm.limiter.reset()  # a login per person: more than the rate limit allows
        assert login(client, org.username(key)).status_code == 302, key
        for name in ("skp", "evaluation", "objection"):
            monkeypatch.setattr(performance_api._PerformanceApi, "_arrays", arrays)
            rows = listed(name)
            monkeypatch.setattr(performance_api._PerformanceApi, "_arrays", staticmethod(lambda: False))
            assert rows == listed(name), (key, name)
            seen += bool(rows) and PS.resolves_plans(scope_of(key))
        logout(client)
    assert seen  # someone with a wide scope (an Atasan, a Pimpinan) sees rows
