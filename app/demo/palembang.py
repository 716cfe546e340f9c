"""Static reference data of the Palembang demo (Indonesian text: names of units and people are data,
not user-interface strings, and are not translated).

Sources and certainty:
- The OPD list follows the usual structure of a kota government in Indonesia and the agencies that
  Pemerintah Kota Palembang has (Sekretariat Daerah, Inspektorat, the dinas and badan below); the
  bidang of each OPD are plausible, modelled on the national nomenclature, not copied from the
  city's organisation regulation.
- The 18 kecamatan are the real ones (domain.md). The kelurahan are real Palembang kelurahan names
  as far as known, 107 in total; the split of kelurahan between Ilir Timur II / Ilir Timur III and
  between Seberang Ulu I / Jakabaring (the 2016 expansion) is plausible, not verified.
- Puskesmas names are real Palembang puskesmas as far as known; school names follow the city's
  numbering style ("SD Negeri 12 Palembang") but the numbers used are arbitrary.
"""
from __future__ import annotations

ROOT_CODE = "PLG"  # the demo's marker: a unit with this code means the demo is loaded
ROOT_NAME = "Pemerintah Kota Palembang"

# (code, name, head position title, head grade, [bidang/bagian names], domain key for functional jobs)
# The first OPD (Sekretariat Daerah) holds the Sekretaris Daerah, whom every OPD head and camat reports to.
OPDS = [
    ("SETDA", "Sekretariat Daerah", "Sekretaris Daerah", 15,
     ["Bagian Tata Pemerintahan", "Bagian Hukum", "Bagian Organisasi", "Bagian Kesejahteraan Rakyat",
      "Bagian Perekonomian dan Sumber Daya Alam", "Bagian Pengadaan Barang dan Jasa",
      "Bagian Umum", "Bagian Protokol dan Komunikasi Pimpinan"], "umum"),
    ("SETWAN", "Sekretariat DPRD", "Sekretaris DPRD", 14,
     ["Bagian Umum dan Keuangan", "Bagian Persidangan dan Perundang-undangan",
      "Bagian Fasilitasi Penganggaran dan Pengawasan"], "umum"),
    ("INSP", "Inspektorat Daerah", "Inspektur", 14,
     ["Inspektur Pembantu Wilayah I", "Inspektur Pembantu Wilayah II", "Inspektur Pembantu Wilayah III",
      "Inspektur Pembantu Wilayah IV"], "inspektorat"),
    ("DISDIK", "Dinas Pendidikan", "Kepala Dinas Pendidikan", 14,
     ["Bidang Pembinaan PAUD dan Pendidikan Nonformal", "Bidang Pembinaan Sekolah Dasar",
      "Bidang Pembinaan Sekolah Menengah Pertama", "Bidang Guru dan Tenaga Kependidikan"], "pendidikan"),
    ("DINKES", "Dinas Kesehatan", "Kepala Dinas Kesehatan", 14,
     ["Bidang Kesehatan Masyarakat", "Bidang Pencegahan dan Pengendalian Penyakit",
      "Bidang Pelayanan Kesehatan", "Bidang Sumber Daya Kesehatan"], "kesehatan"),
    ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "Kepala Dinas Pekerjaan Umum dan Penataan Ruang", 14,
     ["Bidang Bina Marga", "Bidang Sumber Daya Air", "Bidang Cipta Karya", "Bidang Penataan Ruang"], "pupr"),
    ("PERKIM", "Dinas Perumahan Rakyat dan Kawasan Permukiman",
     "Kepala Dinas Perumahan Rakyat dan Kawasan Permukiman", 14,
     ["Bidang Perumahan", "Bidang Kawasan Permukiman", "Bidang Pertanahan"], "pupr"),
    ("DISHUB", "Dinas Perhubungan", "Kepala Dinas Perhubungan", 14,
     ["Bidang Lalu Lintas", "Bidang Angkutan", "Bidang Sarana dan Prasarana", "Bidang Perparkiran"],
     "perhubungan"),
    ("DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "Kepala Dinas Kependudukan dan Pencatatan Sipil", 14,
     ["Bidang Pelayanan Pendaftaran Penduduk", "Bidang Pelayanan Pencatatan Sipil",
      "Bidang Pengelolaan Informasi Administrasi Kependudukan", "Bidang Pemanfaatan Data dan Inovasi Pelayanan"],
     "dukcapil"),
    ("DINSOS", "Dinas Sosial", "Kepala Dinas Sosial", 14,
     ["Bidang Rehabilitasi Sosial", "Bidang Perlindungan dan Jaminan Sosial",
      "Bidang Pemberdayaan Sosial dan Penanganan Fakir Miskin"], "sosial"),
    ("DLHK", "Dinas Lingkungan Hidup dan Kebersihan", "Kepala Dinas Lingkungan Hidup dan Kebersihan", 14,
     ["Bidang Tata Lingkungan", "Bidang Pengelolaan Sampah dan Limbah B3",
      "Bidang Pengendalian Pencemaran dan Kerusakan Lingkungan", "Bidang Pertamanan"], "lingkungan"),
    ("DISDAG", "Dinas Perdagangan", "Kepala Dinas Perdagangan", 14,
     ["Bidang Perdagangan Dalam Negeri", "Bidang Pengelolaan Pasar", "Bidang Metrologi dan Perlindungan Konsumen"],
     "perdagangan"),
    ("KOMINFO", "Dinas Komunikasi dan Informatika", "Kepala Dinas Komunikasi dan Informatika", 14,
     ["Bidang Informasi dan Komunikasi Publik", "Bidang Aplikasi Informatika", "Bidang Infrastruktur TIK",
      "Bidang Persandian dan Statistik"], "kominfo"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", "Kepala Satuan Polisi Pamong Praja", 14,
     ["Bidang Penegakan Peraturan Daerah", "Bidang Ketertiban Umum dan Ketenteraman Masyarakat",
      "Bidang Perlindungan Masyarakat"], "satpol"),
    ("DAMKAR", "Dinas Pemadam Kebakaran dan Penyelamatan", "Kepala Dinas Pemadam Kebakaran dan Penyelamatan", 14,
     ["Bidang Pencegahan Kebakaran", "Bidang Pemadaman dan Penyelamatan", "Bidang Sarana dan Prasarana"],
     "damkar"),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
     "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", 14,
     ["Bidang Pengadaan, Pemberhentian dan Informasi", "Bidang Mutasi dan Promosi",
      "Bidang Pengembangan Kompetensi Aparatur", "Bidang Penilaian Kinerja Aparatur dan Penghargaan"],
     "kepegawaian"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah",
     "Kepala Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah", 14,
     ["Bidang Perencanaan, Pengendalian dan Evaluasi", "Bidang Perekonomian dan Sumber Daya Alam",
      "Bidang Pemerintahan dan Pembangunan Manusia", "Bidang Infrastruktur dan Kewilayahan",
      "Bidang Riset dan Inovasi"], "perencanaan"),
    ("BPKAD", "Badan Pengelola Keuangan dan Aset Daerah", "Kepala Badan Pengelola Keuangan dan Aset Daerah", 14,
     ["Bidang Anggaran", "Bidang Perbendaharaan", "Bidang Akuntansi", "Bidang Aset"], "keuangan"),
    ("BAPENDA", "Badan Pendapatan Daerah", "Kepala Badan Pendapatan Daerah", 14,
     ["Bidang Pendataan dan Penetapan", "Bidang Penagihan dan Keberatan", "Bidang PBB dan BPHTB",
      "Bidang Pengembangan dan Pengendalian"], "keuangan"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", "Kepala Pelaksana Badan Penanggulangan Bencana Daerah", 14,
     ["Bidang Pencegahan dan Kesiapsiagaan", "Bidang Kedaruratan dan Logistik",
      "Bidang Rehabilitasi dan Rekonstruksi"], "umum"),
    ("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "Kepala Badan Kesatuan Bangsa dan Politik", 14,
     ["Bidang Ideologi dan Wawasan Kebangsaan", "Bidang Politik Dalam Negeri",
      "Bidang Ketahanan Ekonomi, Sosial dan Budaya"], "umum"),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
     "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", 14,
     ["Bidang Penanaman Modal", "Bidang Pelayanan Perizinan", "Bidang Pengaduan dan Pengawasan"], "umum"),
    ("DISNAKER", "Dinas Tenaga Kerja", "Kepala Dinas Tenaga Kerja", 14,
     ["Bidang Pelatihan dan Penempatan Tenaga Kerja", "Bidang Hubungan Industrial"], "umum"),
    ("DISKOPUKM", "Dinas Koperasi dan Usaha Kecil Menengah", "Kepala Dinas Koperasi dan Usaha Kecil Menengah", 14,
     ["Bidang Kelembagaan dan Pengawasan Koperasi", "Bidang Pemberdayaan Usaha Kecil Menengah"], "umum"),
    ("DPPPA", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
     "Kepala Dinas Pemberdayaan Perempuan dan Perlindungan Anak", 14,
     ["Bidang Pemberdayaan Perempuan", "Bidang Perlindungan Anak", "Bidang Pengendalian Penduduk dan KB"],
     "sosial"),
    ("DISPORA", "Dinas Pemuda dan Olahraga", "Kepala Dinas Pemuda dan Olahraga", 14,
     ["Bidang Kepemudaan", "Bidang Keolahragaan"], "umum"),
    ("DISBUDPAR", "Dinas Kebudayaan dan Pariwisata", "Kepala Dinas Kebudayaan dan Pariwisata", 14,
     ["Bidang Kebudayaan", "Bidang Destinasi Pariwisata", "Bidang Pemasaran dan Ekonomi Kreatif"], "umum"),
    ("DISPUSIP", "Dinas Perpustakaan dan Kearsipan", "Kepala Dinas Perpustakaan dan Kearsipan", 14,
     ["Bidang Layanan Perpustakaan", "Bidang Kearsipan"], "perpustakaan"),
    ("DKPP", "Dinas Ketahanan Pangan dan Pertanian", "Kepala Dinas Ketahanan Pangan dan Pertanian", 14,
     ["Bidang Ketahanan Pangan", "Bidang Tanaman Pangan dan Hortikultura", "Bidang Peternakan dan Perikanan"],
     "pertanian"),
]

