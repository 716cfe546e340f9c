"""The rows of the training-needs and effect-of-training tables built in Python (``app/training/rows.py``) are the
bytes the templates' Jinja loops rendered: the loops as they stood in portal/training/needs.html and effect.html
are kept here and rendered beside them, in both languages, with names that need escaping, trained and untrained
employees, several reasons, results before/after missing or unknown."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

# the loops of the templates before their rows were built in Python (verbatim)
NEED_LOOP = """{% for r in rows %}
        <tr data-employee="{{ r.employee_id }}">
          {% if can_create %}<td><input type="checkbox" name="rowid" value="{{ r.employee_id }}" {% if not r.trained %}checked{% endif %} aria-label="{{ r.name }}"></td>{% endif %}
          <td>{{ r.name }}{% if r.trained %} <span class="label label-default">{{ _('already invited or trained') }}</span>{% endif %}</td><td>{{ r.nip }}</td><td>{{ r.unit_name }}</td><td>{{ r.position_name }}</td>
          <td>{% for rule in r.reasons %}<span class="label label-info">{{ condition_texts[rule.id] }}</span> {% endfor %}</td>
        </tr>
      {% endfor %}"""
EFFECT_TOPIC_LOOP = """{% for t in found.topics %}
      <tr data-topic="{{ t.topic_id }}"><td><a href="{{ topic_base }}{{ t.topic_id }}">{{ t.topic_name }}</a></td>{% for e in effect_order %}<td>{{ t.summary.counts[e] }}</td>{% endfor %}</tr>
    {% endfor %}"""
EFFECT_LOOP = """{% for r in rows %}
      <tr data-employee="{{ r.employee_id }}" data-effect="{{ r.effect }}"><td>{{ r.topic_name }}</td><td>{{ r.unit_name }}</td><td>{{ r.name }} <small class="text-muted">{{ r.nip }}</small></td><td>{{ r.session_title }}</td><td>{{ r.ended_on.strftime('%d-%m-%Y') }}</td>
        <td>{{ predikat_labels.get(r.before, '—') }}</td><td>{{ predikat_labels.get(r.after, '—') }}</td><td>{{ effect_labels[r.effect] }}</td></tr>
    {% endfor %}"""


def _need_rows():
    from app.training.needs import NeedRow

    rule = [SimpleNamespace(id=i) for i in (1, 2, 3)]
    texts = {1: "Predikat: Butuh perbaikan", 2: "Perilaku: <Berorientasi> & \"Pelayanan\"", 3: "Indikator: ≥ 2"}
    rows = [NeedRow(5, "198001012005011001", "Dr. Siti <Aminah>, M.Pd.", "Dinas \"Pendidikan\"", "Kepala Seksi",
                    (rule[0], rule[1]), False),
            NeedRow(6, "198101012006011002", "Budi O'Neil", "Dinas Kesehatan", "", (rule[2],), True),
            NeedRow(7, "198201012007011003", "Rina & Co", "Bagian Umum", "Staf", (), False),
            NeedRow(8, "198301012008011004", "Andi", "Kecamatan A", "Staf", tuple(rule), True)]
    return rows, texts


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("can_create", [True, False])
def test_need_rows_are_the_bytes_of_the_template_loop(app, locale, can_create):
    from flask import render_template_string
    from flask_babel import force_locale

    from app.training.rows import need_rows_html

    rows, texts = _need_rows()
    with app.test_request_context("/training-needs/"), force_locale(locale):
        expected = render_template_string(NEED_LOOP, rows=rows, can_create=can_create, condition_texts=texts)
        built = need_rows_html(rows, can_create, texts)
    assert built.count("<tr ") == len(rows) and "&lt;Aminah&gt;" in built
    assert str(built) == expected


def _effect_rows():
    from app.training import rules
    from app.training.needs import EffectRow, TopicEffect

    E = rules.Effect
    rows = [EffectRow(5, "198001012005011001", "Siti <Aminah>", "Dinas & Co", 11, "Pelatihan \"A\"", "Topik <1>",
                      date(2024, 3, 9), "BAIK", "SANGAT_BAIK", E.IMPROVED),
            EffectRow(6, "198101012006011002", "Budi", "Dinas Kesehatan", 12, "B", "Topik 2", date(2024, 12, 31),
                      "SANGAT_BAIK", "BAIK", E.WORSE),
            EffectRow(7, "198201012007011003", "Rina", "Bagian Umum", 13, "C", "Topik 2", date(2025, 1, 2), None,
                      None, E.PENDING),
            EffectRow(8, "198301012008011004", "Andi", "Kecamatan A", 14, "D", "Topik 3", date(2025, 6, 1), "BAIK",
                      "UNKNOWN<>", E.SAME)]
    topics = []
    for n, name in enumerate(["Topik <1>", "Topik 2 & 3", "Topik \"4\""], start=1):
        summary = rules.EffectSummary()
        for i, e in enumerate(E):
            summary.counts[e] = n * 10 + i
        topics.append(TopicEffect(n, name, summary))
    return rows, topics


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("unit", [None, 15])
def test_effect_rows_are_the_bytes_of_the_template_loops(app, locale, unit):
    from flask import render_template_string, url_for
    from flask_babel import force_locale

    from app.training import rules
    from app.training.rows import effect_rows_html, effect_topic_rows_html
    from app.training.screens import _effect_label_map, _predikat_label_map

    rows, topics = _effect_rows()
    order = list(rules.Effect)
    with app.test_request_context("/training-needs/effect"), force_locale(locale):
        predikat_labels, effect_labels = _predikat_label_map(), _effect_label_map()
        topic_base = url_for("TrainingNeedsView.effect", unit=unit) + ("&" if unit else "?") + "topic="
        expected = render_template_string(EFFECT_LOOP, rows=rows, predikat_labels=predikat_labels,
                                          effect_labels=effect_labels)
        built = effect_rows_html(rows, predikat_labels, effect_labels)
        expected_topics = render_template_string(EFFECT_TOPIC_LOOP, found=SimpleNamespace(topics=topics),
                                                 effect_order=order, topic_base=topic_base)
        built_topics = effect_topic_rows_html(topics, order, topic_base)
    assert built.count("<tr ") == len(rows) and "&lt;Aminah&gt;" in built and "—" in built
    assert str(built) == expected
    assert built_topics.count("<tr ") == len(topics) and ("&amp;topic=" in built_topics) == bool(unit)
    assert str(built_topics) == expected_topics


def test_trainer_choices_are_the_trainer_accounts(app, db, org):
    """The create-session form's trainer choices (``needs.trainer_options``: narrow rows) are the Pelatih accounts of
    ``views.trainer_accounts``, in its order, with what the form shows of each."""
    from app.security import roles as R
    from app.training.needs import trainer_options
    from app.training.views import trainer_accounts

    sm = app.appbuilder.sm
    pelatih, pegawai = sm.find_role(R.PELATIH), sm.find_role(R.PEGAWAI)
    for first, last, name, roles, active in (("Budi", "Santoso", "t1", [pelatih], True),
                                             ("Ani", "Lestari", "t2", [pelatih, pegawai], True),
                                             ("Ani", "Zul", "t3", [pelatih], True),
                                             ("Cici", "Off", "t4", [pelatih], False),
                                             ("Dodi", "Staff", "t5", [pegawai], True)):
        user = sm.add_user(name, first, last, f"{name}@example.org", roles, password="Rahasia12345")
        user.active = active
    db.session.commit()
    expected = [(u.id, u.first_name, u.last_name, u.username) for u in trainer_accounts()]
    assert [tuple(r) for r in trainer_options(db.session)] == expected
    names = [u for _i, _f, _l, u in expected]
    assert {"t1", "t2", "t3"} <= set(names) and not {"t4", "t5"} & set(names)
    assert names.index("t2") < names.index("t3") < names.index("t1")  # by first name, then last name
