"""Sending mail: SMTP when MAIL_SERVER is set, otherwise the message is written to the log (local runs)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message in Swedish from the platform's address."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    server = current_app.config["MAIL_SERVER"]
    if not server:
        current_app.logger.warning("MAIL_SERVER is not set; the message is logged instead of sent:\n%s", message)
        return
    with smtplib.SMTP(server, int(current_app.config["MAIL_PORT"]), timeout=10) as smtp:
        if current_app.config["MAIL_USE_TLS"]:
            smtp.starttls()
        if current_app.config["MAIL_USERNAME"]:
            smtp.login(current_app.config["MAIL_USERNAME"], current_app.config["MAIL_PASSWORD"])
        smtp.send_message(message)
