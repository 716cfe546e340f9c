"""The table rows of the training-needs and effect-of-training screens, built in Python.

Each function gives the bytes the template's Jinja loop rendered (tests/test_training_rows.py renders the old loops
beside them): every value escaped as Jinja's autoescape did (``markupsafe.escape``), ``_()`` as Jinja's new-style
gettext (the translation as markup). The template calls them (they are passed in the render context). Through
Jinja's runtime a row cost a few dozen look-ups, escapes and a translation; 50 rows of a page were the largest part
of the screens' CPU time after the queries.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from app.core.views import template_gettext  # ``_('…')`` as in an autoescaped template (not escaped)


def need_rows_html(rows, can_create: bool, condition_texts: dict) -> Markup:
    """The ``<tr>`` rows of the recommended employees of a topic (``needs.NeedRow``)."""
    trained_label = template_gettext("already invited or trained")
    texts: dict = {}
    out = []
    append = out.append
    for r in rows:
        employee, name = escape(r.employee_id), escape(r.name)
        append(f'\n        <tr data-employee="{employee}">\n          ')
        if can_create:
            append(f'<td><input type="checkbox" name="rowid" value="{employee}" '
                   f'{"" if r.trained else "checked"} aria-label="{name}"></td>')
        append(f"\n          <td>{name}")
        if r.trained:
            append(f' <span class="label label-default">{trained_label}</span>')
        append(f"</td><td>{escape(r.nip)}</td><td>{escape(r.unit_name)}</td><td>{escape(r.position_name)}</td>"
               "\n          <td>")
        for rule in r.reasons:
            text = texts.get(rule.id)
            if text is None:
                text = texts[rule.id] = escape(condition_texts[rule.id])
            append(f'<span class="label label-info">{text}</span> ')
        append("</td>\n        </tr>\n      ")
    return Markup("".join(out))


def effect_rows_html(rows, predikat_labels: dict, effect_labels: dict) -> Markup:
    """The ``<tr>`` rows of the participants of a page (``needs.EffectRow``)."""
    dash = "—"
    labels = {code: escape(label) for code, label in predikat_labels.items()}
    effects = {code: escape(label) for code, label in effect_labels.items()}
    out = []
    append = out.append
    for r in rows:
        before = labels.get(r.before)
        after = labels.get(r.after)
        append(f'\n      <tr data-employee="{escape(r.employee_id)}" data-effect="{escape(r.effect)}">'
               f"<td>{escape(r.topic_name)}</td><td>{escape(r.unit_name)}</td><td>{escape(r.name)} "
               f'<small class="text-muted">{escape(r.nip)}</small></td><td>{escape(r.session_title)}</td>'
               f"<td>{escape(r.ended_on.strftime('%d-%m-%Y'))}</td>\n        "
               f"<td>{dash if before is None else before}</td><td>{dash if after is None else after}</td>"
               f"<td>{effects[r.effect]}</td></tr>\n    ")
    return Markup("".join(out))


def effect_topic_rows_html(topics, effect_order, topic_base: str) -> Markup:
    """The ``<tr>`` rows of the effect per topic (``needs.TopicEffect``), each topic linked to ``topic_base`` + id."""
    base = escape(topic_base)
    out = []
    append = out.append
    for t in topics:
        counts = t.summary.counts
        topic = escape(t.topic_id)
        append(f'\n      <tr data-topic="{topic}"><td><a href="{base}{topic}">{escape(t.topic_name)}</a></td>'
               + "".join(f"<td>{escape(counts[e])}</td>" for e in effect_order) + "</tr>\n    ")
    return Markup("".join(out))
