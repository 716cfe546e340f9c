"""Training, socialization and award data at Palembang scale: ``flask portal generate … --training``.

Runs on top of generated organisation data (``app.demo.generator.generate``; with ``--years`` the evaluations
that the training needs, their effect and the award candidates read). Writes, in one transaction of Core bulk
inserts (COPY on PostgreSQL with psycopg 3, like ``app.demo.performance``):

* the topic catalogue (the demo's topics plus generated ones, about 40) and the demo's training-need rules;
* ``trainers`` Pelatih accounts (user name ``bench-pelatih-NN``, e-mail ``@bench.example`` so that the
  generator's ``--reset`` removes them; password hashed once, never printed: the bench sets its own);
* ``sessions`` sessions (default 2,000) over the ``years`` years ending with ``today``'s year: about one in
  ten a socialization session (online seminar, large audience, no test), the others classical or
  non-classical (e-learning, workshop, coaching, mentoring); most have a target OPD and draw their
  participants from it; past sessions are closed, a few recent ones still open, some upcoming with a waiting
  list; one trainer (sometimes two) per session, a few trainers train many sessions;
* ``participants`` participant rows (default 150,000, one per employee and session) with attendance
  (present / excused / absent), check-in method, pre- and post-test scores and certificate numbers;
* participant feedback for about half of those present in closed sessions;
* external trainings (about one for every two employees over the years; most verified);
* socialization material: 12 materials (most for everyone, one for the largest OPD, one for the Atasan role)
  with 1-3 versions each, acknowledgements of the current version by 40-85 % of the audience (per OPD) and of
  earlier versions by others;
* award decisions on about a third of the candidates of the two last finished years (most approved).

Deterministic for a seed (dates follow ``today``). Generated data: no audit trail. Before writing it removes
the rows of these tables (sessions, participants, feedback, external trainings, need rules, topics not used
elsewhere, material, acknowledgements, award decisions): point it at a bench database only.
"""
from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta
from decimal import Decimal
from typing import Optional

from flask import current_app
from flask_appbuilder import Model
from sqlalchemy import delete, select, update
from werkzeug.security import generate_password_hash

from app.security import roles as R

from . import bulk
from .generator import EMAIL_DOMAIN
from .performance import insert_rows as fast_insert
from .training import FEEDBACK, NEED_RULES, TOPICS

SESSIONS = 2000
PARTICIPANTS = 150_000
TRAINERS = 24
SOCIALIZATION_SHARE = 0.1
ORGANISERS = ["BKPSDM Kota Palembang", "BPSDM Provinsi Sumatera Selatan", "LAN RI", "Dinas Pendidikan Kota Palembang",
              "Dinas Kesehatan Kota Palembang", "Diskominfo Kota Palembang"]
EXTRA_TOPICS = [
    ("Manajemen Risiko", "MANAJERIAL"), ("Pengadaan Barang dan Jasa", "TEKNIS"), ("Penyusunan Renstra", "TEKNIS"),
    ("Akuntabilitas Kinerja (SAKIP)", "TEKNIS"), ("Pelayanan Administrasi Kependudukan", "TEKNIS"),
    ("Etika dan Integritas ASN", "SOSIOKULTURAL"), ("Komunikasi Publik", "SOSIOKULTURAL"),
    ("Analisis Jabatan dan ABK", "TEKNIS"), ("Pengelolaan Keuangan Daerah", "TEKNIS"),
    ("Penulisan Naskah Dinas", "TEKNIS"), ("Kepemimpinan Administrator", "MANAJERIAL"),
    ("Coaching untuk Atasan", "MANAJERIAL"), ("Statistik Sektoral", "TEKNIS"), ("Keamanan Siber Dasar", "TEKNIS"),
    ("Pengelolaan Aset Daerah", "TEKNIS"), ("Pelayanan Ramah Disabilitas", "SOSIOKULTURAL"),
    ("Inovasi Pelayanan Publik", "MANAJERIAL"), ("Kurikulum Merdeka", "TEKNIS"), ("Gizi Masyarakat", "TEKNIS"),
    ("Manajemen Bencana", "TEKNIS"), ("Pengawasan Internal", "TEKNIS"), ("Perencanaan Anggaran", "TEKNIS"),
    ("Moderasi Beragama", "SOSIOKULTURAL"), ("Pengelolaan Pengaduan", "SOSIOKULTURAL"),
    ("Sistem Informasi Kepegawaian", "TEKNIS"), ("Penyusunan SOP", "TEKNIS"), ("Manajemen Proyek", "MANAJERIAL"),
    ("Kewirausahaan Sosial", "SOSIOKULTURAL"), ("Bahasa Inggris Pelayanan", "SOSIOKULTURAL"),
]
METHODS = [("KLASIKAL", 50), ("E_LEARNING", 20), ("WORKSHOP", 15), ("COACHING", 8), ("MENTORING", 7)]
MATERIAL_CATEGORIES = ["RHK_GUIDE", "RATING_MATRIX", "DISTRIBUTION", "OBJECTION", "FAQ", "OTHER"]
TABLES = ("training_feedback", "training_participant", "training_session_trainer", "training_session_unit",
          "training_session", "external_training", "training_need_rule", "material_acknowledgement",
          "material_version_file", "material_file", "material_version", "material_audience_unit",
          "material_audience_role", "material", "award_decision")


