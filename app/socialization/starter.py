"""The starter set of socialization material: real guides in Bahasa Indonesia that explain this portal's
own rules (domain.md), loaded by ``flask portal load-material`` and by the demo.

The rating matrix is generated from ``app.performance.rating.PREDIKAT_MATRIX`` (all nine cells), the
distribution curve from ``app.performance.distribution.DEFAULT_RULES``, the objection deadlines from
``app.performance.deadlines`` and the objection states from ``app.performance.workflow``: when a rule
changes, the material says so at the next ``load-material --update``. The texts are content (data in
Indonesian, as published to the city's employees), not interface strings: they are not translated.

Pure: builds ``StarterMaterial`` values; ``services.create_material`` stores them.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from markupsafe import escape

from app.performance.deadlines import DEFAULT_DECISION_DAYS, DEFAULT_OBJECTION_DAYS
from app.performance.distribution import DEFAULT_RULES, RuleKind
from app.performance.rating import PREDIKAT_MATRIX, PREDIKAT_ORDER, OrgRating, Predikat, Rating
from app.performance.workflow import ObjectionDecision, ObjectionState

from .rules import Category

# The official Indonesian terms (PermenPANRB 6/2022), as printed on the documents.
RATING_ID = {Rating.DI_ATAS: "Di Atas Ekspektasi", Rating.SESUAI: "Sesuai Ekspektasi",
             Rating.DI_BAWAH: "Di Bawah Ekspektasi"}
PREDIKAT_ID = {Predikat.SANGAT_BAIK: "Sangat Baik", Predikat.BAIK: "Baik", Predikat.BUTUH_PERBAIKAN: "Butuh Perbaikan",
               Predikat.KURANG: "Kurang/Misconduct", Predikat.SANGAT_KURANG: "Sangat Kurang"}
ORG_RATING_ID = {OrgRating.ISTIMEWA: "Istimewa", OrgRating.BAIK: "Baik", OrgRating.BUTUH_PERBAIKAN: "Butuh Perbaikan",
                 OrgRating.KURANG: "Kurang", OrgRating.SANGAT_KURANG: "Sangat Kurang"}
OBJECTION_STATE_ID = {ObjectionState.DIAJUKAN: "Diajukan", ObjectionState.DIJELASKAN: "Penjelasan penilai",
                      ObjectionState.DIPUTUS: "Diputus"}
DECISION_ID = {ObjectionDecision.TETAP: "tetap", ObjectionDecision.DIUBAH: "diubah"}
# Rows and columns of the matrix, best first.
RATING_ORDER = (Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH)
PREDIKAT_CLASS = {Predikat.SANGAT_BAIK: "success", Predikat.BAIK: "success", Predikat.BUTUH_PERBAIKAN: "warning",
                  Predikat.KURANG: "danger", Predikat.SANGAT_KURANG: "danger"}


@dataclass(frozen=True)
class StarterMaterial:
    code: str
    category: str
    title: str
    body_html: str


def _percent(share: Fraction) -> str:
    value = Fraction(share) * 100
    if value.denominator == 1:
        return f"{value.numerator} %"
    return f"{float(value):.1f} %".replace(".", ",")


def _names(predikat) -> str:
    ordered = [PREDIKAT_ID[p] for p in PREDIKAT_ORDER if p in set(predikat)]
    return ordered[0] if len(ordered) == 1 else ", ".join(ordered[:-1]) + " dan/atau " + ordered[-1]


def rule_text(rule) -> str:
    """One line of the curve in Indonesian, e.g. 'paling banyak 70 % Sangat Baik'."""
    names = _names(rule.predikat)
    if rule.kind == RuleKind.AT_MOST:
        return f"paling banyak {_percent(rule.share)} pegawai berpredikat {names}"
    if rule.kind == RuleKind.AT_LEAST:
        return f"paling sedikit {_percent(rule.share)} pegawai berpredikat {names}"
    if rule.kind == RuleKind.SOME:
        return f"harus ada pegawai berpredikat {names}"
    return f"tidak boleh ada pegawai berpredikat {names}"


# --- the guides --------------------------------------------------------------------------------------------

def rhk_guide() -> StarterMaterial:
    body = """
