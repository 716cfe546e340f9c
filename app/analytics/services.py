"""Rater-bias analytics: the database side. Everything is aggregated in SQL, per rater, in one statement:

``GROUP BY skp.rater_id`` over the final (rated) evaluations of a year (all its periods) or of one period, with
one conditional count per rating value (hasil kerja, perilaku kerja), per predikat, the number of evaluations
and of distinct ratees, and the self-assessment gap sums, joined to the rater's employee row. The evaluations
are read from the covering partial index ``ix_evaluation_final_ratings`` alone (migration 0012). The unit (OPD)
and city baselines are sums of the per-rater counts (in Python: a few hundred rows), so they always cover
*every* rater, whatever the viewer may see. Then one query tells which of the raters the viewer may see
(``scope.rater_clause``; none for Admin and Pengelola) and one reads the unit tree (names, parents) for the OPD
of each rater and the unit filter. No query per rater.

The rater is the plan's ``Skp.rater_id`` (the pejabat penilai of the plan); the rater's unit is their current
``Employee.unit_id``, and their OPD the unit right below the root on the way up (``rules.top_unit``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from sqlalchemy import case, func, select, text

from app.organisation.models import Employee, Unit
from app.performance.models import Evaluation, Period, Skp
from app.performance.rating import PREDIKAT_ORDER, Rating
from app.performance.workflow import EvaluationState

from . import rules
from .rules import RATING_ORDER, Assessment, Tally
from .scope import Viewer, rater_clause

SORTS = ("departure", "name", "ratees", "mean")


@dataclass
class RaterRow:
    """One rater with their tally, their unit's and the assessment."""

    rater_id: int
    name: str
    nip: str
    unit_id: Optional[int]
    unit_name: str
    opd_id: Optional[int]
    opd_name: str
    tally: Tally
    unit_tally: Optional[Tally]  # the OPD's baseline (the rater included)
    assessment: Assessment
    d_city: Optional[float]  # standardised difference against the city (without the rater)

    @property
    def flagged(self) -> bool:
        return self.assessment.flagged


@dataclass
class Analysis:
    """Every visible rater of a year/period, and the city baseline."""

    rows: list
    city: Tally
    unit_tallies: dict  # {opd id: Tally}
    units: dict  # {unit id: (name, parent id)}


def _score(column):
    return case((column == Rating.DI_ATAS.value, 3), (column == Rating.SESUAI.value, 2),
                (column == Rating.DI_BAWAH.value, 1), else_=None)


def _aggregate(year: int, period_id: Optional[int]):
    """The per-rater GROUP BY as a subquery."""
    e = Evaluation
    counts = []
    for r in RATING_ORDER:
        counts.append(func.sum(case((e.hasil_rating == r.value, 1), else_=0)).label(f"h_{r.value}"))
        counts.append(func.sum(case((e.perilaku_rating == r.value, 1), else_=0)).label(f"p_{r.value}"))
    for p in PREDIKAT_ORDER:
        counts.append(func.sum(case((e.predikat == p.value, 1), else_=0)).label(f"k_{p.value}"))
    self_rated = (e.self_hasil_rating.is_not(None)) & (e.self_perilaku_rating.is_not(None))
    gap = (_score(e.self_hasil_rating) - _score(e.hasil_rating)) + (_score(e.self_perilaku_rating)
                                                                      - _score(e.perilaku_rating))
    query = (select(Skp.rater_id.label("rater_id"), *counts,
                    func.count().label("evaluations"),
                    func.count(Skp.employee_id.distinct()).label("ratees"),
                    func.sum(case((self_rated, 1), else_=0)).label("self_rated"),
                    func.sum(case((self_rated, gap), else_=0)).label("self_gap"))
             .select_from(e).join(Skp, Skp.id == e.skp_id)
             .where(e.status == EvaluationState.FINAL.value, e.hasil_rating.is_not(None),
                    e.perilaku_rating.is_not(None), Skp.rater_id.is_not(None), Skp.year == year))
    # the periods first: the evaluations are read from ix_evaluation_final_ratings alone (migration 0012), the
    # plans of the year from ix_skp_year_id alone (migration 0018; not a scan of every year's plans). A two-level
    # GROUP BY (per rater and ratee, then per rater) instead of COUNT(DISTINCT) was measured: no faster on
    # PostgreSQL, slower on SQLite.
    if period_id is not None:
        query = query.where(e.period_id == period_id)
    else:
        query = query.where(e.period_id.in_(select(Period.id).where(Period.year == year)))
    return query.group_by(Skp.rater_id).subquery("rater_tally")