@dataclass
class TrainingResult:
    seconds: float
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


def _t(name):
    return Model.metadata.tables[name]


def _at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, dtime(hour, minute))


def wipe(conn) -> None:
    """Remove the rows this generator writes (see the module docstring)."""
    for name in TABLES:
        conn.execute(delete(_t(name)))
    conn.execute(delete(_t("training_topic")))
    user, link = _t("ab_user"), _t("ab_user_role")
    old = conn.execute(select(user.c.id).where(user.c.username.like("bench-pelatih-%"))).scalars().all()
    if old:
        conn.execute(update(_t("employee")).where(_t("employee").c.user_id.in_(old)).values(user_id=None))
        conn.execute(delete(link).where(link.c.user_id.in_(old)))
        conn.execute(delete(user).where(user.c.id.in_(old)))


def _sizes(rng: random.Random, n: int, total: int, social: list) -> list:
    """Participants per session summing to ``total``: socialization sessions large, trainings 10-120."""
    weights = [rng.lognormvariate(5.6, 0.6) if s else rng.lognormvariate(3.6, 0.5) for s in social]
    scale = total / sum(weights)
    sizes = [max(5, round(w * scale)) for w in weights]
    diff = total - sum(sizes)
    order = sorted(range(n), key=lambda i: -sizes[i])
    i = 0
    while diff != 0:
        j = order[i % n]
        step = 1 if diff > 0 else -1
        if sizes[j] + step >= 5:
            sizes[j] += step
            diff -= step
        i += 1
    return sizes