# UPTD (technical units) per OPD code.
UPTDS = {
    "DINKES": ["UPTD Laboratorium Kesehatan Daerah", "UPTD Instalasi Farmasi"],
    "DISHUB": ["UPTD Pengujian Kendaraan Bermotor"],
    "DLHK": ["UPTD Tempat Pemrosesan Akhir Sukawinatan"],
    "BAPENDA": ["UPTD Pajak Daerah Wilayah I", "UPTD Pajak Daerah Wilayah II"],
}

# The 18 kecamatan and their kelurahan (107 in total). See the module docstring for certainty.
KECAMATAN = [
    ("Alang-Alang Lebar", ["Alang-Alang Lebar", "Karya Baru", "Srijaya", "Talang Kelapa"]),
    ("Bukit Kecil", ["19 Ilir", "22 Ilir", "23 Ilir", "24 Ilir", "26 Ilir", "Talang Semut"]),
    ("Gandus", ["36 Ilir", "Gandus", "Karang Anyar", "Karang Jaya", "Pulokerto"]),
    ("Ilir Barat I", ["26 Ilir D. I", "Bukit Baru", "Bukit Lama", "Demang Lebar Daun", "Lorok Pakjo",
                      "Siring Agung"]),
    ("Ilir Barat II", ["27 Ilir", "28 Ilir", "29 Ilir", "30 Ilir", "32 Ilir", "35 Ilir", "Kemang Manis"]),
    ("Ilir Timur I", ["13 Ilir", "14 Ilir", "15 Ilir", "16 Ilir", "17 Ilir", "18 Ilir", "20 Ilir D. I",
                      "20 Ilir D. III", "20 Ilir D. IV", "Kepandean Baru", "Sungai Pangeran"]),
    ("Ilir Timur II", ["1 Ilir", "2 Ilir", "3 Ilir", "Kuto Batu", "Lawang Kidul", "Sungai Buah"]),
    ("Ilir Timur III", ["5 Ilir", "8 Ilir", "9 Ilir", "10 Ilir", "11 Ilir", "Duku"]),
    ("Jakabaring", ["8 Ulu", "15 Ulu", "Silaberanti", "Tuan Kentang"]),
    ("Kalidoni", ["Bukit Sangkal", "Kalidoni", "Sei Lais", "Sei Selayur", "Sei Selincah"]),
    ("Kemuning", ["20 Ilir D. II", "Ario Kemuning", "Pahlawan", "Pipa Reja", "Sekip Jaya", "Talang Aman"]),
    ("Kertapati", ["Karya Jaya", "Kemang Agung", "Kemas Rindo", "Keramasan", "Kertapati", "Ogan Baru"]),
    ("Plaju", ["Bagus Kuning", "Komperta", "Plaju Darat", "Plaju Ilir", "Plaju Ulu", "Talang Bubuk",
               "Talang Putri"]),
    ("Sako", ["Sako", "Sako Baru", "Sialang", "Sukamaju"]),
    ("Seberang Ulu I", ["1 Ulu", "2 Ulu", "3-4 Ulu", "5 Ulu", "7 Ulu", "9-10 Ulu"]),
    ("Seberang Ulu II", ["11 Ulu", "12 Ulu", "13 Ulu", "14 Ulu", "16 Ulu", "Sentosa", "Tangga Takat"]),
    ("Sematang Borang", ["Karya Mulya", "Lebung Gajah", "Srimulya", "Suka Mulya"]),
    ("Sukarami", ["Kebun Bunga", "Sukabangun", "Sukajaya", "Sukarami", "Sukodadi", "Talang Betutu",
                  "Talang Jambe"]),
]

