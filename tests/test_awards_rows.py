"""The candidate table's rows built in Python (``awards.views.candidate_rows_html``) are the bytes the template's
Jinja loop rendered: the loop as it stood in portal/awards/candidates.html is kept here and rendered beside them,
in both languages, for every kind of row (with and without a person, a position, titles, a decision, a decree)."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

# the rows of portal/awards/candidates.html before they were built in Python (verbatim)
TEMPLATE_LOOP = """      {% for c in rows %}{% set p = people.get(c.employee_id) %}{% set d = decisions.get((c.employee_id, c.kind.value)) %}
        <tr data-candidate="{{ c.key }}" data-employee="{{ c.employee_id }}">
          {% if can_write %}<td><input type="checkbox" name="candidate" value="{{ c.key }}"{% if c.key in form.get('candidate', []) %} checked{% endif %} aria-label="{{ _('Select') }}"></td>{% endif %}
          <td>{% if p %}{{ full_name(p.name, p.front_title, p.back_title) }}<br><small class="text-muted">{{ p.nip }}</small>{% endif %}</td>
          <td>{% if p %}{{ p.unit_name }}{% if p.position_name %}<br><small class="text-muted">{{ p.position_name }}</small>{% endif %}{% endif %}</td>
          <td>{{ award_labels[c.kind] }}</td>
          <td>{% if c.kind in satyalancana %}{{ _('%(years)d years %(months)d months of service on %(day)s', years=c.service_years, months=c.service_months, day=on.isoformat()) }}{% else %}{{ year - 1 }}: {{ predikat_label(c.previous_predikat) }} · {{ year }}: {{ predikat_label(c.predikat) }}{% endif %}</td>
          <td>{% if d %}<span class="label {{ 'label-success' if d.decision == 'DISETUJUI' else 'label-default' }}">{{ decision_labels[d.decision] }}</span>{% if d.decree_number %}<br><small>{{ _('Decree') }} {{ d.decree_number }}{% if d.decree_date %}, {{ d.decree_date.isoformat() }}{% endif %}</small>{% endif %}{% else %}<span class="text-muted">{{ _('Not decided') }}</span>{% endif %}</td>
        </tr>
      {% endfor %}"""


def _rows():
    from app.awards.derived import DecisionRow
    from app.awards.rules import AwardKind, Candidate

    rows = [Candidate(11, AwardKind.TALENT_POOL, 2025, "SANGAT_BAIK", "SANGAT_BAIK"),
            Candidate(12, AwardKind.COMPETENCE_DEVELOPMENT, 2025, "BAIK", "BAIK"),
            Candidate(13, AwardKind.COMPETENCE_DEVELOPMENT, 2025, None, "ODD<&>"),
            Candidate(14, AwardKind.SATYALANCANA_10, 2025, service_years=10, service_months=3),
            Candidate(15, AwardKind.SATYALANCANA_20, 2025, service_years=20, service_months=0),
            Candidate(16, AwardKind.SATYALANCANA_30, 2025, service_years=31, service_months=11),
            Candidate(17, AwardKind.TALENT_POOL, 2025, "SANGAT_BAIK", "SANGAT_BAIK")]
    people = {
        11: SimpleNamespace(id=11, nip="198001012005011001", name="Siti <Aminah> & Co", front_title="Dr.",
                            back_title="M.Pd.", unit_name="Dinas \"Pendidikan\"", position_name="Kepala Seksi"),
        12: SimpleNamespace(id=12, nip="198101012006011002", name="Budi O'Neil", front_title=None, back_title=None,
                            unit_name="Dinas Kesehatan", position_name=None),
        13: SimpleNamespace(id=13, nip="198201012007011003", name="Rina", front_title="", back_title="S.E.",
                            unit_name="Bagian Umum", position_name=""),
        14: SimpleNamespace(id=14, nip="198301012008011004", name="Andi", front_title=None, back_title=None,
                            unit_name="Kecamatan A", position_name="Staf"),
        15: SimpleNamespace(id=15, nip="198401012009011005", name="Dewi", front_title=None, back_title=None,
                            unit_name="Kecamatan B", position_name="Staf"),
        16: SimpleNamespace(id=16, nip="198501012010011006", name="Eko", front_title=None, back_title=None,
                            unit_name="Kecamatan C", position_name="Staf"),
    }  # 17: no person
    decisions = {
        (11, "TALENT_POOL"): DecisionRow(11, "TALENT_POOL", "DISETUJUI", "800/12 <SK>", date(2025, 9, 1)),
        (12, "COMPETENCE_DEVELOPMENT"): DecisionRow(12, "COMPETENCE_DEVELOPMENT", "TIDAK_DISETUJUI", None, None),
        (14, "SATYALANCANA_10"): DecisionRow(14, "SATYALANCANA_10", "DISETUJUI", "SK-1", None),
        (15, "TALENT_POOL"): DecisionRow(15, "TALENT_POOL", "DISETUJUI", "other kind", None),
    }
    return rows, people, decisions


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("can_write", [True, False])
def test_candidate_rows_are_the_bytes_of_the_template_loop(app, locale, can_write):
    from flask import render_template_string
    from flask_babel import force_locale

    from app.awards import rules, views
    from app.organisation.rules import full_name

    rows, people, decisions = _rows()
    on = date(2025, 8, 17)
    checked = ["12:COMPETENCE_DEVELOPMENT", "16:SATYALANCANA_30"]
    with app.test_request_context("/award-candidates/"), force_locale(locale):
        expected = render_template_string(
            TEMPLATE_LOOP, rows=rows, people=people, decisions=decisions, can_write=can_write,
            form={"candidate": checked}, full_name=full_name, award_labels=rules.AWARD_LABELS,
            satyalancana=rules.SATYALANCANA, on=on, year=2025, predikat_label=views.predikat_label,
            decision_labels=rules.DECISION_LABELS)
        built = views.candidate_rows_html(rows, people, decisions, 2025, on, can_write, checked)
    assert "&lt;Aminah&gt; &amp; Co" in built and "<tr" in built and built.count("<tr ") == len(rows)
    assert (" checked" in built) == can_write
    assert expected == "      " + str(built)

