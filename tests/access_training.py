"""Training and socialization in the generated access matrix (tests/test_access_matrix.py), and the builders
the training tests share.

Record kinds (RECORDS[role][kind] = (own, in scope, out of scope)):

* ``tsession``     — a session, keyed by the employee invited to it ("staff1": a session where Budi is a
  participant). A Pelatih's own session is one they train ("pelatih"); a Pimpinan's out-of-scope session is
  one of Dinas Pendidikan (Yuni, "guru").
* ``tparticipant`` — a participant row (the same employees).
* ``external``     — an external training of an employee.
* ``reference``    — topics, JP targets and need rules: reference data, one record ("in") for everyone.

Each write cell acts on a fresh record (a session built for the cell, running now, with the employee
invited), so the cells are independent of each other. Records are written straight to the tables:
tests/test_training_services.py tests the services that normally create them.

``install(namespace)`` (called at the end of tests/test_access_matrix.py) wraps the module's ``build``, the
World's ``obj``/``identity``/``fingerprint`` and adds the view → kind entries; ``add_rows(ACCESS, RECORDS)``
(called at the end of tests/access_matrix.py) adds the rows and records.
"""
from __future__ import annotations

import io
from datetime import datetime, timedelta
from itertools import count

from sqlalchemy import func, select

_seq = count(1)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- builders (also used by tests/test_training_*.py) ----------------------------------------------------------

def ctx_for(org, key):
    """The services' ActorContext of a person of the `org` city (or "admin" / "pelatih")."""
    from app.performance.services import ActorContext

    user = org.users[key]
    roles = {r.name for r in user.roles}
    employee = org.employees.get(key)
    if employee is not None:
        roles.add("Pegawai")
    return ActorContext(user.id, user.username, employee.id if employee is not None else None, roles)


def now():
    from app.performance.services import now_wib

    return now_wib().replace(microsecond=0)


def topic(db, code=None, name=None, core_value_id=None):
    from app.training.models import TrainingTopic

    n = next(_seq)
    item = TrainingTopic(code=code or f"TOPIK-{n}", name=name or f"Topik Uji {n}", competency="TEKNIS",
                         core_value_id=core_value_id, active=True)
    db.session.add(item)
    db.session.commit()
    return item


def make_session(db, org, starts_at=None, hours=4, jp=4, capacity=10, trainers=("pelatih",), topic_item=None,
                 title=None, units=(), kind="PELATIHAN", method="KLASIKAL", status="DIBUKA", code="KODE23"):
    """A session (running now by default: started an hour ago) trained by ``trainers`` (keys of org.users)."""
    from app.training.models import TrainingSession

    start = starts_at or (now() - timedelta(hours=1))
    n = next(_seq)
    item = TrainingSession(kind=kind, method=method, title=title or f"Pelatihan Uji {n}", organiser="BKPSDM",
                           place="Aula BKPSDM", starts_at=start, ends_at=start + timedelta(hours=hours), jp=jp,
                           capacity=capacity, checkin_code=code, status=status,
                           closed_at=now() if status == "DITUTUP" else None,
                           topic_id=topic_item.id if topic_item is not None else None)
    item.trainers = [org.users[k] for k in trainers]
    item.units = [org.units[k] for k in units]
    db.session.add(item)
    db.session.commit()
    return item


def enroll(db, org, training_session, key, status="DIUNDANG", attendance=None, at=None):
    from app.training.models import TrainingParticipant

    employee = org.employees[key]
    row = TrainingParticipant(session_id=training_session.id, employee_id=employee.id, unit_id=employee.unit_id,
                              status=status, source="DAFTAR", attendance=attendance,
                              invited_at=at or now() - timedelta(days=1))
    db.session.add(row)
    db.session.commit()
    return row


def external(db, org, key, jp=8, status="DISETUJUI", ended_on=None, app=None):
    """An external training of ``key`` with a stored certificate (when ``app`` is given)."""
    from app.training.models import ExternalTraining

    ended = ended_on or (now().date() - timedelta(days=10))
    item = ExternalTraining(employee_id=org.employees[key].id, title=f"Diklat Luar {next(_seq)}",
                            organiser="BPSDM Provinsi Sumatera Selatan", method="KLASIKAL",
                            started_on=ended - timedelta(days=2), ended_on=ended, jp=jp,
                            certificate_number=f"SERT/{next(_seq)}", status=status)
    if app is not None:
        from app.core.uploads import FileStore

        stored = FileStore(app.config["UPLOAD_DIR"]).save(io.BytesIO(PDF), "sertifikat.pdf", allowed=("pdf",))
        item.original_name, item.stored_name = stored.original_name, stored.stored_name
        item.content_type, item.size_bytes, item.sha256 = stored.content_type, stored.size_bytes, stored.sha256
    db.session.add(item)
    db.session.commit()
    return item


