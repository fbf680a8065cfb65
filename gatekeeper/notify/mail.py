"""The e-mail channel: ``mailto:a@x,b@y`` through an SMTP server, always over STARTTLS.

The server comes from the environment (``GATEKEEPER_SMTP_HOST``, ``GATEKEEPER_SMTP_PORT``
587 by default, ``GATEKEEPER_SMTP_USER`` and ``GATEKEEPER_SMTP_PASSWORD`` for a login,
``GATEKEEPER_SMTP_FROM``), read once when the target is parsed, before any audit runs.

The connection is upgraded with STARTTLS before anything else is said: a server that does
not offer it gets nothing (no plain-text fallback, on loopback neither), and a certificate
that does not verify for the host is a failure, never a reason to go on without TLS. The
system's certificate authorities are trusted, or only those of ``GATEKEEPER_SMTP_CA_FILE``
(a PEM file, for a university's own CA); there is no way to switch verification off.

The password is a secret: it is registered with ``gatekeeper.redact`` (with the base64 forms
in which the login sends it), kept out of ``repr``, and no message quotes it; a server's
reply is quoted only redacted and cut short.

The message has a plain-text part and a simple HTML part (no external resources), both built
from the ``gatekeeper.notification/v1`` payload with untrusted text made visible (and
HTML-escaped in the HTML part).
"""

from __future__ import annotations

import base64
import contextlib
import html
import smtplib
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid, parseaddr
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from gatekeeper.errors import GatekeeperError, NotificationError, TransportError, UsageError
from gatekeeper.notify.message import (
    compared_with,
    headline,
    sections,
    subject_line,
    summary_facts,
)
from gatekeeper.redact import redact, register_secret
from gatekeeper.report.escape import visible

if TYPE_CHECKING:
    import httpx

PREFIX = "mailto:"
HOST_ENV = "GATEKEEPER_SMTP_HOST"
PORT_ENV = "GATEKEEPER_SMTP_PORT"
USER_ENV = "GATEKEEPER_SMTP_USER"
PASSWORD_ENV = "GATEKEEPER_SMTP_PASSWORD"
FROM_ENV = "GATEKEEPER_SMTP_FROM"
CA_FILE_ENV = "GATEKEEPER_SMTP_CA_FILE"
DEFAULT_PORT = 587  # submission (RFC 6409), where STARTTLS is the rule
_MAX_REPLY_IN_ERROR = 200
_CA_HINT = (
    f"If the server's certificate comes from your own certificate authority, set {CA_FILE_ENV} "
    "to its PEM file; verification cannot be switched off."
)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and as whom to send; ``password`` is left out of ``repr``."""

    host: str
    port: int
    sender: Address
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None

    @property
    def server(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, target: str) -> SmtpSettings:
        """The settings in ``env``, or a ``UsageError`` naming the variable that is wrong.

        ``target`` names the notify target that needs them, for the messages."""
        host = env.get(HOST_ENV, "").strip()
        if not host:
            raise UsageError(
                f"{target} sends e-mail, which needs an SMTP server: set {HOST_ENV} "
                f"(and {FROM_ENV}, and {USER_ENV} and {PASSWORD_ENV} for a login).",
            )
        port_text = env.get(PORT_ENV, "").strip() or str(DEFAULT_PORT)
        if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
            raise UsageError(f"{PORT_ENV} must be a port number (1-65535), not {port_text!r}.")
        sender = _sender(env.get(FROM_ENV, ""), target)
        user = env.get(USER_ENV) or None
        password = env.get(PASSWORD_ENV) or None
        if (user is None) != (password is None):
            given, missing = (USER_ENV, PASSWORD_ENV) if user else (PASSWORD_ENV, USER_ENV)
            raise UsageError(
                f"{given} is set but {missing} is not: set both for a login, or neither."
            )
        if user is not None and password is not None:
            _register_login(user, password)
        ca_file = env.get(CA_FILE_ENV) or None
        if ca_file is not None:  # a file that is missing or not PEM fails now, not later
            _tls_context(ca_file)
        return cls(host, int(port_text), sender, user, password, ca_file)


def _tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Verifying the server's certificate and host name, with the system's CAs or only
    those of ``ca_file``."""
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "reason", None) or exc.strerror or type(exc).__name__
        raise UsageError(
            f"{CA_FILE_ENV} names {ca_file!r}, which cannot be loaded: {reason}."
        ) from None


