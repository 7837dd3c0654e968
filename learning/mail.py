"""Sending mail: SMTP when MAIL_SERVER is set, otherwise the message is written to the log (local runs)."""

from __future__ import annotations

import smtplib
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from email import charset
from email.mime.text import MIMEText
from email.header import Header
from email.utils import formataddr, parseaddr

from flask import current_app

# Mails sent on behalf of a request (address confirmation, password reset) leave on this thread, after the
# request has answered: a stranger cannot tell from the response time whether a mail went out.
_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")
_pending: set[Future] = set()
_pending_lock = threading.Lock()


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message in Swedish from the platform's address."""
    with Outbox() as outbox:
        outbox.send(to, subject, body)


def send_mail_later(to: str, subject: str, body: str) -> None:
    """Send a message off the request path; a failure is logged (the person can ask for a new link)."""
    app = current_app._get_current_object()

    def send() -> None:
        with app.app_context():
            try:
                send_mail(to, subject, body)
            except (smtplib.SMTPException, OSError):
                app.logger.exception("Could not send the mail %r to %s", subject, to)

    future = _sender.submit(send)
    with _pending_lock:
        _pending.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future) -> None:
    with _pending_lock:
        _pending.discard(future)


def wait_for_mail(timeout: float = 10) -> None:
    """Wait until every mail handed to send_mail_later has been sent (or failed)."""
    with _pending_lock:
        pending = set(_pending)
    wait(pending, timeout=timeout)


class Outbox:
    """One SMTP connection for many messages (a reminder run sends thousands), opened at the first message.

    send raises smtplib.SMTPException (SMTPRecipientsRefused for a refused address) or OSError; the
    connection is reopened for the next message after an error.
    """

    def __init__(self):
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text message from the platform's address."""
        if not current_app.config["MAIL_SERVER"]:
            # Decoded, not the wire form: quoted-printable would cut a link with soft line breaks and show
            # å as =C3=A5, and a newcomer copies the link from here.
            current_app.logger.warning(
                "MAIL_SERVER is not set; the message is logged instead of sent:\nTo: %s\nSubject: %s\n\n%s",
                to, subject, body)
            return
        message = _message(current_app.config["MAIL_FROM"], to, subject, body)
        try:
            self._connection().send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise  # the connection is still good
        except (smtplib.SMTPException, OSError):
            self.close()
            raise

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            config = current_app.config
            smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10)
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            self._smtp = smtp
        return self._smtp

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


# Bodies quoted-printable (readable in a raw mail), headers base64: the default for UTF-8 measures both
# header encodings on every header, milliseconds per mail that a reminder run of 10,000 notices.
_UTF8 = charset.Charset("utf-8")
_UTF8.body_encoding, _UTF8.header_encoding = charset.QP, charset.BASE64


def _message(sender: str, to: str, subject: str, body: str) -> MIMEText:
    """A plain-text message built with MIMEText (faster than EmailMessage's header parsing)."""
    message = MIMEText(body, "plain", _UTF8)
    name, address = parseaddr(sender)
    message["From"] = formataddr((name, address), _UTF8) if name else address
    message["To"] = to
    message["Subject"] = Header(subject, _UTF8)
    return message