# --- the access matrix -------------------------------------------------------------------------------------------

MODEL_OF_VIEW = {
    "TrainingSessionView": "tsession", "TrainingSessionApi": "tsession", "RosterView": "tsession",
    "MyTrainingView": "tsession", "TrainingParticipantView": "tparticipant", "TrainingParticipantApi": "tparticipant",
    "ExternalTrainingView": "external", "ExternalTrainingApi": "external",
    "TrainingTopicView": "reference", "JpTargetView": "reference", "TrainingNeedRuleView": "reference",
    "TrainerSessionsView": None, "JpLedgerView": None, "JpLedgerApi": None, "TrainingNeedsView": None,
    "TrainingFeedbackView": None,
}
ROUTE_BASE = {"TrainingSessionView": "/trainingsessionview", "TrainingParticipantView": "/trainingparticipantview",
              "ExternalTrainingView": "/externaltrainingview", "TrainingTopicView": "/trainingtopicview",
              "JpTargetView": "/jptargetview", "TrainingNeedRuleView": "/trainingneedruleview"}
API_BASE = {"TrainingSessionApi": "/api/v1/training_session", "TrainingParticipantApi": "/api/v1/training_participant",
            "ExternalTrainingApi": "/api/v1/external_training"}

# own / in scope / out of scope, by the employee whose participation the record is (see the module docstring)
_PEOPLE = {"Admin": (None, "staff1", None), "Pengelola Kinerja": ("analis", "staff1", None),
           "Pimpinan": ("kadis", "staff1", "guru"), "Atasan": ("kabid", "staff1", "perawat"),
           "Pegawai": ("staff1", None, "staff2"), "Pelatih": ("pelatih", None, "staff1"),
           "anonymous": (None, None, "staff1")}
_REFERENCE = (None, "ref", None)


def add_rows(access: dict, records: dict) -> None:
    """Add the training rows to tests/access_matrix.ACCESS and the record kinds to RECORDS."""
    for role, people in _PEOPLE.items():
        records[role]["tsession"] = people
        records[role]["tparticipant"] = records[role]["tparticipant_api"] = people
        records[role]["external"] = records[role]["ledger"] = people if role != "Pelatih" else (None, None, "staff1")
        for kind in ("ttopic", "jptarget", "needrule"):
            records[role][kind] = _REFERENCE
    access.update(ROWS)


# Shorthands (roles in the order of access_matrix.ROLES: Admin, Pengelola, Pimpinan, Atasan, Pegawai, Pelatih, anon)
GET_ACTION = ("M",) * 7
NO_ACTIONS = ("N",) * 7
MANAGERS = ("A", "A", "F", "F", "F", "F", "L")
MANAGE_REC = ("-A-", "AA-", "F", "F", "F", "F", "L")  # a record, written by the organisers only
MANAGE_GET_DELETE = ("-R-", "RR-", "F", "F", "F", "F", "L")  # FAB refuses a delete by GET (CSRF): redirect
DOWNLOAD_NONE = ("N", "N", "N", "N", "N", "F", "L")
SESSION_LIST = ("-A-", "AA-", "AAH", "AAH", "A-H", "A-H", "L")
SESSION_GET = ("-A-", "AA-", "AAN", "AAN", "A-N", "A-N", "L")
REFERENCE_READ = ("A", "A", "A", "F", "F", "A", "L")  # topics: organisers, Pimpinan, Pelatih
REF_WRITE_REC = ("-A-", "-A-", "F", "F", "F", "F", "L")
REF_GET_DELETE = ("-R-", "-R-", "F", "F", "F", "F", "L")
PARTICIPANT_LIST = ("-A-", "AA-", "AAH", "AAH", "A-H", "A-H", "L")
PARTICIPANT_GET = ("-A-", "AA-", "AAN", "AAN", "A-N", "A-N", "L")
PARTICIPANT_EXPORT = ("-A-", "AA-", "AAH", "F", "F", "A-H", "L")
NOBODY_WRITES = ("F", "F", "F", "F", "F", "F", "L")  # read-only view: not even Admin
EXTERNAL_LIST = ("-A-", "AA-", "AAH", "AAH", "A-H", "F", "L")
EXTERNAL_GET = ("-A-", "AA-", "AAN", "AAN", "A-N", "F", "L")
EXTERNAL_EXPORT = ("-A-", "AA-", "AAH", "F", "F", "F", "L")
# writes on an external training: the organisers any, an employee their own (submitted) record
EXTERNAL_WRITE = ("-A-", "AA-", "ANN", "ANN", "A-N", "F", "L")
# FAB refuses a delete by GET (CSRF) before it looks at the record: a redirect, nothing deleted, nothing shown
EXTERNAL_GET_DELETE = ("-R-", "RR-", "RRR", "RRR", "R-R", "F", "L")
EVERY_EMPLOYEE = ("A", "A", "A", "A", "A", "F", "L")  # Admin has the permission (no record: an empty page)
ROSTER_READ = ("-A-", "AA-", "AAN", "AAN", "A-N", "A-N", "L")
ROSTER_WRITE = ("-A-", "AR-", "RRN", "RRN", "R-N", "A-N", "L")  # the organisers and the session's trainer
ROSTER_INVITE = ("-A-", "AA-", "RRN", "RRN", "R-N", "R-N", "L")  # the organisers only (others: refused)
ROSTER_EXPORT = ("-A-", "AA-", "AAN", "F", "F", "A-N", "L")

