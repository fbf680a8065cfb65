"""The register as one self-contained HTML page a DPO prints or files.

Order: who and when; the contracts to sign (recipients that get data under no agreement);
the register by app (each processing activity with its Art. 30(1) fields, then its
recipients); the view by recipient; the agreements with their expiry; what changed since
the last audit. The style is the audit report's (``report/html_report.css``); the page has
no script and references nothing outside itself, and its Content-Security-Policy allows
only its own style. Every untrusted string goes through ``html_sections.e`` (visible
escapes, then HTML escaping).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from gatekeeper import __version__
from gatekeeper.register.formats.interface import TextOut
from gatekeeper.register.formats.tables import AGREEMENTS, BY_RECIPIENT, View, joined
from gatekeeper.report.html import asset, csp_hash
from gatekeeper.report.html_sections import badge, e
from gatekeeper.report.interface import TOOL_NAME
from gatekeeper.report.summary import human_time

if TYPE_CHECKING:
    from gatekeeper.register.model import Activity, Register, RegisterRow

_ROW_HEAD = (
    "Recipient",
    "Role",
    "Service",
    "Kind",
    "Countries",
    "Transfer",
    "Agreement",
    "Expires",
    "Open findings",
)


class RegisterHtml:
    name = "html"
    extension = ".html"
    media_type = "text/html; charset=utf-8"

    def write(self, register: Register, out: BinaryIO) -> None:
        with TextOut(out) as text:
            for part in _page(register):
                text.write(part)
                text.write("\n")


def _page(register: Register) -> Iterator[str]:
    css = asset("html_report.css")
    csp = f"default-src 'none'; style-src {csp_hash(css)}; base-uri 'none'; form-action 'none'"
    who = register.institution.name
    title = (
        f"{who}: register of processing activities" if who else "Register of processing activities"
    )
    yield "<!DOCTYPE html>"
    yield '<html lang="en">'
    yield "<head>"
    yield '<meta charset="utf-8">'
    yield f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
    yield '<meta name="viewport" content="width=device-width, initial-scale=1">'
    yield f"<title>{e(title)}</title>"
    yield f"<style>{css}</style>"
    yield "</head>"
    yield "<body>"
    yield _header(register, title)
    yield "<main>"
    yield _to_sign(register)
    yield '<section id="by-app">\n<h2>By app</h2>'
    rows: dict[str, list[RegisterRow]] = {}
    for row in register.rows:
        rows.setdefault(row.app, []).append(row)
    for activity in register.activities:
        yield _activity(activity, rows.get(activity.app, []))
    yield "</section>"
    yield _table_section("by-recipient", BY_RECIPIENT, register)
    yield _table_section("agreements", AGREEMENTS, register)
    yield _changes(register)
    yield "</main>"
    yield (
        f"<footer>Written by {TOOL_NAME} {e(__version__)} on {human_time(register.generated_at)}"
        " from the facts of the Heroku Platform API and the policy. The purposes, data "
        "subjects, categories and retention come from the policy's [[apps]] entries and "
        "[institution].</footer>"
    )
    yield "</body>"
    yield "</html>"


def _header(register: Register, title: str) -> str:
    meta = [("Generated", human_time(register.generated_at))]
    if register.institution.contact:
        meta.append(("Contact", e(register.institution.contact)))
    if register.policy.path:
        meta.append(("Policy", f"<code>{e(register.policy.path)}</code>"))
    if register.policy.sha256:
        meta.append(("Policy SHA-256", f"<code>{e(register.policy.sha256)}</code>"))
    meta.append(("Apps", str(len(register.activities))))
    items = "\n".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta)
    return f'<header>\n<h1>{e(title)}</h1>\n<dl class="meta">\n{items}\n</dl>\n</header>'


def _to_sign(register: Register) -> str:
    missing = [r for r in register.recipients if r.missing_agreement]
    head = '<section id="to-sign">\n<h2>Contracts to sign</h2>\n'
    if not missing:
        return head + "<p>Every processor of these apps is under an agreement.</p>\n</section>"
    items = "\n".join(
        f"<li><strong>{e(r.recipient)}</strong> ({e(joined(r.kinds))}): no agreement for "
        f"{e(', '.join(r.missing_agreement))}</li>"
        for r in missing
    )
    return head + f"<ul>\n{items}\n</ul>\n</section>"


def _activity(activity: Activity, rows: list[RegisterRow]) -> str:
    fields = [
        ("Team", activity.team or "personal account"),
        ("Region", activity.region or "unknown"),
        ("Data class", activity.data_class),
        ("Purpose", activity.purpose or "not stated in the policy"),
        ("Data subjects", joined(activity.data_subjects) or "not stated"),
        ("Data categories", joined(activity.data_categories) or "not stated"),
        ("Retention", activity.retention or "not stated"),
        ("Controller", activity.controller_contact or "not stated"),
        ("Ethics approval", activity.ethics_reference or "none given"),
    ]
    meta = "\n".join(f"<dt>{k}</dt><dd>{e(v)}</dd>" for k, v in fields)
    head = "".join(f"<th>{h}</th>" for h in _ROW_HEAD)
    body = "\n".join(
        "<tr>"
        + "".join(
            f"<td>{e(cell)}</td>"
            for cell in (
                row.recipient,
                row.role,
                row.service,
                row.kind,
                joined(row.countries) or "unknown",
                row.transfer_mechanism,
                row.agreement_id
                + (f" ({row.agreement_document})" if row.agreement_document else ""),
                row.agreement_expires.isoformat() if row.agreement_expires else "",
                joined(row.open_findings),
            )
        )
        + "</tr>"
        for row in rows
    )
    return (
        f"<article>\n<h3>{e(activity.app)} {badge(activity.decision)}</h3>\n"
        f'<dl class="meta">\n{meta}\n</dl>\n'
        f"<table><thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>\n</article>"
    )


def _table_section(anchor: str, view: View[Any], register: Register) -> str:
    head = "".join(f"<th>{e(c)}</th>" for c in view.columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>"
        for cells in view.rows(register)
    )
    return (
        f'<section id="{anchor}">\n<h2>{e(view.title)}</h2>\n'
        f"<table><thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>\n</section>"
    )


def _changes(register: Register) -> str:
    head = '<section id="changes">\n<h2>Changes since the last audit</h2>\n'
    changes = register.changes
    if changes is None:
        return head + "<p>Not compared with an earlier register.</p>\n</section>"
    if not changes.items:
        return head + f"<p>Nothing changed since {e(changes.baseline)}.</p>\n</section>"
    items = "\n".join(
        f"<li><strong>{e(c.kind)}</strong>: {e(c.app)}"
        + (f", {e(c.recipient)}" if c.recipient else "")
        + (f" ({e(c.detail)})" if c.detail else "")
        + "</li>"
        for c in changes.items
    )
    return head + f"<p>Since {e(changes.baseline)}:</p>\n<ul>\n{items}\n</ul>\n</section>"
