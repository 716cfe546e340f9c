"""Notifications of the performance cycle: in-app rows, and e-mail when SMTP is configured.

``notify(session, employee_ids, kind, title, body, link)`` writes one ``Notification`` per person who has
an account, in the caller's transaction, and queues an e-mail per person with an address. The queue lives
in ``session.info`` and is delivered by ``deliver(session)`` **after** the caller commits (a rolled-back
change sends nothing; ``discard`` drops the queue on rollback).

E-mail is off by default: it is sent only when the app's config has ``MAIL_SERVER`` (with ``MAIL_PORT``,
``MAIL_USE_TLS``, ``MAIL_USE_SSL``, ``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_DEFAULT_SENDER``). The one
SMTP call is ``smtp_send`` (standard-library ``smtplib``): tests replace it to see what would be sent.

Links: ``LINKS`` maps a record kind to the path of its screen; the screens set their routes there
(``LINKS["skp"] = "/rencana-kinerja/{id}"``); the defaults point at the record's REST resource.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Iterable, Optional

from sqlalchemy import select

from app.organisation.models import Employee

from .models import Notification

log = logging.getLogger(__name__)

_OUTBOX = "performance_outbox"

LINKS = {
    "skp": "/api/v1/skp/{id}",
    "evaluation": "/api/v1/evaluation/{id}",
    "objection": "/api/v1/objection/{id}",
    "my_plans": "/api/v1/skp/",  # the person's own plans
}


def link_for(kind: str, record_id) -> str:
    return LINKS[kind].format(id=record_id)


@dataclass(frozen=True)
class Mail:
    """One e-mail that is (or would be) sent."""

    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class MailSettings:
    server: Optional[str] = None
    port: int = 25
    use_tls: bool = False
    use_ssl: bool = False
    username: Optional[str] = None
    password: Optional[str] = None
    sender: str = "e-kinerja@palembang.go.id"
    timeout: float = 10.0

    @property
    def enabled(self) -> bool:
        return bool(self.server)


def settings_from(config) -> MailSettings:
    """MailSettings from a config mapping (``app.config``); no MAIL_SERVER: e-mail off."""
    config = config or {}
    return MailSettings(
        server=config.get("MAIL_SERVER") or None,
        port=int(config.get("MAIL_PORT") or (465 if config.get("MAIL_USE_SSL") else 25)),
        use_tls=bool(config.get("MAIL_USE_TLS")),
        use_ssl=bool(config.get("MAIL_USE_SSL")),
        username=config.get("MAIL_USERNAME") or None,
        password=config.get("MAIL_PASSWORD") or None,
        sender=config.get("MAIL_DEFAULT_SENDER") or MailSettings.sender,
    )


def current_settings() -> MailSettings:
    """The running app's mail settings (off outside an app context)."""
    try:
        from flask import current_app

        return settings_from(current_app.config)
    except RuntimeError:
        return MailSettings()


def smtp_send(settings: MailSettings, mail: Mail) -> None:
    """The one SMTP call (replaced in tests)."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    if settings.use_ssl:
        client = smtplib.SMTP_SSL(settings.server, settings.port, timeout=settings.timeout,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    with client:
        if settings.use_tls and not settings.use_ssl:
            client.starttls(context=ssl.create_default_context())
        if settings.username:
            client.login(settings.username, settings.password or "")
        client.send_message(message)


def recipients(session, employee_ids: Iterable[Optional[int]]) -> list[tuple[int, Optional[str]]]:
    """(user id, e-mail) of the people with an account among ``employee_ids`` (one query)."""
    ids = sorted({i for i in employee_ids if i})
    if not ids:
        return []
    from flask_appbuilder.security.sqla.models import User

    rows = session.execute(
        select(Employee.user_id, Employee.email, User.email)
        .join(User, User.id == Employee.user_id)
        .where(Employee.id.in_(ids))
    ).all()
    return [(user_id, own_email or account_email) for user_id, own_email, account_email in rows]


def notify(session, employee_ids: Iterable[Optional[int]], kind: str, title, body=None, link: Optional[str] = None,
           at: Optional[datetime] = None, skip_user_ids: Iterable[int] = ()) -> list[Notification]:
    """In-app notifications (and queued e-mails) for these employees; returns the new rows."""
    skip = set(skip_user_ids)
    rows = []
    for user_id, email in recipients(session, employee_ids):
        if user_id in skip:
            continue
        rows.append(add(session, user_id, email, kind, title, body, link, at))
    return rows


def add(session, user_id: int, email: Optional[str], kind: str, title, body=None, link: Optional[str] = None,
        at: Optional[datetime] = None) -> Notification:
    """One in-app notification for a user, and its e-mail queued when ``email`` is set."""
    title_text, body_text = str(title)[:200], (str(body) if body is not None else None)
    row = Notification(user_id=user_id, kind=kind[:40], title=title_text, body=body_text, link=link)
    if at is not None:
        row.created_on = at
    session.add(row)
    if email:
        text = body_text or title_text
        if link:
            text = f"{text}\n\n{link}"
        session.info.setdefault(_OUTBOX, []).append(Mail(email, title_text, text))
    return row


def pending(session) -> list[Mail]:
    return list(session.info.get(_OUTBOX, []))


def discard(session) -> None:
    session.info.pop(_OUTBOX, None)


def deliver(session, settings: Optional[MailSettings] = None) -> list[Mail]:
    """Send the queued e-mails when e-mail is configured; the queue is emptied either way. Returns the
    e-mails that were sent (none when e-mail is off). A failing server is logged, never raised: the
    in-app notification is already stored."""
    queued = session.info.pop(_OUTBOX, [])
    settings = settings or current_settings()
    if not settings.enabled or not queued:
        return []
    sent = []
    for mail in queued:
        try:
            smtp_send(settings, mail)
            sent.append(mail)
        except (OSError, smtplib.SMTPException):
            log.exception("e-mail to %s not sent", mail.to)
    return sent