ROWS = {}


def _model_rows(view, list_, show, add, edit, get_delete, export, download=DOWNLOAD_NONE, actions=None):
    rows = {
        f"{view}.list GET": list_, f"{view}.show GET": show,
        f"{view}.add GET": add, f"{view}.add POST": add,
        f"{view}.edit GET": edit, f"{view}.edit POST": edit,
        f"{view}.delete GET": get_delete, f"{view}.delete POST": edit,
        f"{view}.download GET": download, f"{view}.export GET": export,
    }
    if actions is None:
        rows[f"{view}.action GET"] = GET_ACTION
        rows[f"{view}.action_post POST"] = NO_ACTIONS
    else:
        rows.update(actions)
    return rows


ROWS.update({
    # sessions: organisers write; everyone sees the sessions of their participation (Pelatih: those they train)
    **_model_rows("TrainingSessionView", SESSION_LIST, SESSION_GET, MANAGERS, MANAGE_REC, MANAGE_GET_DELETE,
                  export=("-A-", "AA-", "F", "F", "F", "F", "L"), download=("N", "N", "N", "N", "N", "N", "L")),
    # participants: read and export only (the roster and the API write them)
    **_model_rows("TrainingParticipantView", PARTICIPANT_LIST, PARTICIPANT_GET, NOBODY_WRITES,
                  ("F", "F", "F", "F", "F", "F", "L"), ("F", "F", "F", "F", "F", "F", "L"), PARTICIPANT_EXPORT,
                  download=("N", "N", "N", "N", "N", "N", "L")),
    # external trainings: the organisers write any; each employee records their own; organisers verify
    **_model_rows("ExternalTrainingView", EXTERNAL_LIST, EXTERNAL_GET, ("A", "A", "A", "A", "A", "F", "L"),
                  EXTERNAL_WRITE, EXTERNAL_GET_DELETE, EXTERNAL_EXPORT,
                  download=("N", "N", "N", "N", "N", "F", "L"),
                  actions={"ExternalTrainingView.action GET:verify": GET_ACTION,
                           "ExternalTrainingView.action GET:reject": GET_ACTION,
                           "ExternalTrainingView.action_post POST:verify": ("-A-", "AA-", "F", "F", "F", "F", "F"),
                           "ExternalTrainingView.action_post POST:reject": ("-A-", "AA-", "F", "F", "F", "F", "F")}),
    "ExternalTrainingView.certificate GET":      EXTERNAL_GET,
    # reference data
    **_model_rows("TrainingTopicView", REFERENCE_READ, REFERENCE_READ, MANAGERS, REF_WRITE_REC, REF_GET_DELETE,
                  export=("A", "A", "F", "F", "F", "F", "L"), download=("N", "N", "N", "F", "F", "N", "L")),
    **_model_rows("JpTargetView", MANAGERS, MANAGERS, MANAGERS, REF_WRITE_REC, REF_GET_DELETE, export=MANAGERS,
                  download=("N", "N", "F", "F", "F", "F", "L")),
    **_model_rows("TrainingNeedRuleView", MANAGERS, MANAGERS, MANAGERS, REF_WRITE_REC, REF_GET_DELETE,
                  export=MANAGERS, download=("N", "N", "F", "F", "F", "F", "L")),
    # REST API
    "TrainingSessionApi.get_list GET":           SESSION_LIST,
    "TrainingSessionApi.get GET":                SESSION_GET,
    "TrainingSessionApi.info GET":               MANAGERS,
    "TrainingSessionApi.post POST":              MANAGERS,
    "TrainingSessionApi.put PUT":                MANAGE_REC,
    "TrainingSessionApi.delete DELETE":          MANAGE_REC,
    "TrainingSessionApi.invite POST":            ("-A-", "AA-", "F", "F", "F", "F", "L"),
    # attendance and closing: the organisers and the session's own trainer (another trainer's: 422)
    "TrainingSessionApi.attendance POST":        ("-A-", "AA-", "F", "F", "F", "A-N", "L"),
    "TrainingSessionApi.close POST":             ("-A-", "AA-", "F", "F", "F", "A-N", "L"),
    # reopening a closed attendance: the organisers only (the Pelatih lacks can_write on sessions)
    "TrainingSessionApi.reopen POST":            ("-A-", "AA-", "F", "F", "F", "F", "L"),
    # check-in and feedback: one's own participation (the in-scope record is someone else's: refused, 422)
    "TrainingSessionApi.check_in POST":          ("-U-", "AU-", "AUN", "AUN", "A-N", "F", "L"),
    "TrainingSessionApi.feedback POST":          ("-U-", "AU-", "AUN", "AUN", "A-N", "F", "L"),
    "TrainingParticipantApi.get_list GET":       PARTICIPANT_LIST,
    "TrainingParticipantApi.get GET":            PARTICIPANT_GET,
    "ExternalTrainingApi.get_list GET":          EXTERNAL_LIST,
    "ExternalTrainingApi.get GET":               EXTERNAL_GET,
    # REST create: the organisers record anyone's, every employee their own (like the add form)
    "ExternalTrainingApi.create POST":           ("A", "A", "A", "A", "A", "F", "L"),
    "JpLedgerApi.get_ledger GET":                ("-A-", "AA-", "AAH", "AAH", "A-H", "F", "L"),
    # screens
    "MyTrainingView.index GET":                  ("-H-", "AH-", "AHH", "AHH", "A-H", "F", "L"),
    "MyTrainingView.check_in POST":              ("-R-", "AR-", "ARN", "ARN", "A-N", "F", "L"),
    "MyTrainingView.feedback POST":              ("-R-", "AR-", "ARN", "ARN", "A-N", "F", "L"),
    "MyTrainingView.decline POST":               ("-R-", "AR-", "ARN", "ARN", "A-N", "F", "L"),
    "TrainerSessionsView.index GET":             ("A", "F", "F", "F", "F", "A", "L"),
    "RosterView.show GET":                       ROSTER_READ,
    "RosterView.pdf GET":                        ROSTER_READ,
    "RosterView.export GET":                     ROSTER_EXPORT,
    "RosterView.invite POST":                    ("-A-", "AA-", "F", "F", "F", "R-N", "L"),
    "RosterView.attendance POST":                ("-A-", "AA-", "F", "F", "F", "A-N", "L"),
    "RosterView.code POST":                      ("-A-", "AA-", "F", "F", "F", "A-N", "L"),
    "RosterView.close POST":                     ("-A-", "AA-", "F", "F", "F", "A-N", "L"),
    # reopening: the organisers; the session's own trainer is refused (a flash, nothing changes)
    "RosterView.reopen POST":                    ("-A-", "AA-", "F", "F", "F", "R-N", "L"),
    "RosterView.cancel POST":                    ("-A-", "AA-", "F", "F", "F", "R-N", "L"),
    "JpLedgerView.index GET":                    ("-A-", "AA-", "AAH", "AAH", "A-H", "F", "L"),
    "JpLedgerView.export GET":                   ("-A-", "AA-", "AAH", "F", "F", "F", "L"),
    "TrainingNeedsView.index GET":               ("A", "A", "A", "F", "F", "F", "L"),
    "TrainingNeedsView.effect GET":              ("A", "A", "A", "F", "F", "F", "L"),
    "TrainingNeedsView.create_session POST":     MANAGERS,
    "TrainingNeedsView.refresh POST":            MANAGERS,  # Hitung ulang of the stored needs/effect: can_write
    "TrainingFeedbackView.index GET":            ("A", "A", "F", "F", "F", "A", "L"),
})


