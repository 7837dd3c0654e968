"""Sending mail: SMTP when MAIL_SERVER is set, otherwise the message is written to the log (local runs)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message in Swedish from the platform's address."""
    with Outbox() as outbox:
        outbox.send(to, subject, body)


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
        message = EmailMessage()
        message["From"] = current_app.config["MAIL_FROM"]
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        if not current_app.config["MAIL_SERVER"]:
            current_app.logger.warning("MAIL_SERVER is not set; the message is logged instead of sent:\n%s", message)
            return
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
