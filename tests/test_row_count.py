"""Exact row counts kept by PostgreSQL triggers (app/core/rowcount.py, migration 0023) and the lists that read them.

On PostgreSQL, after every kind of write (ORM inserts, a bulk INSERT ... SELECT, Core executemany, deletes, an ON
DELETE CASCADE, TRUNCATE, a rollback) the kept count of each counted table equals count(*); a transaction sees its
own inserts, another transaction does not until the commit; two transactions inserting at once do not wait for
each other; the deltas are folded into a base row; ``resync`` repairs a lost base row. The lists: an unfiltered
whole-city list (REST and screen) reads the kept count and shows the exact total; any filter, search or scope
counts with count(*) and gives the same numbers as before. On SQLite the kept count is never read.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select, text, true

from app.core import rowcount
from app.organisation.models import Employee
from app.performance.models import Evaluation, Period, Skp
from app.training.models import TrainingParticipant, TrainingSession
from conftest import count_queries, login
from test_performance_evaluation import YEAR, _plans_of_everyone, period  # noqa: F401  (fixture)
from test_training_list_queries import participants  # noqa: F401  (fixture)

TABLES = sorted(rowcount.COUNTED)


def _postgresql(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the kept counts are PostgreSQL's (statement triggers with transition tables)")


def _kept(conn, table):
    return conn.execute(select(rowcount.counter(table))).scalar()


def _real(conn, table):
    return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def _check_all(db):
    with db.engine.connect() as conn:
        for table in TABLES:
            assert _kept(conn, table) == _real(conn, table), table


def _months(db, n=12):
    months = [Period(year=YEAR, kind="MONTHLY", number=m, code=f"{YEAR}-M{m:02d}", starts_on=date(YEAR, m, 1),
                     ends_on=date(YEAR, m, 28)) for m in range(1, n + 1)]
    db.session.add_all(months)
    db.session.commit()
    return months


# --- which queries are a whole table ---------------------------------------------------------------------------

def test_whole_table_only_for_an_unfiltered_read_of_a_counted_table(db):
    assert rowcount.whole_table(select(Evaluation)) == "evaluation"
    assert rowcount.whole_table(select(Evaluation).where(true())) == "evaluation"  # a whole-city scope
    assert rowcount.whole_table(db.session.query(TrainingParticipant).filter(true())) == "training_participant"
    assert rowcount.whole_table(db.session.query(Evaluation).order_by(Evaluation.id)) == "evaluation"
    # the joined eager loads of the rank, position and unit are not counted (Query.count() leaves them out)
    assert rowcount.whole_table(db.session.query(Employee).filter(true())) == "employee"
    for query in (select(Evaluation).where(Evaluation.status == "FINAL"),
                  select(Evaluation).where(true(), Evaluation.period_id == 1),
                  select(Evaluation).where(sa.false()),
                  select(Evaluation).join(Skp, Skp.id == Evaluation.skp_id),
                  select(Evaluation.skp_id).group_by(Evaluation.skp_id),
                  select(Evaluation.skp_id).distinct(),
                  select(Evaluation).limit(5),
                  select(Evaluation).offset(5),
                  select(Evaluation, Skp),
                  select(Period),  # not counted
                  db.session.query(Evaluation).filter(Evaluation.id > 3),
                  db.session.query(Employee).filter(Employee.unit_id.in_(select(Skp.unit_id)))):
        assert rowcount.whole_table(query) is None, str(query)


# --- the counter (PostgreSQL) ------------------------------------------------------------------------------------

def test_counter_follows_orm_bulk_executemany_delete_and_cascade(db, org, period):
    _postgresql(db)
    _check_all(db)
    _plans_of_everyone(db, org, period)  # ORM inserts: employees, plans, evaluations
    _check_all(db)
    months = _months(db)
    with db.engine.begin() as conn:  # one statement, many rows
        added = conn.execute(text("INSERT INTO evaluation (skp_id, period_id, status) SELECT s.id, p.id, 'DIBUKA' "
                                  "FROM skp s CROSS JOIN period p WHERE p.kind = 'MONTHLY' AND p.number <= 6")).rowcount
    assert added == 6 * db.session.scalar(select(func.count()).select_from(Skp))
    _check_all(db)
    plans = db.session.scalars(select(Skp.id)).all()
    with db.engine.begin() as conn:  # Core executemany (a statement per batch or per row)
        conn.execute(sa.insert(Evaluation.__table__),
                     [{"skp_id": s, "period_id": m.id, "status": "DIBUKA"} for s in plans for m in months[6:]])
    _check_all(db)
    with db.engine.begin() as conn:
        conn.execute(sa.delete(Evaluation.__table__).where(Evaluation.period_id == months[0].id))
        conn.execute(sa.delete(Evaluation.__table__).where(Evaluation.id == -1))  # nothing deleted: no delta
    _check_all(db)
    db.session.delete(db.session.get(Evaluation, db.session.scalar(select(func.max(Evaluation.id)))))  # ORM
    db.session.commit()
    _check_all(db)


def test_counter_follows_a_cascading_delete(db, participants):  # noqa: F811
    _postgresql(db)
    _check_all(db)
    assert db.session.scalar(select(func.count()).select_from(TrainingParticipant)) > 0
    sessions = db.session.scalars(select(TrainingSession.id).order_by(TrainingSession.id)).all()
    with db.engine.begin() as conn:  # ON DELETE CASCADE: the participants' delete trigger fires
        conn.execute(sa.delete(TrainingSession.__table__).where(TrainingSession.id.in_(sessions[:2])))
    _check_all(db)
    with db.engine.begin() as conn:
        conn.execute(sa.delete(TrainingSession.__table__))
    _check_all(db)
    with db.engine.connect() as conn:
        assert _kept(conn, "training_participant") == 0


def test_transaction_sees_its_own_rows_others_after_commit_and_rollback_undoes(db, org, period):
    _postgresql(db)
    _plans_of_everyone(db, org, period)
    months = _months(db, 2)
    plans = db.session.scalars(select(Skp.id)).all()
    with db.engine.connect() as a, db.engine.connect() as b:
        before = _kept(b, "evaluation")
        a.execute(sa.insert(Evaluation.__table__), [{"skp_id": s, "period_id": months[0].id} for s in plans])
        assert _kept(a, "evaluation") == _real(a, "evaluation") == before + len(plans)  # its own inserts
        assert _kept(b, "evaluation") == _real(b, "evaluation") == before  # not another's uncommitted ones
        a.rollback()
        assert _kept(a, "evaluation") == _kept(b, "evaluation") == before
        a.execute(sa.insert(Evaluation.__table__), [{"skp_id": s, "period_id": months[1].id} for s in plans])
        a.commit()
        assert _kept(b, "evaluation") == _real(b, "evaluation") == before + len(plans)
    _check_all(db)


def test_two_writers_at_once_do_not_wait_for_each_other(db, org, period):
    """No hot row: while one transaction's inserts are uncommitted, another inserts and commits without waiting
    (a lock wait would fail at once with lock_timeout), and both are counted."""
    _postgresql(db)
    _plans_of_everyone(db, org, period)
    months = _months(db, 2)
    plans = db.session.scalars(select(Skp.id)).all()
    with db.engine.connect() as a, db.engine.connect() as b:
        b.execute(text("SET lock_timeout = '200ms'"))
        a.execute(sa.insert(Evaluation.__table__), [{"skp_id": s, "period_id": months[0].id} for s in plans])
        for _ in range(40):  # past a compaction (about one statement in 32), while ``a`` is still open
            b.execute(sa.insert(Evaluation.__table__), [{"skp_id": plans[0], "period_id": months[1].id}])
            b.execute(sa.delete(Evaluation.__table__).where(Evaluation.period_id == months[1].id))
        b.execute(sa.insert(Evaluation.__table__), [{"skp_id": s, "period_id": months[1].id} for s in plans])
        b.commit()
        assert _kept(b, "evaluation") == _real(b, "evaluation")
        a.commit()
    _check_all(db)


def test_deltas_are_folded_into_a_base_row(db, org, period):
    _postgresql(db)
    _plans_of_everyone(db, org, period)
    months = _months(db, 1)
    plans = db.session.scalars(select(Skp.id)).all()
    for _ in range(100):
        with db.engine.begin() as conn:
            conn.execute(sa.insert(Evaluation.__table__), [{"skp_id": plans[0], "period_id": months[0].id}])
        with db.engine.begin() as conn:
            conn.execute(sa.delete(Evaluation.__table__).where(Evaluation.period_id == months[0].id))
    _check_all(db)
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM row_count WHERE table_name = 'evaluation'")).scalar()
    assert rows <= 40  # 200 writing statements; folded about every 32 statements (of all the counted tables)


def test_truncate_resets_and_rolls_back(db, org, period):
    _postgresql(db)
    _plans_of_everyone(db, org, period)
    with db.engine.connect() as conn:
        before = _kept(conn, "evaluation")
        assert before > 0
        conn.execute(text("TRUNCATE evaluation CASCADE"))  # and the objections
        assert _kept(conn, "evaluation") == _real(conn, "evaluation") == 0
        conn.rollback()
        assert _kept(conn, "evaluation") == _real(conn, "evaluation") == before
        conn.execute(text("TRUNCATE evaluation CASCADE"))
        conn.commit()
    _check_all(db)


def test_resync_restores_a_lost_base_and_the_list_counts_meanwhile(client, db, org, period):
    _postgresql(db)
    _plans_of_everyone(db, org, period)
    expected = db.session.scalar(select(func.count()).select_from(Evaluation))
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM row_count WHERE table_name = 'evaluation'"))
    with db.engine.connect() as conn:
        assert _kept(conn, "evaluation") is None  # no base row: never a wrong number
    assert login(client, org.username("analis")).status_code == 302
    assert client.get("/api/v1/evaluation/?q=(page_size:2)").get_json()["count"] == expected  # count(*)
    assert rowcount.resync(db.session) == {t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                                           for t in TABLES}
    db.session.commit()
    _check_all(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM row_count WHERE table_name = 'skp'"))
    db.session.remove()
    result = client.application.test_cli_runner().invoke(args=["portal", "refresh-derived", "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    assert f"row count skp: {db.session.scalar(select(func.count()).select_from(Skp))}" in result.output
    _check_all(db)


# --- the lists ---------------------------------------------------------------------------------------------------

def _reads_counter(statements) -> bool:
    return any("row_count" in s for s in statements)


def test_unfiltered_city_lists_show_the_exact_total_filters_and_scopes_count(client, db, org, period,  # noqa: F811
                                                                             participants):  # noqa: F811
    """Pengelola (whole city): the unfiltered REST lists and list screens read the kept count (PostgreSQL) and
    show the exact total; a filter, a search, a base filter or a row scope count with count(*), the same numbers
    as the rows. SQLite never reads the kept count."""
    _plans_of_everyone(db, org, period)
    postgresql = db.engine.dialect.name == "postgresql"
    totals = {t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
    assert login(client, org.username("analis")).status_code == 302
    for name, table in (("evaluation", "evaluation"), ("skp", "skp"), ("training_participant", "training_participant")):
        client.get(f"/api/v1/{name}/?q=(page_size:2)")  # warm
        with count_queries(db) as statements:
            body = client.get(f"/api/v1/{name}/?q=(page_size:2)").get_json()
        assert body["count"] == totals[table], name
        assert _reads_counter(statements) == postgresql, name
        column, value = {"evaluation": ("skp_id", db.session.scalar(select(func.min(Evaluation.skp_id)))),
                         "skp": ("year", YEAR - 1),
                         "training_participant": ("attendance", "HADIR")}[name]
        with count_queries(db) as statements:
            body = client.get(f"/api/v1/{name}/?q=(page_size:2,filters:!((col:{column},opr:eq,value:{value})))"
                              ).get_json()
        model = {"evaluation": Evaluation, "skp": Skp, "training_participant": TrainingParticipant}[name]
        assert body["count"] == db.session.scalar(select(func.count()).select_from(model)
                                                  .where(getattr(model, column) == value)), name
        assert 0 < body["count"] < totals[table] and not _reads_counter(statements), name
    # the participants' list screen: the total under the list, with and without a base filter
    session_id = db.session.scalar(select(func.min(TrainingParticipant.session_id)))
    for query_string, expected, counter in (
            ("", totals["training_participant"], postgresql),
            (f"?session={session_id}", db.session.scalar(select(func.count()).select_from(TrainingParticipant)
                                                         .where(TrainingParticipant.session_id == session_id)), False),
            ("?_flt_0_attendance=HADIR", db.session.scalar(select(func.count()).select_from(TrainingParticipant)
                                                           .where(TrainingParticipant.attendance == "HADIR")), False)):
        with count_queries(db) as statements:
            html = client.get(f"/trainingparticipantview/list/{query_string}").get_data(as_text=True)
        shown = re.search(r":</strong>\s*(\d+)", html)  # FAB's "Record Count: N" under the list
        assert shown and int(shown.group(1)) == expected, query_string
        assert _reads_counter(statements) == counter, query_string
    # the Admin's employee list (screen and REST): the whole table; a search counts
    client.get("/logout/")
    assert login(client, org.username("admin")).status_code == 302
    women = db.session.scalar(select(func.count()).select_from(Employee).where(Employee.gender == "P"))
    for path, expected, counter in (("/employeeview/list/", totals["employee"], postgresql),
                                    ("/employeeview/list/?_flt_0_gender=P", women, False)):
        with count_queries(db) as statements:
            html = client.get(path).get_data(as_text=True)
        shown = re.search(r":</strong>\s*(\d+)", html)
        assert shown and int(shown.group(1)) == expected, path
        assert _reads_counter(statements) == counter, path
    assert 0 < women < totals["employee"]
    with count_queries(db) as statements:
        body = client.get("/api/v1/employee/?q=(page_size:2)").get_json()
    assert body["count"] == totals["employee"] and _reads_counter(statements) == postgresql
    # a row scope (the head of the Dinas) counts its own rows, never the kept count
    client.get("/logout/")
    assert login(client, org.username("kadis")).status_code == 302
    with count_queries(db) as statements:
        body = client.get("/api/v1/evaluation/?q=(page_size:2)").get_json()
    assert 0 < body["count"] < totals["evaluation"] and not _reads_counter(statements)


def test_the_generators_keep_the_counts(db):
    """The demo and bench generators (Core bulk inserts, COPY on PostgreSQL, their deletes and --reset) leave the
    kept counts equal to count(*)."""
    _postgresql(db)
    from app.demo.generator import generate
    from app.demo.training_generator import generate_training

    today = date(2026, 11, 28)
    generate(db.session, employees=200, units=12, seed=3, years=2, today=today)
    _check_all(db)
    generate_training(db.session, seed=3, today=today, years=2, sessions=40, participants=600, trainers=3)
    _check_all(db)
    generate_training(db.session, seed=4, today=today, years=2, sessions=30, participants=400, trainers=3)  # again
    _check_all(db)
    generate(db.session, employees=150, units=10, seed=5, years=1, today=today, reset=True)
    _check_all(db)