KECAMATAN_SECTIONS = ["Seksi Pemerintahan", "Seksi Ketenteraman dan Ketertiban Umum",
                      "Seksi Pemberdayaan Masyarakat dan Kelurahan", "Seksi Kesejahteraan Sosial"]

# Puskesmas under Dinas Kesehatan (real names as far as known).
PUSKESMAS = [
    "Puskesmas Sukarami", "Puskesmas Kenten", "Puskesmas Merdeka", "Puskesmas Dempo", "Puskesmas Makrayu",
    "Puskesmas 4 Ulu", "Puskesmas 7 Ulu", "Puskesmas Plaju", "Puskesmas Basuki Rahmat", "Puskesmas Sabokingking",
    "Puskesmas Kertapati", "Puskesmas Talang Ratu", "Puskesmas Sei Baung", "Puskesmas Pembina",
    "Puskesmas Kampus", "Puskesmas Ariodillah", "Puskesmas Punti Kayu", "Puskesmas Alang-Alang Lebar",
    "Puskesmas Sosial", "Puskesmas Gandus", "Puskesmas Boom Baru", "Puskesmas Kalidoni", "Puskesmas Sako",
    "Puskesmas Multi Wahana", "Puskesmas Padang Selasa", "Puskesmas Taman Bacaan", "Puskesmas Nagaswidak",
    "Puskesmas Keramasan", "Puskesmas Sematang Borang", "Puskesmas 23 Ilir", "Puskesmas Opi",
    "Puskesmas Sekip",
]

