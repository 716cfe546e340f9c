"""Socialization material and awards for the Palembang demo (called by ``app.demo.loader.load_demo`` inside its
transaction, after the performance data; nothing here commits).

* Material: the starter set (``app.socialization.starter``, published to everyone three weeks before
  ``today``), plus a guide for the teachers of Dinas Pendidikan (audience: that OPD and its schools) and one
  for the raters (audience: the Atasan role); the FAQ gets a second version (with a change note) a few days
  before ``today``, so that those who had confirmed the first are asked again.
* Acknowledgements: in each OPD a different share of its active employees (35-85 %) has confirmed each
  material, so the reach screen shows differences between units; the demo Pegawai has confirmed only the
  RHK guide (the rest waits for them in "Materi Sosialisasi"), the demo Atasan everything but the rater's
  guide. Written with Core inserts (not in the audit trail), deterministic (seeded).
* Awards: the Satyalancana Karya Satya candidates of the year before last and of last year (years of service
  on 17 August, from the NIPs), with a few decisions of the Pengelola Kinerja each year (most approved with a
  decree, some not approved); the approved ones of the year before last are no longer proposed last year.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_appbuilder import Model
from sqlalchemy import select

from app.organisation.models import Employee, Unit
from app.security import roles as R

from . import bulk
from . import palembang as P

SEED = 2027
ACTIVE = "AKTIF"


@dataclass
class DemoSocialization:
    counts: dict = field(default_factory=dict)


TEACHER_GUIDE = """
<p class="lead">Contoh Rencana Hasil Kerja (RHK) untuk guru di sekolah negeri Kota Palembang, sebagai pelengkap
Panduan Menulis RHK.</p>
<h3>RHK utama yang mendukung RHK kepala sekolah</h3>
<table class="table table-bordered table-condensed">
<thead><tr><th>RHK kepala sekolah</th><th>RHK guru</th><th>Indikator</th></tr></thead>
<tbody>
<tr><td>Meningkatnya mutu hasil belajar peserta didik</td>
<td>Meningkatnya ketuntasan belajar peserta didik kelas VIII pada mata pelajaran Matematika</td>
<td>Kuantitas: 85 % peserta didik tuntas KKM; Waktu: 2 semester</td></tr>
<tr><td>Terlaksananya pembelajaran yang berpusat pada peserta didik</td>
<td>Tersusunnya perangkat ajar (modul ajar dan asesmen) yang digunakan di kelas</td>
<td>Kuantitas: 12 modul ajar; Kualitas: disetujui kepala sekolah</td></tr>
</tbody>
</table>
<h3>Yang sering keliru</h3>
<ul>
<li>"Mengajar 24 jam per minggu" adalah beban kerja, bukan hasil kerja.</li>
<li>"Mengikuti pelatihan" adalah kegiatan; hasilnya misalnya "diterapkannya metode pembelajaran baru di kelas".</li>
</ul>
<p>Bukti dukung yang lazim: daftar nilai, modul ajar, laporan supervisi akademik, foto kegiatan.</p>
"""

RATER_GUIDE = """
<p class="lead">Untuk atasan langsung dan pejabat penilai: cara memberi umpan balik berkelanjutan dan menilai
secara objektif.</p>
<h3>Sepanjang tahun</h3>
<ul>
<li>Setujui SKP bawahan sebelum akhir Januari; kembalikan dengan catatan yang jelas bila RHK belum terukur.</li>
<li>Beri umpan balik per RHK dan per nilai BerAKHLAK setiap kali ada realisasi penting, bukan hanya di akhir
tahun.</li>
<li>Catat bimbingan kinerja (coaching, mentoring, konseling) dengan tanggalnya.</li>
</ul>
<h3>Saat menilai</h3>
<ol>
<li>Baca penilaian diri pegawai dan periksa realisasi serta bukti dukungnya.</li>
<li>Tetapkan rating hasil kerja dan rating perilaku kerja; predikat dihitung otomatis dari matriks.</li>
<li>Tulis catatan dan rekomendasi yang menjelaskan rating Anda: catatan ini dibaca atasan Anda bila pegawai
mengajukan keberatan.</li>
<li>Perhatikan peringatan distribusi unit pada layar Penetapan Predikat sebelum memfinalkan.</li>
</ol>
"""


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0))


def _demo_people(conn) -> dict:
    """{role: employee id} of the demo accounts (Pegawai, Atasan, Pimpinan, Pengelola)."""
    user_role = Model.metadata.tables["ab_user_role"]
    role = Model.metadata.tables["ab_role"]
    rows = conn.execute(select(Employee.id, role.c.name).join(user_role, user_role.c.user_id == Employee.user_id)
                        .join(role, role.c.id == user_role.c.role_id)).all()
    names: dict = {}
    for employee_id, name in rows:
        names.setdefault(employee_id, set()).add(name)
    people = {}
    for employee_id, held in sorted(names.items()):
        key = (R.PIMPINAN if R.PIMPINAN in held else R.PENGELOLA if R.PENGELOLA in held else
               R.PELATIH if R.PELATIH in held else R.ATASAN if R.ATASAN in held else R.PEGAWAI)
        people.setdefault(key, employee_id)
    return people


def _opd_of(conn) -> dict:
    """{unit id: id of the OPD above it (the unit right under a root), None for a root} of every unit."""
    parent = dict(conn.execute(select(Unit.id, Unit.parent_id)).all())
    result = {}
    for unit_id in parent:
        node, seen = unit_id, set()
        while parent.get(node) is not None and parent.get(parent[node]) is not None and node not in seen:
            seen.add(node)
            node = parent[node]
        result[unit_id] = node if parent.get(node) is not None else None
    return result


def load_socialization_demo(session, today: date, seed: int = SEED) -> DemoSocialization:
    """Material, acknowledgements and award decisions of the demo, inside the caller's transaction."""
    from app.socialization import services
    from app.socialization.loading import load_starter_material
    from app.socialization.models import Material, MaterialAcknowledgement

    rng = random.Random(seed)
    result = DemoSocialization()
    conn = session.connection()
    published = today - timedelta(days=21)
    load_starter_material(session, published, now=_at(published), commit=False)
    reader = services.Reader(user_id=None, user_name="BKPSDM Kota Palembang")
    disdik = conn.execute(select(Unit.id).where(Unit.code == f"{P.ROOT_CODE}.DISDIK")).scalar()
    extra = [("panduan-rhk-guru", "RHK_GUIDE", "Contoh RHK untuk Guru", TEACHER_GUIDE, "UNITS", [disdik] if disdik else [],
              []),
             ("panduan-pejabat-penilai", "OTHER", "Panduan Pejabat Penilai: Umpan Balik dan Penilaian", RATER_GUIDE,
              "ROLES", [], [R.ATASAN])]
    existing = set(session.scalars(select(Material.code).where(Material.code.is_not(None))))
    for code, category, title, body, audience, units, roles in extra:
        if code in existing or (audience == "UNITS" and not units):
            continue
        services.create_material(session, reader, services.MaterialInput(
            title=title, body=body.strip(), category=category, audience=audience, unit_ids=units, roles=roles,
            published_from=published, code=code), now=_at(published, 10), commit=False)
    materials = {m.code: m for m in session.scalars(select(Material).where(Material.code.is_not(None))).unique()}

    # acknowledgements of the first versions
    people = _demo_people(conn)
    opd_of = _opd_of(conn)
    employees = conn.execute(select(Employee.id, Employee.unit_id).where(Employee.status == ACTIVE)
                             .order_by(Employee.id)).all()
    share = {opd: rng.uniform(0.35, 0.85) for opd in sorted(set(opd_of.values()) - {None})}
    ack_table = MaterialAcknowledgement.__table__
    rows = []
    for code, material in sorted(materials.items()):
        if material.current_version is None:
            continue
        audience_ids = set(session.scalars(select(Employee.id).where(services.audience_clause(material))))
        version_id = material.current_version.id
        for employee_id, unit_id in employees:
            if employee_id not in audience_ids or employee_id in (people.get(R.PEGAWAI), people.get(R.ATASAN)):
                continue
            if rng.random() < share.get(opd_of.get(unit_id), 0.5):
                day = published + timedelta(days=rng.randint(0, 20))
                rows.append({"version_id": version_id, "employee_id": employee_id,
                             "acknowledged_at": _at(min(day, today), rng.randint(7, 16))})
        for role, wanted in ((R.PEGAWAI, {"panduan-rhk"}), (R.ATASAN, set(materials) - {"panduan-pejabat-penilai"})):
            employee_id = people.get(role)
            if employee_id and code in wanted and employee_id in audience_ids:
                rows.append({"version_id": version_id, "employee_id": employee_id,
                             "acknowledged_at": _at(published + timedelta(days=2))})
    bulk.insert_rows(conn, ack_table, rows)
    result.counts["material"] = len(materials)
    result.counts["acknowledgement"] = len(rows)

    # a second version of the FAQ: everyone who confirmed the first is asked again
    faq = materials.get("tanya-jawab")
    if faq is not None and faq.current_number == 1:
        body = faq.current_version.body_html.replace(
            "</dl>", "<dt>Di mana saya melihat penghargaan saya?</dt><dd>Di menu <em>Kinerja Saya → Penghargaan "
                     "Saya</em>: Satyalancana Karya Satya dan prioritas talent pool atau pengembangan kompetensi yang "
                     "sudah diputuskan BKPSDM.</dd></dl>")
        services.publish_version(session, reader, faq, services.MaterialInput(
            title=faq.current_version.title, body=body, change_note="Menambah pertanyaan tentang penghargaan."),
            now=_at(today - timedelta(days=3)), commit=False)
        result.counts["version"] = 1

    result.counts.update(_awards(session, today, rng, people))
    return result


