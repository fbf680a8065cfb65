"""End to end: ``gatekeeper register`` and ``audit --output register-FMT=FILE`` through the
real CLI against the simulator's demo estate over HTTP.

The register of the demo estate is asserted row by row for a covered team app with add-ons
under agreements (survey), a personal app (jdoe-thesis), an app with a third-party add-on
without agreement, Managed Inference and a custom drain (bio-dashboard), one with an
allowed drain and an attached add-on (otree-study), and the Fir app with telemetry drains
(fir-survey). Each format is opened with what a user opens it with: the CSV with Python's
csv module after the BOM (utf-8-sig), the workbook with openpyxl, the JSON against its
schema, the HTML with an HTML parser. ``--from-history`` reads an audit recorded in SQLite
(the PostgreSQL store: tests/interop/test_register_postgres.py; both through
tests/register_history.py).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from register_history import assert_history_changes, changed_estate, register_json

from gatekeeper.cli import run
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, demo_estate

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
COLUMNS = [
    "app",
    "team",
    "data_class",
    "purpose",
    "recipient",
    "role",
    "service",
    "kind",
    "countries",
    "transfer_mechanism",
    "agreement_id",
    "agreement_document",
    "agreement_expires",
    "decision",
    "open_findings",
]

FORMATS = ("csv", "xlsx", "json", "html")

HEROKU, AWS = "Salesforce, Inc. (Heroku)", "Amazon Web Services, Inc."
RESEARCH = "Scientific research"
DPA = ("salesforce-dpa", "2029-02-28")
NONE = ("none", None)

Row = tuple[Any, ...]


def row_tuple(row: dict[str, Any]) -> Row:
    """A row of the JSON register without its agreement document (checked elsewhere)."""
    return (
        row["app"],
        row["team"],
        row["data_class"],
        row["purpose"],
        row["recipient"],
        row["role"],
        row["service"],
        row["kind"],
        tuple(row["countries"]),
        row["transfer_mechanism"],
        row["agreement_id"],
        row["agreement_expires"],
        row["decision"],
        tuple(row["open_findings"]),
    )


def rows_of(
    app: str, team: str | None, data_class: str, purpose: str, decision: str, *rows: Row
) -> list[Row]:
    return [(app, team, data_class, purpose, *r[:6], *r[6], decision, r[7]) for r in rows]


# (recipient, role, service, kind, countries, mechanism, (agreement, expires), findings)
EXPECTED_ROWS: dict[str, list[Row]] = {
    # A covered team app: Heroku under the Salesforce DPA, two third-party add-ons under
    # their own agreements (in the US, under SCC and BCR).
    "survey": rows_of(
        "survey",
        "psych-lab",
        "personal",
        "Online survey on study habits",
        "allow",
        (HEROKU, "processor", "heroku", "platform", ("IE",), "scc", DPA, ()),
        (AWS, "sub-processor", "heroku", "platform", ("IE",), "scc", DPA, ()),
        (
            "papertrail",
            "processor",
            "papertrail",
            "add-on",
            ("US",),
            "scc",
            ("papertrail-dpa", "2028-04-30"),
            (),
        ),
        (
            HEROKU,
            "own infrastructure",
            "heroku-postgresql",
            "add-on",
            ("IE",),
            "scc",
            DPA,
            ("postgres-backups",),
        ),
        (
            "sendgrid",
            "processor",
            "sendgrid",
            "add-on",
            ("US",),
            "bcr",
            ("sendgrid-dpa", "2028-05-31"),
            (),
        ),
    ),
    # A personal app: no agreement covers a personal account.
    "jdoe-thesis": rows_of(
        "jdoe-thesis",
        None,
        "personal",
        RESEARCH,
        "block",
        (
            HEROKU,
            "processor",
            "heroku",
            "platform",
            ("IE",),
            "adequacy",
            NONE,
            ("personal-account", "unclassified-app"),
        ),
        (AWS, "sub-processor", "heroku", "platform", ("IE",), "adequacy", NONE, ()),
        (
            HEROKU,
            "own infrastructure",
            "heroku-postgresql",
            "add-on",
            ("IE",),
            "adequacy",
            NONE,
            ("postgres-backups",),
        ),
    ),
    # A third-party add-on without agreement, Managed Inference on Amazon Bedrock in the US,
    # and a custom drain to a host nobody contracted.
    "bio-dashboard": rows_of(
        "bio-dashboard",
        "bio-lab",
        "personal",
        RESEARCH,
        "block",
        (HEROKU, "processor", "heroku", "platform", ("IE",), "scc", DPA, ("unclassified-app",)),
        (AWS, "sub-processor", "heroku", "platform", ("IE",), "scc", DPA, ()),
        (
            HEROKU,
            "own infrastructure",
            "heroku-inference",
            "add-on",
            ("US",),
            "scc",
            DPA,
            ("addon-location-not-allowed",),
        ),
        (
            "Amazon Bedrock (Amazon Web Services)",
            "sub-processor",
            "heroku-inference",
            "add-on",
            ("US",),
            "scc",
            DPA,
            (),
        ),
        ("sentry", "processor", "sentry", "add-on", (), "none", NONE, ("addon-no-agreement",)),
        (
            "logs.example-logging.io",
            "processor",
            "logs.example-logging.io",
            "log drain",
            (),
            "none",
            NONE,
            ("log-drain-not-allowed",),
        ),
    ),
    # An allowed custom drain (the university's own log server) and an add-on attached from
    # another app.
    "otree-study": rows_of(
        "otree-study",
        "psych-lab",
        "pseudonymous",
        RESEARCH,
        "block",
        (HEROKU, "processor", "heroku", "platform", ("IE",), "scc", DPA, ()),
        (AWS, "sub-processor", "heroku", "platform", ("IE",), "scc", DPA, ()),
        (
            HEROKU,
            "own infrastructure",
            "heroku-postgresql",
            "add-on",
            ("IE",),
            "scc",
            DPA,
            ("postgres-backups",),
        ),
        (HEROKU, "own infrastructure", "heroku-redis", "add-on", ("IE",), "scc", DPA, ()),
        (HEROKU, "own infrastructure", "scheduler", "add-on", ("IE",), "scc", DPA, ()),
        (
            "sentry",
            "processor",
            "sentry",
            "attached add-on",
            (),
            "none",
            NONE,
            ("addon-no-agreement",),
        ),
        (
            "logs.uni-example.edu",
            "own infrastructure",
            "logs.uni-example.edu",
            "log drain",
            (),
            "none",
            NONE,
            (),
        ),
    ),
    # The Fir app: its own telemetry drain and its space's.
    "fir-survey": rows_of(
        "fir-survey",
        "psych-lab",
        "personal",
        RESEARCH,
        "block",
        (HEROKU, "processor", "heroku", "platform", ("DE",), "scc", DPA, ("unclassified-app",)),
        (AWS, "sub-processor", "heroku", "platform", ("DE",), "scc", DPA, ()),
        (
            "otlp.eu01.example-apm.com",
            "processor",
            "otlp.eu01.example-apm.com",
            "telemetry drain",
            (),
            "none",
            NONE,
            ("telemetry-drain-not-allowed",),
        ),
        (
            "otlp.us.example-observability.com",
            "processor",
            "otlp.us.example-observability.com",
            "telemetry drain",
            (),
            "none",
            NONE,
            ("telemetry-drain-not-allowed",),
        ),
    ),
    # Heroku Connect copies data into a Salesforce org; the Shield space's log drain.
    "clinical-trial": rows_of(
        "clinical-trial",
        "bio-lab",
        "special",
        RESEARCH,
        "block",
        (HEROKU, "processor", "heroku", "platform", ("IE",), "scc", DPA, ()),
        (AWS, "sub-processor", "heroku", "platform", ("IE",), "scc", DPA, ()),
        (
            "Salesforce, Inc. (Salesforce org)",
            "processor",
            "herokuconnect",
            "salesforce sync",
            (),
            "scc",
            DPA,
            (),
        ),
        (
            HEROKU,
            "own infrastructure",
            "heroku-postgresql",
            "add-on",
            ("IE",),
            "scc",
            DPA,
            ("postgres-backups",),
        ),
        (
            "siem.bio-partner.example.net",
            "processor",
            "siem.bio-partner.example.net",
            "log drain",
            (),
            "none",
            NONE,
            ("log-drain-not-allowed",),
        ),
    ),
}


@pytest.fixture(scope="module")
def module_sim() -> Iterator[Simulator]:
    with Simulator(demo_estate()) as server:
        yield server


@pytest.fixture
def user_env(monkeypatch: pytest.MonkeyPatch, module_sim: Simulator) -> Iterator[Simulator]:
    module_sim.set_estate(demo_estate())
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("HEROKU_HOST", module_sim.url)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
    yield module_sim
    module_sim.set_estate(demo_estate())


def test_the_register_of_the_demo_estate_row_by_row(user_env: Simulator, tmp_path: Path) -> None:
    out = tmp_path / "register.json"
    assert run(["register", "--all", "--format", "json", "-o", str(out)]) == 0
    doc = register_json(out)
    assert doc["schema"] == "gatekeeper.register/v1"
    rows = [row_tuple(r) for r in doc["rows"]]
    for app, expected in EXPECTED_ROWS.items():
        assert [r for r in rows if r[0] == app] == expected, app
    # One activity per app, with the Art. 30 fields from the policy ([[apps]] over
    # [institution]).
    activities = {a["app"]: a for a in doc["activities"]}
    assert len(activities) == 11
    survey = activities["survey"]
    assert survey["purpose"] == "Online survey on study habits"
    assert survey["data_subjects"] == ["study participants"]  # [institution]'s default
    assert survey["data_categories"] == ["e-mail address", "survey answers"]
    assert survey["retention"] == "Deleted 2 years after the survey closes"
    assert survey["ethics_reference"] == "Ethics committee approval 2024-17"
    assert survey["controller_contact"].startswith("University of Example, Data Protection")
    assert activities["econ-game"]["purpose"] == "Scientific research"


def test_by_recipient_lists_the_missing_agreements_first(
    user_env: Simulator, tmp_path: Path
) -> None:
    out = tmp_path / "register.json"
    assert run(["register", "--all", "--format", "json", "-o", str(out)]) == 0
    recipients = register_json(out)["recipients"]
    missing = [r["recipient"] for r in recipients if r["missing_agreement"]]
    assert [r["recipient"] for r in recipients[: len(missing)]] == missing
    assert set(missing) == {
        "Salesforce, Inc. (Heroku)",  # jdoe-thesis and student-game: no Heroku DPA
        "logs.example-logging.io",
        "otlp.eu01.example-apm.com",
        "otlp.us.example-observability.com",
        "sentry",
        "siem.bio-partner.example.net",
    }
    sentry = next(r for r in recipients if r["recipient"] == "sentry")
    assert sentry["apps"] == ["bio-dashboard", "otree-study"]
    assert sentry["missing_agreement"] == ["bio-dashboard", "otree-study"]
    heroku = next(r for r in recipients if r["recipient"] == "Salesforce, Inc. (Heroku)")
    assert heroku["missing_agreement"] == ["jdoe-thesis", "student-game"]
    assert heroku["agreements"] == ["salesforce-dpa"]


def test_the_csv_opens_in_a_csv_parser_with_the_bom(user_env: Simulator, tmp_path: Path) -> None:
    out = tmp_path / "register.csv"
    assert run(["register", "--all", "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the names right
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert reader.fieldnames == COLUMNS
    rows = list(reader)
    survey = [r for r in rows if r["app"] == "survey"]
    assert [(r["recipient"], r["agreement_id"]) for r in survey] == [
        (r[4], r[10]) for r in EXPECTED_ROWS["survey"]
    ]
    papertrail = next(r for r in survey if r["service"] == "papertrail")
    assert papertrail["countries"] == "US"
    assert papertrail["agreement_expires"] == "2028-04-30"
    assert papertrail["agreement_document"].endswith("papertrail-dpa.pdf")
    assert b"\r\n" in data


def test_the_workbook_has_a_sheet_per_view(user_env: Simulator, tmp_path: Path) -> None:
    out = tmp_path / "register.xlsx"
    assert run(["register", "--all", "--format", "xlsx", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["By app", "By recipient", "Agreements", "Activities"]
    by_app = book["By app"]
    assert [c.value for c in by_app[1]] == COLUMNS
    assert by_app.freeze_panes == "A2"
    assert by_app.auto_filter.ref == by_app.dimensions
    assert by_app.column_dimensions["E"].width > 20  # recipients are long names
    first = [c.value for c in by_app[2]]
    assert first[:8] == [
        "bio-dashboard",
        "bio-lab",
        "personal",
        "Scientific research",
        "Salesforce, Inc. (Heroku)",
        "processor",
        "heroku",
        "platform",
    ]
    recipients = book["By recipient"]
    assert recipients.freeze_panes == "A2" and recipients.auto_filter.ref
    assert recipients["H2"].value  # the first recipient is one with apps missing an agreement
    agreements = book["Agreements"]
    ids = [agreements.cell(row=n, column=1).value for n in range(2, agreements.max_row + 1)]
    assert ids == ["papertrail-dpa", "sendgrid-dpa", "salesforce-dpa"]  # soonest expiry first
    assert agreements["H2"].value == "2028-04-30"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.external: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            if name in ("src", "href") and value and not value.startswith("#"):
                self.external.append(value)
        self.scripts += tag == "script"


def test_the_html_page_is_self_contained(user_env: Simulator, tmp_path: Path) -> None:
    out = tmp_path / "register.html"
    assert run(["register", "--all", "--format", "html", "-o", str(out)]) == 0
    page = _Page()
    page.feed(out.read_text(encoding="utf-8"))
    page.close()
    assert page.external == [] and page.scripts == 0
    assert page.ids == ["to-sign", "by-app", "by-recipient", "agreements", "changes"]
    text = out.read_text(encoding="utf-8")
    assert "default-src 'none'" in text
    assert text.index("sentry") < text.index('id="by-app"')  # contracts to sign come first


def test_audit_writes_the_register_with_its_report(user_env: Simulator, tmp_path: Path) -> None:
    outputs = [f"--output=register-{fmt}={tmp_path / ('register.' + fmt)}" for fmt in FORMATS]
    report = tmp_path / "audit.json"
    assert run(["audit", "--all", "--no-history", f"--output=json={report}", *outputs]) == 1
    doc = register_json(tmp_path / "register.json")
    assert len(doc["activities"]) == 11
    assert openpyxl.load_workbook(tmp_path / "register.xlsx").sheetnames[0] == "By app"
    assert (tmp_path / "register.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "register.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert json.loads(report.read_text(encoding="utf-8"))["schema"] == "gatekeeper.report/v1"


def test_register_outputs_are_refused_where_they_cannot_be(
    user_env: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["audit", "--all", "--no-history", "--output", "register-csv=-"]) == 2
    assert "written to a file, not to stdout" in capsys.readouterr().err
    target = tmp_path / "r.json"
    assert run(["check", "--app", "survey", "--output", f"register-json={target}"]) == 2
    assert "gatekeeper audit only" in capsys.readouterr().err
    assert not target.exists()
    assert run(["register"]) == 2
    assert "--team NAME, --enterprise NAME or --all" in capsys.readouterr().err


def test_from_history_in_sqlite(
    user_env: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "history.sqlite")
    assert run(["register", "--from-history", "--store", store]) == 2
    assert "There is no audit" in capsys.readouterr().err
    assert_history_changes(store, user_env, tmp_path)


def test_since_last_compares_with_the_last_audit(user_env: Simulator, tmp_path: Path) -> None:
    store = str(tmp_path / "history.sqlite")
    assert run(["audit", "--all", "--store", store, "--format", "json"]) == 1
    user_env.set_estate(changed_estate())
    out = tmp_path / "now.json"
    assert (
        run(
            [
                "register",
                "--all",
                "--since-last",
                "--store",
                store,
                "--format",
                "json",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    kinds = {c["kind"] for c in register_json(out)["changes"]["items"]}
    assert kinds == {"app gone", "new recipient", "recipient gone"}


def test_a_snapshot_gives_the_same_register(user_env: Simulator, tmp_path: Path) -> None:
    snapshot = tmp_path / "estate.json"
    assert run(["snapshot", "--all", "-o", str(snapshot)]) == 0
    live, offline = tmp_path / "live.json", tmp_path / "offline.json"
    assert run(["register", "--all", "--format", "json", "-o", str(live)]) == 0
    assert (
        run(["register", "--snapshot", str(snapshot), "--format", "json", "-o", str(offline)]) == 0
    )
    assert register_json(live)["rows"] == register_json(offline)["rows"]


def test_facts_that_cannot_be_read_make_the_register_incomplete(
    user_env: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gatekeeper.simulator import DEMO_JDOE_TOKEN

    monkeypatch.setenv("HEROKU_API_KEY", DEMO_JDOE_TOKEN)  # cannot read bio-lab's apps
    out = tmp_path / "register.csv"
    code = run(["register", "--team", "bio-lab", "-o", str(out)])
    assert code == 3