<p class="lead">Rencana Hasil Kerja (RHK) adalah hasil kerja yang Anda janjikan dalam SKP tahun ini.
RHK yang baik membuat penilaian menjadi objektif: atasan dan Anda menilai hal yang sama dengan ukuran yang
sama.</p>
<h3>1. Mulai dari RHK atasan</h3>
<p>Setiap RHK utama harus mendukung salah satu RHK atasan langsung Anda (<em>RHK pimpinan yang
diintervensi</em>). Inilah cara tujuan organisasi turun sampai ke setiap pegawai. Pejabat pimpinan tinggi
(JPT) memakai <em>perspektif</em> (misalnya Penerima Layanan) sebagai gantinya.</p>
<h3>2. Tulis hasil, bukan kegiatan</h3>
<p>RHK menyebut keadaan yang tercapai atau produk yang dihasilkan, bukan daftar pekerjaan rutin.</p>
<table class="table table-bordered table-condensed">
<thead><tr><th>Kurang tepat</th><th>Lebih baik</th><th>Mengapa</th></tr></thead>
<tbody>
<tr><td class="danger">Melaksanakan rapat koordinasi</td>
<td class="success">Tersusunnya rencana aksi penanganan DBD yang disepakati seluruh puskesmas</td>
<td>Rapat adalah kegiatan; rencana aksi yang disepakati adalah hasilnya.</td></tr>
<tr><td class="danger">Mengelola data pegawai</td>
<td class="success">Tersedianya data kepegawaian yang mutakhir dan valid di aplikasi kepegawaian</td>
<td>"Mengelola" tidak bisa diukur; "mutakhir dan valid" bisa diperiksa.</td></tr>
<tr><td class="danger">Membantu atasan</td>
<td class="success">Terselesaikannya telaahan staf atas usulan kebijakan bidang tepat waktu</td>
<td>Menyebut produk dan ukuran mutunya.</td></tr>
<tr><td class="danger">Mengajar sesuai jadwal</td>
<td class="success">Meningkatnya ketuntasan belajar peserta didik kelas VII pada mata pelajaran IPA</td>
<td>Hasil bagi penerima layanan, bukan kehadiran di kelas.</td></tr>
</tbody>
</table>
<h3>3. Beri indikator yang terukur</h3>
<p>Setiap RHK punya satu atau beberapa indikator dengan <strong>aspek</strong> (Kuantitas, Kualitas,
Waktu, Biaya), <strong>target</strong> dan <strong>satuan</strong>.</p>
<ul>
<li><strong>Kuantitas</strong>: 12 dokumen laporan, 4 kegiatan sosialisasi, 250 berkas terverifikasi.</li>
<li><strong>Kualitas</strong>: 100 % data tanpa kesalahan, nilai IKM unit paling sedikit 85.</li>
<li><strong>Waktu</strong>: 12 bulan, laporan selesai paling lambat tanggal 10 bulan berikutnya.</li>
<li><strong>Biaya</strong>: realisasi anggaran sesuai rencana (dipakai bila relevan).</li>
</ul>
<p>Hindari target yang tidak bisa dibuktikan ("meningkat", "optimal", "sebaik-baiknya") tanpa angka atau
kriteria. Di pelayanan publik, indeks kepuasan masyarakat (IKM) unit dapat menjadi nilai indikator.</p>
<h3>4. Siapkan bukti dukung sejak awal</h3>
<p>Pikirkan bukti apa yang akan Anda unggah sebagai realisasi: laporan, daftar hadir, tangkapan layar
aplikasi, berita acara. Bila buktinya tidak jelas, RHK-nya perlu dirumuskan ulang.</p>
<h3>5. Alur SKP di portal</h3>
<p>SKP ditulis sekali setahun (paling lambat akhir Januari): <strong>Draft</strong> → <strong>Diajukan</strong>
→ <strong>Disetujui</strong>, atau <strong>Dikembalikan</strong> dengan catatan lalu diperbaiki. SKP yang
sudah disetujui dikunci; perubahan dibuat sebagai revisi baru.</p>
<h3>Daftar periksa</h3>
<ul>
<li>Mendukung RHK atasan? </li>
<li>Berupa hasil, bukan kegiatan?</li>
<li>Setiap indikator punya aspek, target dan satuan?</li>
<li>Buktinya jelas?</li>
</ul>
"""
    return StarterMaterial("panduan-rhk", Category.RHK_GUIDE.value, "Panduan Menulis Rencana Hasil Kerja (RHK)",
                           body.strip())


def rating_matrix() -> StarterMaterial:
    """The nine cells of PREDIKAT_MATRIX as a table, and each cell as a sentence."""
    head = "".join(f"<th class=\"text-center\">{escape(RATING_ID[p])}</th>" for p in RATING_ORDER)
    rows = []
    for h in RATING_ORDER:
        cells = "".join(
            f"<td class=\"{PREDIKAT_CLASS[PREDIKAT_MATRIX[(h, p)]]}\">{escape(PREDIKAT_ID[PREDIKAT_MATRIX[(h, p)]])}</td>"
            for p in RATING_ORDER)
        rows.append(f"<tr><th>{escape(RATING_ID[h])}</th>{cells}</tr>")
    sentences = "".join(
        f"<li>Hasil kerja <strong>{escape(RATING_ID[h])}</strong> dan perilaku kerja "
        f"<strong>{escape(RATING_ID[p])}</strong> → predikat <strong>{escape(PREDIKAT_ID[PREDIKAT_MATRIX[(h, p)]])}"
        f"</strong></li>" for h in RATING_ORDER for p in RATING_ORDER)
    body = f"""