def _awards(session, today: date, rng: random.Random, people: dict) -> dict:
    """A few decisions on the Satyalancana candidates of the year before last and of last year."""
    from app.awards import rules, services
    from app.awards.models import AwardDecision
    from app.security.scope import Scope

    pengelola = session.execute(select(Employee.user_id, Employee.name).where(
        Employee.id == people.get(R.PENGELOLA))).first() if people.get(R.PENGELOLA) else None
    decided = 0
    for year in (today.year - 2, today.year - 1):
        on = rules.reference_date(year)
        found = services.gather(session, year, on, Scope(everything=True))
        satyalancana = [c for c in found.candidates if c.kind in rules.SATYALANCANA]
        chosen = rng.sample(satyalancana, min(len(satyalancana), 10))
        pegawai = next((c for c in satyalancana if c.employee_id == people.get(R.PEGAWAI)), None)
        if pegawai is not None and pegawai not in chosen:
            chosen.append(pegawai)
        for i, candidate in enumerate(sorted(chosen, key=lambda c: (c.kind, c.employee_id))):
            approved = i % 5 != 4 or candidate is pegawai
            session.add(AwardDecision(
                employee_id=candidate.employee_id, year=year, kind=candidate.kind.value,
                decision=(rules.Decision.APPROVED if approved else rules.Decision.NOT_APPROVED).value,
                decree_number=f"800/{120 + i}/BKPSDM/{year}" if approved else None,
                decree_date=date(year, 8, 10) if approved else None,
                notes=None if approved else "Berkas usulan belum lengkap; diusulkan kembali tahun depan.",
                reason=rules.reason_text(candidate), decided_at=_at(date(year, 8, 10)),
                decided_by_id=pengelola.user_id if pengelola else None,
                decided_by_name=pengelola.name if pengelola else "BKPSDM"))
            decided += 1
        session.flush()
    return {"award_decision": decided}
