"""Training and socialization data for the Palembang demo.

``load_training_demo(session, today)`` runs inside the demo's transaction, after the organisation, the demo
accounts and the performance data are written. It writes:

* the topic catalogue (about a dozen topics: SKP and RHK, BerAKHLAK, pelayanan prima, arsip, kepemimpinan,
  literasi digital, pembelajaran berdiferensiasi for teachers, keselamatan pasien for health staff, the
  socialization of the performance rating…) and the training-need rules that map evaluation outcomes to them;
* sessions, trained by the demo Pelatih (and a second trainer of BKPSDM's competence development bidang):
  past ones of last year and this year with their attendance closed (present / excused / absent, pre- and
  post-test scores, certificate numbers, participant feedback), a socialization session (online seminar),
  one running now (the demo Pegawai is invited and can check in with the code shown on the trainer's roster;
  some colleagues have checked in already) and an upcoming one with a waiting list;
* the Dinas Pendidikan story of domain.md: early this year its teachers whose evaluation of last year showed
  Butuh Perbaikan or lower were trained on what the evaluation showed ("Pembelajaran Berdiferensiasi"), so
  "Kebutuhan Pelatihan → Efek pelatihan" shows their next result beside the earlier one;
* external trainings with a certificate number (verified, a few waiting for verification): the demo Pegawai
  has one of each.

The demo Pegawai reaches the JP target last year and is below it this year; the demo Atasan's team is
mixed. Deterministic (a seeded ``random.Random``; dates follow ``today``, the running session the clock).
SQLAlchemy Core inserts (not in the audit trail), one transaction (the caller commits). Loading again after a
reset first removes the sessions the reset left without participants.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import delete, exists, insert, select

from app.training import rules

SEED = 1945
ORGANISER = "BKPSDM Kota Palembang"
PLACE = "Aula Gedung BKPSDM Kota Palembang, Jl. Merdeka No. 1"

# code, name, competency, core value code (or None), description
TOPICS = [
    ("SKP-RHK", "Penyusunan SKP dan Rencana Hasil Kerja", "TEKNIS", None,
     "Menulis RHK yang mengintervensi RHK pimpinan, indikator dan target yang terukur."),
    ("BERAKHLAK", "Internalisasi Nilai Dasar BerAKHLAK", "SOSIOKULTURAL", "KOMPETEN",
     "Tujuh nilai dasar ASN dan perilaku yang diharapkan."),
    ("PELAYANAN-PRIMA", "Pelayanan Publik Prima", "SOSIOKULTURAL", "BERORIENTASI_PELAYANAN",
     "Standar pelayanan, penanganan pengaduan, survei kepuasan masyarakat."),
    ("LAPORAN-KINERJA", "Penyusunan Laporan dan Bukti Dukung Kinerja", "TEKNIS", None,
     "Mencatat realisasi dan bukti dukung tepat waktu; mengukur capaian indikator."),
    ("KEPEMIMPINAN", "Kepemimpinan Pengawas", "MANAJERIAL", "KOLABORATIF",
     "Coaching dan mentoring bawahan, umpan balik berkelanjutan."),
    ("ARSIP", "Pengelolaan Arsip Dinamis", "TEKNIS", None, "Tata naskah dinas dan arsip elektronik."),
    ("LITERASI-DIGITAL", "Literasi Digital dan Keamanan Informasi", "TEKNIS", "ADAPTIF",
     "Aplikasi perkantoran, tanda tangan elektronik, keamanan kata sandi."),
    ("DIFERENSIASI", "Pembelajaran Berdiferensiasi", "TEKNIS", "KOMPETEN",
     "Untuk guru: pembelajaran sesuai kebutuhan dan kesiapan peserta didik."),
    ("KESELAMATAN-PASIEN", "Keselamatan Pasien dan Pencegahan Infeksi", "TEKNIS", None,
     "Untuk tenaga kesehatan puskesmas."),
    ("SOSIALISASI-PK", "Sosialisasi Penilaian Kinerja ASN", "SOSIOKULTURAL", None,
     "Matriks predikat, kurva distribusi, tata cara keberatan."),
]
# outcome, parameter, topic code
NEED_RULES = [
    ("PREDIKAT", "BUTUH_PERBAIKAN", "SKP-RHK"),
    ("PERILAKU", "KOMPETEN", "BERAKHLAK"),
    ("PERILAKU", "BERORIENTASI_PELAYANAN", "PELAYANAN-PRIMA"),
    ("INDIKATOR", 2, "LAPORAN-KINERJA"),
]
FEEDBACK = ["Materi sangat aplikatif untuk pekerjaan sehari-hari.", "Narasumber menguasai materi.",
            "Waktu praktik perlu ditambah.", "Contoh kasusnya relevan dengan tugas kami.", None, None]


@dataclass
class DemoTraining:
    counts: dict


def _tables():
    md = Model.metadata.tables
    return {name: md[name] for name in ("training_topic", "training_need_rule", "training_session",
                                        "training_session_trainer", "training_session_unit", "training_participant",
                                        "training_feedback", "external_training", "core_value", "ab_user",
                                        "ab_user_role", "ab_role", "employee", "unit", "evaluation", "skp", "period")}


def _now_for(today: date) -> datetime:
    from app.performance.services import now_wib

    real = now_wib().replace(second=0, microsecond=0)
    return real if real.date() == today else datetime.combine(today, time(10, 0))


def load_training_demo(session, today: date, seed: int = SEED) -> DemoTraining:
    """Write the training demo (see the module docstring) inside the caller's transaction."""
    from app.demo.performance import _demo_accounts, _people

    conn = session.connection()
    t = _tables()
    rng = random.Random(seed)
    counts = {"training_topic": 0, "training_session": 0, "training_participant": 0, "training_feedback": 0,
              "external_training": 0}
    # sessions a reset left without participants (the organisation was wiped): the demo's own, gone
    participants = t["training_participant"]
    conn.execute(delete(t["training_session"]).where(~exists().where(
        participants.c.session_id == t["training_session"].c.id)))

    core_values = dict(conn.execute(select(t["core_value"].c.code, t["core_value"].c.id)).all())
    topic_ids = dict(conn.execute(select(t["training_topic"].c.code, t["training_topic"].c.id)).all())
    for code, name, competency, value, description in TOPICS:
        if code not in topic_ids:
            topic_ids[code] = conn.execute(insert(t["training_topic"]).values(
                code=code, name=name, competency=competency, core_value_id=core_values.get(value) if value else None,
                description=description, active=True)).inserted_primary_key[0]
            counts["training_topic"] += 1
    has_rule = set(conn.execute(select(t["training_need_rule"].c.topic_id)).scalars())
    for outcome, parameter, code in NEED_RULES:
        if topic_ids[code] in has_rule:
            continue
        conn.execute(insert(t["training_need_rule"]).values(
            outcome=outcome, topic_id=topic_ids[code], active=True,
            predikat=parameter if outcome == "PREDIKAT" else None,
            core_value_id=core_values.get(parameter) if outcome == "PERILAKU" else None,
            min_missed=parameter if outcome == "INDIKATOR" else 1))

    people, units = _people(conn)
    accounts = _demo_accounts(conn, people)
    active = [p for p in people.values() if p.active]
    if not active:
        return DemoTraining(counts)
    # trainers: the demo Pelatih (an account with the role) and any other Pelatih account
    user, link, role = t["ab_user"], t["ab_user_role"], t["ab_role"]
    trainer_ids = sorted(conn.execute(select(user.c.id).join(link, link.c.user_id == user.c.id)
                                      .join(role, role.c.id == link.c.role_id).where(role.c.name == "Pelatih"))
                         .scalars())
    pegawai, atasan = accounts.get("pegawai"), accounts.get("atasan")
    team = [p for p in active if atasan and p.supervisor_id == atasan.id]
    by_unit = {}
    for p in active:
        by_unit.setdefault(p.unit_id, []).append(p)
    opd_code = {uid: u["code"] for uid, u in units.items()}
    disdik_staff = [p for p in active if opd_code.get(p.opd_id, "").endswith("DISDIK")]
    dinkes_staff = [p for p in active if opd_code.get(p.opd_id, "").endswith("DINKES")]
    now = _now_for(today)
    this_year, last_year = today.year, today.year - 1

    def add_session(title, topic, starts_at, hours, jp, capacity, kind="PELATIHAN", method="KLASIKAL", place=PLACE,
                    online_url=None, closed=False, unit_ids=(), trainers=None, organiser=ORGANISER):
        sid = conn.execute(insert(t["training_session"]).values(
            kind=kind, method=method, title=title, topic_id=topic_ids.get(topic), organiser=organiser, place=place,
            online_url=online_url, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), jp=jp,
            capacity=capacity, status="DITUTUP" if closed else "DIBUKA", checkin_code=rules.make_code(),
            closed_at=starts_at + timedelta(hours=hours, minutes=15) if closed else None,
            created_by_id=accounts["pengelola"].user_id if accounts.get("pengelola") else None,
            created_on=min(starts_at - timedelta(days=14), now), changed_on=min(starts_at, now)))
        sid = sid.inserted_primary_key[0]
        chosen = trainers if trainers is not None else trainer_ids[:1]
        for uid in chosen:
            conn.execute(insert(t["training_session_trainer"]).values(session_id=sid, user_id=uid))
        for uid in unit_ids:
            conn.execute(insert(t["training_session_unit"]).values(session_id=sid, unit_id=uid))
        counts["training_session"] += 1
        return sid, starts_at, starts_at + timedelta(hours=hours)

    def enroll(sid, starts_at, ends_at, persons, capacity, closed, source="DAFTAR", present_share=0.85,
               scores=True, running_checked=0.0):
        rows, feedback = [], []
        for i, p in enumerate(persons):
            waiting = i >= capacity
            status = "DAFTAR_TUNGGU" if waiting else "DIUNDANG"
            attendance = checked = method = pre = post = cert = None
            if not waiting and closed:
                roll = 0.0 if p.id in always_present else rng.random()
                attendance = "HADIR" if roll < present_share else "IZIN" if roll < present_share + 0.08 \
                    else "TIDAK_HADIR"
            elif not waiting and running_checked and rng.random() < running_checked:
                attendance = "HADIR"
            if attendance == "HADIR":
                method = "KODE" if rng.random() < 0.7 else "PELATIH"
                checked = starts_at + timedelta(minutes=rng.randint(-10, 25))
                if scores:
                    pre = Decimal(rng.randint(40, 75))
                    post = min(Decimal(100), pre + Decimal(rng.randint(5, 35)))
                if closed:
                    cert = f"{sid:04d}/BKPSDM-PLG/{starts_at.year}/{i + 1:03d}"
            elif attendance:
                method = "PELATIH"
            rows.append({"session_id": sid, "employee_id": p.id, "unit_id": p.unit_id, "status": status,
                         "source": source, "invited_at": min(starts_at - timedelta(days=10) + timedelta(minutes=i), now),
                         "attendance": attendance, "checked_in_at": checked, "checkin_method": method,
                         "pre_score": pre, "post_score": post, "certificate_number": cert,
                         "changed_on": min(ends_at, now)})
        if rows:
            conn.execute(insert(participants), rows)
            counts["training_participant"] += len(rows)
        if closed:
            ids = dict(conn.execute(select(participants.c.employee_id, participants.c.id).where(
                participants.c.session_id == sid, participants.c.attendance == "HADIR")).all())
            for employee_id, pid in ids.items():
                if rng.random() < 0.6:
                    feedback.append({"participant_id": pid, "session_id": sid, "rating": rng.choice([3, 4, 4, 5, 5]),
                                     "comment": rng.choice(FEEDBACK), "created_on": min(ends_at + timedelta(hours=2),
                                                                                        now)})
            if feedback:
                conn.execute(insert(t["training_feedback"]), feedback)
                counts["training_feedback"] += len(feedback)

    def people_of(pool, n, must=()):
        chosen = [p for p in must if p is not None]
        taken = {p.id for p in chosen}
        rest = list({p.id: p for p in pool if p.id not in taken}.values())
        chosen += rng.sample(rest, k=min(len(rest), max(0, n - len(chosen))))
        return chosen

    def at(day: date, hour: int = 8) -> datetime:
        return datetime.combine(day, time(hour, 0))

    staff_pool = team or active[:40]
    always_present = {p.id for p in (pegawai, atasan) if p is not None}  # their JP: as the docstring says
    # --- last year: closed sessions (the demo Pegawai reaches the target: 24 JP) -------------------------------
    for title, topic, day, hours, jp, n, must in (
            ("Penyusunan SKP dan RHK Angkatan I", "SKP-RHK", date(last_year, 2, 12), 8, 8, 30, (pegawai, atasan)),
            ("Internalisasi Nilai BerAKHLAK", "BERAKHLAK", date(last_year, 5, 20), 8, 8, 35, (pegawai,)),
            ("Pelayanan Publik Prima", "PELAYANAN-PRIMA", date(last_year, 9, 9), 8, 8, 30, (pegawai,)),
            ("Pengelolaan Arsip Dinamis", "ARSIP", date(last_year, 10, 14), 6, 6, 25, ())):
        sid, s, e = add_session(title, topic, at(day), hours, jp, capacity=40, closed=True)
        enroll(sid, s, e, people_of(staff_pool + active[:200], n, must), 40, closed=True)
    # the teachers of Dinas Pendidikan trained on what their evaluation of last year showed (early this year)
    teachers = _needing(conn, t, [p.id for p in disdik_staff], last_year)
    story_day = date(this_year, 1, 20) if today > date(this_year, 1, 24) else today - timedelta(days=5)
    if teachers:
        disdik_units = sorted({p.opd_id for p in disdik_staff})[:1]
        sid, s, e = add_session("Pembelajaran Berdiferensiasi bagi Guru", "DIFERENSIASI", at(story_day), 16, 16,
                                capacity=60, closed=True, unit_ids=disdik_units, organiser="Dinas Pendidikan Kota Palembang",
                                place="Aula Dinas Pendidikan Kota Palembang")
        enroll(sid, s, e, [people[i] for i in teachers[:60]], 60, closed=True, source="KEBUTUHAN", present_share=0.95)
    # --- this year: closed sessions (the demo Pegawai has 12 JP: below the target) -------------------------------
    first = max(date(this_year, 1, 1), today - timedelta(days=75))
    day = first + timedelta(days=(today - first).days // 3)
    if day < today - timedelta(days=1):
        sid, s, e = add_session("Literasi Digital dan Keamanan Informasi", "LITERASI-DIGITAL", at(day), 8, 8,
                                capacity=40, method="WORKSHOP", closed=True)
        enroll(sid, s, e, people_of(staff_pool + active[200:400], 30, (pegawai,)), 40, closed=True)
    day = today - timedelta(days=12)
    sid, s, e = add_session("Sosialisasi Penilaian Kinerja ASN", "SOSIALISASI-PK", at(max(day, first), 9), 3, 4,
                            capacity=300, kind="SOSIALISASI", method="SEMINAR", place=None,
                            online_url="https://vicon.palembang.go.id/sosialisasi-pk", closed=True,
                            trainers=trainer_ids[:2])
    enroll(sid, s, e, people_of(active, 150, (pegawai, atasan)), 300, closed=True, scores=False, present_share=0.8)
    if dinkes_staff:
        day = today - timedelta(days=30)
        sid, s, e = add_session("Keselamatan Pasien dan Pencegahan Infeksi", "KESELAMATAN-PASIEN", at(day), 8, 8,
                                capacity=30, method="KLASIKAL", closed=True,
                                unit_ids=sorted({p.opd_id for p in dinkes_staff})[:1])
        enroll(sid, s, e, people_of([p for p in dinkes_staff if p is not pegawai], 28), 30, closed=True)
    # --- running now: the demo Pegawai checks in with the code on the trainer's roster -------------------------------
    start = now - timedelta(hours=1)
    sid, s, e = add_session("Penyusunan Laporan dan Bukti Dukung Kinerja", "LAPORAN-KINERJA", start, 7, 8, capacity=30)
    running = people_of(staff_pool + active[:300], 20, (pegawai,))
    enroll(sid, s, e, [running[0]] + running[1:], 30, closed=False, running_checked=0.5, scores=False)
    conn.execute(participants.update().where(participants.c.session_id == sid,
                                             participants.c.employee_id == running[0].id)
                 .values(attendance=None, checked_in_at=None, checkin_method=None))
    # --- upcoming, full: a waiting list ---------------------------------------------------------------------------
    start = at(today + timedelta(days=9))
    sid, s, e = add_session("Kepemimpinan Pengawas: Coaching dan Mentoring", "KEPEMIMPINAN", start, 16, 16,
                            capacity=12, method="COACHING", trainers=trainer_ids[:2])
    heads = [p for p in active if p.is_head] or active
    enroll(sid, s, e, people_of(heads, 16, (atasan,)), 12, closed=False)
    # --- external trainings --------------------------------------------------------------------------------------------
    rows = []
    for i, p in enumerate(people_of([p for p in active if p is not pegawai], 40)):
        year = last_year if i % 3 else this_year
        end = min(date(year, rng.randint(1, 11), rng.randint(1, 27)), today - timedelta(days=3))
        jp = rng.choice([4, 8, 12, 16, 24])
        status = "DIAJUKAN" if i % 7 == 6 else "DISETUJUI"
        rows.append(_external_row(p, "Pelatihan Manajemen ASN (e-learning LAN)" if i % 2 else
                                  "Diklat Teknis BPSDM Provinsi Sumatera Selatan", end, jp, status, i, now))
    if pegawai:
        rows.append(_external_row(pegawai, "Webinar Reformasi Birokrasi (KemenPANRB)", today - timedelta(days=20), 4,
                                  "DIAJUKAN", 999, now))
    if rows:
        conn.execute(insert(t["external_training"]), rows)
        counts["external_training"] += len(rows)
    return DemoTraining(counts)


def _external_row(person, title, ended_on: date, jp: int, status: str, i: int, now: datetime) -> dict:
    return {"employee_id": person.id, "title": title, "organiser": "LAN RI" if "LAN" in title else
            "BPSDM Provinsi Sumatera Selatan" if "BPSDM" in title else "Kementerian PANRB",
            "method": "E_LEARNING" if "e-learning" in title or "Webinar" in title else "KLASIKAL",
            "started_on": ended_on - timedelta(days=max(0, jp // 8 - 1)), "ended_on": ended_on, "jp": jp,
            "certificate_number": f"SERT-{ended_on.year}-{i + 1:04d}", "status": status,
            "verified_at": now if status == "DISETUJUI" else None, "created_on": min(now, datetime.combine(
                ended_on + timedelta(days=2), time(9, 0)))}


def _needing(conn, t, employee_ids: list, year: int) -> list:
    """The employees (of ``employee_ids``) whose final predikat of ``year`` is Butuh Perbaikan or lower."""
    if not employee_ids:
        return []
    ev, skp, period = t["evaluation"], t["skp"], t["period"]
    rows = conn.execute(select(skp.c.employee_id).select_from(ev).join(skp, skp.c.id == ev.c.skp_id)
                        .join(period, period.c.id == ev.c.period_id)
                        .where(skp.c.year == year, ev.c.status == "FINAL",
                               ev.c.predikat.in_(("BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")),
                               skp.c.employee_id.in_(employee_ids)).distinct()).scalars().all()
    return sorted(rows)
