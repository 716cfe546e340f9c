"""Pure rules of the socialization material (app/socialization/rules.py, starter.py): the sanitiser's
allow-list, validation of the editor's input, publication dates, audience, reading state, reach sums.

No database and no request (an app context from the autouse fixtures, messages compared in English)."""
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from app.performance.distribution import DEFAULT_RULES, DistributionRule, RuleKind
from app.performance.rating import PREDIKAT_MATRIX, OrgRating, Predikat
from app.socialization import rules as r
from app.socialization import starter
from app.socialization.rules import Audience, ReadingState


@pytest.fixture(autouse=True)
def _english():
    from flask_babel import force_locale

    with force_locale("en"):
        yield


# --- the sanitiser -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dirty, gone", [
    ("<script>alert(1)</script><p>x</p>", "alert"),
    ('<p onclick="alert(1)">x</p>', "onclick"),
    ('<a href="javascript:alert(1)">x</a>', "javascript"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
    ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "data:"),
    ('<img src="https://evil.example/a.png">', "img"),
    ('<iframe src="https://evil.example"></iframe>', "iframe"),
    ('<p style="background:url(https://evil.example)">x</p>', "style"),
    ("<style>p{}</style><p>x</p>", "p{}"),
    ('<svg onload="alert(1)"><circle/></svg>', "svg"),
    ('<form action="https://evil.example"><input name="a"></form>', "form"),
    ('<link rel="stylesheet" href="https://evil.example/x.css">', "link"),
    ('<p class="navbar-fixed-top">x</p>', "navbar"),
    ("<!-- komentar --><p>x</p>", "komentar"),
    ('<object data="x.swf"></object>', "object"),
])
def test_sanitiser_removes_what_could_run_or_load(dirty, gone):
    clean = r.sanitize_html(dirty)
    assert gone.lower() not in clean.lower(), clean


def test_sanitiser_keeps_the_allowed_structure_and_marks_links():
    html = ('<h3>Judul</h3><p class="lead">Teks <strong>tebal</strong> <em>miring</em></p><ul><li>satu</li></ul>'
            '<table class="table table-bordered"><tr><th colspan="2">a</th></tr><tr><td class="success">b</td></tr>'
            '</table><a href="https://palembang.go.id" title="Pemkot">situs</a><a href="mailto:a@b.id">surel</a>')
    clean = r.sanitize_html(html)
    for kept in ("<h3>Judul</h3>", '<p class="lead">', "<strong>tebal</strong>", "<ul><li>satu</li></ul>",
                 '<table class="table table-bordered">', 'colspan="2"', '<td class="success">', 'title="Pemkot"',
                 'href="mailto:a@b.id"'):
        assert kept in clean, (kept, clean)
    assert clean.count('rel="noopener noreferrer"') == 2


def test_sanitiser_turns_plain_text_into_escaped_paragraphs():
    assert r.sanitize_html("Baris satu\nbaris dua\n\nParagraf dua") == "<p>Baris satu<br>baris dua</p><p>Paragraf dua</p>"
    clean = r.sanitize_html("a & b\n\nc")
    assert clean == "<p>a &amp; b</p><p>c</p>"
    assert r.sanitize_html("") == "" and r.sanitize_html(None) == "" and r.sanitize_html("\x00") == ""


def test_sanitiser_is_idempotent_on_the_starter_set():
    for item in starter.starter_materials():
        assert r.sanitize_html(item.body_html) == item.body_html, item.code


def test_plain_text_and_excerpt():
    assert r.plain_text("<p>Satu&nbsp;<b>dua</b></p>\n<p>tiga</p>") == "Satu dua tiga"
    assert r.excerpt("<p>" + "kata " * 100 + "</p>", 30).endswith("…")
    assert len(r.excerpt("<p>" + "kata " * 100 + "</p>", 30)) <= 30


# --- validation ---------------------------------------------------------------------------------------------

