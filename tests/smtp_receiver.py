"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the e-mail channel's tests.

It offers STARTTLS with a certificate issued for ``127.0.0.1`` and ``localhost`` by a
certificate authority made for the test (trustme), requires TLS before a login or a message,
and checks one user and password. It records every login attempt, every ``MAIL FROM`` and
every message it accepts, with whether the connection was encrypted then, so a test can show
that nothing went over the wire in plain text.

``starttls=False`` makes a server that does not offer STARTTLS (and would take a login and a
message in plain text: a client that fell back to plain text would be caught); ``cert_hosts``
issues the certificate for other names; ``refuse`` maps recipients to the reply that refuses
them; ``later`` answers the first messages "451 try again later".
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

SMTP_USER = "gatekeeper@uni-example.edu"
SENDER = "Gatekeeper <gatekeeper@uni-example.edu>"


@dataclass
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool
    login: str | None


@dataclass
class _Record:
    messages: list[Received] = field(default_factory=list)
    logins: list[tuple[str, bool, bool]] = field(default_factory=list)  # user, tls, accepted
    mail_from: list[tuple[str, bool]] = field(default_factory=list)  # sender, tls
    greetings: int = 0


class _Handler:
    def __init__(self, record: _Record, refuse: Mapping[str, str], later: int) -> None:
        self.record, self.refuse, self.later = record, refuse, later

    async def handle_EHLO(
        self, server: Any, session: Session, envelope: Envelope, hostname: str, responses: Any
    ) -> Any:
        self.record.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        self.record.mail_from.append((address, session.ssl is not None))
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.later > 0:
            self.later -= 1
            return "451 4.3.0 try again later"
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else None
        self.record.messages.append(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=list(envelope.rcpt_tos),
                content=bytes(envelope.original_content or b""),
                tls=session.ssl is not None,
                login=login,
            )
        )
        return "250 OK: queued"


class _Controller(Controller):
    """Listens on an ephemeral port (aiosmtpd's own Controller wants a fixed one)."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpReceiver:
    """The server; a context manager. ``env()`` is what a user would set to send through it."""

    def __init__(
        self,
        workdir: Path,
        *,
        password: str,
        starttls: bool = True,
        cert_hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
        refuse: Mapping[str, str] | None = None,
        later: int = 0,
    ) -> None:
        self.ca = trustme.CA()
        self.ca_file = workdir / "smtp-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.password = password
        self.record = _Record()
        tls: ssl.SSLContext | None = None
        if starttls:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.ca.issue_cert(*cert_hosts).configure_cert(tls)
        self.controller = _Controller(
            _Handler(self.record, refuse or {}, later),
            hostname="127.0.0.1",
            port=0,
            tls_context=tls,
            require_starttls=starttls,
            authenticator=self._authenticate,
            # Without STARTTLS it takes mail without a login too: a client that fell back to
            # plain text would deliver, and the test would see it.
            auth_required=starttls,
            auth_require_tls=starttls,
        )

    def _authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = data.login.decode(), data.password.decode()
        accepted = user == SMTP_USER and password == self.password
        self.record.logins.append((user, session.ssl is not None, accepted))
        return AuthResult(
            success=accepted, handled=False, auth_data=data.login if accepted else None
        )

    @property
    def messages(self) -> list[Received]:
        return self.record.messages

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def env(self, **overrides: str) -> dict[str, str]:
        values = {
            "GATEKEEPER_SMTP_HOST": "127.0.0.1",
            "GATEKEEPER_SMTP_PORT": str(self.port),
            "GATEKEEPER_SMTP_USER": SMTP_USER,
            "GATEKEEPER_SMTP_PASSWORD": self.password,
            "GATEKEEPER_SMTP_FROM": SENDER,
            "GATEKEEPER_SMTP_CA_FILE": str(self.ca_file),
        }
        values.update(overrides)
        return values

    def __enter__(self) -> SmtpReceiver:
        # aiosmtpd logs every line it reads at DEBUG, the login's base64 included: that is
        # the test server's log, not the gatekeeper's, so it stays out of captured logs.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def serve(workdir: Path, **options: Any) -> Iterator[SmtpReceiver]:
    """A fixture body: the receiver, started, stopped afterwards."""
    with SmtpReceiver(workdir, **options) as receiver:
        yield receiver