def _sender(text: str, target: str) -> Address:
    name, addr = parseaddr(text.strip())
    if not text.strip():
        raise UsageError(f"{target} sends e-mail: set {FROM_ENV} to the sender's address.")
    address = _address(addr, name)
    if address is None:
        raise UsageError(f"{FROM_ENV} is not an e-mail address: {text.strip()!r}.")
    return address


def _address(addr: str, name: str = "") -> Address | None:
    """``addr`` as an address, or None when it is not one (a header cannot be forged)."""
    try:
        address = Address(display_name=name, addr_spec=addr)
    except (ValueError, IndexError, HeaderParseError):
        return None
    return address if address.username and address.domain else None


def _register_login(user: str, password: str) -> None:
    """The password, and the base64 forms in which AUTH PLAIN and AUTH LOGIN send it."""
    register_secret(password)
    for form in (password, f"\0{user}\0{password}"):
        register_secret(base64.b64encode(form.encode()).decode("ascii"))


@dataclass(frozen=True)
class MailTarget:
    """A ``mailto:`` notify target: the recipients and the SMTP server to send through."""

    recipients: tuple[Address, ...]
    smtp: SmtpSettings

    @property
    def display(self) -> str:
        """Recipients and server, as messages name them (never the login)."""
        to = ",".join(a.addr_spec for a in self.recipients)
        return f"{PREFIX}{to} (via {self.smtp.server})"

    def send(
        self,
        payload: Mapping[str, Any],
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
        retry_delay: float = 1.0,
    ) -> None:
        """E-mail the notification; retry once when the server could not be reached or
        answered "try again later" (4xx). ``transport`` is for the webhook channels."""
        del transport
        message = build_message(payload, self)
        for attempt in (1, 2):
            try:
                _deliver(self, message, timeout)
                return
            except _Retryable as retry:
                if attempt == 2:
                    raise retry.error from None
            time.sleep(retry_delay)


def parse_mailto(text: str, *, target: str, env: Mapping[str, str]) -> MailTarget:
    """``mailto:a@x,b@y`` (percent-encoding allowed, no ``?`` fields) and its SMTP server."""
    rest = text[len(PREFIX) :]
    if "?" in rest:
        raise UsageError(f"{target}: a mailto: target takes addresses only, no ?subject or ?cc.")
    recipients = []
    for part in rest.split(","):
        addr = unquote(part).strip()
        address = _address(addr)
        if address is None:
            raise UsageError(
                f"{target}: {addr!r} is not an e-mail address (mailto:a@x.example,b@y.example)."
            )
        recipients.append(address)
    return MailTarget(tuple(recipients), SmtpSettings.from_env(env, target=target))


# -- the message -------------------------------------------------------------------------