# --- records, identities, fingerprints ---------------------------------------------------------------------------

MODEL_OF_VIEW.update({"TrainingParticipantApi": "tparticipant_api", "TrainingTopicView": "ttopic",
                      "JpTargetView": "jptarget", "TrainingNeedRuleView": "needrule", "JpLedgerView": "ledger",
                      "JpLedgerApi": "ledger"})
MODELS = {"tsession", "tparticipant", "tparticipant_api", "external", "ttopic", "jptarget", "needrule", "ledger"}
_SCREENS = {"MyTrainingView", "TrainerSessionsView", "RosterView", "JpLedgerView", "TrainingNeedsView",
            "TrainingFeedbackView", "JpLedgerApi"}


def _session_for(world, key, starts_at=None, hours=4, status="DIBUKA"):
    """A session of the record ``key``: trained by the Pelatih when ``key`` is "pelatih" (Dewi invited),
    else untrained with employee ``key`` invited."""
    db, org = world.db, world.org
    n = next(_seq)
    trainer = key == "pelatih"
    item = make_session(db, org, starts_at=starts_at, hours=hours, trainers=("pelatih",) if trainer else (),
                        title=f"Sesi Matriks {n}", status=status, code="MTRX23")
    participant = enroll(db, org, item, "staff2" if trainer else key)
    item.matrix_participant = participant
    return item


