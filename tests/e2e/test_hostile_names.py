"""Hostile app, add-on and team names pass through collection, reports and hooks harmlessly.

The simulator serves an estate whose names carry shell metacharacters, HTML and script,
Markdown, spreadsheet formulas, GitHub workflow commands, terminal escapes, bidirectional
overrides, newlines and other Unicode. Heroku itself would not accept most of them (app names
are ``[a-z][a-z0-9-]``, and the simulator's estate-file loader refuses them too), so the estate
is built in Python: it stands for an API, a proxy or a snapshot that answers with such names.

``gatekeeper audit`` reads them over real HTTP and writes every report format; each is checked
in its own syntax: the HTML has no element or attribute the names brought in, the JSON and
SARIF round-trip them exactly, the JUnit XML parses, the CSV cells cannot run as formulas,
the GitHub annotations cannot be forged, the text and Markdown carry no raw control
characters. The same audit writes the DPO's register in its four formats, each checked the
same way (the workbook opened with openpyxl: no cell is a formula). No shell ever runs a name
(a ``pwned`` file would appear).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.cli import run
from gatekeeper.simulator import (
    DEMO_ADMIN_TOKEN,
    SimAddOn,
    SimApp,
    SimEstate,
    SimLogDrain,
    SimTeam,
    Simulator,
    demo_estate,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
FORMATS = ("text", "json", "html", "markdown", "csv", "sarif", "junit", "github")
REGISTER_FORMATS = ("csv", "xlsx", "json", "html")

HOSTILE_APPS = (
    "x$(touch${IFS}pwned)",
    "a;touch pwned;#",
    "`touch pwned`",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "café-ünï-🙂-名前",
    "evil\u202egnp.exe",
    "line\nfake::error::forged",
    '=HYPERLINK("http://evil.example")',
    "| cell | [link](javascript:alert(1)) **b** @someone",
    "\x1b[2J\x1b[31mred",
    "]]></testcase><x a='",
    "../../etc/passwd",
    "%0A::warning::percent",
)
HOSTILE_ADDON = "addon-<b>x</b>;$(touch pwned)\n::error::addon"
HOSTILE_SERVICE = "evil<svc>&`id`"
HOSTILE_TEAM = "lab;$(touch pwned)<i>"
FORGED_LINES = ("fake::error::forged", "::warning::percent", "::error::addon")


def hostile_estate() -> SimEstate:
    """The demo estate plus apps (in psych-lab and in a hostile team) with hostile names."""
    estate = demo_estate()
    estate.teams.append(SimTeam(HOSTILE_TEAM))
    for index, name in enumerate(HOSTILE_APPS):
        addons = [
            SimAddOn(plan="papertrail:choklad", name=f"{HOSTILE_ADDON}-{index}"),
            SimAddOn(plan=f"{HOSTILE_SERVICE}:plan`id`", name=f"svc-{index}<u>"),
        ]
        drains = [SimLogDrain(url=f"syslog+tls://logs{index}.evil.example:6514/$(touch pwned)")]
        estate.apps.append(
            SimApp(
                name=name,
                region="eu",
                team="psych-lab" if index % 2 else HOSTILE_TEAM,
                addons=addons,
                log_drains=drains,
            )
        )
    return estate


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    with Simulator(hostile_estate()) as sim:
        yield sim


@pytest.fixture(scope="module")
def reports(
    simulator: Simulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """One audit of the hostile estate, every format written; run in an empty directory."""
    work = tmp_path_factory.mktemp("hostile work dir")
    saved_env = dict(os.environ)
    saved_cwd = Path.cwd()
    # tests/conftest.py isolates each test, but a module fixture runs before that: do it here.
    for name in [n for n in os.environ if n.startswith(("HEROKU_", "GATEKEEPER_"))]:
        del os.environ[name]
    os.environ.update(
        HOME=str(work),
        XDG_DATA_HOME=str(work / "data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    os.environ["HEROKU_API_KEY"] = DEMO_ADMIN_TOKEN
    os.chdir(work)
    out, err = io.StringIO(), io.StringIO()
    try:
        from contextlib import redirect_stderr, redirect_stdout

        outputs = [f"--output={fmt}={work / ('report.' + fmt)}" for fmt in FORMATS]
        outputs += [
            f"--output=register-{fmt}={work / ('register.' + fmt)}" for fmt in REGISTER_FORMATS
        ]
        with redirect_stdout(out), redirect_stderr(err):
            code = run(
                [
                    "audit",
                    "--all",
                    "--api-url",
                    simulator.url,
                    "--policy",
                    str(POLICY),
                    "--format",
                    "text",
                    "--no-history",
                    *outputs,
                ]
            )
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    files = {fmt: (work / f"report.{fmt}").read_text(encoding="utf-8") for fmt in FORMATS}
    for fmt in REGISTER_FORMATS:
        files[f"register-{fmt}"] = (work / f"register.{fmt}").read_bytes()
    yield {
        "code": code,
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "files": files,
        "work": work,
    }


def test_the_audit_reads_every_hostile_app(reports: dict[str, Any]) -> None:
    assert reports["code"] == 1, reports["stderr"]  # blocked apps, no api-error
    assert "Traceback" not in reports["stdout"] + reports["stderr"]
    data = json.loads(reports["files"]["json"])
    names = {app["name"] for app in data["apps"]}
    assert set(HOSTILE_APPS) <= names
    for app in data["apps"]:
        assert "api-error" not in {f["rule"] for f in app["findings"]}, app["name"]


def test_no_name_was_ever_run_by_a_shell(reports: dict[str, Any]) -> None:
    work: Path = reports["work"]
    assert not list(work.rglob("pwned")) and not (ROOT / "pwned").exists()
    assert not (Path.home() / "pwned").exists()


def test_json_round_trips_the_names_exactly(reports: dict[str, Any]) -> None:
    data = json.loads(reports["files"]["json"])
    by_name = {app["name"]: app for app in data["apps"]}
    for index, name in enumerate(HOSTILE_APPS):
        app = by_name[name]
        assert app["team"] == ("psych-lab" if index % 2 else HOSTILE_TEAM)
        subjects = {f["subject"] for f in app["findings"]}
        assert f"svc-{index}<u>" in subjects, subjects  # the third-party add-on, unagreed


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[tuple[str | None, str]] = []  # (type, content)
        self.text: list[str] = []
        self._script: str | bool | None = False  # the type of the open script, or False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script = dict(attrs).get("type")

    def handle_endtag(self, tag: str) -> None:
        self._script = False

    def handle_data(self, data: str) -> None:
        if self._script is False:
            self.text.append(data)
        else:
            self.scripts.append((self._script or None, data))


def test_html_shows_names_as_text_never_as_markup(reports: dict[str, Any]) -> None:
    html = reports["files"]["html"]
    parser = _Collect()
    parser.feed(html)
    parser.close()
    tags = {tag for tag, _ in parser.tags}
    assert not tags & {"img", "x", "b", "u", "i", "svc"}
    for _, attrs in parser.tags:
        assert not any(name.startswith("on") for name, _ in attrs), attrs
        assert not any(value and "javascript:" in value for _, value in attrs), attrs
    # Code is the report's own; the names travel only inside the JSON data block.
    code = [content for kind, content in parser.scripts if kind != "application/json"]
    data = [content for kind, content in parser.scripts if kind == "application/json"]
    assert code and data
    assert not any("alert(1)" in content or "pwned" in content for content in code)
    embedded = json.dumps(json.loads(data[0]), ensure_ascii=False)
    assert "<script>alert(1)</script>" in embedded  # as data, escaped in the page
    assert "</script" not in data[0] and "<" not in data[0]
    shown = "".join(parser.text)
    for name in ("<script>alert(1)</script>", "café-ünï-🙂-名前", "x$(touch${IFS}pwned)"):
        assert name in shown


def test_sarif_is_json_and_names_round_trip(reports: dict[str, Any]) -> None:
    sarif = json.loads(reports["files"]["sarif"])
    text = json.dumps(sarif, ensure_ascii=False)
    assert "<script>alert(1)</script>" in text
    assert sarif["version"] == "2.1.0"


def test_junit_is_well_formed_xml(reports: dict[str, Any]) -> None:
    root = ET.fromstring(reports["files"]["junit"])
    names = " ".join(
        case.get("name", "") + " " + case.get("classname", "") for case in root.iter("testcase")
    )
    assert "<script>alert(1)</script>" in names
    assert root.find(".//x") is None  # the CDATA/markup breaker stayed text


def test_csv_cells_are_not_formulas(reports: dict[str, Any]) -> None:
    rows = list(csv.reader(io.StringIO(reports["files"]["csv"])))
    assert len(rows) > len(HOSTILE_APPS)
    width = len(rows[0])
    for row in rows:
        assert len(row) == width  # a newline in a name did not split a row
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)


def test_github_annotations_cannot_be_forged(reports: dict[str, Any]) -> None:
    lines = reports["files"]["github"].splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert commands
    for line in commands:
        assert line.startswith(("::error", "::warning", "::notice", "::group", "::endgroup")), line
    for forged in FORGED_LINES:
        assert not any(line.startswith(forged) for line in lines)


@pytest.mark.parametrize("fmt", ["text", "markdown", "github"])
def test_no_raw_control_or_bidi_characters(fmt: str, reports: dict[str, Any]) -> None:
    body = reports["files"][fmt]
    if fmt == "text":
        body += reports["stdout"]
    assert "\x1b" not in body
    assert "\u202e" not in body
    for forged in FORGED_LINES:
        assert f"\n{forged}" not in body


def _without_code(markdown: str) -> str:
    """The Markdown with fenced code blocks and inline code spans removed."""
    kept: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        stripped = line.strip()
        if fence is None and (match := re.match(r"(`{3,})", stripped)):
            fence = match.group(1)
        elif fence is not None and stripped.startswith(fence) and not stripped.strip("`"):
            fence = None
        elif fence is None:
            kept.append(line)
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", "\n".join(kept))


def test_markdown_names_cannot_break_the_table_or_link(reports: dict[str, Any]) -> None:
    markdown = reports["files"]["markdown"]
    # Outside code (where fixes quote commands literally), markup characters are escaped.
    prose = _without_code(markdown)
    assert not re.search(r"(?<!\\)\]\(javascript:", prose)
    assert not re.search(r"(?<!\\)<(script|img|b|i|u)\b", prose)  # every "<" escaped
    assert "@someone" not in prose  # no GitHub mention


def test_check_by_id_prints_a_hostile_name_harmlessly(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    for name in ("\x1b[2J\x1b[31mred", "line\nfake::error::forged", "evil\u202egnp.exe"):
        app = next(a for a in simulator.estate.apps if a.name == name)
        code = run(["check", "--app", app.id, "--api-url", simulator.url, "--policy", str(POLICY)])
        out, err = capsys.readouterr()
        assert code == 1, err
        assert "\x1b" not in out + err and "\u202e" not in out + err
        assert "\nfake::error::forged" not in out + err
        assert "Traceback" not in out + err


@pytest.mark.parametrize("name", HOSTILE_APPS)
def test_check_refuses_a_hostile_app_name(
    name: str,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """``--app`` takes Heroku app names only: the rest is a usage error, shown escaped."""
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.chdir(tmp_path)
    code = run(["check", "--app", name, "--api-url", simulator.url, "--policy", str(POLICY)])
    err = capsys.readouterr().err
    assert code == 2
    assert "is not a Heroku app name" in err
    assert "\x1b" not in err and "\u202e" not in err and "Traceback" not in err
    assert not list(tmp_path.rglob("pwned"))


# -- the register (issue 13), written by the same audit -----------------------------------


def test_register_json_round_trips_the_names_exactly(reports: dict[str, Any]) -> None:
    import jsonschema

    doc = json.loads(reports["files"]["register-json"])
    schema = ROOT / "gatekeeper" / "register" / "register-schema-v1.json"
    jsonschema.validate(doc, json.loads(schema.read_text(encoding="utf-8")))
    apps = {a["app"] for a in doc["activities"]}
    assert set(HOSTILE_APPS) <= apps
    recipients = {r["recipient"] for r in doc["rows"]}
    assert HOSTILE_SERVICE in recipients  # the third-party add-on's provider, by its service
    teams = {r["team"] for r in doc["rows"]}
    assert HOSTILE_TEAM in teams


def test_register_csv_cells_are_not_formulas(reports: dict[str, Any]) -> None:
    data: bytes = reports["files"]["register-csv"]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    width = len(rows[0])
    assert len(rows) > len(HOSTILE_APPS)
    for row in rows:
        assert len(row) == width  # a newline in a name did not split a row
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert any(row[0] == '\'=HYPERLINK("http://evil.example")' for row in rows)


def test_register_workbook_has_no_formula_and_no_control_character(
    reports: dict[str, Any],
) -> None:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(reports["files"]["register-xlsx"]))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value is not None:
                    values.append(str(cell.value))
    assert '=HYPERLINK("http://evil.example")' in values  # kept as text, not evaluated
    assert not any("\x1b" in v or "\u202e" in v for v in values)
    assert "\\x1b[2J\\x1b[31mred" in values  # shown as visible escapes


def test_register_html_shows_names_as_text_never_as_markup(reports: dict[str, Any]) -> None:
    parser = _Collect()
    parser.feed(reports["files"]["register-html"].decode("utf-8"))
    parser.close()
    tags = {tag for tag, _ in parser.tags}
    assert not tags & {"img", "x", "b", "u", "i", "svc", "script"}
    for _, attrs in parser.tags:
        assert not any(name.startswith("on") for name, _ in attrs), attrs
        assert not any(value and "javascript:" in value for _, value in attrs), attrs
    shown = "".join(parser.text)
    for name in ("<script>alert(1)</script>", "café-ünï-🙂-名前", HOSTILE_SERVICE):
        assert name in shown
    assert "\x1b" not in shown and "\u202e" not in shown
