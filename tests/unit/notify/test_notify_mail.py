"""The e-mail channel against a real SMTP server on 127.0.0.1 (aiosmtpd, ``tests/smtp_receiver.py``)
with STARTTLS and a certificate made for the test (trustme): what is sent, and that nothing
is ever sent in plain text, past a certificate that does not verify, or with the password
in a message."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from notify_samples import agreement, changes, f, report
from smtp_receiver import SENDER, SMTP_USER, SmtpReceiver

from gatekeeper.errors import NotificationError, TransportError, UsageError
from gatekeeper.notify import build_notification, parse_target, send_notification
from gatekeeper.notify.mail import MailTarget, SmtpSettings
from gatekeeper.redact import redact

PASSWORD = "smtp-canary-5ecr3t-0d1e2f3a4b5c"
TO = "mailto:dpo@uni-example.edu,it-security@uni-example.edu"
HOSTILE_APP = "evil<b>x</b>\n- forged line <script>alert(1)</script>"


def payload() -> dict[str, Any]:
    hostile = f("addon-no-agreement", HOSTILE_APP, "papertrail", message="Papertrail & *co*")
    plain = f("team-not-covered", "survey")
    built = build_notification(
        report(hostile, plain, agreements=(agreement("heroku-dpa", date(2026, 12, 5)),)),
        changes(hostile, plain),
        expiring_within_days=30,
    )
    assert built is not None
    return built


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpReceiver]:
    with SmtpReceiver(tmp_path, password=PASSWORD) as receiver:
        yield receiver


def target(env: dict[str, str], to: str = TO) -> MailTarget:
    parsed = parse_target(to, source="--notify", env=env)
    assert isinstance(parsed, MailTarget)
    return parsed


def parsed(content: bytes) -> EmailMessage:
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    assert body is not None and body.get_content_subtype() == subtype
    return str(body.get_content())  # type: ignore[attr-defined]


# -- delivered -------------------------------------------------------------------------------


def test_a_notification_is_mailed_over_starttls_after_a_login(smtp: SmtpReceiver) -> None:
    target(smtp.env()).send(payload(), retry_delay=0)

    (received,) = smtp.messages
    assert received.tls and received.login == SMTP_USER
    assert received.mail_from == "gatekeeper@uni-example.edu"
    assert received.rcpt_tos == ["dpo@uni-example.edu", "it-security@uni-example.edu"]
    assert smtp.record.logins == [(SMTP_USER, True, True)]  # logged in once, encrypted
    assert all(tls for _, tls in smtp.record.mail_from)

    message = parsed(received.content)
    assert message["From"] == SENDER
    assert message["To"] == "dpo@uni-example.edu, it-security@uni-example.edu"
    # A long header is folded; Python's parser keeps the fold's leading space.
    assert message["Subject"].strip() == (
        "Gatekeeper audit: block: 2 new blocking findings; 1 agreement about to expire"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@uni-example.edu>")
    assert message.get_content_type() == "multipart/alternative"

    text = part(message, "plain")
    assert "Gatekeeper audit: block" in text and "Blocked: 2" in text
    assert "Compared with: audit #7 of 2026-11-24T02:00:00Z" in text
    assert "- survey: team-not-covered: msg" in text
    assert "heroku-dpa (uni-example) expires 2026-12-05 (in 10 days)" in text
    # a newline in an app name cannot forge a line of its own
    assert "\n- forged line" not in text and "\\n- forged line" in text

    html = part(message, "html")
    assert "<script>" not in html and "<b>x</b>" not in html
    assert "evil&lt;b&gt;x&lt;/b&gt;\\n- forged line &lt;script&gt;" in html
    assert "Papertrail &amp; *co*" in html
    assert "http" not in html.lower().replace("heroku-gatekeeper", "")  # no external resource


def test_the_system_trust_store_is_used_without_a_ca_file(
    smtp: SmtpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``SSL_CERT_FILE`` (OpenSSL's own variable) is honoured when no CA file is given."""
    env = smtp.env()
    del env["GATEKEEPER_SMTP_CA_FILE"]
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp.ca_file))
    target(env).send(payload(), retry_delay=0)
    assert len(smtp.messages) == 1