SQLITE_FROM = "FROM evaluation JOIN skp"


def _execute(session, statement):
    """Run the aggregate. On SQLite, with ``INDEXED BY ix_evaluation_final_ratings``: its planner otherwise scans
    the whole evaluation table or walks the plans through another index (150-210 ms of CPU instead of 90 on the
    bench database), and SQLAlchemy renders no table hints for SQLite. The statement holds only integers and
    the codes of the rating vocabularies, so it is compiled with its values inline."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return session.execute(statement)
    sql = str(statement.compile(bind, compile_kwargs={"literal_binds": True}))
    if sql.count(SQLITE_FROM) != 1:  # pragma: no cover - the statement's shape changed: run it as it is
        return session.execute(statement)
    return session.execute(text(sql.replace(SQLITE_FROM, "FROM evaluation INDEXED BY ix_evaluation_final_ratings "
                                                         "JOIN skp")))


def _tally(row) -> Tally:
    m = row._mapping
    hasil = {r: int(m[f"h_{r.value}"] or 0) for r in RATING_ORDER}
    perilaku = {r: int(m[f"p_{r.value}"] or 0) for r in RATING_ORDER}
    n = int(m["evaluations"] or 0)
    # one (hasil, perilaku) pair for everyone exactly when each rating has one value for everyone; otherwise
    # at least two pairs (all that the rules ask: no COUNT(DISTINCT) of the pairs in SQL)
    pairs = 1 if n and n in hasil.values() and n in perilaku.values() else (2 if n else 0)
    return Tally(hasil=hasil, perilaku=perilaku, predikat={p: int(m[f"k_{p.value}"] or 0) for p in PREDIKAT_ORDER},
                 evaluations=n, ratees=int(m["ratees"] or 0), pairs=pairs, self_rated=int(m["self_rated"] or 0),
                 self_gap_sum=int(m["self_gap"] or 0))


def visible_raters(session, viewer: Viewer, rater_ids: list) -> Optional[set]:
    """The ids among ``rater_ids`` the viewer may see (one query; None: every one, without a query). Asked
    apart from the aggregate: as a column of it, the supervisor-chain subquery ran once per rater."""
    if viewer.everything:
        return None
    if not rater_ids or viewer.scope.empty:
        return set()
    ids = sorted(set(rater_ids))
    return set(session.scalars(select(Employee.id).where(Employee.id.in_(ids), rater_clause(viewer, candidates=ids))))


def unit_tree(session) -> dict:
    """{unit id: (name, parent id)} of every unit (a few hundred rows: one query)."""
    return {row.id: (row.name, row.parent_id) for row in session.execute(select(Unit.id, Unit.name, Unit.parent_id))}


def analyse(session, viewer: Viewer, year: int, period_id: Optional[int] = None, units: Optional[dict] = None,
            rater_id: Optional[int] = None) -> Analysis:
    """Every rater of ``year`` (or of one period of it) the viewer may see, assessed against their OPD and
    the city. ``rater_id``: keep only that rater's row (the baselines still cover everybody)."""
    agg = _aggregate(year, period_id)
    result = _execute(session, select(agg, Employee.name.label("rater_name"), Employee.nip.label("rater_nip"),
                                      Employee.unit_id.label("rater_unit_id"))
                      .join(Employee, Employee.id == agg.c.rater_id)).all()
    visible_ids = visible_raters(session, viewer, [row.rater_id for row in result])
    units = units if units is not None else unit_tree(session)
    parent_of = {uid: parent for uid, (_name, parent) in units.items()}
    raw = []
    city = Tally()
    unit_tallies: dict = {}
    for row in result:
        t = _tally(row)
        opd = rules.top_unit(row.rater_unit_id, parent_of)
        city = city + t
        unit_tallies[opd] = unit_tallies.get(opd, Tally()) + t
        if (visible_ids is None or row.rater_id in visible_ids) and (rater_id is None or row.rater_id == rater_id):
            raw.append((row, t, opd))
    rows = []
    for row, t, opd in raw:
        unit_t = unit_tallies.get(opd)
        assessment = rules.assess(t, unit_t, city)
        rows.append(RaterRow(row.rater_id, row.rater_name, row.rater_nip, row.rater_unit_id,
                             units.get(row.rater_unit_id, ("", None))[0], opd, units.get(opd, ("", None))[0], t,
                             unit_t, assessment, rules.standardised_difference(t, city - t)))
    return Analysis(rows, city, unit_tallies, units)