<p class="lead">Predikat kinerja pegawai tidak diketik oleh penilai: predikat mengikuti dua rating yang diberikan
pejabat penilai, melalui matriks PermenPANRB 6/2022.</p>
<h3>Dua rating</h3>
<ul>
<li><strong>Rating hasil kerja</strong>: sejauh mana RHK dan indikatornya tercapai, dilihat dari realisasi dan
bukti dukung.</li>
<li><strong>Rating perilaku kerja</strong>: sejauh mana perilaku sesuai nilai dasar BerAKHLAK (Berorientasi
Pelayanan, Akuntabel, Kompeten, Harmonis, Loyal, Adaptif, Kolaboratif) dan ekspektasi khusus pimpinan.</li>
</ul>
<p>Masing-masing bernilai {escape(RATING_ID[Rating.DI_ATAS])}, {escape(RATING_ID[Rating.SESUAI])} atau
{escape(RATING_ID[Rating.DI_BAWAH])}.</p>
<h3>Matriks predikat</h3>
<table class="table table-bordered table-condensed">
<caption>Baris: rating hasil kerja. Kolom: rating perilaku kerja.</caption>
<thead><tr><th>Hasil kerja \\ Perilaku kerja</th>{head}</tr></thead>
<tbody>{"".join(rows)}</tbody>
</table>
<h3>Kesembilan kemungkinan</h3>
<ol>{sentences}</ol>
<h3>Yang perlu diingat</h3>
<ul>
<li>Perilaku kerja di bawah ekspektasi tidak tertolong oleh hasil kerja yang tinggi: predikatnya
<strong>{escape(PREDIKAT_ID[PREDIKAT_MATRIX[(Rating.DI_ATAS, Rating.DI_BAWAH)]])}</strong>.</li>
<li>Predikat <strong>{escape(PREDIKAT_ID[Predikat.SANGAT_BAIK])}</strong> hanya bila kedua rating
{escape(RATING_ID[Rating.DI_ATAS])}.</li>
<li>Portal menghitung predikat dari kedua rating saat penilai menyimpan, dan menampilkannya lebih dulu di
layar penilaian.</li>
</ul>
"""
    return StarterMaterial("matriks-predikat", Category.RATING_MATRIX.value,
                           "Matriks Rating dan Predikat Kinerja Pegawai", body.strip())


def distribution_curve() -> StarterMaterial:
    """DEFAULT_RULES, one row per organisation rating."""
    rows = []
    for org in OrgRating:
        lines = "".join(f"<li>{escape(rule_text(rule))}</li>" for rule in DEFAULT_RULES.get(org, ()))
        rows.append(f"<tr><th>{escape(ORG_RATING_ID[org])}</th><td><ul>{lines}</ul></td></tr>")
    body = f"""