def _obj(world, model, key):
    cache = world.__dict__.setdefault("_training_records", {})
    if (model, key) in cache:
        return cache[(model, key)]
    db, org = world.db, world.org
    if model == "tsession":
        found = _session_for(world, key)
    elif model in ("tparticipant", "tparticipant_api"):
        found = _obj(world, "tsession", key).matrix_participant
    elif model == "external":
        found = external(db, org, key, status="DIAJUKAN", app=world.app)
    elif model == "ttopic":
        found = topic(db, name=f"Topik Matriks {next(_seq)}")
    elif model == "jptarget":
        found = _jp_target(db, "PPPK", f"Target matriks {next(_seq)}")
    elif model == "needrule":
        from app.training.models import TrainingNeedRule

        found = TrainingNeedRule(outcome="PREDIKAT", predikat="BUTUH_PERBAIKAN",
                                 topic_id=topic(db, name=f"Topik Aturan {next(_seq)}").id)
        db.session.add(found)
        db.session.commit()
    elif model == "ledger":
        found = org.employees[key]
    else:
        raise AssertionError(model)
    cache[(model, key)] = found
    return found


def _jp_target(db, asn_type, notes):
    from app.training.models import JpTarget

    found = db.session.scalar(select(JpTarget).where(JpTarget.asn_type == asn_type))
    if found is None:
        found = JpTarget(asn_type=asn_type, target_jp=20)
        db.session.add(found)
    found.notes = notes
    db.session.commit()
    return found


def _identity(model, record) -> str:
    if model in ("tsession",):
        return record.title
    if model == "tparticipant":
        return record.session.title
    if model == "tparticipant_api":
        return f'"id":{record.id},'
    if model == "external":
        return record.title
    if model == "ttopic":
        return record.name
    if model == "jptarget":
        return record.notes
    if model == "needrule":
        return record.topic.name
    if model == "ledger":
        return record.nip
    raise AssertionError(model)


def _fingerprint(world, model, pk):
    from app.training.models import (ExternalTraining, JpTarget, TrainingFeedback, TrainingNeedRule,
                                     TrainingParticipant, TrainingSession, TrainingTopic)

    db = world.db
    db.session.expire_all()
    cls = {"tsession": TrainingSession, "external": ExternalTraining, "ttopic": TrainingTopic, "jptarget": JpTarget,
           "needrule": TrainingNeedRule, "tparticipant": TrainingParticipant}[model]
    if pk is None:
        return db.session.execute(select(func.count()).select_from(cls)).scalar()
    row = db.session.get(cls, pk)
    if row is None:
        return None
    if model == "tsession":
        people = tuple(db.session.execute(select(
            TrainingParticipant.employee_id, TrainingParticipant.status, TrainingParticipant.attendance)
            .where(TrainingParticipant.session_id == pk).order_by(TrainingParticipant.employee_id)).all())
        feedback = db.session.scalar(select(func.count()).select_from(TrainingFeedback)
                                     .where(TrainingFeedback.session_id == pk))
        return (row.title, row.capacity, row.status, row.checkin_code, people, feedback)
    fields = {"external": ("title", "status", "notes"), "ttopic": ("name", "active"),
              "jptarget": ("target_jp", "notes"), "needrule": ("predikat", "notes", "active"),
              "tparticipant": ("status", "attendance")}[model]
    return tuple(getattr(row, f) for f in fields)


