"""Notify targets: which channel a target names, and delivering one notification to each.

A target is a string, as ``--notify`` and ``GATEKEEPER_NOTIFY_URL`` give it:

- ``https://...``: a Slack-style webhook, which gets the payload as it is
  (``gatekeeper.notify.webhook``); one whose host is a Teams workflow's (Power Automate,
  Logic Apps, an Office 365 connector) goes to Teams instead;
- ``teams+https://...``: a Microsoft Teams workflow webhook, which gets an Adaptive Card
  (``gatekeeper.notify.teams``);
- ``mailto:a@x,b@y``: e-mail through the SMTP server of the environment
  (``gatekeeper.notify.mail``).

Targets are parsed, and their secrets registered, before any audit runs, so a bad one is a
usage error (exit 2) and never a lost audit. ``deliver`` sends to every target even when one
fails, then raises the first failure, saying which targets did get the notification.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from gatekeeper.errors import GatekeeperError, UsageError
from gatekeeper.notify import mail, teams, webhook

if TYPE_CHECKING:
    import httpx

FORMS = (
    "A notify target is an https webhook URL (Slack-style), teams+https://... (a Microsoft "
    "Teams workflow) or mailto:ADDRESS[,ADDRESS] (e-mail through $GATEKEEPER_SMTP_HOST)."
)
# Hosts of the webhooks that take Teams messages and not Slack ones: Power Automate and Logic
# Apps workflows ("When a Teams webhook request is received"), and the retiring Office 365
# connectors. Any other host can be named a Teams target with the ``teams+`` prefix.
TEAMS_HOST_SUFFIXES = (".logic.azure.com", ".api.powerplatform.com", ".webhook.office.com")


class Target(Protocol):
    """One place a notification goes to."""

    @property
    def display(self) -> str:
        """How messages name the target: never a secret (a URL's path, a password)."""
        ...

    def send(
        self,
        payload: Mapping[str, Any],
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
        retry_delay: float = 1.0,
    ) -> None:
        """Deliver a ``gatekeeper.notification/v1`` payload, or raise a ``GatekeeperError``."""
        ...


@dataclass(frozen=True)
class WebhookTarget:
    """A webhook: Slack-style (the payload is posted as it is) or a Teams workflow (an
    Adaptive Card is posted); ``url`` is without the ``teams+`` prefix."""

    url: str
    channel: Literal["webhook", "teams"] = "webhook"

    @property
    def display(self) -> str:
        if self.channel == "teams":
            return teams.teams_display(self.url)
        return webhook.webhook_display(self.url)

    def send(
        self,
        payload: Mapping[str, Any],
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
        retry_delay: float = 1.0,
    ) -> None:
        post = teams.send if self.channel == "teams" else webhook.send
        post(self.url, payload, transport=transport, timeout=timeout, retry_delay=retry_delay)


def parse_target(
    text: str, *, source: str | None = None, env: Mapping[str, str] | None = None
) -> Target:
    """The target ``text`` names, or a ``UsageError`` (exit 2) that starts with ``source``
    (the option or variable it came from) and never shows a webhook's secret path.

    ``env`` holds the SMTP settings for a ``mailto:`` target (default: ``os.environ``).
    """
    text = text.strip()
    label = source or "The notification target"
    if text.startswith(mail.PREFIX):
        return mail.parse_mailto(text, target=label, env=os.environ if env is None else env)
    explicit = text.startswith(teams.PREFIX)
    url = text[len(teams.PREFIX) :] if explicit else text
    try:
        webhook.check_webhook_url(url)
    except UsageError as exc:
        if source:
            exc.message = f"{source}: {exc.message}"
        exc.hint = f"{exc.hint} {FORMS}" if exc.hint else FORMS
        raise
    return WebhookTarget(url, "teams" if explicit or _is_teams_host(url) else "webhook")


def parse_targets(
    texts: Iterable[str], *, source: str, env: Mapping[str, str] | None = None
) -> list[Target]:
    """Every target of ``texts`` (each may hold several, separated by white space)."""
    return [parse_target(t, source=source, env=env) for text in texts for t in text.split()]


def _is_teams_host(url: str) -> bool:
    from gatekeeper.transport import split_url

    parts = split_url(url)
    host = parts.host.lower() if parts is not None else ""
    return host.endswith(TEAMS_HOST_SUFFIXES)


def deliver(
    targets: Sequence[Target],
    payload: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 10.0,
    retry_delay: float = 1.0,
) -> None:
    """Send ``payload`` to every target. With one target its error is raised as it is; with
    several, the first failure's error (so its exit code and category) names every failure
    and the targets that were served."""
    failures: list[GatekeeperError] = []
    served: list[str] = []
    for target in targets:
        try:
            target.send(payload, transport=transport, timeout=timeout, retry_delay=retry_delay)
        except GatekeeperError as exc:
            failures.append(exc)
        else:
            served.append(target.display)
    if not failures:
        return
    first = failures[0]
    if len(targets) > 1:
        told = f" It was delivered to {', '.join(served)}." if served else ""
        first.message = (
            f"{len(failures)} of {len(targets)} notification targets failed: "
            + " ".join(exc.message for exc in failures)
            + told
        )
    raise first


def send_notification(
    target: str,
    payload: dict[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 10.0,
    retry_delay: float = 1.0,
) -> None:
    """Deliver ``payload`` (``build_notification``) to the one ``target`` a string names: a
    webhook URL, ``teams+https://...`` or ``mailto:...``.

    Raises only ``GatekeeperError``s: ``UsageError`` for a target that is not allowed,
    ``TransportError`` when it cannot be reached, and ``NotificationError`` when it refuses
    the notification or the exchange fails.
    """
    deliver(
        [parse_target(target)],
        payload,
        transport=transport,
        timeout=timeout,
        retry_delay=retry_delay,
    )