def test_content_validation_boundaries():
    body = "<p>Isi</p>"
    assert r.validate_content("Judul", body, "", first=True) == {}
    assert set(r.validate_content("", body, "", first=True)) == {"title"}
    assert set(r.validate_content("x" * r.TITLE_MAX, body, "", first=True)) == set()
    assert set(r.validate_content("x" * (r.TITLE_MAX + 1), body, "", first=True)) == {"title"}
    assert set(r.validate_content("Judul", "<p> </p>", "", first=True)) == {"body"}
    assert set(r.validate_content("Judul", "<p>" + "x" * r.BODY_MAX + "</p>", "", first=True)) == {"body"}
    assert set(r.validate_content("Judul", body, "", first=False)) == {"change_note"}
    assert set(r.validate_content("Judul", body, "   ", first=False)) == {"change_note"}
    assert set(r.validate_content("Judul", body, "x" * (r.NOTE_MAX + 1), first=False)) == {"change_note"}
    assert "Describe what changed" in str(r.validate_content("J", body, "", first=False)["change_note"])


def test_settings_validation():
    today = date(2026, 5, 1)
    ok = dict(category="FAQ", audience="ALL", unit_ids=[], roles=[], published_from=today, published_until=None)
    assert r.validate_settings(**ok) == {}
    assert set(r.validate_settings(**dict(ok, category="X"))) == {"category"}
    assert set(r.validate_settings(**dict(ok, audience="X"))) == {"audience"}
    assert set(r.validate_settings(**dict(ok, audience="UNITS"))) == {"units"}
    assert r.validate_settings(**dict(ok, audience="UNITS", unit_ids=[3])) == {}
    assert set(r.validate_settings(**dict(ok, audience="ROLES"))) == {"roles"}
    assert set(r.validate_settings(**dict(ok, audience="ROLES", roles=["Admin"]))) == {"roles"}
    assert r.validate_settings(**dict(ok, audience="ROLES", roles=["Atasan", "Pegawai"])) == {}
    assert set(r.validate_settings(**dict(ok, published_from=None))) == {"published_from"}
    assert set(r.validate_settings(**dict(ok, published_until=today - timedelta(days=1)))) == {"published_until"}
    assert r.validate_settings(**dict(ok, published_until=today)) == {}


# --- publication, audience, reading ---------------------------------------------------------------------------

def test_publication_dates_are_inclusive():
    start, end = date(2026, 1, 10), date(2026, 1, 20)
    assert not r.is_published(start, end, date(2026, 1, 9))
    assert r.is_published(start, end, start) and r.is_published(start, end, end)
    assert not r.is_published(start, end, date(2026, 1, 21))
    assert r.is_published(start, None, date(2099, 1, 1))
    assert not r.is_published(None, None, start)


def test_audience_includes():
    assert r.audience_includes(Audience.ALL, [], [], [], [])
    assert r.audience_includes(Audience.UNITS, [2], [], [5, 2, 1], [])  # the person's unit is below unit 2
    assert not r.audience_includes(Audience.UNITS, [7], [], [5, 2, 1], [])
    assert r.audience_includes(Audience.ROLES, [], ["Atasan"], [], ["Pegawai", "Atasan"])
    assert not r.audience_includes(Audience.ROLES, [], ["Pimpinan"], [], ["Pegawai"])
    assert not r.audience_includes("NOPE", [1], ["Pegawai"], [1], ["Pegawai"])


def test_reading_state_and_new():
    assert r.reading_state(5, []) == ReadingState.UNREAD
    assert r.reading_state(5, [3]) == ReadingState.NEW_VERSION
    assert r.reading_state(5, [3, 5]) == ReadingState.READ
    assert r.reading_state(None, [3]) == ReadingState.NEW_VERSION
    today = date(2026, 3, 1)
    assert r.is_new(today - timedelta(days=r.NEW_DAYS), today, ReadingState.UNREAD)
    assert not r.is_new(today - timedelta(days=r.NEW_DAYS + 1), today, ReadingState.UNREAD)
    assert not r.is_new(today, today, ReadingState.READ)
    assert not r.is_new(today + timedelta(days=1), today, ReadingState.UNREAD)


