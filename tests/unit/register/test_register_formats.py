"""The register's formats in process: the contract and its schema file, CSV escaping, the
workbook's cells, and the registry of names (end to end: tests/e2e/test_register_e2e.py)."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

import jsonschema
import openpyxl
import pytest
from register_samples import register_of

from gatekeeper.errors import UsageError
from gatekeeper.register.by_recipient import recipients
from gatekeeper.register.formats import get_register_formatter, register_format_names
from gatekeeper.register.formats.interface import RegisterFormatter, render_bytes
from gatekeeper.register.formats.tables import BY_APP
from gatekeeper.register.model import Register, generated_schema, schema_text

HOSTILE = '=HYPERLINK("http://evil.example")\n<b>x</b>\x1b[31m'


def hostile_register() -> Register:
    register = register_of()
    first = register.activities[0]
    rows = tuple(
        r.model_copy(update={"app": HOSTILE, "purpose": "+1", "recipient": "@SUM(A1)"})
        for r in register.rows
        if r.app == first.app
    )
    activity = first.model_copy(update={"app": HOSTILE, "purpose": "+1"})
    return register.model_copy(
        update={"rows": rows, "activities": (activity,), "recipients": recipients(rows)}
    )


def test_the_shipped_schema_is_the_one_the_models_generate() -> None:
    # Regenerate with:
    # python -m gatekeeper.register.model > gatekeeper/register/register-schema-v1.json
    shipped = resources.files("gatekeeper.register").joinpath("register-schema-v1.json")
    assert shipped.read_text(encoding="utf-8") == schema_text()
    assert json.loads(shipped.read_text(encoding="utf-8")) == generated_schema()


def test_the_json_validates_and_reads_back() -> None:
    register = register_of()
    data = render_bytes(get_register_formatter("json"), register)
    document = json.loads(data)
    jsonschema.validate(document, generated_schema())
    assert "changes" not in document
    assert Register.model_validate(document) == register


@pytest.mark.parametrize("name", register_format_names())
def test_every_format_is_a_register_formatter(name: str) -> None:
    formatter = get_register_formatter(name)
    assert isinstance(formatter, RegisterFormatter)
    assert formatter.name == name and formatter.extension == "." + name
    assert render_bytes(formatter, register_of())


def test_an_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="Choose one of: csv, xlsx, json, html"):
        get_register_formatter("pdf")


def test_the_csv_has_a_bom_the_columns_and_no_formula() -> None:
    data = render_bytes(get_register_formatter("csv"), hostile_register())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == BY_APP.columns
    assert rows[1][0] == "'" + HOSTILE  # a formula prefixed, the newline kept inside quotes
    assert rows[1][3] == "'+1" and rows[1][4] == "'@SUM(A1)"


def test_workbook_cells_are_strings_with_visible_escapes() -> None:
    data = render_bytes(get_register_formatter("xlsx"), hostile_register())
    sheet = openpyxl.load_workbook(io.BytesIO(data))["By app"]
    cell = sheet["A2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example")\\n<b>x</b>\\x1b[31m'
    assert sheet["E2"].value == "@SUM(A1)" and sheet["E2"].data_type == "s"


def test_the_html_escapes_names() -> None:
    page = render_bytes(get_register_formatter("html"), hostile_register()).decode("utf-8")
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "\x1b" not in page


def test_without_openpyxl_the_workbook_is_a_clear_usage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_openpyxl(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("openpyxl"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_openpyxl)
    with pytest.raises(UsageError, match=r"heroku-gatekeeper\[xlsx\]"):
        render_bytes(get_register_formatter("xlsx"), register_of())