# School numbers used in the demo (arbitrary; the city numbers its state schools this way).
SD_NUMBERS = [1, 4, 7, 12, 16, 21, 25, 33, 38, 41, 47, 52, 58, 63, 69, 74, 79, 85, 91, 96, 102, 109, 117,
              121, 128, 134, 142, 150, 157, 163]
SMP_NUMBERS = [1, 3, 4, 6, 9, 10, 13, 15, 17, 19, 22, 26, 29, 33, 37, 40, 45, 48]

# --- people ------------------------------------------------------------------------------------

MALE_FIRST = [
    "Ahmad", "Muhammad", "Rudi", "Hendra", "Agus", "Budi", "Dedi", "Eko", "Fajar", "Hadi", "Irwan", "Joko",
    "Andi", "Bambang", "Yusuf", "Rizki", "Arif", "Dimas", "Fikri", "Hasan", "Iwan", "Syahrial", "Zulkifli",
    "Herman", "Indra", "Ridwan", "Taufik", "Wahyu", "Yudi", "Akbar", "Aditya", "Bayu", "Candra", "Darmawan",
    "Erwin", "Fauzan", "Gunawan", "Hafiz", "Ilham", "Kurniawan", "Luthfi", "Mulyadi", "Novri", "Oktariansyah",
    "Rahmat", "Sandi", "Teguh", "Umar", "Wawan", "Yoga", "Zainal", "Alamsyah", "Amrullah", "Junaidi",
    "Ansori", "Azhari", "Mahmud", "Syamsul", "Sofyan", "Reza", "Fadli", "Helmi", "Rasyid", "Yopi",
]
FEMALE_FIRST = [
    "Siti", "Dewi", "Rina", "Yuni", "Fitri", "Sri", "Ayu", "Nur", "Ratna", "Wulan", "Indah", "Maya",
    "Novita", "Putri", "Rahmawati", "Sari", "Yanti", "Dian", "Eka", "Heni", "Ika", "Juwita", "Kartika",
    "Lina", "Mega", "Nurul", "Oktaviani", "Puspita", "Rosita", "Santi", "Tuti", "Utami", "Vera", "Winda",
    "Yulia", "Zahra", "Anisa", "Desi", "Evi", "Febriyanti", "Herlina", "Irma", "Lusiana", "Marlina",
    "Nurhayati", "Rohayati", "Susanti", "Trisna", "Yuliana", "Aisyah", "Meilinda", "Septiani", "Ratih",
    "Elvira", "Fatimah", "Halimah", "Khairunnisa", "Laila", "Murni", "Nia",
]
MALE_LAST = [
    "Santoso", "Hartono", "Wijaya", "Saputra", "Pratama", "Kurniawan", "Setiawan", "Hidayat", "Nugroho",
    "Susanto", "Rahman", "Syahputra", "Firmansyah", "Ramadhan", "Fauzi", "Hakim", "Yusuf", "Harahap",
    "Siregar", "Nasution", "Lubis", "Effendi", "Anwar", "Irawan", "Gunawan", "Mahendra", "Zulkarnain",
    "Hamzah", "Ismail", "Basri", "Thamrin", "Dahlan", "Arsyad", "Bakri", "Azhar", "Fahrurrozi", "Syarifuddin",
    "Abdullah", "Hermansyah", "Alamsyah", "Aprianto", "Juliansyah", "Oktavianus", "Riyadi", "Saleh",
]
FEMALE_LAST = [
    "Lestari", "Aminah", "Handayani", "Marlina", "Sari", "Wati", "Rahmawati", "Novianti", "Permata",
    "Puspitasari", "Utami", "Kusuma", "Maharani", "Damayanti", "Ariani", "Safitri", "Oktaviani", "Septiani",
    "Febriani", "Yuliani", "Wulandari", "Anggraini", "Agustina", "Fitriani", "Purnamasari", "Ningsih",
    "Astuti", "Rosmala", "Khairani", "Suryani", "Apriyanti", "Rahmadani", "Fadillah", "Hasanah",
]
# Palembang's traditional noble name prefixes, part of the name itself (not academic titles).
MALE_PREFIXES = ["Kgs.", "Kms.", "Mgs.", "R."]
FEMALE_PREFIXES = ["Nyimas", "Nyayu", "Masayu"]

BIRTH_PLACES = (["Palembang"] * 12 + ["Prabumulih", "Lahat", "Baturaja", "Muara Enim", "Kayuagung",
                "Lubuklinggau", "Pagar Alam", "Sekayu", "Pangkalan Balai", "Jambi", "Bengkulu",
                "Bandar Lampung", "Padang", "Jakarta", "Yogyakarta", "Pangkalpinang"])

# Back titles by education; picked per position in the loader.
TITLES_S1_GENERAL = ["S.E.", "S.H.", "S.Sos.", "S.IP.", "S.Kom.", "S.T.", "S.Ak.", "S.AP.", "S.Pd."]
TITLES_S2 = ["M.Si.", "M.M.", "M.H.", "M.AP."]
TITLES_D3 = ["A.Md.", "A.Md.Kom.", "A.Md.Ak."]

DEMO_EMAIL_DOMAIN = "palembang.example"  # reserved TLD: the demo never mails a real person
