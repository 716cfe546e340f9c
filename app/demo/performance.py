"""Performance-cycle data for the Palembang demo and for the benchmark generator.

``load_performance_demo(session, today)`` runs inside the demo's transaction, after the organisation and the
demo accounts are written. For last year and this year (``today.year``) it writes:

* periods: the annual period and its four quarters (open and close dates; last year's periods closed);
* organisation ratings of last year's annual period for every OPD and about a third of the sub-units
  (mostly Baik, a few Istimewa / Butuh Perbaikan), with the achievement percentage;
* for every employee with a supervisor (this year: active ones only) an SKP per year, rated by the supervisor
  with the supervisor's own supervisor as atasan pejabat penilai: 3-6 RHKs written for the kind of position
  (teachers, health staff, heads of units, staff of a bidang, pelaksana...), each staff RHK utama supporting
  one RHK of the supervisor's plan of the same year (the cascade; JPT plans use a perspektif instead), some
  RHK tambahan; 1-3 indicators per RHK (Kuantitas / Kualitas / Waktu); the supervisor's special
  expectation on two core values;
* states: this year every SKP state (Draft, Diajukan, Dikembalikan with notes, Disetujui, and approved plans
  with a second revision Diajukan); last year almost all approved;
* for approved plans: progress entries with descriptions and LINK evidence (no files), feedback from the rater
  per RHK and per core value, a few coaching notes;
* evaluations: last year's annual evaluation (mostly Final with a predikat distribution that follows the
  unit's organisation rating, some Dinilai / Dibuka / Penilaian diri; snapshots filled when final); this
  year's Triwulan I-III evaluations in mixed states (only quarters that have ended by ``today``);
* objections in every state (Diajukan, Dijelaskan, Diputus tetap and diubah); a decision DIUBAH is applied to
  the evaluation (its ratings are the new ones, the original is told in the decision text and the timeline);
* the transition log of every SKP, evaluation and objection (who, when, from, to, comment).

The demo accounts get interesting records: the demo Pegawai has last year's plan approved with its annual
evaluation finalised 10 days before ``today`` (objection window open: an objection can be filed in the
browser), and this year an approved plan (Triwulan I-II final, III self-assessed and waiting for the rating)
with a second revision submitted to the Atasan; the Atasan's inbox holds submitted plans, evaluations to rate
and an objection to explain; the Pimpinan (the Atasan's own supervisor) has an objection to decide.

``generate_performance(...)`` writes the benchmark volume for ``flask portal generate --years N``: one SKP per
employee and year, ~6 RHKs each, ~2 progress entries per RHK, 4 evaluations per plan (Triwulan I-III and
the annual one), streamed in chunks of employees so memory stays flat.

Rules: deterministic (seeded ``random.Random``; dates follow ``today``), SQLAlchemy Core ``INSERT``
executemany in batches with ids chosen up front (app.demo.bulk; ``COPY`` on PostgreSQL with psycopg 3,
about 2.5x faster at millions of rows), no query per row, one transaction (the caller commits), PostgreSQL
sequences moved past the ids used. Not in the audit trail (Core writes).
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Iterable, Optional

from flask_appbuilder import Model
from sqlalchemy import delete, not_, select
from sqlalchemy.engine import Connection

from app.organisation import rules
from app.performance.deadlines import annual_period, quarters
from app.performance.models import TransitionEntity
from app.performance.rating import PREDIKAT_MATRIX, OrgRating, Predikat, Rating
from app.performance.workflow import Actor, EvaluationState, ObjectionDecision, ObjectionState, SkpState

from . import bulk
from . import palembang as P

SEED = 2026
# Tables written here, parents first (the insert order; previous_id and parent_rhk_id point backwards).
TABLES = ("skp", "rhk", "indicator", "behaviour_expectation", "progress", "evidence", "feedback", "coaching_note",
          "evaluation", "objection", "transition_log")
EVIDENCE_HOST = f"https://dokumen.{P.DEMO_EMAIL_DOMAIN}"
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember")

# --- texts -----------------------------------------------------------------------------------------
# An RHK template: (text, unit of the Kuantitas target, lowest, highest, text of the Kuantitas indicator).
# "{unit}" is replaced by the unit's name.

RHK = {
    "jpt": [
        ("Meningkatnya kualitas pelayanan publik {unit}", "%", 85, 95, "Indeks kepuasan masyarakat atas layanan"),
        ("Meningkatnya akuntabilitas kinerja {unit}", "nilai", 70, 80, "Nilai SAKIP perangkat daerah"),
        ("Tercapainya target kinerja program prioritas daerah pada {unit}", "%", 90, 100,
         "Persentase capaian indikator kinerja utama"),
        ("Meningkatnya kualitas pengelolaan keuangan {unit}", "%", 95, 100, "Persentase realisasi anggaran"),
        ("Terwujudnya reformasi birokrasi dan zona integritas di {unit}", "nilai", 75, 85,
         "Nilai indeks reformasi birokrasi"),
    ],
    "admin_head": [
        ("Terlaksananya program dan kegiatan {unit} sesuai rencana kerja", "%", 90, 100,
         "Persentase kegiatan yang terlaksana"),
        ("Tersusunnya laporan capaian kinerja {unit}", "dokumen", 4, 12, "Jumlah laporan capaian kinerja"),
        ("Meningkatnya kualitas layanan {unit} kepada masyarakat", "%", 85, 95, "Persentase layanan sesuai SOP"),
        ("Terkendalinya realisasi anggaran kegiatan {unit}", "%", 90, 98, "Persentase serapan anggaran"),
        ("Terbinanya kinerja pegawai di lingkungan {unit}", "orang", 5, 15, "Jumlah pegawai yang dibina"),
    ],
    "camat": [
        ("Meningkatnya kualitas pelayanan administrasi terpadu kecamatan (PATEN) di {unit}", "%", 90, 100,
         "Persentase layanan PATEN selesai tepat waktu"),
        ("Terkoordinasinya penyelenggaraan pemerintahan kelurahan di {unit}", "kelurahan", 4, 7,
         "Jumlah kelurahan yang dibina"),
        ("Terlaksananya musyawarah perencanaan pembangunan di {unit}", "kegiatan", 1, 2,
         "Jumlah musrenbang kecamatan yang dilaksanakan"),
        ("Terjaganya ketenteraman dan ketertiban umum di {unit}", "kegiatan", 12, 24,
         "Jumlah kegiatan pengamanan dan penertiban"),
    ],
    "lurah": [
        ("Terlaksananya pelayanan administrasi kependudukan dan surat keterangan di {unit}", "surat", 300, 900,
         "Jumlah surat keterangan yang diterbitkan"),
        ("Terlaksananya pemberdayaan masyarakat dan kegiatan gotong royong di {unit}", "kegiatan", 12, 24,
         "Jumlah kegiatan pemberdayaan"),
        ("Terbinanya RT/RW dan lembaga kemasyarakatan di {unit}", "RT", 20, 60, "Jumlah RT yang dibina"),
        ("Tersusunnya data profil dan monografi {unit}", "dokumen", 1, 2, "Jumlah dokumen profil kelurahan"),
    ],
    "kepsek": [
        ("Meningkatnya mutu pembelajaran di {unit}", "%", 80, 95, "Persentase guru yang melaksanakan pembelajaran "
         "berdiferensiasi"),
        ("Terlaksananya supervisi akademik guru di {unit}", "guru", 8, 20, "Jumlah guru yang disupervisi"),
        ("Meningkatnya nilai rapor pendidikan {unit}", "%", 70, 85, "Capaian literasi dan numerasi"),
        ("Terkelolanya dana BOS {unit} secara akuntabel", "laporan", 2, 4, "Jumlah laporan penggunaan dana BOS"),
    ],
    "kapus": [
        ("Meningkatnya cakupan pelayanan kesehatan dasar di wilayah {unit}", "%", 85, 100,
         "Persentase capaian standar pelayanan minimal"),
        ("Meningkatnya cakupan imunisasi dasar lengkap di wilayah {unit}", "%", 90, 98,
         "Persentase bayi dengan imunisasi dasar lengkap"),
        ("Terlaksananya akreditasi dan peningkatan mutu {unit}", "dokumen", 4, 8, "Jumlah dokumen mutu yang disusun"),
        ("Menurunnya angka stunting di wilayah {unit}", "%", 10, 15, "Prevalensi stunting balita"),
    ],
    "pengawas_head": [
        ("Terlaksananya pengelolaan administrasi {unit}", "dokumen", 12, 48, "Jumlah dokumen administrasi yang "
         "dikelola"),
        ("Tersusunnya laporan pelaksanaan tugas {unit}", "laporan", 4, 12, "Jumlah laporan bulanan/triwulanan"),
        ("Terlaksananya pembinaan staf pelaksana {unit}", "orang", 2, 6, "Jumlah staf yang dibina"),
        ("Terpenuhinya kebutuhan sarana dan prasarana kerja {unit}", "%", 90, 100,
         "Persentase kebutuhan yang terpenuhi"),
        ("Tertatanya arsip dan data kepegawaian {unit}", "berkas", 50, 200, "Jumlah berkas yang ditata"),
    ],
    "guru": [
        ("Terlaksananya pembelajaran intrakurikuler sesuai Kurikulum Merdeka", "jam pelajaran", 24, 24,
         "Jumlah jam tatap muka per minggu"),
        ("Tersusunnya modul ajar dan perangkat pembelajaran", "modul", 4, 8, "Jumlah modul ajar yang disusun"),
        ("Terlaksananya asesmen formatif dan sumatif peserta didik", "kali", 4, 8, "Jumlah asesmen yang dilaksanakan"),
        ("Meningkatnya hasil belajar peserta didik", "%", 75, 90, "Persentase peserta didik mencapai KKTP"),
        ("Terlaksananya projek penguatan profil pelajar Pancasila", "projek", 2, 3, "Jumlah projek P5"),
        ("Terlaksananya bimbingan dan pendampingan peserta didik", "siswa", 20, 36, "Jumlah peserta didik yang "
         "dibimbing"),
    ],
    "pengawas_sekolah": [
        ("Terlaksananya pendampingan satuan pendidikan binaan", "sekolah", 8, 12, "Jumlah sekolah binaan"),
        ("Tersusunnya laporan hasil pengawasan sekolah", "laporan", 2, 4, "Jumlah laporan pengawasan"),
        ("Terlaksananya supervisi manajerial kepala sekolah", "kepala sekolah", 8, 12, "Jumlah kepala sekolah yang "
         "disupervisi"),
    ],
    "dokter": [
        ("Terlaksananya pelayanan medis pasien rawat jalan", "pasien", 2000, 4000, "Jumlah pasien yang dilayani"),
        ("Terlaksananya rujukan pasien sesuai indikasi medis", "%", 95, 100, "Persentase rujukan sesuai indikasi"),
        ("Terlaksananya penyuluhan kesehatan kepada masyarakat", "kegiatan", 6, 12, "Jumlah penyuluhan"),
        ("Tersusunnya rekam medis pasien secara lengkap", "%", 95, 100, "Persentase rekam medis lengkap"),
    ],
    "perawat": [
        ("Terlaksananya asuhan keperawatan pasien", "pasien", 800, 2000, "Jumlah pasien yang mendapat asuhan"),
        ("Terlaksananya kunjungan rumah (perkesmas) keluarga rawan", "keluarga", 24, 60, "Jumlah keluarga yang "
         "dikunjungi"),
        ("Terdokumentasinya asuhan keperawatan", "%", 95, 100, "Persentase dokumentasi lengkap"),
        ("Terlaksananya skrining penyakit tidak menular", "orang", 200, 600, "Jumlah warga yang diskrining"),
    ],
    "bidan": [
        ("Terlaksananya pelayanan antenatal care ibu hamil", "ibu hamil", 100, 300, "Jumlah kunjungan K4"),
        ("Terlaksananya pertolongan persalinan di fasilitas kesehatan", "persalinan", 30, 80,
         "Jumlah persalinan yang ditolong"),
        ("Terlaksananya pelayanan keluarga berencana", "akseptor", 100, 300, "Jumlah akseptor KB yang dilayani"),
        ("Terlaksananya kelas ibu hamil", "kelas", 6, 12, "Jumlah kelas ibu hamil"),
    ],
    "farmasi": [
        ("Terkelolanya obat dan bahan medis habis pakai", "laporan", 12, 12, "Jumlah laporan LPLPO"),
        ("Terlaksananya pelayanan resep dan konseling obat", "resep", 3000, 8000, "Jumlah resep yang dilayani"),
        ("Terjaminnya ketersediaan obat esensial", "%", 90, 100, "Persentase ketersediaan obat esensial"),
    ],
    "lab": [
        ("Terlaksananya pemeriksaan laboratorium klinik", "sampel", 1000, 4000, "Jumlah sampel yang diperiksa"),
        ("Terlaksananya pemantapan mutu internal laboratorium", "kali", 12, 12, "Jumlah kegiatan PMI"),
        ("Terlaporkannya hasil pemeriksaan tepat waktu", "%", 95, 100, "Persentase hasil tepat waktu"),
    ],
    "kesmas": [
        ("Terlaksananya surveilans penyakit menular", "laporan", 12, 52, "Jumlah laporan mingguan (W2)"),
        ("Terlaksananya penyelidikan epidemiologi kasus DBD", "kasus", 20, 80, "Jumlah kasus yang diselidiki"),
        ("Terlaksananya inspeksi kesehatan lingkungan", "tempat", 40, 120, "Jumlah tempat yang diinspeksi"),
        ("Tersusunnya analisis situasi kesehatan wilayah", "dokumen", 1, 4, "Jumlah dokumen analisis"),
        ("Terlaksananya pemantauan status gizi balita", "posyandu", 10, 30, "Jumlah posyandu yang dipantau"),
    ],
    "auditor": [
        ("Terlaksananya audit kinerja perangkat daerah", "laporan", 4, 10, "Jumlah laporan hasil audit"),
        ("Terlaksananya reviu laporan keuangan dan LAKIP", "dokumen", 6, 15, "Jumlah dokumen yang direviu"),
        ("Terpantaunya tindak lanjut hasil pemeriksaan", "%", 80, 95, "Persentase rekomendasi ditindaklanjuti"),
    ],
    "komputer": [
        ("Terkelolanya aplikasi dan sistem informasi perangkat daerah", "aplikasi", 3, 10,
         "Jumlah aplikasi yang dipelihara"),
        ("Terjaganya ketersediaan jaringan dan pusat data", "%", 97, 99, "Persentase waktu layanan tersedia"),
        ("Termutakhirkannya basis data layanan", "kali", 12, 12, "Jumlah pemutakhiran data"),
        ("Tersusunnya statistik sektoral", "dokumen", 2, 6, "Jumlah publikasi data statistik"),
    ],
    "sdm": [
        ("Terlaksananya analisis kebutuhan pengembangan kompetensi ASN", "dokumen", 1, 2,
         "Jumlah dokumen analisis kebutuhan"),
        ("Terfasilitasinya penilaian kinerja pegawai melalui e-Kinerja", "%", 90, 100,
         "Persentase SKP pegawai yang disetujui tepat waktu"),
        ("Terlaksananya pelayanan kenaikan pangkat dan mutasi", "berkas", 100, 400, "Jumlah berkas yang diproses"),
        ("Terlaksananya sosialisasi manajemen kinerja ASN", "kegiatan", 4, 12, "Jumlah kegiatan sosialisasi"),
    ],
    "perencana": [
        ("Tersusunnya dokumen perencanaan (Renja dan RKA) {unit}", "dokumen", 2, 4, "Jumlah dokumen perencanaan"),
        ("Tersusunnya kajian kebijakan bidang tugas {unit}", "kajian", 1, 3, "Jumlah kajian kebijakan"),
        ("Terlaksananya monitoring dan evaluasi program", "laporan", 4, 4, "Jumlah laporan monev triwulanan"),
    ],
    "keuangan": [
        ("Terlaksananya verifikasi dokumen pertanggungjawaban keuangan", "dokumen", 200, 600,
         "Jumlah SPJ yang diverifikasi"),
        ("Tersusunnya laporan keuangan perangkat daerah", "laporan", 2, 4, "Jumlah laporan keuangan"),
        ("Termutakhirkannya data barang milik daerah", "%", 90, 100, "Persentase aset yang terinventarisasi"),
    ],
    "pustaka": [
        ("Terlaksananya pengolahan bahan pustaka", "judul", 300, 1000, "Jumlah judul yang diolah"),
        ("Terlaksananya layanan perpustakaan kepada pemustaka", "pemustaka", 1000, 5000,
         "Jumlah pemustaka yang dilayani"),
        ("Tertatanya arsip dinamis perangkat daerah", "berkas", 200, 800, "Jumlah berkas arsip yang ditata"),
    ],
    "teknik": [
        ("Terlaksananya pengawasan teknis pekerjaan fisik", "paket", 4, 12, "Jumlah paket pekerjaan yang diawasi"),
        ("Tersusunnya dokumen perencanaan teknis", "dokumen", 3, 8, "Jumlah dokumen DED dan RAB"),
        ("Terlaksananya pemeriksaan dan pengujian teknis", "unit", 300, 1200, "Jumlah objek yang diuji"),
        ("Terpantaunya kualitas lingkungan hidup", "titik", 12, 40, "Jumlah titik pemantauan"),
    ],
    "trantib": [
        ("Terlaksananya patroli ketenteraman dan ketertiban umum", "kali", 48, 120, "Jumlah patroli"),
        ("Terlaksananya penegakan peraturan daerah", "kegiatan", 12, 36, "Jumlah kegiatan penertiban"),
        ("Tertanganinya kejadian kebakaran dan penyelamatan", "%", 95, 100, "Persentase respons tepat waktu"),
    ],
    "penyuluh": [
        ("Terlaksananya penyuluhan kepada kelompok sasaran", "kali", 24, 48, "Jumlah kegiatan penyuluhan"),
        ("Terbinanya kelompok binaan", "kelompok", 6, 16, "Jumlah kelompok yang dibina"),
        ("Tersusunnya programa penyuluhan", "dokumen", 1, 2, "Jumlah dokumen programa"),
    ],
    "widyaiswara": [
        ("Terlaksananya pengajaran pada pelatihan ASN", "JP", 60, 150, "Jumlah jam pelajaran yang diampu"),
        ("Tersusunnya bahan ajar pelatihan", "modul", 2, 4, "Jumlah modul yang disusun"),
        ("Terlaksananya evaluasi pembelajaran peserta pelatihan", "angkatan", 4, 10, "Jumlah angkatan yang dievaluasi"),
    ],
    "fungsional": [
        ("Tersusunnya bahan kebijakan teknis {unit}", "dokumen", 2, 6, "Jumlah bahan kebijakan"),
        ("Terlaksananya analisis dan evaluasi pelaksanaan program {unit}", "laporan", 4, 12, "Jumlah laporan "
         "analisis"),
        ("Terlaksananya koordinasi teknis dengan instansi terkait", "kegiatan", 4, 12, "Jumlah rapat koordinasi"),
        ("Terlaksananya pelayanan teknis kepada masyarakat", "layanan", 100, 500, "Jumlah layanan yang diberikan"),
    ],
    "klerek": [
        ("Terlaksananya pengadministrasian surat masuk dan surat keluar", "surat", 400, 1200,
         "Jumlah surat yang diagendakan"),
        ("Tertatanya arsip dan dokumen {unit}", "berkas", 100, 400, "Jumlah berkas yang diarsipkan"),
        ("Terinputnya data kehadiran dan kepegawaian", "laporan", 12, 12, "Jumlah rekap bulanan"),
        ("Tersiapkannya bahan rapat dan kegiatan pimpinan", "kegiatan", 12, 36, "Jumlah kegiatan yang didukung"),
    ],
    "operator": [
        ("Terlaksananya layanan operasional {unit}", "layanan", 300, 1200, "Jumlah layanan yang dilayani"),
        ("Terinputnya data layanan ke dalam aplikasi", "data", 500, 2000, "Jumlah data yang diinput"),
        ("Tersusunnya rekapitulasi data layanan", "laporan", 12, 12, "Jumlah rekap bulanan"),
    ],
    "teknisi": [
        ("Terpeliharanya sarana dan prasarana kantor", "unit", 20, 80, "Jumlah sarana yang dipelihara"),
        ("Tertanganinya kerusakan peralatan kerja", "%", 90, 100, "Persentase kerusakan tertangani"),
        ("Terlaksananya pemeliharaan kendaraan dinas", "kendaraan", 4, 12, "Jumlah kendaraan yang dirawat"),
    ],
}

TAMBAHAN = [
    ("Terlaksananya tugas sebagai anggota Tim Pembangunan Zona Integritas", "kegiatan", 2, 6, "Jumlah kegiatan tim"),
    ("Terlaksananya tugas sebagai panitia peringatan Hari Jadi Kota Palembang", "kegiatan", 1, 2,
     "Jumlah kegiatan kepanitiaan"),
    ("Terkelolanya informasi publik sebagai PPID pembantu", "permohonan", 10, 40, "Jumlah permohonan informasi"),
    ("Terlaksananya pendampingan mahasiswa magang", "orang", 2, 6, "Jumlah mahasiswa yang didampingi"),
    ("Tersusunnya bahan Laporan Kinerja Instansi Pemerintah (LKjIP)", "dokumen", 1, 1, "Jumlah bahan LKjIP"),
    ("Terlaksananya tugas sebagai narasumber sosialisasi", "kali", 1, 4, "Jumlah kegiatan sebagai narasumber"),
]

PERSPECTIVES = ("Penerima Layanan", "Proses Bisnis", "Penguatan Internal", "Anggaran")

KUALITAS = [("Persentase {thing} yang sesuai standar dan ketentuan", 100, "%"),
            ("Tingkat kepuasan pengguna atas hasil kerja", 90, "%"),
            ("Persentase {thing} yang diterima pimpinan tanpa perbaikan", 95, "%")]
WAKTU = [("Ketepatan waktu penyelesaian", 12, "bulan"), ("Waktu penyelesaian setiap laporan", 5, "hari kerja"),
         ("Penyampaian laporan paling lambat setiap akhir triwulan", 4, "triwulan")]

EXPECTATIONS = {
    "BERORIENTASI_PELAYANAN": ["Menanggapi setiap pengaduan masyarakat paling lambat 1x24 jam.",
                               "Memberikan layanan dengan ramah dan solutif tanpa memungut biaya tambahan."],
    "AKUNTABEL": ["Menyampaikan laporan realisasi kinerja tepat waktu setiap bulan.",
                  "Menggunakan barang milik daerah hanya untuk kepentingan dinas."],
    "KOMPETEN": ["Mengikuti paling sedikit 20 JP pengembangan kompetensi tahun ini.",
                 "Berbagi pengetahuan hasil pelatihan kepada rekan satu unit."],
    "HARMONIS": ["Membangun suasana kerja yang saling menghargai di dalam tim.",
                 "Membantu rekan kerja yang mengalami kesulitan menyelesaikan tugas."],
    "LOYAL": ["Menjaga kerahasiaan data pribadi masyarakat yang dikelola.",
              "Menjaga nama baik instansi di media sosial."],
    "ADAPTIF": ["Memanfaatkan aplikasi e-Kinerja dan layanan daring secara penuh.",
                "Mengusulkan paling sedikit satu inovasi perbaikan layanan."],
    "KOLABORATIF": ["Aktif berkoordinasi dengan bidang lain dalam kegiatan lintas unit.",
                    "Terbuka menerima masukan dari rekan kerja dan masyarakat."],
}
RHK_FEEDBACK = ["Capaian sudah sesuai rencana, pertahankan.", "Mohon lengkapi bukti dukung untuk bulan ini.",
                "Progres agak tertinggal dari target triwulan, segera percepat.",
                "Kualitas dokumen baik, perhatikan kerapian format.",
                "Terima kasih, hasil kerja sudah melampaui target.",
                "Koordinasikan dengan bidang terkait agar data lebih lengkap.",
                "Laporan diterima, perbaiki analisis pada bagian kesimpulan."]
VALUE_FEEDBACK = {
    "BERORIENTASI_PELAYANAN": ["Pelayanan kepada masyarakat sudah ramah dan cepat.",
                               "Perlu lebih sigap menanggapi pengaduan masyarakat."],
    "AKUNTABEL": ["Disiplin hadir dan melaporkan kinerja tepat waktu.", "Perhatikan ketepatan waktu laporan bulanan."],
    "KOMPETEN": ["Aktif mengikuti pelatihan dan membagikan ilmunya.", "Tingkatkan penguasaan aplikasi kerja."],
    "HARMONIS": ["Mampu menjaga suasana kerja yang kondusif.", "Perlu lebih terbuka dalam bekerja sama dengan tim."],
    "LOYAL": ["Menjaga nama baik instansi dengan baik.", "Ingat kembali kewajiban menjaga kerahasiaan data."],
    "ADAPTIF": ["Cepat menyesuaikan diri dengan aplikasi baru.", "Diharapkan lebih proaktif mengusulkan perbaikan."],
    "KOLABORATIF": ["Koordinasi dengan unit lain berjalan baik.", "Libatkan rekan kerja lebih awal dalam kegiatan."],
}
RETURN_NOTES = ["Target kuantitas RHK kedua terlalu rendah dibanding tahun lalu; mohon disesuaikan.",
                "RHK belum mengacu pada RHK pimpinan yang diintervensi; mohon dilengkapi.",
                "Indikator kualitas belum terukur; tambahkan target dalam persen.",
                "Mohon pisahkan RHK tambahan dari RHK utama dan lengkapi satuan target."]
PROGRESS_TEXT = ["Realisasi {what} bulan {bulan}: {value} {unit}.",
                 "Telah diselesaikan {value} {unit} untuk {what} pada bulan {bulan}.",
                 "Capaian {bulan}: {value} {unit}; laporan diunggah ke e-Kinerja.",
                 "Kegiatan {what} bulan {bulan} terlaksana ({value} {unit})."]
SELF_ASSESSMENT = ["Seluruh RHK utama tercapai sesuai target; beberapa kegiatan tambahan juga terlaksana.",
                   "Sebagian besar target tercapai; satu RHK tertunda karena keterbatasan anggaran.",
                   "Target kuantitas tercapai, kualitas perlu ditingkatkan pada triwulan berikutnya.",
                   "Capaian melampaui target berkat dukungan tim dan pemanfaatan aplikasi."]
NOTES = {
    Predikat.SANGAT_BAIK: ("Kinerja sangat baik dan konsisten melampaui target.",
                           "Diusulkan masuk kelompok rencana suksesi (talent pool)."),
    Predikat.BAIK: ("Kinerja baik, seluruh target utama tercapai.", "Pengembangan kompetensi teknis sesuai bidang."),
    Predikat.BUTUH_PERBAIKAN: ("Beberapa target utama belum tercapai.",
                               "Bimbingan kinerja (coaching) dan pelatihan teknis."),
    Predikat.KURANG: ("Target tercapai, tetapi perilaku kerja di bawah ekspektasi.",
                      "Konseling kinerja dan pembinaan disiplin."),
    Predikat.SANGAT_KURANG: ("Hasil kerja dan perilaku kerja di bawah ekspektasi.",
                             "Konseling dan pembinaan intensif; evaluasi penempatan."),
}
OBJECTION_REASONS = ["Realisasi RHK utama telah melampaui target dan didukung bukti, namun rating hasil kerja "
                     "ditetapkan di bawah ekspektasi.",
                     "Penilaian perilaku tidak mempertimbangkan umpan balik positif sepanjang tahun.",
                     "Bukti dukung triwulan IV belum diperhitungkan dalam penilaian.",
                     "Predikat tidak sesuai dengan capaian yang disepakati dalam bimbingan kinerja."]
EXPLANATIONS = ["Rating didasarkan pada capaian triwulan IV yang di bawah target dan bukti yang belum lengkap.",
                "Penilaian perilaku mempertimbangkan catatan disiplin dan umpan balik rekan kerja.",
                "Bukti dukung yang diajukan sudah dipertimbangkan; sebagian tidak relevan dengan RHK."]
COACHING = [("COACHING", "Diskusi strategi percepatan capaian RHK triwulan berjalan."),
            ("MENTORING", "Pendampingan penyusunan laporan dan analisis data."),
            ("COUNSELLING", "Konseling terkait kehadiran dan penyelesaian tugas tepat waktu.")]

# Expected predikat of staff by the organisation rating of their unit (weights in PREDIKAT order:
# Sangat Baik, Baik, Butuh Perbaikan, Kurang, Sangat Kurang); close to the distribution curve of domain.md.
PREDIKAT_WEIGHTS = {
    OrgRating.ISTIMEWA: (45, 48, 5, 2, 0),
    OrgRating.BAIK: (20, 64, 11, 4, 1),
    OrgRating.BUTUH_PERBAIKAN: (5, 28, 62, 4, 1),
    OrgRating.KURANG: (3, 17, 15, 62, 3),
    OrgRating.SANGAT_KURANG: (0, 10, 15, 10, 65),
}
# Official Indonesian names, written into the Indonesian texts of the demo (never translated).
PREDIKAT_ID = {Predikat.SANGAT_BAIK: "Sangat Baik", Predikat.BAIK: "Baik", Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
               Predikat.KURANG: "Kurang", Predikat.SANGAT_KURANG: "Sangat Kurang"}
ORG_RATING_ID = {OrgRating.ISTIMEWA: "Istimewa", OrgRating.BAIK: "Baik", OrgRating.BUTUH_PERBAIKAN: "Butuh Perbaikan",
                 OrgRating.KURANG: "Kurang", OrgRating.SANGAT_KURANG: "Sangat Kurang"}
PREDIKATS = (Predikat.SANGAT_BAIK, Predikat.BAIK, Predikat.BUTUH_PERBAIKAN, Predikat.KURANG, Predikat.SANGAT_KURANG)
PAIRS = defaultdict(list)  # predikat -> [(hasil, perilaku)] that give it
for _pair, _p in PREDIKAT_MATRIX.items():
    PAIRS[_p].append(_pair)
ACHIEVEMENT = {OrgRating.ISTIMEWA: (110, 125), OrgRating.BAIK: (85, 110), OrgRating.BUTUH_PERBAIKAN: (65, 85),
               OrgRating.KURANG: (50, 65), OrgRating.SANGAT_KURANG: (20, 50)}


def category(name: str, ptype: str, level: Optional[str], unit_type: str, is_head: bool) -> str:
    """The RHK catalogue of a position (by its name, type and unit)."""
    n = name.lower()
    if ptype == "JPT":
        return "jpt"
    if n.startswith("camat"):
        return "camat"
    if n.startswith("lurah"):
        return "lurah"
    if is_head and unit_type == "SEKOLAH":
        return "kepsek"
    if is_head and unit_type == "PUSKESMAS":
        return "kapus"
    if ptype == "ADMINISTRATOR":
        return "admin_head"
    if ptype == "PENGAWAS":
        return "pengawas_head"
    if ptype == "PELAKSANA":
        return {"KLEREK": "klerek", "OPERATOR": "operator", "TEKNISI": "teknisi"}.get(level or "", "klerek")
    for key, cat in (("pengawas sekolah", "pengawas_sekolah"), ("guru", "guru"), ("dokter", "dokter"),
                     ("perawat", "perawat"), ("bidan", "bidan"), ("apoteker", "farmasi"), ("laboratorium", "lab"),
                     ("epidemiolog", "kesmas"), ("sanitarian", "kesmas"), ("nutrisionis", "kesmas"),
                     ("administrator kesehatan", "kesmas"), ("auditor", "auditor"),
                     ("penyelenggaraan urusan", "auditor"), ("komputer", "komputer"), ("database", "komputer"),
                     ("teknologi pembelajaran", "komputer"), ("statistisi", "komputer"), ("sandiman", "komputer"),
                     ("sumber daya manusia", "sdm"), ("perencana", "perencana"), ("analis kebijakan", "perencana"),
                     ("peneliti", "perencana"), ("keuangan", "keuangan"), ("penilai", "keuangan"),
                     ("pustakawan", "pustaka"), ("arsiparis", "pustaka"), ("teknik", "teknik"),
                     ("penata ruang", "teknik"), ("penguji", "teknik"), ("lingkungan", "teknik"),
                     ("penera", "teknik"), ("pamong praja", "trantib"), ("kebakaran", "trantib"),
                     ("penyuluh", "penyuluh"), ("pekerja sosial", "penyuluh"), ("widyaiswara", "widyaiswara")):
        if key in n:
            return cat
    return "fungsional"


# --- small helpers -------------------------------------------------------------------------------------

def _at(day: date, rng: random.Random, lo: int = 8, hi: int = 16) -> datetime:
    return datetime.combine(day, time(rng.randint(lo, hi), rng.randint(0, 59)))


def _clamp(moment: datetime, latest: datetime) -> datetime:
    return moment if moment <= latest else latest


def _short(text: str) -> str:
    """'Terlaksananya pembelajaran …' -> 'pembelajaran …' (for progress descriptions)."""
    words = text.split()
    return " ".join(words[1:6]).rstrip(",.") if len(words) > 1 else text


@dataclass
class Person:
    id: int
    nip: str
    name: str  # full name with titles
    position_id: Optional[int]
    rank: str
    position: str
    position_type: str
    level: Optional[str]
    unit_id: int
    unit: str
    unit_type: str
    opd_id: int
    supervisor_id: Optional[int]
    user_id: Optional[int]
    active: bool
    is_head: bool
    category: str = "fungsional"


@dataclass
class Actor_:
    user_id: Optional[int]
    name: str


# --- writing ---------------------------------------------------------------------------------------------

def insert_rows(conn: Connection, table, rows: list) -> None:
    """Bulk insert: COPY on PostgreSQL with psycopg 3 (several times faster than executemany for millions of
    rows; same connection, same transaction, constraints checked alike), else bulk.insert_rows."""
    raw = getattr(conn.connection, "driver_connection", None)
    if conn.dialect.name != "postgresql" or not hasattr(getattr(raw, "cursor", None), "__call__") or \
            conn.dialect.driver != "psycopg":
        bulk.insert_rows(conn, table, rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])


# --- periods -------------------------------------------------------------------------------------------

def ensure_periods(conn: Connection, years: Iterable[int], today: date) -> dict:
    """The annual period and the four quarters of each year, inserted when missing. Returns
    {code: id} ('2025', '2025-Q1', …). A period is open from its start until a month after its end (the
    evaluation window); earlier years are closed."""
    table = Model.metadata.tables["period"]
    years = sorted(set(years))
    codes = {}
    wanted = []
    for year in years:
        for p in [annual_period(year), *quarters(year)]:
            closes = p.end + timedelta(days=31)
            wanted.append({"year": year, "kind": p.kind.value, "number": p.number, "code": p.code,
                           "starts_on": p.start, "ends_on": p.end, "opens_on": p.start, "closes_on": closes,
                           "is_open": p.start <= today <= closes})
    existing = dict(conn.execute(select(table.c.code, table.c.id).where(
        table.c.code.in_([w["code"] for w in wanted]))).all())
    next_id = bulk.IdAllocator(conn, table)
    rows = []
    for w in wanted:
        if w["code"] in existing:
            codes[w["code"]] = existing[w["code"]]
        else:
            w["id"] = next_id()
            rows.append(w)
            codes[w["code"]] = w["id"]
    bulk.insert_rows(conn, table, rows)
    bulk.sync_sequences(conn, ["period"])
    return codes


def delete_orphan_transitions(conn: Connection) -> int:
    """Transition log rows whose SKP, evaluation or objection no longer exists (left by a reset: the log has
    no foreign key, so wiping the organisation leaves them behind and new records would reuse their ids)."""
    log = Model.metadata.tables["transition_log"]
    removed = 0
    for entity, name in ((TransitionEntity.SKP, "skp"), (TransitionEntity.EVALUATION, "evaluation"),
                         (TransitionEntity.OBJECTION, "objection")):
        target = Model.metadata.tables[name]
        removed += conn.execute(delete(log).where(log.c.entity == entity.value, not_(
            select(target.c.id).where(target.c.id == log.c.entity_id).exists()))).rowcount or 0
    return removed


def core_value_ids(conn: Connection) -> dict:
    table = Model.metadata.tables["core_value"]
    rows = dict(conn.execute(select(table.c.code, table.c.id).order_by(table.c.sort_order)).all())
    if not rows:
        raise RuntimeError("the core_value table is empty: run `flask db upgrade` first")
    return rows


# --- the builder ---------------------------------------------------------------------------------------

class Builder:
    """Builds the rows of the performance tables with ids chosen up front; ``flush`` writes them (parents
    first) and forgets them. Decisions made per record are drawn from ``rng`` in a fixed order."""

    def __init__(self, conn: Connection, rng: random.Random, periods: dict, core_values: dict, today: date,
                 pengelola: Actor_, lean: bool = False):
        self.conn = conn
        self.rng = rng
        self.periods = periods
        self.cv = core_values
        self.cv_codes = list(core_values)
        self.today = today
        self.now = datetime.combine(today, time(17, 0))
        self.pengelola = pengelola
        self.lean = lean  # benchmark volume: fewer optional rows (expectations, coaching, feedback)
        self.tables = {name: Model.metadata.tables[name] for name in TABLES}
        self.ids = {name: bulk.IdAllocator(conn, self.tables[name]) for name in TABLES}
        self.rows = {name: [] for name in TABLES}
        self.counts = defaultdict(int)
        self.utama = {}  # (employee id, year) -> [(rhk id, text)] of the plan subordinates cascade from
        self.plan_rhks = {}  # skp id -> [(rhk id, text, template)] until the next flush

    # writing -------------------------------------------------------------------------------------
    def flush(self) -> None:
        for name in TABLES:
            rows = self.rows[name]
            if rows:
                insert_rows(self.conn, self.tables[name], rows)
                self.counts[name] += len(rows)
                self.rows[name] = []
        self.plan_rhks = {}

    def finish(self) -> dict:
        self.flush()
        bulk.sync_sequences(self.conn, TABLES)
        return dict(self.counts)

    def log(self, entity: TransitionEntity, entity_id: int, source, target, at: datetime, actor: Actor_,
            kind: Actor, comment: Optional[str] = None) -> None:
        self.rows["transition_log"].append({
            "id": self.ids["transition_log"](), "entity": entity.value, "entity_id": entity_id,
            "from_state": source, "to_state": target, "actor_user_id": actor.user_id, "actor_name": actor.name[:150],
            "actor_kind": kind.value, "at": at, "comment": comment})

    # the plan ------------------------------------------------------------------------------------
    def plan(self, person: Person, year: int, status: SkpState, rater: Optional[Person],
             rater_supervisor: Optional[Person], revision: int = 1, previous: Optional[dict] = None,
             is_current: bool = True, n_rhk: Optional[int] = None, start: Optional[date] = None,
             returned_once: bool = False, cascade_key: bool = True) -> dict:
        """An SKP with its RHKs, indicators and expectations, and the transition log up to ``status``."""
        rng = self.rng
        latest = self.now
        created = _clamp(_at(start or date(year, 1, rng.randint(2, 12)), rng), latest)
        submitted = approved = None
        notes = None
        me = Actor_(person.user_id, person.name)
        skp_id = self.ids["skp"]()
        history = [(None, SkpState.DRAFT, created, me, Actor.OWNER, None)]
        moment = created
        if returned_once or status == SkpState.DIKEMBALIKAN:
            moment = _clamp(moment + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5)), latest)
            history.append((SkpState.DRAFT, SkpState.DIAJUKAN, moment, me, Actor.OWNER, None))
            submitted = moment
            moment = _clamp(moment + timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 6)), latest)
            notes = rng.choice(RETURN_NOTES)
            rater_actor = Actor_(rater.user_id, rater.name) if rater else self.pengelola
            history.append((SkpState.DIAJUKAN, SkpState.DIKEMBALIKAN, moment, rater_actor, Actor.RATER, notes))
            if status != SkpState.DIKEMBALIKAN:
                moment = _clamp(moment + timedelta(days=rng.randint(1, 4)), latest)
                history.append((SkpState.DIKEMBALIKAN, SkpState.DRAFT, moment, me, Actor.OWNER, None))
        if status in (SkpState.DIAJUKAN, SkpState.DISETUJUI):
            moment = _clamp(moment + timedelta(days=rng.randint(1, 8), hours=rng.randint(0, 6)), latest)
            submitted = moment
            history.append((SkpState.DRAFT, SkpState.DIAJUKAN, moment, me, Actor.OWNER, None))
        if status == SkpState.DISETUJUI:
            moment = _clamp(moment + timedelta(days=rng.randint(1, 10), hours=rng.randint(1, 6)), latest)
            approved = moment
            rater_actor = Actor_(rater.user_id, rater.name) if rater else self.pengelola
            history.append((SkpState.DIAJUKAN, SkpState.DISETUJUI, moment, rater_actor, Actor.RATER, None))
        row = {"id": skp_id, "employee_id": person.id, "unit_id": person.unit_id, "position_id": None,
               "rater_id": rater.id if rater else None,
               "rater_supervisor_id": rater_supervisor.id if rater_supervisor else None, "year": year,
               "approach": "KUANTITATIF" if rng.random() < 0.92 else "KUALITATIF", "status": status.value,
               "revision": revision, "previous_id": previous["id"] if previous else None, "is_current": is_current,
               "return_notes": notes if status == SkpState.DIKEMBALIKAN else None,
               "submitted_at": submitted, "approved_at": approved, "created_on": created, "changed_on": moment}
        row["position_id"] = person.position_id
        self.rows["skp"].append(row)
        for source, target, at, actor, kind, comment in history:
            self.log(TransitionEntity.SKP, skp_id, source and source.value, target.value, at, actor, kind, comment)
        self._rhks(row, person, rater, year, n_rhk, cascade_key)
        return row

    def _rhks(self, skp: dict, person: Person, rater: Optional[Person], year: int, n_rhk: Optional[int],
              cascade_key: bool) -> None:
        rng = self.rng
        catalogue = RHK.get(person.category) or RHK["fungsional"]
        n = n_rhk or rng.randint(3, 6)
        n_tambahan = 0 if n < 4 else (1 if rng.random() < 0.45 else 0)
        n_utama = n - n_tambahan
        picks = rng.sample(catalogue, k=min(n_utama, len(catalogue)))
        while len(picks) < n_utama:  # small catalogues: repeat with another unit of measure
            picks.append(rng.choice(catalogue))
        parents = self.utama.get((rater.id, year)) if rater is not None else None
        mine = []
        rhks = self.plan_rhks.setdefault(skp["id"], [])
        for i, template in enumerate(picks + rng.sample(TAMBAHAN, k=n_tambahan)):
            kind = "UTAMA" if i < n_utama else "TAMBAHAN"
            text = template[0].format(unit=person.unit)
            rid = self.ids["rhk"]()
            parent = perspective = None
            if kind == "UTAMA":
                if person.category == "jpt" or not parents:
                    perspective = PERSPECTIVES[i % len(PERSPECTIVES)]
                else:
                    parent = parents[i % len(parents)][0]
                mine.append((rid, text))
            self.rows["rhk"].append({"id": rid, "skp_id": skp["id"], "kind": kind, "sort_order": i + 1,
                                     "text": text[:1000], "parent_rhk_id": parent, "perspective": perspective})
            rhks.append((rid, text, template))
            self._indicators(rid, template)
        if cascade_key:
            self.utama[(person.id, year)] = mine

    def _indicators(self, rhk_id: int, template) -> None:
        rng = self.rng
        _, unit, lo, hi, what = template
        target = rng.randint(lo, hi) if lo < hi else lo
        rows = [("KUANTITAS", what, target, unit)]
        roll = rng.random()
        thing = unit if unit not in ("%", "nilai") else "hasil kerja"
        if roll < 0.75:
            text, value, u = rng.choice(KUALITAS)
            rows.append(("KUALITAS", text.format(thing=thing), value, u))
        if roll < 0.3 or roll > 0.9:
            text, value, u = rng.choice(WAKTU)
            rows.append(("WAKTU", text, value, u))
        for i, (aspect, text, value, u) in enumerate(rows):
            self.rows["indicator"].append({"id": self.ids["indicator"](), "rhk_id": rhk_id, "aspect": aspect,
                                           "text": text, "target_value": value, "target_unit": u,
                                           "target_text": None, "sort_order": i + 1, "value_source": "MANUAL"})

    def expectations(self, skp: dict, count: int = 2) -> None:
        for code in self.rng.sample(self.cv_codes, k=count):
            self.rows["behaviour_expectation"].append({
                "id": self.ids["behaviour_expectation"](), "skp_id": skp["id"], "core_value_id": self.cv[code],
                "text": self.rng.choice(EXPECTATIONS.get(code, ["Menunjukkan perilaku sesuai panduan."]))})

    # execution -----------------------------------------------------------------------------------
    def progress(self, skp: dict, person: Person, rater: Optional[Person], year: int, per_rhk=(1, 3),
                 evidence_share: float = 0.6, feedback_share: float = 0.5, value_feedback: int = 2) -> None:
        """Progress entries (months of the year up to today) with LINK evidence, the rater's feedback per RHK
        and per core value, sometimes a coaching note."""
        rng = self.rng
        last_month = 12 if year < self.today.year else max(1, self.today.month - 1)
        approved = skp["approved_at"].date() if skp["approved_at"] else date(year, 1, 31)
        first_month = min(approved.month, last_month)
        months = list(range(first_month, last_month + 1))
        author = (rater.id, rater.name[:150]) if rater else (None, None)
        for rid, text, template in self.plan_rhks.get(skp["id"], ()):
            _, unit, lo, hi, _what = template
            k = rng.randint(*per_rhk)
            chosen = sorted(rng.sample(months, k=min(k, len(months)))) if len(months) >= k else \
                sorted(rng.choices(months, k=k))
            for m in chosen:
                day = min(date(year, m, 28), self.today - timedelta(days=1)) if year == self.today.year else \
                    date(year, m, 28)
                day = max(day, approved)
                value = max(1, round((rng.randint(lo, hi) if lo < hi else lo) * rng.uniform(0.06, 0.12))) \
                    if unit not in ("%", "nilai") else rng.randint(max(1, lo - 8), hi)
                pid = self.ids["progress"]()
                period = self.periods.get(f"{year}-Q{(day.month - 1) // 3 + 1}")
                self.rows["progress"].append({
                    "id": pid, "rhk_id": rid, "indicator_id": None, "period_id": period, "value": value,
                    "description": rng.choice(PROGRESS_TEXT).format(what=_short(text), bulan=BULAN[day.month - 1],
                                                                    value=value, unit=unit),
                    "achieved_on": day, "created_by_id": person.user_id,
                    "created_on": _at(min(day + timedelta(days=rng.randint(0, 3)), self.today), rng)})
                if rng.random() < evidence_share:
                    self.rows["evidence"].append({
                        "id": self.ids["evidence"](), "progress_id": pid, "kind": "LINK",
                        "url": f"{EVIDENCE_HOST}/bukti/{year}/{person.nip}/{pid}",
                        "original_name": f"Bukti {BULAN[day.month - 1]} {year}", "stored_name": None,
                        "content_type": None, "size_bytes": None, "sha256": None,
                        "uploaded_at": _at(min(day + timedelta(days=rng.randint(0, 3)), self.today), rng)})
            if rater is not None and chosen and rng.random() < feedback_share:
                day = min(date(year, chosen[-1], 28) + timedelta(days=rng.randint(1, 10)), self.today)
                self.rows["feedback"].append({
                    "id": self.ids["feedback"](), "skp_id": skp["id"], "rhk_id": rid, "core_value_id": None,
                    "author_id": author[0], "author_name": author[1], "text": rng.choice(RHK_FEEDBACK),
                    "created_on": _at(day, rng)})
        if rater is None:
            return
        for code in rng.sample(self.cv_codes, k=value_feedback):
            day = min(date(year, rng.choice(months), rng.randint(5, 25)), self.today)
            self.rows["feedback"].append({
                "id": self.ids["feedback"](), "skp_id": skp["id"], "rhk_id": None, "core_value_id": self.cv[code],
                "author_id": author[0], "author_name": author[1], "text": rng.choice(VALUE_FEEDBACK[code]),
                "created_on": _at(day, rng)})
        if not self.lean and rng.random() < 0.15:
            kind, text = rng.choice(COACHING)
            day = min(date(year, rng.choice(months), rng.randint(3, 26)), self.today)
            self.rows["coaching_note"].append({
                "id": self.ids["coaching_note"](), "skp_id": skp["id"], "kind": kind, "noted_on": day, "text": text,
                "author_id": author[0], "created_on": _at(day, rng)})

    # evaluation ----------------------------------------------------------------------------------
    def evaluate(self, skp: dict, person: Person, rater: Optional[Person], rater_supervisor: Optional[Person],
                 code: str, status: EvaluationState, predikat: Optional[Predikat] = None,
                 finalised_on: Optional[date] = None, org: Optional[tuple] = None,
                 self_assessed: Optional[bool] = None) -> dict:
        """An evaluation of ``skp`` for the period ``code`` in ``status`` (with its transition log).
        ``finalised_on`` fixes the final date (else drawn after the period's end)."""
        rng = self.rng
        period_end = self._period_end(code)
        opened = _clamp(_at(period_end - timedelta(days=rng.randint(0, 5)), rng, 7, 9), self.now)
        eid = self.ids["evaluation"]()
        me = Actor_(person.user_id, person.name)
        rater_actor = Actor_(rater.user_id, rater.name) if rater else self.pengelola
        history = [(None, EvaluationState.DIBUKA, opened, self.pengelola, Actor.PENGELOLA)]
        if self_assessed is None:
            self_assessed = rng.random() < 0.5 or status == EvaluationState.PENILAIAN_DIRI
        moment = opened
        assessment = None
        if self_assessed and status != EvaluationState.DIBUKA:
            moment = _clamp(moment + timedelta(days=rng.randint(2, 8), hours=rng.randint(0, 6)), self.now)
            assessment = rng.choice(SELF_ASSESSMENT)
            history.append((EvaluationState.DIBUKA, EvaluationState.PENILAIAN_DIRI, moment, me, Actor.OWNER))
        rated = finalised = None
        hasil = perilaku = None
        notes = recommendation = None
        if status in (EvaluationState.DINILAI, EvaluationState.FINAL):
            predikat = predikat or Predikat.BAIK
            hasil, perilaku = rng.choice(PAIRS[predikat])
            notes, recommendation = NOTES[predikat]
            rated = _clamp(moment + timedelta(days=rng.randint(3, 15), hours=rng.randint(0, 6)), self.now)
            if finalised_on is not None:
                finalised = _clamp(_at(finalised_on, rng, 9, 15), self.now)
                rated = min(rated, finalised - timedelta(days=rng.randint(1, 5)))
            history.append((history[-1][1], EvaluationState.DINILAI, rated, rater_actor, Actor.RATER))
            if status == EvaluationState.FINAL:
                if finalised is None:
                    finalised = _clamp(rated + timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 4)), self.now)
                by_pengelola = rng.random() < 0.2
                history.append((EvaluationState.DINILAI, EvaluationState.FINAL, finalised,
                                self.pengelola if by_pengelola else rater_actor,
                                Actor.PENGELOLA if by_pengelola else Actor.RATER))
        # the timeline never goes back: each step at least 10 minutes before the next one
        for i in range(len(history) - 2, -1, -1):
            limit = history[i + 1][2] - timedelta(minutes=10)
            if history[i][2] > limit:
                history[i] = history[i][:2] + (limit,) + history[i][3:]
        opened = history[0][2]
        rated = next((h[2] for h in history if h[1] == EvaluationState.DINILAI), None)
        final = status == EvaluationState.FINAL
        row = {"id": eid, "skp_id": skp["id"], "period_id": self.periods[code], "status": status.value,
               "self_assessment": assessment, "hasil_rating": hasil and hasil.value,
               "perilaku_rating": perilaku and perilaku.value, "predikat": predikat.value if hasil else None,
               "notes": notes, "recommendation": recommendation, "rated_at": rated, "finalised_at": finalised,
               "employee_name": person.name[:300] if final else None, "employee_nip": person.nip if final else None,
               "employee_rank": person.rank[:80] if final else None,
               "employee_position": person.position[:200] if final else None,
               "employee_unit": person.unit[:200] if final else None,
               "rater_name": rater.name[:300] if final and rater else None,
               "rater_nip": rater.nip if final and rater else None,
               "rater_rank": rater.rank[:80] if final and rater else None,
               "rater_position": rater.position[:200] if final and rater else None,
               "rater_unit": rater.unit[:200] if final and rater else None,
               "rater_supervisor_name": rater_supervisor.name[:300] if final and rater_supervisor else None,
               "rater_supervisor_nip": rater_supervisor.nip if final and rater_supervisor else None,
               "organisation_rating": org[0] if final and org else None,
               "organisation_achievement": org[1] if final and org else None,
               "created_on": opened, "changed_on": history[-1][2]}
        self.rows["evaluation"].append(row)
        for source, target, at, actor, kind in history:
            self.log(TransitionEntity.EVALUATION, eid, source and source.value, target.value, at, actor, kind)
        return row

    def _period_end(self, code: str) -> date:
        if "-Q" in code:
            year, q = code.split("-Q")
            return quarters(int(year))[int(q) - 1].end
        return annual_period(int(code)).end

    def objection(self, evaluation: dict, person: Person, rater: Optional[Person],
                  rater_supervisor: Optional[Person], status: ObjectionState,
                  decision: Optional[ObjectionDecision] = None, filed_on: Optional[date] = None) -> dict:
        """An objection against a final evaluation in ``status`` (DIUBAH is applied to the evaluation)."""
        rng = self.rng
        final = evaluation["finalised_at"]
        filed = _clamp(_at(filed_on or (final.date() + timedelta(days=rng.randint(2, 12))), rng), self.now)
        filed = max(filed, final + timedelta(hours=1)) if filed_on is None else filed
        oid = self.ids["objection"]()
        me = Actor_(person.user_id, person.name)
        rater_actor = Actor_(rater.user_id, rater.name) if rater else self.pengelola
        boss = Actor_(rater_supervisor.user_id, rater_supervisor.name) if rater_supervisor else self.pengelola
        reasons = rng.choice(OBJECTION_REASONS)
        history = [(None, ObjectionState.DIAJUKAN, filed, me, Actor.OWNER, reasons)]
        explanation = explained = decided = decision_text = None
        new = (None, None, None)
        if status in (ObjectionState.DIJELASKAN, ObjectionState.DIPUTUS):
            explained = _clamp(filed + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 5)), self.now)
            explanation = rng.choice(EXPLANATIONS)
            history.append((ObjectionState.DIAJUKAN, ObjectionState.DIJELASKAN, explained, rater_actor, Actor.RATER,
                            explanation))
        if status == ObjectionState.DIPUTUS:
            decided = _clamp(explained + timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 5)), self.now)
            before = Predikat(evaluation["predikat"])
            if decision == ObjectionDecision.DIUBAH:
                old = (Rating(evaluation["hasil_rating"]), Rating(evaluation["perilaku_rating"]))
                better = [pair for pair, p in PREDIKAT_MATRIX.items() if pair != old and p.rank > before.rank] or \
                    [pair for pair in PREDIKAT_MATRIX if pair != old]
                pair = rng.choice(better)
                after = PREDIKAT_MATRIX[pair]
                new = (pair[0].value, pair[1].value, after.value)
                decision_text = (f"Keberatan diterima sebagian: predikat {PREDIKAT_ID[before]} diubah menjadi "
                                 f"{PREDIKAT_ID[after]} "
                                 "setelah memeriksa bukti dukung tambahan.")
                evaluation.update(hasil_rating=new[0], perilaku_rating=new[1], predikat=new[2], changed_on=decided)
            else:
                decision_text = (f"Keberatan tidak diterima: predikat {PREDIKAT_ID[before]} tetap, penilaian sudah "
                                 "sesuai bukti.")
            history.append((ObjectionState.DIJELASKAN, ObjectionState.DIPUTUS, decided, boss, Actor.RATERS_SUPERVISOR,
                            decision_text))
        row = {"id": oid, "evaluation_id": evaluation["id"], "status": status.value, "reasons": reasons,
               "filed_at": filed, "explanation": explanation, "explained_at": explained,
               "decision": decision.value if status == ObjectionState.DIPUTUS else None,
               "decision_text": decision_text, "decided_at": decided,
               "decided_by_id": rater_supervisor.id if decided and rater_supervisor else None,
               "new_hasil_rating": new[0], "new_perilaku_rating": new[1], "new_predikat": new[2]}
        self.rows["objection"].append(row)
        for source, target, at, actor, kind, comment in history:
            self.log(TransitionEntity.OBJECTION, oid, source and source.value, target.value, at, actor, kind, comment)
        return row

    def predikat_for(self, org_rating: OrgRating) -> Predikat:
        return self.rng.choices(PREDIKATS, weights=PREDIKAT_WEIGHTS[org_rating])[0]