<p class="lead">Setiap unit kerja mendapat <em>predikat kinerja organisasi</em> untuk periode penilaian, dari
capaian perjanjian kinerjanya. Predikat para pegawai unit itu diharapkan mengikuti pola distribusi (kurva)
yang sesuai dengan predikat organisasinya.</p>
<h3>Pola distribusi per predikat organisasi</h3>
<table class="table table-bordered table-condensed">
<thead><tr><th>Predikat kinerja organisasi</th><th>Distribusi predikat pegawai yang diharapkan</th></tr></thead>
<tbody>{"".join(rows)}</tbody>
</table>
<p>Pegawai selebihnya boleh berpredikat apa saja yang tidak disebut di atas.</p>
<h3>Bagaimana portal memakainya</h3>
<ul>
<li>Layar <strong>Penetapan Predikat</strong> membandingkan predikat pegawai unit dengan kurva ini dan
menampilkan <strong>peringatan</strong> bila menyimpang. Peringatan tidak pernah menghalangi penyimpanan
penilaian.</li>
<li>Pimpinan tinggi unit mendapat rating hasil kerja yang setara dengan capaian organisasinya.</li>
<li>Kurva berasal dari sumber sekunder dan dapat disesuaikan oleh BKPSDM sebagai data, bukan aturan yang
dikunci di program.</li>
</ul>
"""
    return StarterMaterial("kurva-distribusi", Category.DISTRIBUTION.value,
                           "Kurva Distribusi Predikat Kinerja Pegawai", body.strip())


def objection_procedure() -> StarterMaterial:
    states = " → ".join(escape(OBJECTION_STATE_ID[s]) for s in ObjectionState)
    body = f"""
<p class="lead">Bila Anda tidak sependapat dengan hasil penilaian kinerja yang sudah final, Anda dapat
mengajukan <strong>keberatan</strong>.</p>
<h3>Batas waktu</h3>
<ul>
<li>Keberatan diajukan paling lambat <strong>{DEFAULT_OBJECTION_DAYS} hari</strong> kalender sejak hasil
penilaian final Anda terima. Hari penilaian menjadi final dihitung hari ke-0; keberatan pada hari
ke-{DEFAULT_OBJECTION_DAYS} masih diterima, pada hari ke-{DEFAULT_OBJECTION_DAYS + 1} tidak lagi.</li>
<li>Atasan pejabat penilai memutus keberatan dalam <strong>{DEFAULT_DECISION_DAYS} hari</strong> sejak
keberatan diajukan (dapat diatur oleh BKPSDM).</li>
</ul>
<h3>Alur</h3>
<p><strong>{states}</strong> (keputusan: {escape(DECISION_ID[ObjectionDecision.TETAP])} atau
{escape(DECISION_ID[ObjectionDecision.DIUBAH])})</p>
<ol>
<li><strong>{escape(OBJECTION_STATE_ID[ObjectionState.DIAJUKAN])}</strong>: Anda membuka penilaian final di
menu <em>Kinerja Saya → Penilaian Saya</em>, menulis alasan keberatan secara jelas (RHK mana, realisasi atau
bukti apa yang menurut Anda belum dipertimbangkan), lalu mengajukannya. Pejabat penilai dan atasannya
mendapat notifikasi.</li>
<li><strong>{escape(OBJECTION_STATE_ID[ObjectionState.DIJELASKAN])}</strong>: pejabat penilai menulis
penjelasan atas penilaiannya.</li>
<li><strong>{escape(OBJECTION_STATE_ID[ObjectionState.DIPUTUS])}</strong>: <strong>atasan pejabat
penilai</strong> mempertimbangkan keberatan dan penjelasan, lalu memutuskan hasil
<strong>{escape(DECISION_ID[ObjectionDecision.TETAP])}</strong> atau
<strong>{escape(DECISION_ID[ObjectionDecision.DIUBAH])}</strong> (dengan rating baru; predikat baru mengikuti
matriks). Keputusan ini <strong>final</strong>.</li>
</ol>
<h3>Tips</h3>
<ul>
<li>Sebutkan fakta dan bukti, bukan perasaan. Lampirkan bukti dukung pada realisasi sebelum mengajukan.</li>
<li>Semua langkah tercatat di riwayat penilaian dan tercetak pada Dokumen Evaluasi Kinerja Pegawai
(bagian keberatan, penjelasan dan keputusan).</li>
</ul>
"""
    return StarterMaterial("prosedur-keberatan", Category.OBJECTION.value, "Prosedur Keberatan atas Hasil Penilaian",
                           body.strip())


def faq() -> StarterMaterial:
    sb, b = escape(PREDIKAT_ID[Predikat.SANGAT_BAIK]), escape(PREDIKAT_ID[Predikat.BAIK])
    body = f"""
