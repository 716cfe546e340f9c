"""Row scope of the training records, as SQL clauses (no web imports).

Who sees what (the brief of this area, on top of app.security.scope):

* Admin and Pengelola Kinerja: everything;
* a Pelatih: the sessions they train (``training_session_trainer``) and every participant of them;
* a Pimpinan: the participants whose unit at the invitation lies in their unit subtree, and the sessions
  that have such a participant or target a unit of the subtree;
* an Atasan: their subordinates' participation (and the sessions it is in);
* a Pegawai: their own invitations, attendance, external trainings and JP ledger (and their sessions).

Roles add up. ``Viewer`` is the person: the employee-based ``Scope`` plus their account id and whether
they hold the Pelatih role (trainers are user accounts, with or without an employee record). Everything
is one SQL statement with subqueries: no query per row.

``Viewer.arrays`` (set on PostgreSQL by ``web.current_viewer``): the subqueries of the scope (supervisor chain,
unit subtree, a trainer's sessions, the sessions of the participants in scope) are written
``column = ANY(ARRAY(subquery))`` instead of ``column IN (subquery)``. Inside an OR, PostgreSQL turns ``IN`` into
a hashed subplan and filters every one of the 150,000 participant rows (a Pimpinan's lists: a Seq Scan for the
count and again for the page); as arrays each subquery runs once, first, and its ids become index conditions (a
BitmapOr of the employee and unit indexes). The rows are the same (tests/test_training_scope.py runs both forms
on PostgreSQL). SQLite plans ``IN (subquery)`` inside an OR as a MULTI-INDEX OR already, and has no arrays.
The sessions of the participants in scope are a UNION of one SELECT per part, each read from the index alone:
``(employee_id, attendance, session_id)`` and ``(unit_id, session_id)`` (migration 0016).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Optional

from sqlalchemy import (ARRAY, Integer, Text, and_, any_, bindparam, cast, false, func, not_, null, or_, select,
                        true, union)
from sqlalchemy.orm import aliased

from app.organisation.models import Employee, Unit
from app.performance.scope import subordinate_array
from app.security import roles as R
from app.security.scope import Scope, employee_clause, subordinate_ids, unit_subtree_ids

from .models import (ExternalTraining, TrainingFeedback, TrainingParticipant, TrainingSession,
                     training_session_trainer, training_session_unit)


@dataclass(frozen=True)
class Viewer:
    scope: Scope
    user_id: Optional[int] = None
    role_names: frozenset = field(default_factory=frozenset)
    arrays: bool = False  # PostgreSQL: the scope's subqueries as ``= ANY(ARRAY(...))`` (module docstring)
    # ``resolve_ids``: the supervisor chain's and the unit subtree's ids, read once, bound as arrays (PostgreSQL's
    # array literals, '{1,2,3}': a text parameter costs no per-id conversion in Python)
    subordinate_set: Optional[str] = None
    subtree_set: Optional[str] = None

    @property
    def everything(self) -> bool:
        return self.scope.everything

    @property
    def is_trainer(self) -> bool:
        return bool(self.user_id) and R.PELATIH in self.role_names

    @property
    def manages(self) -> bool:
        """Admin and Pengelola Kinerja organise the city's trainings."""
        return bool(self.role_names & R.GLOBAL_SCOPE_ROLES)


def subtree_ids(root_id: int, name: str = "training_unit_subtree"):
    """SELECT of the ids of a unit and every unit below it (a recursive CTE named ``name``: one statement may
    hold app.security.scope's own "unit_subtree" CTE of the row scope beside this one)."""
    tree = select(Unit.id).where(Unit.id == root_id).cte(name, recursive=True)
    child = aliased(Unit)
    tree = tree.union(select(child.id).where(child.parent_id == tree.c.id))
    return select(tree.c.id)


def trained_session_ids(user_id: int):
    """SELECT of the ids of the sessions this account trains."""
    return select(training_session_trainer.c.session_id).where(training_session_trainer.c.user_id == user_id)


def _among(viewer: Viewer, column, ids_select):
    """``column IN (ids_select)``; for ``viewer.arrays`` (PostgreSQL) ``column = ANY(ARRAY(ids_select))``: the
    subquery runs once, before the scan, and its ids become an index condition. The same rows."""
    if viewer.arrays:
        return column == any_(func.array(ids_select.scalar_subquery()))
    return column.in_(ids_select)