# --- reading the organisation --------------------------------------------------------------------------

def _opd_of(units: dict) -> dict:
    """{unit id: id of its perangkat daerah (the OPD or kecamatan above it, or itself)}."""
    result = {}
    for uid in units:
        node = uid
        while node is not None and units[node]["unit_type"] not in ("OPD", "KECAMATAN", "PEMKOT"):
            node = units[node]["parent_id"]
        result[uid] = node if node is not None else uid
    return result


def _rank_labels(conn: Connection) -> dict:
    rank = Model.metadata.tables["rank"]
    return {i: f"{name} ({code})" if asn == "PNS" else name
            for i, code, name, asn in conn.execute(select(rank.c.id, rank.c.code, rank.c.name, rank.c.asn_type))}


def _people(conn: Connection) -> tuple[dict, dict]:
    """Every employee as a Person (one query per table) and the units by id."""
    md = Model.metadata.tables
    unit, position, employee = md["unit"], md["position"], md["employee"]
    units = {r.id: r._asdict() for r in conn.execute(select(unit.c.id, unit.c.parent_id, unit.c.unit_type,
                                                            unit.c.name, unit.c.code, unit.c.head_position_id))}
    positions = {r.id: r for r in conn.execute(select(position.c.id, position.c.name, position.c.position_type,
                                                      position.c.level))}
    ranks = _rank_labels(conn)
    opd = _opd_of(units)
    heads = {u["head_position_id"] for u in units.values() if u["head_position_id"]}
    people = {}
    for e in conn.execute(select(employee.c.id, employee.c.nip, employee.c.name, employee.c.front_title,
                                 employee.c.back_title, employee.c.rank_id, employee.c.position_id,
                                 employee.c.unit_id, employee.c.supervisor_id, employee.c.user_id,
                                 employee.c.status).order_by(employee.c.id)):
        pos = positions.get(e.position_id)
        u = units[e.unit_id]
        person = Person(id=e.id, nip=e.nip, name=rules.full_name(e.name, e.front_title, e.back_title),
                        position_id=e.position_id, rank=ranks.get(e.rank_id, ""),
                        position=pos.name if pos else "", position_type=pos.position_type if pos else "PELAKSANA",
                        level=pos.level if pos else None, unit_id=e.unit_id, unit=u["name"],
                        unit_type=u["unit_type"], opd_id=opd[e.unit_id], supervisor_id=e.supervisor_id,
                        user_id=e.user_id, active=e.status == "AKTIF", is_head=e.position_id in heads)
        person.category = category(person.position, person.position_type, person.level, person.unit_type,
                                   person.is_head)
        people[e.id] = person
    return people, units


