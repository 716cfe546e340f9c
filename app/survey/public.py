"""The citizen's pages of the survey: no login, no FAB layout, phone-first, no external assets.

* ``GET  /survei/<token>``              — the form of an open campaign (a "closed" page otherwise, 404 for an
  unknown token). Gives the browser a signed device cookie (``survey_device``) and a CSRF token.
* ``POST /survei/<token>``              — store one response, then 302 to the thank-you page.
* ``GET  /survei/<token>/terima-kasih`` — the thank-you page.

Abuse protection, none of it with third parties; a refused submission is never stored and gets a clear
message with the form again: CSRF token (400), honeypot field ``website`` (400), a missing or forged device
cookie (400), answers missing or outside 1–4 (422), a closed campaign (403), and two database-backed
fixed-window limits that hold across gunicorn workers (429): per client IP address (``SURVEY_IP_LIMIT`` per
``SURVEY_IP_WINDOW`` seconds, default 60 per 600) and per device and campaign (``SURVEY_DEVICE_LIMIT`` per
``SURVEY_DEVICE_WINDOW``, default 3 per day). The client IP is the socket's address, or — only when
``PROXY_FIX_HOPS`` says that many trusted reverse proxies are in front — the one they forward
(X-Forwarded-For). No IP address or device id is stored with a response.

Lean on purpose (issue 6: at least 200 submissions per second on two cores): no FAB layout or menu; the
campaign is read with one Core query and kept for ``SURVEY_CAMPAIGN_CACHE_SECONDS`` (default 5, 0 when
testing) per process, so closing a campaign reaches every worker within seconds; the blank form is rendered
once per campaign and language; a submission is two statements (both counters in one upsert, the insert)
and the commit. bench/bench_survey.py measures it.
"""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms.validators import ValidationError

from app.core.errors import DomainValidationError
from app.extensions import csrf, db

from . import rules, services

bp = Blueprint("survey_public", __name__)

DEVICE_COOKIE = "survey_device"
DEVICE_SALT = "survey-device"
HONEYPOT = "website"


def _today():
    from app.performance.services import today_wib

    return today_wib()


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def _device_id():
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 200:
        return None
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) and 8 <= len(value) <= 64 else None


def _limits():
    return services.Limits.from_config(current_app.config)


def _campaign_or_404(token):
    seconds = current_app.config.get("SURVEY_CAMPAIGN_CACHE_SECONDS", 0 if current_app.testing else 5)
    campaign = services.campaign_by_token(db.session, token, float(seconds))
    if campaign is None:
        abort(404)
    return campaign, campaign.is_open(_today())


# The blank form of a campaign, rendered once per process and language: every GET only fills in its CSRF token
# (translating the ~70 labels of the form costs more than the rest of the request).
_CSRF_SLOT = "\x00csrf\x00"
_BLANK_FORMS: dict = {}


def _lang() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "id")


def _render(template, **context):
    return render_template(template, lang=_lang(), **context)


def _blank_form(campaign) -> str:
    key = (campaign, _lang())
    html = _BLANK_FORMS.get(key)
    if html is None:
        html = _render("portal/survey/form.html", campaign=campaign, rules=rules, csrf_token=_CSRF_SLOT,
                       message=None, errors={}, values={}, honeypot=HONEYPOT)
        if len(_BLANK_FORMS) > 500:
            _BLANK_FORMS.clear()
        _BLANK_FORMS[key] = html
    return html


def _render_form(campaign, status=200, message=None, errors=None, values=None, reason=None):
    device = _device_id()
    if message is None and not errors and not values:
        body = _blank_form(campaign).replace(_CSRF_SLOT, generate_csrf(), 1)
    else:
        body = _render("portal/survey/form.html", campaign=campaign, rules=rules, csrf_token=generate_csrf(),
                       message=message, reason=reason, errors=errors or {}, values=values or {}, honeypot=HONEYPOT)
    response = make_response(body, status)
    if device is None:
        response.set_cookie(DEVICE_COOKIE, _serializer().dumps(secrets.token_urlsafe(16)), max_age=400 * 86400,
                            httponly=True, samesite="Lax", secure=request.is_secure, path="/survei")
    response.headers["Cache-Control"] = "no-store"
    return response


def _closed(campaign, status):
    return make_response(_render("portal/survey/closed.html", campaign=campaign), status)


@bp.route("/survei/<token>", methods=["GET"])
def survey_form(token):
    campaign, is_open = _campaign_or_404(token)
    if not is_open:
        return _closed(campaign, 200)
    return _render_form(campaign)


@bp.route("/survei/<token>", methods=["POST"])
@csrf.exempt  # checked below, to answer with the form and a clear message instead of the portal's error page
def survey_submit(token):
    campaign, is_open = _campaign_or_404(token)
    if not is_open:
        return _closed(campaign, 403)
    values = request.form
    try:
        validate_csrf(values.get("csrf_token"))
    except (ValidationError, CSRFError):
        return _render_form(campaign, 400, _l("The form has expired. Please answer again."), values=values,
                            reason="csrf")
    if values.get(HONEYPOT):
        return _render_form(campaign, 400, _l("Your answer could not be accepted. Please answer again."),
                            reason="honeypot")
    device = _device_id()
    if device is None:
        return _render_form(campaign, 400, _l("Please allow cookies for this page and answer again."),
                            values=values, reason="cookie")
    try:
        services.submit_response(db.session, campaign, values, request.remote_addr or "unknown", device,
                                 _limits(), today=_today())
    except DomainValidationError as err:
        return _render_form(campaign, 422, _l("Please check the marked questions."), errors=err.errors,
                            values=values, reason="invalid")
    except services.Refused as refused:
        return _render_form(campaign, 429, refused.message, values=values, reason=refused.reason)
    return redirect(url_for("survey_public.survey_thanks", token=token))


@bp.route("/survei/<token>/terima-kasih", methods=["GET"])
def survey_thanks(token):
    campaign, _is_open = _campaign_or_404(token)
    return _render("portal/survey/thanks.html", campaign=campaign)


def public_url(campaign) -> str:
    """The absolute address of a campaign's form (for links and QR codes); SURVEY_PUBLIC_BASE_URL, when set,
    replaces the scheme and host the request came with (a portal behind a proxy or on an internal name)."""
    base = current_app.config.get("SURVEY_PUBLIC_BASE_URL")
    path = url_for("survey_public.survey_form", token=campaign.token)
    if base:
        return base.rstrip("/") + path
    return url_for("survey_public.survey_form", token=campaign.token, _external=True)


def register(app):
    app.register_blueprint(bp)