def _bound(ids: str):
    """``= ANY(CAST((SELECT CAST(:ids AS INTEGER[])) AS INTEGER[]))`` of an array literal read by ``resolve_ids``:
    the cast in an InitPlan, run once (written bare, PostgreSQL parsed the 1,083 ids again for every row a filter
    tests: the Pimpinan's page 1.5 → 24 ms)."""
    array = ARRAY(Integer)
    return any_(cast(select(cast(bindparam("scope_ids", value=ids, type_=Text, unique=True), array))
                     .scalar_subquery(), array))


def resolve_ids(session, viewer: Viewer) -> Viewer:
    """The viewer with its supervisor chain and unit subtree read once (one statement) and written as bound arrays
    by ``employee_rows`` (PostgreSQL): a request whose count and page both test them computes the recursive
    CTEs once, not per statement (a Pimpinan's participant list). The same rows: the same ids."""
    scope = viewer.scope
    if not viewer.arrays or viewer.everything or not (scope.subordinates_of or scope.unit_root_id):
        return viewer
    subordinates, subtree = session.execute(_resolve_statement(scope.subordinates_of, scope.unit_root_id)).one()
    return replace(viewer, subordinate_set=subordinates, subtree_set=subtree)


@lru_cache(maxsize=1024)
def _resolve_statement(subordinates_of: Optional[int], unit_root_id: Optional[int]):
    """``resolve_ids``' statement, built once per supervisor and unit. The supervisor chain level by level
    (``subordinate_array``, one index scan per level: the same people; the recursive ``subordinate_ids`` hashed all
    15,000 employees: 3.2 → 1.5 ms for the largest OPD's head, A/B in one process)."""
    return select(cast(subordinate_array(subordinates_of), Text) if subordinates_of else null(),
                  cast(func.array(unit_subtree_ids(unit_root_id).scalar_subquery()), Text) if unit_root_id else null())


def employee_rows(viewer: Viewer, id_column, unit_column):
    """``app.security.scope.employee_clause`` on rows keyed by an employee and a unit (own, subordinates, unit
    subtree), in the viewer's form (``_among``)."""
    scope = viewer.scope
    if not viewer.arrays:
        return employee_clause(scope, id_column, unit_column)
    parts = [id_column == scope.employee_id] if scope.employee_id else []
    if scope.subordinates_of:
        parts.append(id_column == _bound(viewer.subordinate_set) if viewer.subordinate_set is not None
                     else _among(viewer, id_column, subordinate_ids(scope.subordinates_of)))
    if scope.unit_root_id:
        parts.append(unit_column == _bound(viewer.subtree_set) if viewer.subtree_set is not None
                     else _among(viewer, unit_column, unit_subtree_ids(scope.unit_root_id)))
    return or_(*parts) if parts else false()


def participant_clause(viewer: Viewer, trainer_exists: bool = False):
    """WHERE clause on ``TrainingParticipant`` rows. ``trainer_exists``: a trainer's part as a correlated EXISTS
    (per row) instead of ``session_id IN (their sessions)``: the same rows, for a page that walks another index in
    its order and stops early (see ``views.ParticipantListInterface``); a count or an unsorted read keeps the IN."""
    if viewer.everything:
        return true()
    parts = []
    if not viewer.scope.empty:
        parts.append(employee_rows(viewer, TrainingParticipant.employee_id, TrainingParticipant.unit_id))
    if viewer.is_trainer:
        t = training_session_trainer
        parts.append(select(t.c.session_id).where(t.c.user_id == viewer.user_id,
                                                  t.c.session_id == TrainingParticipant.session_id).exists()
                     if trainer_exists else
                     _among(viewer, TrainingParticipant.session_id, trained_session_ids(viewer.user_id)))
    return or_(*parts) if parts else false()


def participant_count_parts(viewer: Viewer):
    """``participant_clause(viewer)`` as disjoint clauses (PostgreSQL, a scope with a unit subtree or
    subordinates), or None: the unit subtree; own rows outside it; the subordinates' rows outside both; a
    trainer's sessions outside all three. Each part is ``piece AND NOT (every earlier piece)`` (the columns are
    NOT NULL, the id arrays hold no NULL), so the parts' counts add up to the count of the rows in scope, and
    each is read from one index alone: ``(unit_id, session_id)``, ``(employee_id, unit_id)`` (migration 0021),
    ``(session_id, employee_id)``. As one OR, PostgreSQL ORs bitmaps of ~12,000 rows and rechecks ~1,900 heap
    pages (``views.ParticipantListInterface.query_count``)."""
    scope = viewer.scope
    if viewer.everything or not viewer.arrays or scope.empty or not (scope.unit_root_id or scope.subordinates_of):
        return None
    p = TrainingParticipant
    pieces = []
    if scope.unit_root_id:
        pieces.append(p.unit_id == _bound(viewer.subtree_set) if viewer.subtree_set is not None
                      else _among(viewer, p.unit_id, unit_subtree_ids(scope.unit_root_id)))
    if scope.employee_id:
        pieces.append(p.employee_id == scope.employee_id)
    if scope.subordinates_of:
        pieces.append(p.employee_id == _bound(viewer.subordinate_set) if viewer.subordinate_set is not None
                      else _among(viewer, p.employee_id, subordinate_ids(scope.subordinates_of)))
    if viewer.is_trainer:
        pieces.append(_among(viewer, p.session_id, trained_session_ids(viewer.user_id)))
    return [and_(piece, *(not_(earlier) for earlier in pieces[:i])) if i else piece
            for i, piece in enumerate(pieces)]