def _top_down(people: dict) -> list:
    """People ordered so that every supervisor comes before their staff (then by id)."""
    depth = {}

    def level(pid):
        chain = []
        node = pid
        while node is not None and node not in depth and node in people and len(chain) < 50:
            chain.append(node)
            node = people[node].supervisor_id
        base = depth.get(node, -1) if node is not None else -1
        for n in reversed(chain):
            base += 1
            depth[n] = base
        return depth[pid]

    return sorted(people.values(), key=lambda p: (level(p.id), p.id))


def _demo_accounts(conn: Connection, people: dict) -> dict:
    """{'pegawai'|'atasan'|'pimpinan'|'pengelola': Person} of the demo accounts (found by their roles)."""
    from app.security import roles as R

    md = Model.metadata.tables
    link, role = md["ab_user_role"], md["ab_role"]
    by_user = {p.user_id: p for p in people.values() if p.user_id}
    roles = defaultdict(set)
    if by_user:
        for user_id, name in conn.execute(select(link.c.user_id, role.c.name).join(role, role.c.id == link.c.role_id)
                                          .where(link.c.user_id.in_(list(by_user)))):
            roles[user_id].add(name)
    found = {}
    for user_id, person in sorted(by_user.items()):
        r = roles[user_id]
        if R.PIMPINAN in r:
            found.setdefault("pimpinan", person)
        elif R.PENGELOLA in r:
            found.setdefault("pengelola", person)
        elif R.PELATIH in r:
            found.setdefault("pelatih", person)
        elif R.ATASAN in r:
            found.setdefault("atasan", person)
        elif r == {R.PEGAWAI}:
            found.setdefault("pegawai", person)
    return found


