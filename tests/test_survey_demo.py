"""The survey part of the Palembang demo (app/demo/survey.py): service units with answers in several grades,
the seed's IKM indicator on a puskesmas head's plan, seen by the demo Pimpinan; and the scale generator."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from conftest import PASSWORD, login

TODAY = "2026-11-20"


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["portal", *args], env={"DEMO_PASSWORD": PASSWORD})


def test_demo_has_survey_results_and_an_ikm_indicator(app, db, client):
    from app.performance.models import Indicator, Rhk, Skp
    from app.survey import services
    from app.survey.models import SurveyCampaign, SurveyResponse, SurveyService

    result = _run(app, "demo", "--size", "small", "--today", TODAY)
    assert result.exit_code == 0, result.output
    year = date.fromisoformat(TODAY).year
    n_services = db.session.scalar(select(func.count()).select_from(SurveyService))
    assert n_services >= 4
    assert db.session.scalar(select(func.count()).select_from(SurveyCampaign)) == 2 * n_services
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) >= 40 * 2 * n_services
    series = services.ikm_series(db.session, None, [year - 1, year])
    grades = {row["grade"] for row in series}
    assert len(grades) >= 2 and None not in grades
    ind = db.session.scalar(select(Indicator).where(Indicator.value_source == "IKM"))
    assert ind is not None and ind.ikm_unit_id
    skp = db.session.get(Skp, db.session.scalar(select(Rhk.skp_id).where(Rhk.id == ind.rhk_id)))
    # the demo Pimpinan (head of Dinas Kesehatan) sees the puskesmas head's plan with the IKM as realisasi
    pimpinan_nip = next(line.split("|")[2].strip() for line in result.output.splitlines()
                        if line.startswith("| Pimpinan "))
    login(client, pimpinan_nip)
    html = client.get(f"/plans/{skp.id}").get_data(as_text=True)
    assert f'data-ikm-unit="{ind.ikm_unit_id}"' in html and "IKM " in html
    listing = client.get(f"/survey-results/?year={year}").get_data(as_text=True)
    assert f'data-unit="{ind.ikm_unit_id}"' in listing


def test_generate_survey_at_scale(app, db):
    from app.demo.survey import generate_survey
    from app.survey.models import SurveyService

    result = _run(app, "generate", "--employees", "300", "--units", "40", "--seed", "7")
    assert result.exit_code == 0, result.output
    done = generate_survey(db.session, seed=7, years=2, today=date(2026, 6, 1))
    db.session.commit()
    assert done.counts["survey campaigns"] == 2 * done.counts["survey service units"] > 0
    assert done.counts["survey responses"] >= 50 * done.counts["survey campaigns"]
    assert db.session.scalar(select(func.count()).select_from(SurveyService)) == done.counts["survey service units"]