def _scoped_session_ids(viewer: Viewer):
    """SELECT of the session ids of the participants in the viewer's employee scope: a UNION of one SELECT per
    part (own, subordinates, unit subtree), each read from its index alone, ~800 distinct ids for the largest
    OPD. Written as one SELECT with an OR, SQLite fetches every one of the ~12,000 participant rows and
    PostgreSQL (without arrays) filters all 150,000. With arrays the supervisor chain is
    ``app.performance.scope.subordinate_array`` (the same people): the recursive ``subordinate_ids`` hashes all
    15,000 employees (4 ms of the Pimpinan's session list), level by level it is about 1 ms."""
    p, scope = TrainingParticipant, viewer.scope
    parts = [select(p.session_id).where(p.employee_id == scope.employee_id)] if scope.employee_id else []
    if scope.subordinates_of:
        if viewer.arrays:  # the supervisor chain level by level: one index scan per level (see subordinate_array)
            chain = p.employee_id == any_(subordinate_array(scope.subordinates_of))
        else:
            chain = _among(viewer, p.employee_id, subordinate_ids(scope.subordinates_of))
        parts.append(select(p.session_id).where(chain))
    if scope.unit_root_id:
        parts.append(select(p.session_id).where(_among(viewer, p.unit_id, unit_subtree_ids(scope.unit_root_id))))
    return union(*parts) if len(parts) > 1 else parts[0]


def session_clause(viewer: Viewer):
    """WHERE clause on ``TrainingSession`` rows. The sessions of the participants in scope are read from the
    ``(employee_id, attendance, session_id)`` and ``(unit_id, session_id)`` indexes (no participant row is fetched
    on SQLite)."""
    if viewer.everything:
        return true()
    parts = []
    if not viewer.scope.empty:
        parts.append(_among(viewer, TrainingSession.id, _scoped_session_ids(viewer)))
    if viewer.scope.unit_root_id:
        parts.append(_among(viewer, TrainingSession.id, select(training_session_unit.c.session_id).where(
            _among(viewer, training_session_unit.c.unit_id,
                   subtree_ids(viewer.scope.unit_root_id, "target_unit_subtree")))))
    if viewer.is_trainer:
        parts.append(_among(viewer, TrainingSession.id, trained_session_ids(viewer.user_id)))
    return or_(*parts) if parts else false()


def roster_session_clause(viewer: Viewer):
    """Sessions whose whole roster (attendance, scores, code) the viewer manages: Admin/Pengelola, and the
    session's own trainers."""
    if viewer.manages:
        return true()
    if viewer.is_trainer:
        return TrainingSession.id.in_(trained_session_ids(viewer.user_id))
    return false()


def feedback_clause(viewer: Viewer, session_column=None):
    """WHERE clause on ``TrainingFeedback``: the feedback on sessions the viewer manages or trains (or, with
    ``session_column``, on those sessions' ids, e.g. ``TrainingSession.id``)."""
    if viewer.manages or viewer.everything:
        return true()
    if viewer.is_trainer:
        column = TrainingFeedback.session_id if session_column is None else session_column
        return column.in_(trained_session_ids(viewer.user_id))
    return false()


def employee_ids_clause(viewer: Viewer, column):
    """``column`` (an employee id) among the employees the viewer's scope covers."""
    if viewer.everything:
        return true()
    if viewer.scope.empty:
        return false()
    return _among(viewer, column, select(Employee.id).where(employee_rows(viewer, Employee.id, Employee.unit_id)))


def external_clause(viewer: Viewer):
    """WHERE clause on ``ExternalTraining``: those of the employees in the viewer's scope."""
    return employee_ids_clause(viewer, ExternalTraining.employee_id)