# --- the demo --------------------------------------------------------------------------------------------

@dataclass
class DemoPerformance:
    counts: dict
    years: tuple


def load_performance_demo(session, today: date, seed: int = SEED) -> DemoPerformance:
    """Write the performance-cycle demo (see the module docstring) inside the caller's transaction."""
    conn = session.connection()
    rng = random.Random(seed)
    this_year, last_year = today.year, today.year - 1
    delete_orphan_transitions(conn)
    periods = ensure_periods(conn, (last_year, this_year), today)
    cv = core_value_ids(conn)
    people, units = _people(conn)
    accounts = _demo_accounts(conn, people)
    pengelola = accounts.get("pengelola")
    pengelola_actor = Actor_(pengelola.user_id, pengelola.name) if pengelola else Actor_(None, "Pengelola Kinerja")
    b = Builder(conn, rng, periods, cv, today, pengelola_actor)

    org = _organisation_ratings(conn, rng, units, periods[str(last_year)])

    def org_of(p: Person):
        return org.get(p.unit_id) or org.get(p.opd_id) or (OrgRating.BAIK.value, Decimal("95.00"))

    pegawai, atasan = accounts.get("pegawai"), accounts.get("atasan")
    team = sorted((p for p in people.values() if atasan and p.supervisor_id == atasan.id and p.active
                   and (not pegawai or p.id != pegawai.id)), key=lambda p: p.nip)
    has_staff = {p.supervisor_id for p in people.values() if p.supervisor_id}
    ordered = _top_down(people)
    sup = people.get

    # last year: almost all approved; annual evaluation mostly final; objections in every state ----------
    special_ly = {}
    if pegawai:
        special_ly[pegawai.id] = ("final", today - timedelta(days=10), None)
    objection_plan = [(ObjectionState.DIAJUKAN, None), (ObjectionState.DIJELASKAN, None)]
    for i, member in enumerate(team[:2]):
        special_ly[member.id] = ("objection",) + objection_plan[i]
    city_objections = [(ObjectionState.DIAJUKAN, None)] * 2 + [(ObjectionState.DIJELASKAN, None)] * 2 + \
        [(ObjectionState.DIPUTUS, ObjectionDecision.TETAP)] * 3 + \
        [(ObjectionState.DIPUTUS, ObjectionDecision.DIUBAH)] * 3
    candidates = [p for p in ordered if p.supervisor_id and p.id not in special_ly and p.id not in has_staff
                  and sup(p.supervisor_id) and sup(p.supervisor_id).supervisor_id]
    for p, (state, decision) in zip(rng.sample(candidates, k=min(len(candidates), len(city_objections))),
                                    city_objections):
        special_ly[p.id] = ("objection", state, decision)
    for p in ordered:
        rater = sup(p.supervisor_id) if p.supervisor_id else None
        if rater is None:
            continue
        boss = sup(rater.supervisor_id) if rater.supervisor_id else None
        special = special_ly.get(p.id)
        roll = rng.random()
        status = SkpState.DISETUJUI
        if not special and p.id not in has_staff and roll > 0.96:
            status = SkpState.DIAJUKAN if roll > 0.98 else SkpState.DRAFT
        returned = rng.random() < 0.06 and status == SkpState.DISETUJUI
        skp = b.plan(p, last_year, status, rater, boss, returned_once=returned)
        if status != SkpState.DRAFT:  # the rater writes them once the plan is submitted
            b.expectations(skp, 2)
        if status != SkpState.DISETUJUI:
            continue
        b.progress(skp, p, rater, last_year)
        org_rating = org_of(p)
        pred = b.predikat_for(OrgRating(org_rating[0]))
        if special and special[0] == "final":
            b.evaluate(skp, p, rater, boss, str(last_year), EvaluationState.FINAL, Predikat.BAIK,
                       finalised_on=special[1], org=org_rating, self_assessed=True)
            continue
        if special and special[0] == "objection":
            _, state, decision = special
            pending = state != ObjectionState.DIPUTUS
            if decision == ObjectionDecision.DIUBAH or pending:
                pred = rng.choice([Predikat.BUTUH_PERBAIKAN, Predikat.KURANG, Predikat.BAIK])
            final_on = today - timedelta(days=20) if pending else _final_date(rng, today)
            ev = b.evaluate(skp, p, rater, boss, str(last_year), EvaluationState.FINAL, pred, finalised_on=final_on,
                            org=org_rating)
            filed = today - timedelta(days=rng.randint(7, 9)) if pending else None
            b.objection(ev, p, rater, boss, state, decision, filed_on=filed)
            continue
        roll = rng.random()
        state = (EvaluationState.FINAL if roll < 0.85 else EvaluationState.DINILAI if roll < 0.92 else
                 EvaluationState.PENILAIAN_DIRI if roll < 0.97 else EvaluationState.DIBUKA)
        b.evaluate(skp, p, rater, boss, str(last_year), state, pred, finalised_on=_final_date(rng, today)
                   if state == EvaluationState.FINAL else None, org=org_rating)

    # this year: every SKP state; Triwulan I-III evaluations of approved plans in mixed states -------------
    ended = [q for q in quarters(this_year)[:3] if q.end < today]
    special_ty = {}
    if pegawai:
        special_ty[pegawai.id] = "revision"
    for member, state in zip(team[:4], (SkpState.DIAJUKAN, SkpState.DIKEMBALIKAN, SkpState.DIAJUKAN,
                                        SkpState.DRAFT)):
        special_ty[member.id] = state
    for p in ordered:
        rater = sup(p.supervisor_id) if p.supervisor_id else None
        if rater is None or not p.active:
            continue
        boss = sup(rater.supervisor_id) if rater.supervisor_id else None
        special = special_ty.get(p.id)
        roll = rng.random()
        revision = False
        returned = False
        if special == "revision":
            status, revision = SkpState.DISETUJUI, True
        elif isinstance(special, SkpState):
            status = special
        elif p.id in has_staff or (atasan and p.id in (atasan.id, atasan.supervisor_id)):
            status = SkpState.DISETUJUI if roll < 0.9 or (atasan and p.id in (atasan.id, atasan.supervisor_id)) \
                else SkpState.DIAJUKAN
        else:
            status = (SkpState.DISETUJUI if roll < 0.55 else SkpState.DIAJUKAN if roll < 0.70 else
                      SkpState.DRAFT if roll < 0.80 else SkpState.DIKEMBALIKAN if roll < 0.90 else SkpState.DISETUJUI)
            revision = 0.90 <= roll < 0.95
            returned = roll >= 0.95
        skp = b.plan(p, this_year, status, rater, boss, is_current=not revision, returned_once=returned)
        if status != SkpState.DRAFT:  # the rater writes them once the plan is submitted
            b.expectations(skp, 2)
        if status != SkpState.DISETUJUI:
            continue
        b.progress(skp, p, rater, this_year)
        for k, q in enumerate(ended):
            code = q.code
            latest = k == len(ended) - 1
            if special == "revision":
                state = EvaluationState.PENILAIAN_DIRI if latest else EvaluationState.FINAL
                b.evaluate(skp, p, rater, boss, code, state, Predikat.BAIK, self_assessed=True,
                           finalised_on=q.end + timedelta(days=14) if state == EvaluationState.FINAL else None)
                continue
            roll = rng.random()
            if latest:
                state = (EvaluationState.DIBUKA if roll < 0.25 else EvaluationState.PENILAIAN_DIRI if roll < 0.45
                         else EvaluationState.DINILAI if roll < 0.7 else EvaluationState.FINAL)
            else:
                state = (EvaluationState.FINAL if roll < 0.9 - 0.1 * (len(ended) - 2 - k) else EvaluationState.DINILAI)
            pred = b.predikat_for(OrgRating(org_of(p)[0]))
            final_on = None
            if state == EvaluationState.FINAL:
                final_on = min(q.end + timedelta(days=rng.randint(8, 30)), today - timedelta(days=1))
            b.evaluate(skp, p, rater, boss, code, state, pred, finalised_on=final_on)
        if revision:
            start = max(skp["approved_at"].date() + timedelta(days=1), today - timedelta(days=rng.randint(4, 12)))
            start = min(start, today)
            b.plan(p, this_year, SkpState.DIAJUKAN, rater, boss, revision=2, previous=skp, is_current=True,
                   start=start, cascade_key=False)
    counts = b.finish()
    counts["organisation_rating"] = len(org)
    counts["period"] = len(periods)
    bulk.analyze(conn, TABLES + ("period", "organisation_rating"))
    return DemoPerformance(counts, (last_year, this_year))