<dl>
<dt>Kapan SKP harus selesai?</dt>
<dd>SKP tahun berjalan diajukan dan disetujui paling lambat akhir Januari. Portal mengingatkan pegawai yang
belum mengajukan.</dd>
<dt>Siapa pejabat penilai saya?</dt>
<dd>Biasanya atasan langsung, yaitu pemegang jabatan induk dari jabatan Anda. Untuk pelaksana tugas atau
jabatan kosong, admin dapat menetapkan atasan lain.</dd>
<dt>Seberapa sering saya melaporkan realisasi?</dt>
<dd>Sesering hasilnya tercapai. Penilaian dilakukan per triwulan (Triwulan I–IV) dan tahunan; realisasi yang
dicatat tepat waktu dengan bukti dukung memudahkan penilaian.</dd>
<dt>Apakah penilai boleh memilih predikat sendiri?</dt>
<dd>Tidak. Penilai memberi rating hasil kerja dan rating perilaku kerja; predikat mengikuti matriks.</dd>
<dt>Mengapa unit saya mendapat peringatan distribusi?</dt>
<dd>Karena sebaran predikat pegawainya menyimpang dari kurva untuk predikat organisasi unit. Itu peringatan,
bukan larangan: penilaian tetap tersimpan.</dd>
<dt>Apa gunanya predikat bagi saya?</dt>
<dd>Predikat {sb} dua tahun berturut-turut memberi prioritas masuk kelompok rencana suksesi (talent pool);
predikat {b} dua tahun berturut-turut memberi prioritas pengembangan kompetensi. Predikat juga menjadi dasar
tambahan penghasilan pegawai (TPP) dan angka kredit jabatan fungsional.</dd>
<dt>Saya tidak setuju dengan hasil penilaian. Apa yang bisa saya lakukan?</dt>
<dd>Ajukan keberatan dalam {DEFAULT_OBJECTION_DAYS} hari sejak hasil final; lihat materi Prosedur
Keberatan.</dd>
<dt>Apa arti tombol "Saya sudah membaca dan memahami"?</dt>
<dd>Konfirmasi bahwa Anda sudah membaca versi materi ini. Bila materi diperbarui, Anda diminta membaca dan
mengonfirmasi versi barunya.</dd>
</dl>
"""
    return StarterMaterial("tanya-jawab", Category.FAQ.value, "Tanya Jawab Manajemen Kinerja", body.strip())


def starter_materials() -> list:
    """The starter set, in the order it is listed."""
    return [rhk_guide(), rating_matrix(), distribution_curve(), objection_procedure(), faq()]