def build_message(payload: Mapping[str, Any], target: MailTarget) -> EmailMessage:
    """The e-mail for a ``gatekeeper.notification/v1`` payload: text and HTML alternatives."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = subject_line(payload)
    message["From"] = target.smtp.sender
    message["To"] = target.recipients
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid("gatekeeper", domain=target.smtp.sender.domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
    message.set_content(_text(payload))
    message.add_alternative(_html(payload), subtype="html")
    return message


def _in_html(text: str) -> str:
    return html.escape(visible(text))


def _text(payload: Mapping[str, Any]) -> str:
    lines = [headline(str(payload["decision"])), ""]
    lines += [f"{title}: {value}" for title, value in summary_facts(payload)]
    lines.append(f"Compared with: {visible(compared_with(payload))}")
    for section in sections(payload):
        lines += ["", section.heading]
        lines += [f"- {line}" for line in section.lines(visible)]
    lines += ["", "-- ", "Sent by heroku-gatekeeper (audit --notify)."]
    return "\n".join(lines) + "\n"


def _html(payload: Mapping[str, Any]) -> str:
    facts = "".join(
        f'<tr><th align="left">{_in_html(title)}</th><td>{_in_html(value)}</td></tr>'
        for title, value in summary_facts(payload)
    )
    parts = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8"></head><body>',
        f"<h1>{_in_html(headline(str(payload['decision'])))}</h1>",
        f"<table>{facts}</table>",
        f"<p>Compared with: {_in_html(compared_with(payload))}</p>",
    ]
    for section in sections(payload):
        items = "".join(f"<li>{line}</li>" for line in section.lines(_in_html))
        parts.append(f"<h2>{_in_html(section.heading)}</h2><ul>{items}</ul>")
    parts.append("<p><small>Sent by heroku-gatekeeper (audit --notify).</small></p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# -- the SMTP conversation ---------------------------------------------------------------


class _Retryable(Exception):
    """A failure that sending again may cure: the server was unreachable or said "later"."""

    def __init__(self, error: GatekeeperError) -> None:
        super().__init__(error.message)
        self.error = error


def _deliver(target: MailTarget, message: EmailMessage, timeout: float) -> None:
    settings = target.smtp
    where = target.display
    context = _tls_context(settings.ca_file)
    try:
        client = smtplib.SMTP(
            settings.host, settings.port, timeout=timeout, local_hostname=_helo_name()
        )
    except Exception as exc:  # noqa: BLE001 - mapped below; anything unknown is re-raised
        raise _mapped(exc, where, settings) from None
    try:
        client.ehlo()
        if not client.has_extn("starttls"):
            raise NotificationError(
                f"The SMTP server {settings.server} does not offer STARTTLS, so the notification "
                f"to {where} was not sent (gatekeeper never sends e-mail in plain text).",
                hint="Use the server's submission port (587) with STARTTLS.",
            )
        client.starttls(context=context)
        client.ehlo()
        if settings.user is not None and settings.password is not None:
            client.login(settings.user, settings.password)
        refused = client.send_message(
            message,
            from_addr=settings.sender.addr_spec,
            to_addrs=[a.addr_spec for a in target.recipients],
        )
    except GatekeeperError:
        raise
    except Exception as exc:  # noqa: BLE001 - mapped below; anything unknown is re-raised
        raise _mapped(exc, where, settings) from None
    finally:
        _close(client)
    if refused:
        raise NotificationError(
            f"The SMTP server {settings.server} refused some recipients of the notification "
            f"to {where}: {_refusals(refused)}; the others were sent it.",
        )


def _helo_name() -> str:
    """The name to greet with; ``socket.getfqdn()`` (smtplib's default) may ask DNS."""
    return socket.gethostname() or "localhost"


def _close(client: smtplib.SMTP) -> None:
    """Say QUIT if the connection still stands, and close it; a failure here loses nothing."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        client.quit()
    client.close()


def _reply(code: int, text: bytes | str) -> str:
    decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {redact(' '.join(decoded.split()))[:_MAX_REPLY_IN_ERROR]}".rstrip()


def _refusals(refused: Mapping[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{addr} ({_reply(code, text)})" for addr, (code, text) in refused.items())


def _mapped(exc: Exception, where: str, settings: SmtpSettings) -> Exception:
    """The gatekeeper error for what smtplib, ssl or the socket raised (``_Retryable``
    around the ones worth a second attempt); anything else is a bug and is returned as is."""
    server = settings.server
    failed = f"The notification to {where} failed"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return NotificationError(
            f"{failed}: the certificate of the SMTP server {server} does not verify "
            f"({exc.verify_message or exc.reason}); nothing was sent.",
            hint=_CA_HINT,
        )
    if isinstance(exc, ssl.SSLError):
        return NotificationError(
            f"{failed}: the TLS handshake with {server} failed ({exc.reason or exc}); "
            "nothing was sent.",
            hint=_CA_HINT,
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return NotificationError(
            f"{failed}: the SMTP server {server} refused the login of {settings.user!r} "
            f"({_reply(exc.smtp_code, exc.smtp_error)}).",
            hint=f"Check {USER_ENV} and {PASSWORD_ENV}.",
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return NotificationError(
            f"{failed}: the SMTP server {server} refused every recipient: "
            f"{_refusals(exc.recipients)}."
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        error = NotificationError(
            f"{failed}: the SMTP server {server} answered {_reply(exc.smtp_code, exc.smtp_error)}."
        )
        return _Retryable(error) if 400 <= exc.smtp_code < 500 else error
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _Retryable(
            TransportError(f"Could not deliver the notification to {where}: {server} hung up.")
        )
    if isinstance(exc, smtplib.SMTPException):  # no STARTTLS or AUTH offered, and the like
        return NotificationError(f"{failed}: {redact(str(exc)) or type(exc).__name__}.")
    if isinstance(exc, OSError):  # refused, reset, timed out, the name does not resolve
        detail = redact(str(exc)) or "no details"
        return _Retryable(
            TransportError(
                f"Could not deliver the notification to {where}: {type(exc).__name__}: {detail}.",
                hint=f"Check {HOST_ENV}, {PORT_ENV} and the network; the audit itself is recorded.",
            )
        )
    return exc
