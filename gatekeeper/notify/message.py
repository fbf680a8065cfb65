"""What a notification says: built once, then rendered by each channel.

``build_notification`` decides whether there is anything to say (new blocking findings since
the baseline, agreements or waivers about to expire) and builds the payload
``gatekeeper.notification/v1``: the facts for machines, and a Slack-compatible ``text``
field (an incoming webhook shows it as the message). That payload is the message every
channel receives; ``sections`` reads it back as headed lists for the channels that lay it
out themselves (Teams, e-mail), and the ``*_line`` functions word one item of each list the
same way for all of them, each channel passing the escaping of its own syntax.

App names, subjects and messages are untrusted (they come from the Heroku API): every
channel escapes them, and only them, for its output; headings hold numbers and fixed words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from gatekeeper.results import AgreementStatus, Changes, Finding, Report, WaiverStatus

NOTIFICATION_SCHEMA = "gatekeeper.notification/v1"
MAX_LISTED = 50  # items per list in the structured fields; counts are always complete
MAX_TEXT_ITEMS = 10  # items per list in a message a person reads; more becomes "... and N more"

#: Makes untrusted text safe for one output syntax (Slack mrkdwn, plain text, HTML).
Escape = Callable[[str], str]
Entry = Mapping[str, Any]


# -- building ---------------------------------------------------------------------------


def build_notification(
    report: Report, changes: Changes | None, *, expiring_within_days: int
) -> dict[str, Any] | None:
    """The payload to post, or None when there is nothing to notify.

    ``changes`` is the comparison with the previous audit (``gatekeeper.compare``); None means
    there is no earlier audit, so every open blocking finding is new (a ``Changes`` without
    ``since`` is read the same way in the text: nothing was compared). Agreements and waivers
    count as expiring when they end within ``expiring_within_days`` days of the report date
    (ones already expired show up as blocking findings instead).
    """
    today = report.generated_at.date()
    candidates = report.all_findings() if changes is None else list(changes.new)
    new_blocking = [
        _finding_fields(f) for f in candidates if f.severity == "block" and not f.waived
    ]
    agreements = [
        _agreement_fields(a, today)
        for a in report.agreements
        if a.state != "not-yet-signed" and _within(a.expires, today, expiring_within_days)
    ]
    waivers = [
        _waiver_fields(w, today)
        for w in report.waivers
        if _within(w.expires, today, expiring_within_days)
    ]
    if not (new_blocking or agreements or waivers):
        return None

    summary = report.summary
    baseline = changes.baseline if changes is not None else None
    compared = changes is not None and changes.since is not None
    lines = [
        f"*{headline(report.decision)}* ({summary.block} blocked, "
        f"{summary.warn} with warnings, {summary.allow} allowed)",
    ]
    if new_blocking:
        since = (
            f"since {slack_escape(baseline)}" if compared and baseline else "(first recorded audit)"
        )
        lines.append(f"*{plural(len(new_blocking), 'new blocking finding')}* {since}:")
        lines += _slack_bullets(new_blocking, finding_line)
    if agreements:
        lines.append(f"*Agreements expiring within {expiring_within_days} days:*")
        lines += _slack_bullets(agreements, agreement_line)
    if waivers:
        lines.append(f"*Waivers expiring within {expiring_within_days} days:*")
        lines += _slack_bullets(waivers, waiver_line)

    return {
        "schema": NOTIFICATION_SCHEMA,
        "text": "\n".join(lines),
        "generated_at": report.generated_at.isoformat(),
        "decision": report.decision,
        "summary": {"allow": summary.allow, "warn": summary.warn, "block": summary.block},
        "baseline": baseline,
        "new_findings": len(changes.new) if changes is not None else None,
        "resolved_findings": len(changes.resolved) if changes is not None else None,
        "new_blocking_count": len(new_blocking),
        "new_blocking": new_blocking[:MAX_LISTED],
        "expiring_agreements": agreements[:MAX_LISTED],
        "expiring_waivers": waivers[:MAX_LISTED],
    }


def _within(expires: date, today: date, days: int) -> bool:
    return 0 <= (expires - today).days <= days


def _finding_fields(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "app": finding.app,
        "subject": finding.subject,
        "message": finding.message,
        "remediation": finding.remediation,
        "fingerprint": finding.fingerprint,
    }


def _agreement_fields(agreement: AgreementStatus, today: date) -> dict[str, Any]:
    return {
        "id": agreement.id,
        "kind": agreement.kind,
        "covers": list(agreement.covers),
        "expires": agreement.expires.isoformat(),
        "days_left": (agreement.expires - today).days,
    }


def _waiver_fields(waiver: WaiverStatus, today: date) -> dict[str, Any]:
    return {
        "rule": waiver.rule,
        "app": waiver.app,
        "subject": waiver.subject,
        "approved_by": waiver.approved_by,
        "expires": waiver.expires.isoformat(),
        "days_left": (waiver.expires - today).days,
    }


def _slack_bullets(
    entries: list[dict[str, Any]], wording: Callable[[Entry, Escape], str]
) -> list[str]:
    listed = Section("", tuple(entries), len(entries), wording)
    return [f"• {line}" for line in listed.lines(slack_escape)]


def slack_escape(text: str) -> str:
    """Slack's three control characters; app names and messages are untrusted input.

    Escaping ``<`` and ``>`` also keeps a hostile name from pinging ``<!channel>``; control
    characters become visible escapes, so a newline in a name cannot forge a line.
    """
    from gatekeeper.report.escape import visible

    return visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- reading it back, for the channels that lay it out themselves ---------------------------


@dataclass(frozen=True)
class Section:
    """One list of a notification: a heading (numbers and fixed words only) and its items.

    ``entries`` are the structured items (a payload holds at most ``MAX_LISTED`` of each
    list); ``total`` counts them all, and ``at_least`` says that the payload cut the list
    without counting it (the expiring agreements and waivers have no count field of their own).
    """

    heading: str
    entries: tuple[Entry, ...]
    total: int
    wording: Callable[[Entry, Escape], str]
    at_least: bool = False

    def lines(self, escape: Escape) -> list[str]:
        """At most ``MAX_TEXT_ITEMS`` items, worded with ``escape``, then "... and N more"."""
        shown = [self.wording(entry, escape) for entry in self.entries[:MAX_TEXT_ITEMS]]
        more = self.total - len(shown)
        if more > 0:
            shown.append(f"... and {'at least ' if self.at_least else ''}{more} more")
        return shown


def sections(payload: Mapping[str, Any]) -> list[Section]:
    """The lists of a ``gatekeeper.notification/v1`` payload that have items, in order."""
    found: list[Section] = []
    blocking = tuple(payload["new_blocking"])
    count = int(payload["new_blocking_count"])
    if count:
        found.append(Section(plural(count, "new blocking finding"), blocking, count, finding_line))
    for key, noun, wording in (
        ("expiring_agreements", "agreement", agreement_line),
        ("expiring_waivers", "waiver", waiver_line),
    ):
        entries = tuple(payload[key])
        if entries:
            cut = len(entries) >= MAX_LISTED
            heading = f"{'At least ' if cut else ''}{plural(len(entries), noun)} about to expire"
            found.append(Section(heading, entries, len(entries), wording, at_least=cut))
    return found


def headline(decision: str) -> str:
    return f"Gatekeeper audit: {decision}"


def subject_line(payload: Mapping[str, Any]) -> str:
    """A one-line summary of what the notification is about (an e-mail subject)."""
    news = [s.heading[:1].lower() + s.heading[1:] for s in sections(payload)]
    return f"{headline(str(payload['decision']))}: {'; '.join(news)}"


def compared_with(payload: Mapping[str, Any]) -> str:
    """What the new findings are new against, for a person (untrusted: a file name)."""
    baseline = payload.get("baseline")
    return str(baseline) if baseline else "no earlier audit (first recorded audit)"


def summary_facts(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(title, value) pairs of the audit's totals: fixed words and numbers only."""
    summary = payload["summary"]
    return [
        ("Decision", str(payload["decision"])),
        ("Blocked", str(summary["block"])),
        ("With warnings", str(summary["warn"])),
        ("Allowed", str(summary["allow"])),
        ("Audited at", str(payload["generated_at"])),
    ]


# -- wording of one item, the same in every channel ---------------------------------------


def finding_line(entry: Entry, escape: Escape) -> str:
    where = escape(entry["app"]) if entry["app"] else "policy"
    subject = f" ({escape(entry['subject'])})" if entry["subject"] else ""
    return f"{where}: {escape(entry['rule'])}{subject}: {escape(entry['message'])}"


def agreement_line(entry: Entry, escape: Escape) -> str:
    covers = ", ".join(entry["covers"]) or entry["kind"]
    return (
        f"{escape(entry['id'])} ({escape(covers)}) expires {entry['expires']} "
        f"({in_days(entry['days_left'])})"
    )


def waiver_line(entry: Entry, escape: Escape) -> str:
    subject = f" ({escape(entry['subject'])})" if entry["subject"] else ""
    return (
        f"{escape(entry['rule'])} for {escape(entry['app'])}{subject}, approved by "
        f"{escape(entry['approved_by'])}, expires {entry['expires']} "
        f"({in_days(entry['days_left'])})"
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def in_days(days: int) -> str:
    if days == 0:
        return "today"
    return "tomorrow" if days == 1 else f"in {days} days"