def generate_training(session, seed: int = 42, today: Optional[date] = None, years: int = 5,
                      sessions: int = SESSIONS, participants: int = PARTICIPANTS, trainers: int = TRAINERS,
                      commit: bool = True) -> TrainingResult:
    """Write the training, socialization and award data (see the module docstring) in one transaction."""
    from app.performance.services import today_wib

    started = time.perf_counter()
    today = today or today_wib()
    rng = random.Random(seed)
    timings, counts = {}, {}
    conn = session.connection()
    try:
        t = time.perf_counter()
        wipe(conn)
        timings["wipe"] = time.perf_counter() - t
        t = time.perf_counter()
        emp = _t("employee")
        people = conn.execute(select(emp.c.id, emp.c.unit_id, emp.c.asn_type).where(emp.c.status == "AKTIF")
                              .order_by(emp.c.id)).all()
        if not people:
            raise ValueError("no employees: generate the organisation first")
        unit = _t("unit")
        parent = dict(conn.execute(select(unit.c.id, unit.c.parent_id)).all())
        opd_of = {}
        for uid in parent:
            node = uid
            while parent.get(node) is not None and parent.get(parent[node]) is not None:
                node = parent[node]
            opd_of[uid] = node if parent.get(node) is not None else None
        by_opd: dict = {}
        for p in people:
            by_opd.setdefault(opd_of.get(p.unit_id), []).append(p)
        opds = sorted(k for k in by_opd if k is not None)
        opd_weights = [len(by_opd[o]) for o in opds]
        unit_of = {p.id: p.unit_id for p in people}
        ids = [p.id for p in people]

        # topics and need rules
        core = _t("core_value")
        core_values = dict(conn.execute(select(core.c.code, core.c.id)).all())
        topic_rows = []
        topic_alloc = bulk.IdAllocator(conn, _t("training_topic"))
        topic_ids = {}
        for code, name, competency, value, description in TOPICS:
            topic_ids[code] = topic_alloc()
            topic_rows.append({"id": topic_ids[code], "code": code, "name": name, "competency": competency,
                               "description": description, "core_value_id": core_values.get(value) if value else None,
                               "active": True})
        for i, (name, competency) in enumerate(EXTRA_TOPICS):
            code = f"GEN-{i + 1:03d}"
            topic_ids[code] = topic_alloc()
            topic_rows.append({"id": topic_ids[code], "code": code, "name": name, "competency": competency,
                               "description": None, "core_value_id": None, "active": i % 15 != 14})
        bulk.insert_rows(conn, _t("training_topic"), topic_rows)
        rule_rows = []
        for outcome, parameter, code in NEED_RULES:
            rule_rows.append({"outcome": outcome, "topic_id": topic_ids[code], "active": True,
                              "predikat": parameter if outcome == "PREDIKAT" else None,
                              "core_value_id": core_values.get(parameter) if outcome == "PERILAKU" else None,
                              "min_missed": parameter if outcome == "INDIKATOR" else 1, "notes": None})
        rule_rows = [r for r in rule_rows if r["outcome"] != "PERILAKU" or r["core_value_id"]]
        bulk.insert_rows(conn, _t("training_need_rule"), rule_rows)
        need_topics = [r["topic_id"] for r in rule_rows]
        counts.update(training_topic=len(topic_rows), training_need_rule=len(rule_rows))

        # trainers: Pelatih accounts
        user, link, role = _t("ab_user"), _t("ab_user_role"), _t("ab_role")
        role_ids = dict(conn.execute(select(role.c.name, role.c.id)).all())
        if R.PELATIH not in role_ids:
            raise ValueError("the roles are missing: run `flask portal sync-roles` first")
        config = current_app.config
        hashed = generate_password_hash(secrets.token_urlsafe(24),
                                        method=config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
                                        salt_length=config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))
        user_alloc = bulk.IdAllocator(conn, user)
        now = datetime.now().replace(microsecond=0)
        trainer_ids, users, links = [], [], []
        for i in range(trainers):
            uid = user_alloc()
            trainer_ids.append(uid)
            users.append({"id": uid, "first_name": "Pelatih", "last_name": f"Uji {i + 1:02d}",
                          "username": f"bench-pelatih-{i + 1:02d}", "password": hashed, "active": True,
                          "email": f"bench-pelatih-{i + 1:02d}@{EMAIL_DOMAIN}", "login_count": 0,
                          "fail_login_count": 0, "created_on": now, "changed_on": now})
            links.append({"user_id": uid, "role_id": role_ids[R.PELATIH]})
        bulk.insert_rows(conn, user, users)
        bulk.insert_rows(conn, link, links)
        # a few trainers train many sessions (Zipf-like weights)
        trainer_weights = [1 / (i + 1) ** 0.8 for i in range(trainers)]
        timings["prepare"] = time.perf_counter() - t

        # sessions
        t = time.perf_counter()
        first_day = date(today.year - years + 1, 1, 1)
        last_day = today + timedelta(days=60)
        span = (last_day - first_day).days
        social = [rng.random() < SOCIALIZATION_SHARE for _ in range(sessions)]
        sizes = _sizes(rng, sessions, min(participants, sessions * len(ids)), social)
        session_alloc = bulk.IdAllocator(conn, _t("training_session"))
        part_alloc = bulk.IdAllocator(conn, _t("training_participant"))
        s_rows, st_rows, su_rows, p_rows, f_rows = [], [], [], [], []
        methods, method_weights = zip(*METHODS)
        topic_codes = list(topic_ids)
        topic_name = {r["id"]: r["name"] for r in topic_rows}
        pengelola = None
        nowish = datetime.combine(today, dtime(10, 0))
        for i in range(sessions):
            sid = session_alloc()
            is_social = social[i]
            day = first_day + timedelta(days=int(span * (i + rng.random()) / sessions))
            while day.weekday() >= 5:
                day += timedelta(days=1)
            starts = _at(day, rng.choice((8, 8, 9, 13)))
            if is_social:
                kind, method, hours, jp = "SOSIALISASI", "SEMINAR", 3, rng.choice((2, 3, 4))
                topic = topic_ids.get("SOSIALISASI-PK") if rng.random() < 0.5 else topic_ids[rng.choice(topic_codes)]
                place, url = None, f"https://vicon.palembang.go.id/sosialisasi-{sid}"
            else:
                kind = "PELATIHAN"
                method = rng.choices(methods, weights=method_weights)[0]
                hours = rng.choice((4, 6, 8, 8, 16, 24))
                jp = max(1, round(hours * 60 / 45)) if hours <= 8 else hours
                topic = rng.choice(need_topics) if rng.random() < 0.25 else topic_ids[rng.choice(topic_codes)]
                place = None if method == "E_LEARNING" else "Aula BKPSDM Kota Palembang, Jl. Merdeka No. 1"
                url = "https://elearning.palembang.go.id/kelas" if method == "E_LEARNING" else None
            ends = starts + timedelta(hours=hours)
            size = sizes[i]
            upcoming = starts > nowish
            running = starts <= nowish < ends
            closed = ends < nowish - timedelta(days=2) and rng.random() > 0.02
            capacity = size if not upcoming else max(5, int(size * 0.85))
            s_rows.append({"id": sid, "kind": kind, "method": method, "title": f"{topic_name[topic]} Angkatan {i % 9 + 1}"[:200],
                           "topic_id": topic, "organiser": rng.choice(ORGANISERS), "place": place,
                           "online_url": url, "starts_at": starts, "ends_at": ends, "jp": jp, "capacity": capacity,
                           "description": None, "status": "DITUTUP" if closed else "DIBUKA",
                           "checkin_code": "".join(rng.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(6)),
                           "closed_at": ends + timedelta(minutes=30) if closed else None, "created_by_id": pengelola,
                           "created_on": min(starts - timedelta(days=14), now), "changed_on": min(ends, now)})
            chosen_trainers = {rng.choices(trainer_ids, weights=trainer_weights)[0]}
            if rng.random() < 0.2:
                chosen_trainers.add(rng.choice(trainer_ids))
            st_rows.extend({"session_id": sid, "user_id": u} for u in sorted(chosen_trainers))
            target = None
            if not is_social and rng.random() < 0.7 and opds:
                target = rng.choices(opds, weights=opd_weights)[0]
                su_rows.append({"session_id": sid, "unit_id": target})
            pool = by_opd[target] if target is not None else None
            if pool is not None and len(pool) >= size:
                chosen = rng.sample(pool, size)
                chosen_ids = [p.id for p in chosen]
                source = "UNIT"
            else:
                chosen_ids = rng.sample(ids, size)
                source = "DAFTAR"
            if topic in need_topics and not is_social:
                source = "KEBUTUHAN"
            for k, eid in enumerate(chosen_ids):
                pid = part_alloc()
                waiting = k >= capacity
                status = "DAFTAR_TUNGGU" if waiting else ("DIBATALKAN" if rng.random() < 0.02 else "DIUNDANG")
                attendance = checked = cmethod = pre = post = cert = None
                if status == "DIUNDANG" and (closed or (not upcoming and not running)):
                    roll = rng.random()
                    attendance = "HADIR" if roll < 0.85 else "IZIN" if roll < 0.92 else "TIDAK_HADIR"
                elif status == "DIUNDANG" and running and rng.random() < 0.5:
                    attendance = "HADIR"
                if attendance == "HADIR":
                    cmethod = "KODE" if rng.random() < 0.7 else "PELATIH"
                    checked = starts + timedelta(minutes=rng.randint(-10, 25))
                    if not is_social:
                        pre = Decimal(rng.randint(40, 75))
                        post = min(Decimal(100), pre + Decimal(rng.randint(-5, 35)))
                    if closed:
                        cert = f"{sid:05d}/BKPSDM-PLG/{starts.year}/{k + 1:04d}"
                        if rng.random() < 0.5:
                            f_rows.append({"participant_id": pid, "session_id": sid,
                                           "rating": rng.choice((2, 3, 4, 4, 4, 5, 5)),
                                           "comment": rng.choice(FEEDBACK),
                                           "created_on": min(ends + timedelta(hours=rng.randint(1, 48)), now)})
                elif attendance:
                    cmethod = "PELATIH"
                p_rows.append({"id": pid, "session_id": sid, "employee_id": eid, "unit_id": unit_of[eid],
                               "status": status, "source": source,
                               "invited_at": min(starts - timedelta(days=10, minutes=-k), now),
                               "attendance": attendance, "checked_in_at": checked, "checkin_method": cmethod,
                               "pre_score": pre, "post_score": post, "certificate_number": cert,
                               "changed_on": min(ends, now)})
        timings["build sessions"] = time.perf_counter() - t
        t = time.perf_counter()
        fast_insert(conn, _t("training_session"), s_rows)
        fast_insert(conn, _t("training_session_trainer"), st_rows)
        if su_rows:
            fast_insert(conn, _t("training_session_unit"), su_rows)
        fast_insert(conn, _t("training_participant"), p_rows)
        if f_rows:
            fast_insert(conn, _t("training_feedback"), f_rows)
        counts.update(training_session=len(s_rows), training_session_trainer=len(st_rows),
                      training_session_unit=len(su_rows), training_participant=len(p_rows),
                      training_feedback=len(f_rows))
        timings["insert sessions"] = time.perf_counter() - t

        # external trainings
        t = time.perf_counter()
        e_rows = []
        for k, eid in enumerate(rng.sample(ids, min(len(ids), len(ids) // 2))):
            for _ in range(rng.choice((1, 1, 1, 2))):
                end = first_day + timedelta(days=rng.randint(0, (today - first_day).days - 3))
                jp = rng.choice((4, 8, 12, 16, 24, 32))
                roll = rng.random()
                status = "DISETUJUI" if roll < 0.85 else "DIAJUKAN" if roll < 0.95 else "DITOLAK"
                title = rng.choice(("Pelatihan Manajemen ASN (e-learning LAN)",
                                    "Diklat Teknis BPSDM Provinsi Sumatera Selatan",
                                    "Webinar Reformasi Birokrasi (KemenPANRB)"))
                e_rows.append({
                    "employee_id": eid, "title": title,
                    "organiser": "LAN RI" if "LAN" in title else "BPSDM Provinsi Sumatera Selatan" if "BPSDM" in title
                    else "Kementerian PANRB", "method": "E_LEARNING" if "LAN" in title or "Webinar" in title
                    else "KLASIKAL", "topic_id": topic_ids[rng.choice(topic_codes)] if rng.random() < 0.5 else None,
                    "started_on": end - timedelta(days=max(0, jp // 8 - 1)), "ended_on": end, "jp": jp,
                    "certificate_number": f"SERT-{end.year}-{len(e_rows) + 1:06d}", "status": status,
                    "notes": "Sertifikat tidak terbaca." if status == "DITOLAK" else None,
                    "verified_at": _at(end + timedelta(days=7), 10) if status != "DIAJUKAN" else None,
                    "created_on": _at(end + timedelta(days=2), 9)})
        fast_insert(conn, _t("external_training"), e_rows)
        counts["external_training"] = len(e_rows)
        bulk.sync_sequences(conn, ("training_topic", "training_need_rule", "ab_user", "ab_user_role",
                                   "training_session", "training_participant", "training_feedback",
                                   "external_training"))
        timings["external"] = time.perf_counter() - t

        t = time.perf_counter()
        counts.update(_material(conn, rng, today, people, opd_of, by_opd, opds))
        timings["material"] = time.perf_counter() - t
        t = time.perf_counter()
        counts.update(_awards(session, rng, today))
        timings["awards"] = time.perf_counter() - t
        if commit:
            t = time.perf_counter()
            session.commit()
            bulk.analyze(session.connection(), ("training_topic", "training_session", "training_session_trainer",
                                                "training_session_unit", "training_participant", "training_feedback",
                                                "external_training", "material", "material_version",
                                                "material_acknowledgement", "award_decision", "ab_user",
                                                "ab_user_role"))
            session.commit()
            timings["commit"] = time.perf_counter() - t
    except Exception:
        session.rollback()
        raise
    return TrainingResult(time.perf_counter() - started, counts, timings)


MATERIAL_BODY = ("<p>Materi sosialisasi {n} untuk ASN Pemerintah Kota Palembang, versi {v}.</p>"
                 "<h3>Pokok bahasan</h3><ul><li>Ketentuan yang berlaku</li><li>Langkah di portal e-Kinerja</li>"
                 "<li>Tenggat dan contoh</li></ul><p>Hubungi BKPSDM bila ada pertanyaan.</p>")


def _material(conn, rng, today, people, opd_of, by_opd, opds) -> dict:
    """12 materials with 1-3 versions and acknowledgements (see the module docstring)."""
    material, version, ack = _t("material"), _t("material_version"), _t("material_acknowledgement")
    m_alloc, v_alloc = bulk.IdAllocator(conn, material), bulk.IdAllocator(conn, version)
    largest = max(opds, key=lambda o: len(by_opd[o])) if opds else None
    m_rows, v_rows, a_rows, au_rows, ar_rows = [], [], [], [], []
    share = {opd: rng.uniform(0.4, 0.85) for opd in opds}
    for n in range(12):
        mid = m_alloc()
        n_versions = (1, 2, 3)[n % 3]
        published = today - timedelta(days=400 - n * 30)
        audience = "UNITS" if n == 4 and largest else "ROLES" if n == 7 else "ALL"
        m_rows.append({"id": mid, "code": f"bench-materi-{n + 1:02d}", "category": MATERIAL_CATEGORIES[n % 6],
                       "audience": audience, "published_from": published, "published_until": None,
                       "current_number": n_versions, "created_on": _at(published), "changed_on": _at(published)})
        if audience == "UNITS":
            au_rows.append({"material_id": mid, "unit_id": largest})
            readers = by_opd[largest]
        elif audience == "ROLES":
            ar_rows.append({"material_id": mid, "role": R.ATASAN})
            readers = people[::7]  # an approximation of the raters; acknowledgements need not be exact
        else:
            readers = people
        vids = []
        for v in range(1, n_versions + 1):
            vid = v_alloc()
            vids.append(vid)
            when = published + timedelta(days=(v - 1) * 60)
            v_rows.append({"id": vid, "material_id": mid, "number": v,
                           "title": f"Materi Sosialisasi {n + 1}: Panduan Kinerja ASN",
                           "body_html": MATERIAL_BODY.format(n=n + 1, v=v),
                           "change_note": None if v == 1 else f"Pembaruan ke-{v - 1}.",
                           "published_at": _at(when), "published_by_name": "BKPSDM Kota Palembang"})
        current_from = published + timedelta(days=(n_versions - 1) * 60)
        for p in readers:
            roll = rng.random()
            s = share.get(opd_of.get(p.unit_id), 0.6)
            if roll < s:
                vid = vids[-1]
                day = min(today, current_from + timedelta(days=rng.randint(0, 40)))
            elif n_versions > 1 and roll < s + 0.1:
                vid = vids[-2]
                day = min(today, published + timedelta(days=(n_versions - 2) * 60 + rng.randint(0, 40)))
            else:
                continue
            a_rows.append({"version_id": vid, "employee_id": p.id, "acknowledged_at": _at(day, rng.randint(7, 16))})
    bulk.insert_rows(conn, material, m_rows)
    bulk.insert_rows(conn, version, v_rows)
    if au_rows:
        bulk.insert_rows(conn, _t("material_audience_unit"), au_rows)
    if ar_rows:
        bulk.insert_rows(conn, _t("material_audience_role"), ar_rows)
    fast_insert(conn, ack, a_rows)
    bulk.sync_sequences(conn, ("material", "material_version", "material_acknowledgement"))
    return {"material": len(m_rows), "material_version": len(v_rows), "material_acknowledgement": len(a_rows)}


def _awards(session, rng, today) -> dict:
    """Decisions on about a third of the candidates of the two last finished years."""
    from app.awards import rules, services
    from app.security.scope import Scope

    rows = []
    approved_before: dict = {}
    for year in (today.year - 2, today.year - 1):
        found = services.gather(session, year, rules.reference_date(year), Scope(everything=True))
        for i, c in enumerate(found.candidates):
            if rng.random() > 0.35:
                continue
            approved = rng.random() < 0.85
            rows.append({"employee_id": c.employee_id, "year": year, "kind": c.kind.value,
                         "decision": "DISETUJUI" if approved else "TIDAK_DISETUJUI",
                         "decree_number": f"800/{100 + i}/BKPSDM/{year}" if approved else None,
                         "decree_date": date(year, 8, 10) if approved else None,
                         "notes": None if approved else "Berkas usulan belum lengkap.",
                         "reason": rules.reason_text(c), "decided_at": _at(date(year, 8, 10)),
                         "decided_by_id": None, "decided_by_name": "BKPSDM Kota Palembang"})
            approved_before[c.employee_id] = year
        if rows:  # the next year's candidates depend on this year's approved Satyalancana
            bulk.insert_rows(session.connection(), _t("award_decision"), [r for r in rows if r["year"] == year])
    bulk.sync_sequences(session.connection(), ("award_decision",))
    return {"award_decision": len(rows)}
