"""Sending reminders over SMTP (TLS, STARTTLS, or plain on loopback only)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from csbridge.errors import AdapterError, AuthError
from csbridge_email_imap.settings import SmtpSettings


def send_mail(settings: SmtpSettings, message: EmailMessage, recipient: str, password: str | None,
              timeout: float = 30.0) -> None:
    """Send ``message`` to ``recipient`` only (the envelope has that one address).

    Raises :class:`AuthError` when the server refuses the login and
    :class:`AdapterError` for any other failure; the password never appears.
    """
    context = ssl.create_default_context()
    try:
        if settings.security == "tls":
            server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        with server:
            if settings.security == "starttls":
                server.starttls(context=context)
            if settings.username and password:
                server.login(settings.username, password)
            refused = server.send_message(message, from_addr=settings.sender, to_addrs=[recipient])
            if refused:
                raise AdapterError(f"the SMTP server refused the recipient {recipient}")
    except smtplib.SMTPAuthenticationError:
        raise AuthError(f"the SMTP server {settings.host} refused the login of {settings.username!r}") from None
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise AdapterError(f"cannot send a reminder through {settings.host}:{settings.port} ({type(exc).__name__})") \
            from None