def test_send_notification_takes_a_mailto_target(
    smtp: SmtpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    send_notification("mailto:dpo@uni-example.edu", payload(), retry_delay=0)
    assert [m.rcpt_tos for m in smtp.messages] == [["dpo@uni-example.edu"]]


def test_a_temporary_refusal_is_tried_once_more(tmp_path: Path) -> None:
    with SmtpReceiver(tmp_path, password=PASSWORD, later=1) as smtp:
        target(smtp.env()).send(payload(), retry_delay=0)
    assert len(smtp.messages) == 1 and smtp.record.greetings >= 2


def test_a_second_temporary_refusal_is_a_failure(tmp_path: Path) -> None:
    with (
        SmtpReceiver(tmp_path, password=PASSWORD, later=2) as smtp,
        pytest.raises(NotificationError) as info,
    ):
        target(smtp.env()).send(payload(), retry_delay=0)
    assert "answered 451 4.3.0 try again later" in str(info.value)
    assert not smtp.messages


# -- never in plain text, never past a bad certificate ------------------------------------------


def test_a_server_without_starttls_gets_nothing(tmp_path: Path) -> None:
    """The server would take a login and the message in plain text: neither is sent."""
    with (
        SmtpReceiver(tmp_path, password=PASSWORD, starttls=False) as smtp,
        pytest.raises(NotificationError) as info,
    ):
        target(smtp.env()).send(payload(), retry_delay=0)
    assert "does not offer STARTTLS" in str(info.value)
    assert "never sends e-mail in plain text" in str(info.value)
    assert info.value.exit_code == 3
    assert smtp.record.logins == [] and smtp.record.mail_from == [] and not smtp.messages


@pytest.mark.parametrize(
    "case", ["another CA", "another host name"], ids=["untrusted-ca", "wrong-host"]
)
def test_a_certificate_that_does_not_verify_is_a_failure(tmp_path: Path, case: str) -> None:
    hosts = ("mail.uni-example.edu",) if case == "another host name" else ("127.0.0.1",)
    with SmtpReceiver(tmp_path, password=PASSWORD, cert_hosts=hosts) as smtp:
        env = smtp.env()
        if case == "another CA":
            other = tmp_path / "other-ca.pem"
            trustme.CA().cert_pem.write_to_path(str(other))
            env["GATEKEEPER_SMTP_CA_FILE"] = str(other)
        with pytest.raises(NotificationError) as info:
            target(env).send(payload(), retry_delay=0)
    message = str(info.value)
    assert "does not verify" in message and "nothing was sent" in message
    assert "GATEKEEPER_SMTP_CA_FILE" in message  # the hint says what to do
    assert smtp.record.logins == [] and smtp.record.mail_from == [] and not smtp.messages


def test_a_wrong_password_is_a_failure_that_does_not_show_it(smtp: SmtpReceiver) -> None:
    wrong = "wrong-" + PASSWORD
    with pytest.raises(NotificationError) as info:
        target(smtp.env(GATEKEEPER_SMTP_PASSWORD=wrong)).send(payload(), retry_delay=0)
    error = info.value
    assert "refused the login of 'gatekeeper@uni-example.edu'" in str(error)
    assert "535" in str(error) and error.exit_code == 3
    for text in (str(error), error.user_message(), repr(error), repr(target(smtp.env()))):
        assert wrong not in text and PASSWORD not in text
    assert error.__cause__ is None and error.__suppress_context__  # no chained smtplib text
    assert not smtp.messages
    assert wrong not in redact(f"password was {wrong}")  # registered as a secret


def test_a_server_that_is_gone_is_a_transport_error(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with SmtpReceiver(tmp_path, password=PASSWORD) as smtp:
        env = smtp.env(GATEKEEPER_SMTP_PORT=str(port))
    with pytest.raises(TransportError) as info:
        target(env).send(payload(), retry_delay=0)
    assert "ConnectionRefusedError" in str(info.value)
    assert f"(via 127.0.0.1:{port})" in str(info.value)


def test_refused_recipients_are_named(tmp_path: Path) -> None:
    refuse = {"it-security@uni-example.edu": "550 5.1.1 no such mailbox"}
    with SmtpReceiver(tmp_path, password=PASSWORD, refuse=refuse) as smtp:
        with pytest.raises(NotificationError) as info:
            target(smtp.env()).send(payload(), retry_delay=0)
        assert "it-security@uni-example.edu (550 5.1.1 no such mailbox)" in str(info.value)
        assert "the others were sent it" in str(info.value)
        assert [m.rcpt_tos for m in smtp.messages] == [["dpo@uni-example.edu"]]

        with pytest.raises(NotificationError) as info:
            target(smtp.env(), "mailto:it-security@uni-example.edu").send(payload())
        assert "refused every recipient" in str(info.value)


# -- configuration: a clear usage error before anything is sent ---------------------------------


@pytest.mark.parametrize(
    ("to", "env", "expected"),
    [
        (TO, {"GATEKEEPER_SMTP_HOST": ""}, "needs an SMTP server: set GATEKEEPER_SMTP_HOST"),
        (TO, {"GATEKEEPER_SMTP_PORT": "smtp"}, "GATEKEEPER_SMTP_PORT must be a port number"),
        (TO, {"GATEKEEPER_SMTP_PORT": "70000"}, "GATEKEEPER_SMTP_PORT must be a port number"),
        (TO, {"GATEKEEPER_SMTP_FROM": ""}, "set GATEKEEPER_SMTP_FROM"),
        (TO, {"GATEKEEPER_SMTP_FROM": "gatekeeper"}, "GATEKEEPER_SMTP_FROM is not an e-mail"),
        (TO, {"GATEKEEPER_SMTP_PASSWORD": ""}, "GATEKEEPER_SMTP_USER is set but"),
        (TO, {"GATEKEEPER_SMTP_USER": ""}, "GATEKEEPER_SMTP_PASSWORD is set but"),
        (TO, {"GATEKEEPER_SMTP_CA_FILE": "/nonexistent/ca.pem"}, "cannot be loaded"),
        ("mailto:", {}, "'' is not an e-mail address"),
        ("mailto:dpo", {}, "'dpo' is not an e-mail address"),
        ("mailto:a@x.example%0d%0aBcc:b@y.example", {}, "is not an e-mail address"),
        ("mailto:a@x.example?subject=hi", {}, "takes addresses only"),
    ],
)
def test_bad_settings_are_usage_errors_naming_the_variable(
    smtp: SmtpReceiver, to: str, env: dict[str, str], expected: str
) -> None:
    with pytest.raises(UsageError) as info:
        parse_target(to, source="--notify", env=smtp.env(**env))
    assert expected in str(info.value)
    assert info.value.exit_code == 2
    assert PASSWORD not in str(info.value)
    assert str(info.value).startswith("--notify") or "GATEKEEPER_SMTP" in str(info.value)


def test_a_ca_file_that_is_not_pem_is_a_usage_error(smtp: SmtpReceiver, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(UsageError) as info:
        parse_target(TO, env=smtp.env(GATEKEEPER_SMTP_CA_FILE=str(junk)))
    assert "GATEKEEPER_SMTP_CA_FILE" in str(info.value)


def test_a_login_is_optional_and_the_port_defaults_to_submission(smtp: SmtpReceiver) -> None:
    env = smtp.env(GATEKEEPER_SMTP_USER="", GATEKEEPER_SMTP_PASSWORD="", GATEKEEPER_SMTP_PORT="")
    settings = target(env).smtp
    assert (settings.port, settings.user, settings.password) == (587, None, None)


def test_the_settings_never_show_the_password(smtp: SmtpReceiver) -> None:
    mail = target(smtp.env())
    assert isinstance(mail.smtp, SmtpSettings)
    for text in (repr(mail), repr(mail.smtp), mail.display):
        assert PASSWORD not in text
    assert mail.display == (
        f"mailto:dpo@uni-example.edu,it-security@uni-example.edu (via 127.0.0.1:{smtp.port})"
    )