def subtree(units: dict, root_id: int) -> set:
    """The ids of ``root_id`` and every unit below it (from the unit tree already read)."""
    children: dict = {}
    for uid, (_name, parent) in units.items():
        children.setdefault(parent, []).append(uid)
    out, todo = set(), [root_id]
    while todo:
        node = todo.pop()
        if node in out:
            continue
        out.add(node)
        todo.extend(children.get(node, ()))
    return out


def unit_allowed(units: dict, viewer: Viewer, unit_id: int) -> bool:
    """May the viewer filter by this unit? Any unit for the whole city; a unit of their subtree for a Pimpinan;
    none for anybody else."""
    if unit_id not in units:
        return False
    if viewer.everything:
        return True
    root = viewer.scope.unit_root_id
    return bool(root) and unit_id in subtree(units, root)


def filter_rows(rows: list, units: dict, unit_id: Optional[int] = None, flagged_only: bool = False) -> list:
    """The raters whose unit lies in the subtree of ``unit_id``; only the flagged ones on request."""
    if unit_id is not None:
        inside = subtree(units, unit_id)
        rows = [r for r in rows if r.unit_id in inside]
    if flagged_only:
        rows = [r for r in rows if r.flagged]
    return rows


def sort_rows(rows: list, sort: str = "departure") -> list:
    """Flagged first, then by ``sort``: "departure" (largest first), "name", "ratees" (most first), "mean"
    (highest first); ties by name."""
    def mean(r):
        return r.tally.mean if r.tally.mean is not None else 0.0

    keys = {
        "departure": lambda r: (not r.flagged, -r.assessment.departure, r.name.casefold(), r.rater_id),
        "name": lambda r: (not r.flagged, r.name.casefold(), r.rater_id),
        "ratees": lambda r: (not r.flagged, -r.tally.ratees, r.name.casefold(), r.rater_id),
        "mean": lambda r: (not r.flagged, -mean(r), r.name.casefold(), r.rater_id),
    }
    return sorted(rows, key=keys.get(sort, keys["departure"]))


def periods_of_year(session, year: int) -> list:
    """The periods of a year (annual first), for the period filter."""
    return session.execute(select(Period).where(Period.year == year)
                           .order_by(Period.kind, Period.number)).scalars().all()


def years(session, today: Optional[date] = None) -> tuple[list, Optional[int]]:
    """(the years that have periods, newest first; the default year: that of the period that ended last, else
    the newest). One query."""
    today = today or date.today()
    rows = session.execute(select(Period.year, Period.ends_on)).all()
    choices = sorted({y for y, _ends in rows}, reverse=True)
    ended = [(ends, y) for y, ends in rows if ends is not None and ends < today]
    return choices, (max(ended)[1] if ended else (choices[0] if choices else None))