# --- reach -------------------------------------------------------------------------------------------------------

def test_percent():
    assert r.percent(0, 0) == Decimal(0)
    assert r.percent(1, 3) == Decimal("33.3") and r.percent(2, 3) == Decimal("66.7")
    assert r.percent(1, 8) == Decimal("12.5") and r.percent(3, 3) == Decimal("100.0")


def test_branch_reach_sums_by_child_of_the_root():
    # 1 city → 2 dinkes (→ 3 bidang → 4 seksi, 5 puskesmas), 6 disdik; 9 is outside; 7 ↔ 8 loop
    parent_of = {1: None, 2: 1, 3: 2, 4: 3, 5: 2, 6: 1, 7: 8, 8: 7, 9: None}
    names = {1: "Kota", 2: "Dinkes", 3: "Bidang", 4: "Seksi", 5: "Puskesmas", 6: "Disdik", 7: "A", 8: "B", 9: "Lain"}
    counts = {1: (2, 1), 2: (1, 1), 3: (4, 1), 4: (3, 3), 5: (5, 0), 6: (2, 2), 7: (9, 9), 9: (4, 4)}
    reach = r.branch_reach(counts, 1, parent_of, names, own_staff_label="Kota (staf sendiri)")
    rows = {row.name: (row.audience, row.acknowledged, row.has_children, row.own_staff) for row in reach.rows}
    assert rows == {"Dinkes": (13, 5, True, False), "Disdik": (2, 2, False, False),
                    "Kota (staf sendiri)": (2, 1, False, True)}
    assert (reach.total.audience, reach.total.acknowledged, reach.total.unread) == (17, 8, 9)
    assert [row.name for row in reach.rows] == ["Dinkes", "Disdik", "Kota (staf sendiri)"]
    sub = r.branch_reach(counts, 2, parent_of, names)
    assert {row.name: row.audience for row in sub.rows} == {"Bidang": 7, "Puskesmas": 5, "Dinkes": 1}
    assert r.branch_reach({}, 1, parent_of, names).total.percent == Decimal(0)


# --- the starter set ------------------------------------------------------------------------------------------

def test_starter_rating_matrix_has_the_nine_cells_of_the_rules():
    body = starter.rating_matrix().body_html
    assert body.count("→ predikat") == len(PREDIKAT_MATRIX) == 9
    for (hasil, perilaku), result in PREDIKAT_MATRIX.items():
        assert (f"Hasil kerja <strong>{starter.RATING_ID[hasil]}</strong> dan perilaku kerja "
                f"<strong>{starter.RATING_ID[perilaku]}</strong> → predikat <strong>{starter.PREDIKAT_ID[result]}"
                "</strong>") in body


def test_starter_distribution_follows_the_rules_table():
    body = starter.distribution_curve().body_html
    for org in OrgRating:
        assert f"<th>{starter.ORG_RATING_ID[org]}</th>" in body
        for rule in DEFAULT_RULES[org]:
            assert starter.rule_text(rule) in body
    assert starter.rule_text(DistributionRule(RuleKind.AT_LEAST, {Predikat.KURANG, Predikat.BUTUH_PERBAIKAN},
                                              Fraction(1, 8))) == \
        "paling sedikit 12,5 % pegawai berpredikat Butuh Perbaikan dan/atau Kurang/Misconduct"
    assert starter.rule_text(DistributionRule(RuleKind.SOME, {Predikat.KURANG})) == \
        "harus ada pegawai berpredikat Kurang/Misconduct"


def test_starter_set_is_complete_and_in_every_category_but_other():
    items = starter.starter_materials()
    assert len({i.code for i in items}) == len(items) == 5
    assert {i.category for i in items} == set(r.Category) - {r.Category.OTHER}
    for item in items:
        assert r.validate_content(item.title, item.body_html, "", first=True) == {}