def _twin(world, model, key):
    db, org = world.db, world.org
    if model == "tsession":
        return _session_for(world, key)
    if model == "external":
        return external(db, org, key, status="DIAJUKAN", app=world.app)
    if model == "ttopic":
        return topic(db, name=f"Topik Kembar {next(_seq)}")
    if model == "jptarget":
        return _jp_target(db, "PNS", f"Target kembar {next(_seq)}")
    if model == "needrule":
        from app.training.models import TrainingNeedRule

        rule = TrainingNeedRule(outcome="INDIKATOR", min_missed=2, topic_id=topic(db).id)
        db.session.add(rule)
        db.session.commit()
        return rule
    raise AssertionError(model)


# --- requests -------------------------------------------------------------------------------------------------------

def _moment(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _add_form(world, view):
    org = world.org
    n = next(_seq)
    start = now() + timedelta(days=20)
    if view == "TrainingSessionView":
        return {"kind": "PELATIHAN", "method": "KLASIKAL", "title": f"Sesi Baru {n}", "organiser": "BKPSDM",
                "place": "Aula", "online_url": "", "starts_at": _moment(start),
                "ends_at": _moment(start + timedelta(hours=4)), "jp": "4", "capacity": "20", "description": "",
                "trainers": str(org.users["pelatih"].id)}
    if view == "ExternalTrainingView":
        return None  # built per role (the employee's own)
    if view == "TrainingTopicView":
        return {"code": f"BARU-{n}", "name": f"Topik Baru {n}", "competency": "TEKNIS", "description": "",
                "core_value": "", "active": "y"}
    if view == "JpTargetView":
        from app.training.models import JpTarget

        world.db.session.query(JpTarget).filter(JpTarget.asn_type == "CPNS").delete()
        world.db.session.commit()
        return {"asn_type": "CPNS", "target_jp": "20", "notes": f"baru {n}"}
    if view == "TrainingNeedRuleView":
        return {"outcome": "PREDIKAT", "predikat": "KURANG", "core_value": "", "min_missed": "1",
                "topic": str(topic(world.db).id), "active": "y", "notes": f"baru {n}"}
    return {}


def _external_form(world, employee, n, with_file=True):
    data = {"employee": str(employee.id), "title": f"Diklat Luar Baru {n}", "organiser": "LAN", "method": "KLASIKAL",
            "topic": "", "started_on": "2025-02-01", "ended_on": "2025-02-02", "jp": "8",
            "certificate_number": f"LAN/{n}", "notes": ""}
    if with_file:
        data["file"] = (io.BytesIO(PDF), "sertifikat.pdf")
    return data


def _edit_form(world, view, target):
    n = next(_seq)
    if view == "TrainingSessionView":
        return {"kind": target.kind, "method": target.method, "title": f"{target.title} diubah {n}",
                "organiser": target.organiser, "place": target.place or "Aula", "online_url": "",
                "starts_at": _moment(target.starts_at), "ends_at": _moment(target.ends_at), "jp": str(target.jp),
                "capacity": str(target.capacity + 1), "description": "",
                "trainers": [str(u.id) for u in target.trainers]}
    if view == "ExternalTrainingView":
        data = _external_form(world, target.employee, n, with_file=False)
        data["title"] = f"{target.title} diubah {n}"
        return data
    if view == "TrainingTopicView":
        return {"code": target.code, "name": f"{target.name} {n}", "competency": target.competency,
                "description": "", "core_value": "", "active": "y"}
    if view == "JpTargetView":
        return {"asn_type": target.asn_type, "target_jp": str(target.target_jp + 1), "notes": f"diubah {n}"}
    if view == "TrainingNeedRuleView":
        return {"outcome": target.outcome, "predikat": target.predikat or "", "core_value": "",
                "min_missed": str(target.min_missed), "topic": str(target.topic_id), "active": "y",
                "notes": f"diubah {n}"}
    return {}


def _build(world, case_class, key, role, kind, token):
    from access_matrix import ACTORS, RECORDS

    org = world.org
    endpoint, _, rest = key.partition(" ")
    method, _, suffix = rest.partition(":")
    view, _, handler = endpoint.partition(".")
    model = MODEL_OF_VIEW.get(view)
    rec_key = RECORDS[role][model][("own", "in", "out").index(kind)] if (model and kind) else None
    form = lambda **d: dict(d, csrf_token=token)  # noqa: E731
    actor = ACTORS[role]

    def record():
        return _obj(world, model, rec_key) if rec_key else None

    def fresh(starts_at=None, hours=4, attendance=None):
        if not rec_key:
            return None
        item = _session_for(world, rec_key, starts_at=starts_at, hours=hours)
        if attendance:
            item.matrix_participant.attendance = attendance
            world.db.session.commit()
        return item

    # --- CRUD views ---------------------------------------------------------------------------------------------
    if view in ROUTE_BASE:
        base = ROUTE_BASE[view]
        target = record()
        write = method == "POST" or handler in ("delete", "action_post")
        if write and rec_key and model != "tparticipant" and handler in ("edit", "delete", "action_post"):
            target = _twin(world, model, rec_key)  # a disposable record of the same kind and owner
        pk = target.id if target is not None else 1
        watch = (model, target.id if target is not None else None) if model != "tparticipant" else \
            ("tparticipant", target.id if target is not None else None)
        if handler == "list":
            return case_class("GET", f"{base}/list/?psize_{view}=100", target_model=model, target=target,
                              listing=True)
        if handler == "export":
            return case_class("GET", f"{base}/export/csv/", target_model=model, target=target, listing=True)
        if handler == "show":
            return case_class("GET", f"{base}/show/{pk}", target_model=model, target=target)
        if handler == "download":
            return case_class("GET", f"{base}/download/x.txt")
        if handler == "certificate":
            return case_class("GET", f"{base}/certificate/{pk}")
        if handler == "add":
            if method == "GET":
                return case_class("GET", f"{base}/add")
            data = _add_form(world, view)
            if view == "ExternalTrainingView":
                employee = org.employees.get(actor) if actor in org.employees else org.employees["staff1"]
                data = _external_form(world, employee, next(_seq))
            watch_model = "tparticipant" if view == "TrainingParticipantView" else model
            return case_class("POST", f"{base}/add", data=form(**data), watch=(watch_model, None), writes=True)
        if handler == "edit":
            if method == "GET":
                return case_class("GET", f"{base}/edit/{pk}", target_model=model, target=target)
            data = _edit_form(world, view, target) if target is not None else {}
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

    # --- REST API -----------------------------------------------------------------------------------------------
    if view in API_BASE:
        base = API_BASE[view]
        if handler == "get_list":
            return case_class("GET", f"{base}/?q=(page_size:100)", target_model=model, target=record(), listing=True)
        if handler == "get":
            target = record()
            return case_class("GET", f"{base}/{target.id if target else 1}", target_model=model, target=target)
        if handler == "info":
            return case_class("GET", f"{base}/_info")
        if handler == "post":
            start = now() + timedelta(days=30)
            body = {"title": f"Sesi API {next(_seq)}", "kind": "SOSIALISASI", "method": "SEMINAR", "organiser": "BKPSDM",
                    "online_url": "https://rapat.example.test/1", "starts_at": _moment(start),
                    "ends_at": _moment(start + timedelta(hours=2)), "jp": 2, "capacity": 50}
            return case_class("POST", f"{base}/", json=body, watch=("tsession", None), writes=True)
        if handler in ("put", "delete"):
            target = _twin(world, "tsession", rec_key) if rec_key else None
            pk = target.id if target else 1
            if handler == "put":
                return case_class("PUT", f"{base}/{pk}", json={"capacity": 77}, watch=("tsession", pk), writes=True)
            return case_class("DELETE", f"{base}/{pk}", watch=("tsession", pk), writes=True)
        if handler == "invite":
            item = fresh(starts_at=now() + timedelta(days=2))
            pk = item.id if item else 1
            return case_class("POST", f"{base}/{pk}/invite", json={"employee_ids": [org.employees["guru"].id]},
                              watch=("tsession", pk if item else None), writes=True)
        if handler == "create":
            employee = org.employees.get(actor) if actor in org.employees else org.employees["staff1"]
            n = next(_seq)
            body = {"employee_id": employee.id, "title": f"Diklat Luar API {n}", "organiser": "LAN",
                    "method": "KLASIKAL", "started_on": "2025-02-01", "ended_on": "2025-02-02", "jp": 8,
                    "certificate_number": f"LAN/API/{n}"}
            return case_class("POST", f"{base}/", json=body, watch=("external", None), writes=True)
        if handler == "reopen":
            item = _session_for(world, rec_key, status="DITUTUP") if rec_key else None
            pk = item.id if item else 1
            return case_class("POST", f"{base}/{pk}/reopen", json={"reason": "Daftar hadir perlu dikoreksi pelatih"},
                              watch=("tsession", pk if item else None), writes=True)
        if handler in ("attendance", "close", "check_in", "feedback"):
            if handler == "feedback":
                item = fresh(starts_at=now() - timedelta(hours=5), hours=2, attendance="HADIR")
            else:
                item = fresh()
            pk = item.id if item else 1
            employee_id = item.matrix_participant.employee_id if item else org.employees["staff1"].id
            body = {"attendance": {"entries": [{"employee_id": employee_id, "attendance": "HADIR"}]}, "close": {},
                    "check_in": {"code": "MTRX23"}, "feedback": {"rating": 5, "comment": "Bagus"}}[handler]
            suffix_url = {"check_in": "check-in"}.get(handler, handler)
            return case_class("POST", f"{base}/{pk}/{suffix_url}", json=body, watch=("tsession", pk if item else None),
                              writes=True)
        raise AssertionError(key)

    # --- screens -------------------------------------------------------------------------------------------------
    if view == "JpLedgerApi":
        return case_class("GET", "/api/v1/jp_ledger/?page_size=500", target_model="ledger", target=record(),
                          listing=True)
    if view == "JpLedgerView":
        url = "/jp-ledger/" if handler == "index" else "/jp-ledger/export/csv"
        return case_class("GET", url, target_model="ledger", target=record(), listing=True)
    if view == "MyTrainingView":
        if handler == "index":
            return case_class("GET", "/my-training/", target_model="tsession", target=record(), listing=True)
        if handler == "feedback":
            item = fresh(starts_at=now() - timedelta(hours=5), hours=2, attendance="HADIR")
            data = form(rating="4", comment="Bermanfaat")
        elif handler == "decline":
            item = fresh(starts_at=now() + timedelta(days=2))
            data = form()
        else:
            item = fresh()
            data = form(code="MTRX23")
        pk = item.id if item else 1
        url_part = {"check_in": "check-in"}.get(handler, handler)
        return case_class("POST", f"/my-training/{pk}/{url_part}", data=data, watch=("tsession", pk if item else None),
                          writes=True)
    if view == "TrainerSessionsView":
        return case_class("GET", "/my-sessions/")
    if view == "RosterView":
        if handler in ("show", "pdf", "export"):
            target = record()
            pk = target.id if target else 1
            url = {"show": f"/training-sessions/{pk}", "pdf": f"/training-sessions/{pk}/pdf",
                   "export": f"/training-sessions/{pk}/export/csv"}[handler]
            return case_class("GET", url, target_model="tsession", target=target if handler == "show" else None)
        if handler == "reopen":
            item = _session_for(world, rec_key, status="DITUTUP") if rec_key else None
            pk = item.id if item else 1
            return case_class("POST", f"/training-sessions/{pk}/reopen",
                              data=form(reason="Daftar hadir perlu dikoreksi pelatih"),
                              watch=("tsession", pk if item else None), writes=True)
        item = fresh(starts_at=now() + timedelta(days=2)) if handler in ("invite", "cancel") else fresh()
        pk = item.id if item else 1
        employee_id = str(item.matrix_participant.employee_id) if item else "1"
        data = {"invite": form(employees=str(org.employees["guru"].id)),
                "attendance": form(mark="HADIR", rowid=employee_id), "code": form(), "close": form(),
                "cancel": form(participant=str(item.matrix_participant.id) if item else "1")}[handler]
        return case_class("POST", f"/training-sessions/{pk}/{handler}", data=data,
                          watch=("tsession", pk if item else None), writes=True)
    if view == "TrainingNeedsView":
        if handler == "index":
            return case_class("GET", "/training-needs/")
        if handler == "effect":
            return case_class("GET", "/training-needs/effect")
        if handler == "refresh":  # recompute the stored training needs of a year: no record
            return case_class("POST", "/training-needs/refresh", data=form(what="needs", year="2025"))
        start = (now() + timedelta(days=40)).replace(hour=8, minute=0)
        t = topic(world.db)
        data = form(topic=str(t.id), unit=str(org.units["p2p"].id), year="2025",
                    rowid=str(org.employees["staff1"].id), title=f"Sesi Kebutuhan {next(_seq)}", kind="PELATIHAN",
                    method="KLASIKAL", organiser="BKPSDM", place="Aula", online_url="",
                    starts_at=start.strftime("%Y-%m-%dT%H:%M"),
                    ends_at=(start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"), jp="4", capacity="10")
        return case_class("POST", "/training-needs/create-session", data=data, watch=("tsession", None), writes=True)
    if view == "TrainingFeedbackView":
        return case_class("GET", "/training-feedback/")
    raise AssertionError(f"no training request builder for {key}")


def install(namespace: dict) -> None:
    """Hook the training rows into tests/test_access_matrix.py (its World, build and view → kind map)."""
    from access_hooks import hook_area

    hook_area(namespace, model_of_view=MODEL_OF_VIEW, build=_build, models=MODELS, obj=_obj,
              identity=lambda world, model, record: _identity(model, record), fingerprint=_fingerprint)