def _final_date(rng: random.Random, today: date) -> date:
    """When last year's annual evaluations were finalised: January-February, the window long closed."""
    day = date(today.year, 1, rng.randint(8, 31)) + timedelta(days=rng.randint(0, 20))
    return max(date(today.year, 1, 2), min(day, today - timedelta(days=16)))


def _organisation_ratings(conn: Connection, rng: random.Random, units: dict, period_id: int) -> dict:
    """Ratings of every OPD and kecamatan and about a third of the sub-units for one period. Returns
    {unit id: (rating, achievement)}."""
    table = Model.metadata.tables["organisation_rating"]
    existing = set(conn.execute(select(table.c.unit_id).where(table.c.period_id == period_id)).scalars())
    next_id = bulk.IdAllocator(conn, table)
    rows, result = [], {}
    for uid in sorted(units):
        u = units[uid]
        top = u["unit_type"] in ("OPD", "KECAMATAN")
        if u["unit_type"] == "PEMKOT" or (not top and rng.random() > 0.33) or uid in existing:
            continue
        roll = rng.random()
        rating = (OrgRating.ISTIMEWA if roll < 0.12 else OrgRating.BUTUH_PERBAIKAN if roll > 0.9 else OrgRating.BAIK)
        lo, hi = ACHIEVEMENT[rating]
        achievement = Decimal(rng.randint(lo * 100, hi * 100)) / 100
        rows.append({"id": next_id(), "unit_id": uid, "period_id": period_id, "rating": rating.value,
                     "achievement": achievement,
                     "notes": f"Capaian perjanjian kinerja {achievement} % ({ORG_RATING_ID[rating]})"})
        result[uid] = (rating.value, achievement)
    bulk.insert_rows(conn, table, rows)
    bulk.sync_sequences(conn, ["organisation_rating"])
    return result


# --- the benchmark generator -------------------------------------------------------------------------

def generate_performance(conn: Connection, employee_rows: list, unit_rows: list, position_rows: list, years: int,
                         seed: int, today: Optional[date] = None, chunk: int = 500, progress_cb=None) -> dict:
    """``years`` years (ending with this year) of plans for every generated employee: one SKP per employee and
    year, 4-8 RHKs (6 on average) with 1-3 indicators, 1-3 progress entries per RHK (2 on average, a third
    with a LINK evidence), feedback, one expectation, and 4 evaluations per approved plan (Triwulan I-III and
    the annual one); past years approved and final (about 1 % objected, decided), this year in mixed states.
    Organisation ratings for every OPD and a third of the other units per past year. Streams ``chunk``
    employees at a time. Returns the row counts per table."""
    today = today or date.today()
    rng = random.Random(seed * 7919 + years)
    first = today.year - years + 1
    year_list = list(range(first, today.year + 1))
    delete_orphan_transitions(conn)
    periods = ensure_periods(conn, year_list, today)
    cv = core_value_ids(conn)
    units = {u["id"]: {**u, "head_position_id": None} for u in unit_rows}
    positions = {p["id"]: p for p in position_rows}
    ranks = _rank_labels(conn)
    opd = _opd_of(units)
    has_staff = {e["supervisor_id"] for e in employee_rows if e["supervisor_id"]}
    # heads: the first holder of a unit's first position (generator: the head position is created first)
    first_position = {}
    for p in position_rows:
        first_position.setdefault(p["unit_id"], p["id"])
    heads = set(first_position.values())
    people = {}
    for e in employee_rows:
        pos = positions[e["position_id"]]
        u = units[e["unit_id"]]
        person = Person(id=e["id"], nip=e["nip"], name=rules.full_name(e["name"], e["front_title"], e["back_title"]),
                        position_id=e["position_id"], rank=ranks.get(e["rank_id"], ""), position=pos["name"],
                        position_type=pos["position_type"], level=pos["level"], unit_id=e["unit_id"],
                        unit=u["name"], unit_type=u["unit_type"], opd_id=opd[e["unit_id"]],
                        supervisor_id=e["supervisor_id"], user_id=e.get("user_id"), active=True,
                        is_head=e["position_id"] in heads)
        person.category = category(person.position, person.position_type, person.level, person.unit_type,
                                   person.is_head)
        people[e["id"]] = person
    org_by_year = {}
    for year in year_list[:-1]:
        org_by_year[year] = _organisation_ratings(conn, rng, units, periods[str(year)])
    b = Builder(conn, rng, periods, cv, today, Actor_(None, "Pengelola Kinerja BKPSDM"), lean=True)
    ended = {y: [q for q in quarters(y)[:3] if q.end < today] for y in year_list}
    annual_ended = {y: annual_period(y).end < today for y in year_list}
    for n, e in enumerate(employee_rows, start=1):
        p = people[e["id"]]
        rater = people.get(p.supervisor_id) if p.supervisor_id else None
        boss = people.get(rater.supervisor_id) if rater and rater.supervisor_id else None
        for year in year_list:
            current = year == today.year
            status = SkpState.DISETUJUI
            if current and p.id not in has_staff:
                roll = rng.random()
                status = (SkpState.DISETUJUI if roll < 0.80 else SkpState.DIAJUKAN if roll < 0.92 else
                          SkpState.DRAFT if roll < 0.97 else SkpState.DIKEMBALIKAN)
            skp = b.plan(p, year, status, rater, boss, n_rhk=rng.randint(4, 8),
                         cascade_key=p.id in has_staff)
            if status != SkpState.DRAFT:
                b.expectations(skp, 1)
            if status != SkpState.DISETUJUI:
                continue
            b.progress(skp, p, rater, year, per_rhk=(1, 3), evidence_share=0.33, feedback_share=0.3,
                       value_feedback=1)
            org = org_by_year.get(year, {})
            org_rating = org.get(p.unit_id) or org.get(p.opd_id) or (OrgRating.BAIK.value, Decimal("95.00"))
            for code, done in [(q.code, q.code in {x.code for x in ended[year]}) for q in quarters(year)[:3]] + \
                    [(str(year), annual_ended[year])]:
                pred = b.predikat_for(OrgRating(org_rating[0]))
                if not done:
                    state = EvaluationState.DIBUKA
                elif not current:
                    state = EvaluationState.FINAL
                else:
                    roll = rng.random()
                    state = (EvaluationState.FINAL if roll < 0.8 else EvaluationState.DINILAI if roll < 0.9 else
                             EvaluationState.PENILAIAN_DIRI if roll < 0.95 else EvaluationState.DIBUKA)
                annual = "-" not in code
                ev = b.evaluate(skp, p, rater, boss, code, state, pred, org=org_rating if annual else None)
                if annual and state == EvaluationState.FINAL and rater and rng.random() < 0.01:
                    decision = ObjectionDecision.DIUBAH if rng.random() < 0.3 else ObjectionDecision.TETAP
                    b.objection(ev, p, rater, boss, ObjectionState.DIPUTUS, decision)
        if n % chunk == 0:
            b.flush()
            if progress_cb:
                progress_cb(n, dict(b.counts))
    counts = b.finish()
    counts["organisation_rating"] = sum(len(v) for v in org_by_year.values())
    counts["period"] = len(periods)
    bulk.analyze(conn, TABLES + ("period", "organisation_rating"))
    return counts
