"""The policy loader: valid files load; every kind of problem is reported with line and key."""

from __future__ import annotations

import hashlib
import textwrap
from datetime import date
from pathlib import Path

import pytest

from gatekeeper.errors import EXIT_USAGE, PolicyError, Problem
from gatekeeper.policy import Policy, load_policy, loads_policy

VALID = textwrap.dedent("""\
    version = 1

    [institution]
    name = "University of Example"
    contact = "dpo@uni-example.edu"

    [defaults]
    data_class = "personal"
    expiry_warning_days = 30
    fail_on = "warn"

    [classes.personal]
    countries = ["EEA", "adequate"]
    requires_agreement = true

    [[agreements]]
    id = "salesforce-dpa"
    heroku = true
    enterprise_accounts = ["uni-example"]
    mechanism = "scc"
    signed = 2024-03-01
    expires = 2028-12-31

    [[agreements]]
    id = "papertrail-dpa"
    addon_services = ["papertrail"]
    mechanism = "dpf"
    countries = ["US"]
    expires = 2028-04-30

    [logs]
    allowed_drain_hosts = ["*.uni-example.edu"]

    [[apps]]
    name = "econ-*"
    data_class = "anonymous"

    [rules]
    postgres-backups = "off"

    [[waivers]]
    rule = "addon-no-agreement"
    app = "bio-*"
    subject = "sentry"
    reason = "scrubbing on"
    approved_by = "DPO"
    expires = 2027-01-31
""")


def problems(text: str) -> list[Problem]:
    with pytest.raises(PolicyError) as info:
        loads_policy(text, source="p.toml")
    assert info.value.exit_code == EXIT_USAGE
    return info.value.problems


def only(text: str) -> Problem:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def test_a_valid_policy_loads_with_its_values_and_defaults() -> None:
    policy = loads_policy(VALID)
    assert isinstance(policy, Policy)
    assert policy.defaults.fail_on == "warn"
    assert policy.agreements[0].expires == date(2028, 12, 31)
    assert policy.agreements[1].signed is None
    assert policy.logs.check_drains is True
    assert policy.classify("econ-game") == ("anonymous", 0)
    assert policy.classify("survey") == ("personal", None)
    assert policy.severity("postgres-backups") is None
    assert policy.severity("heroku-connect") == "warn"
    assert policy.class_rule("special").requires_agreement is False
    assert "heroku-postgresql" in policy.heroku_operated


def test_minimal_policy_needs_only_the_version() -> None:
    policy = loads_policy("version = 1\n")
    assert policy.defaults.data_class == "personal"
    assert policy.defaults.expiry_warning_days == 60
    assert policy.contact == "your data protection officer"


def test_load_policy_records_path_and_sha256_of_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "gatekeeper.toml"
    path.write_text(VALID, encoding="utf-8")
    policy = load_policy(path)
    assert policy.source_path == str(path)
    assert policy.sha256 == hashlib.sha256(VALID.encode()).hexdigest()
    assert loads_policy(VALID).source_path == "<string>"


def test_register_fields_default_to_the_institution() -> None:
    policy = loads_policy(
        'version = 1\n[institution]\npurpose = "Research"\ndata_subjects = ["participants"]\n'
        '[[apps]]\nname = "survey"\ndata_class = "personal"\npurpose = "Survey"\n'
    )
    assert policy.institution.purpose == "Research"
    assert policy.institution.data_subjects == ["participants"]
    assert policy.apps[0].purpose == "Survey"
    assert policy.apps[0].data_subjects is None  # not set: the register takes the default


def test_check_drains_can_be_switched_off() -> None:
    assert loads_policy("version = 1\n[logs]\ncheck_drains = false\n").logs.check_drains is False


def test_utf8_byte_order_mark_is_accepted() -> None:
    assert loads_policy(b"\xef\xbb\xbfversion = 1\n").version == 1


# --- one problem each: (text, line, key path, words in the message) ---------------------

CASES = [
    pytest.param(
        "verson = 1\n",
        [(1, "verson", "unknown key"), (None, "version", "missing")],
        id="typo-at-top-and-missing-version",
    ),
    pytest.param("version = 2\n", [(1, "version", "unsupported policy version 2")], id="version-2"),
    pytest.param(
        'version = "1"\n', [(1, "version", "unsupported policy version")], id="version-string"
    ),
    pytest.param(
        "version = 1\n[classes.personal]\nrequires_agrement = true\n",
        [(3, "classes.personal.requires_agrement", 'did you mean "requires_agreement"')],
        id="unknown-key-in-class",
    ),
    pytest.param(
        "version = 1\n[classes.secret]\n",
        [(2, "classes.secret", 'unknown data class "secret"')],
        id="unknown-class-table",
    ),
    pytest.param(
        'version = 1\n[defaults]\ndata_class = "personnal"\n',
        [(3, "defaults.data_class", 'did you mean "personal"')],
        id="unknown-default-class",
    ),
    pytest.param(
        'version = 1\n[[apps]]\nname = "x"\ndata_class = "secret"\n',
        [(4, "apps[0].data_class", "unknown data class")],
        id="unknown-app-class",
    ),
    pytest.param(
        'version = 1\n[classes.personal]\ncountries = ["EEA",\n  "UK"]\n',
        [(4, "classes.personal.countries[1]", 'did you mean "GB"')],
        id="country-UK-on-its-own-line",
    ),
    pytest.param(
        'version = 1\n[classes.personal]\ncountries = ["eea"]\n',
        [(3, "classes.personal.countries[0]", 'did you mean "EEA"')],
        id="lower-case-group",
    ),
    pytest.param(
        'version = 1\n[classes.personal]\ncountries = ["XX"]\n',
        [(3, "classes.personal.countries[0]", "unknown country code or group")],
        id="unknown-country",
    ),
    pytest.param(
        'version = 1\n[rules]\npostgres-backup = "off"\n',
        [(3, "rules.postgres-backup", 'did you mean "postgres-backups"')],
        id="unknown-rule-id",
    ),
    pytest.param(
        'version = 1\n[rules]\nheroku-connect = "blok"\n',
        [(3, "rules.heroku-connect", "is not allowed here")],
        id="bad-severity",
    ),
    pytest.param(
        'version = 1\n[rules]\napi-error = "off"\n',
        [(3, "rules.api-error", "fail closed")],
        id="api-error-switched-off",
    ),
    pytest.param(
        'version = 1\n[defaults]\nexpiry_warning_days = "60"\n',
        [(3, "defaults.expiry_warning_days", "must be an integer, not a string")],
        id="int-as-string",
    ),
    pytest.param(
        "version = 1\n[defaults]\nexpiry_warning_days = -1\n",
        [(3, "defaults.expiry_warning_days", "at least 0")],
        id="negative-days",
    ),
    pytest.param(
        'version = 1\n[classes.personal]\nrequires_shield = "yes"\n',
        [(3, "classes.personal.requires_shield", "true or false")],
        id="bool-as-string",
    ),
    pytest.param(
        'version = 1\n[logs]\nallowed_drain_hosts = "*.example.edu"\n',
        [(3, "logs.allowed_drain_hosts", "must be an array")],
        id="string-not-list",
    ),
    pytest.param(
        'version = 1\n[logs]\nallowed_drain_hosts = ["https://logs.example.edu/x"]\n',
        [(3, "logs.allowed_drain_hosts[0]", "not a host name")],
        id="drain-url",
    ),
    pytest.param(
        'version = 1\n[addons]\ndeny = ["papertrail:choklad"]\n',
        [(3, "addons.deny[0]", "names a plan")],
        id="deny-plan",
    ),
    pytest.param(
        'version = 1\ninstitution = "Uni"\n',
        [(2, "institution", "must be a table")],
        id="scalar-for-table",
    ),
    pytest.param(
        'version = 1\n[agreements]\nid = "x"\n',
        [(2, "agreements", "[[agreements]]")],
        id="table-for-array-of-tables",
    ),
    # The register's Art. 30 fields (issue 13), validated like every other key.
    pytest.param(
        'version = 1\n[[apps]]\nname = "survey"\ndata_class = "personal"\npurpos = "x"\n',
        [(5, "apps[0].purpos", 'did you mean "purpose"')],
        id="register-field-typo",
    ),
    pytest.param(
        'version = 1\n[[apps]]\nname = "s"\ndata_class = "none"\ndata_subjects = "pupils"\n',
        [(5, "apps[0].data_subjects", "must be an array")],
        id="register-list-as-string",
    ),
    pytest.param(
        "version = 1\n[institution]\nretention = 5\n",
        [(3, "institution.retention", "must be a string")],
        id="register-default-type",
    ),
    pytest.param(
        'version = 1\n[institution]\ndata_categories = ["e-mail", " "]\n',
        [(3, "institution.data_categories[1]", "must not be empty")],
        id="register-blank-category",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_problem_names_line_key_and_cause(
    text: str, expected: list[tuple[int | None, str, str]]
) -> None:
    found = problems(text)
    assert [(p.line, p.key) for p in found] == [(line, key) for line, key, _ in expected], found
    for problem, (_, _, words) in zip(found, expected, strict=True):
        assert words in problem.message, problem
        assert problem.file == "p.toml"


AGREEMENTS = textwrap.dedent("""\
    version = 1

    [[agreements]]
    id = "salesforce-dpa"
    heroku = true
    enterprise_accounts = ["uni-example"]
    expires = 2028-12-31

    [[agreements]]
    id = "papertrail-dpa"
    addon_services = ["papertrail"]
    countries = ["US"]
    expires = 2028-01-31

    [[agreements]]
    id = "sendgrid-dpa"
    addon_services = ["sendgrid"]
    countries = ["US"]
    signed = 2029-01-01
    expires = 2028-12-31
""")


def test_third_array_of_tables_entry_is_located() -> None:
    problem = only(AGREEMENTS)
    assert (problem.line, problem.key) == (20, "agreements[2].expires")
    assert "2028-12-31 is before signed 2029-01-01" in problem.message


def test_agreement_without_end_date_points_at_its_table() -> None:
    text = AGREEMENTS.replace("expires = 2028-01-31\n", "")
    problem = only(text.replace("signed = 2029-01-01\n", ""))
    assert (problem.line, problem.key) == (9, "agreements[1].expires")
    assert "needs an end date" in problem.message


def test_quoted_date_is_refused_with_a_hint() -> None:
    problem = only(
        AGREEMENTS.replace("signed = 2029-01-01\n", "").replace(
            "expires = 2028-01-31", 'expires = "2028-01-31"'
        )
    )
    assert (problem.line, problem.key) == (13, "agreements[1].expires")
    assert "without quotes" in problem.message


def test_date_time_is_refused() -> None:
    problem = only(
        AGREEMENTS.replace("signed = 2029-01-01\n", "").replace(
            "expires = 2028-01-31", "expires = 2028-01-31T00:00:00"
        )
    )
    assert "without a time of day" in problem.message


def test_duplicate_agreement_ids_name_both_places() -> None:
    text = AGREEMENTS.replace('"sendgrid-dpa"', '"papertrail-dpa"').replace(
        "signed = 2029-01-01\n", ""
    )
    problem = only(text)
    assert (problem.line, problem.key) == (16, "agreements[2].id")
    assert "agreements[1].id, line 10" in problem.message


@pytest.mark.parametrize(
    ("entry", "key", "words"),
    [
        ('id = "a"\nexpires = 2028-01-01\n', "agreements[0]", "covers nothing"),
        (
            'id = "a"\nheroku = true\nexpires = 2028-01-01\n',
            "agreements[0].heroku",
            "must name what it covers",
        ),
        (
            'id = "a"\nheroku = true\nteams = ["t"]\naddon_services = ["x"]\n'
            "expires = 2028-01-01\n",
            "agreements[0].addon_services",
            "not both",
        ),
        (
            'id = "a"\naddon_services = ["x"]\nexpires = 2028-01-01\n',
            "agreements[0].countries",
            "needs countries",
        ),
        (
            'id = "a"\naddon_services = []\ncountries = ["US"]\nexpires = 2028-01-01\n',
            "agreements[0].addon_services",
            "is empty",
        ),
        (
            'id = ""\nheroku = true\nteams = ["t"]\nexpires = 2028-01-01\n',
            "agreements[0].id",
            "must not be empty",
        ),
        (
            'id = "a"\nheroku = true\nteams = ["t"]\nmechanism = "gdpr"\nexpires = 2028-01-01\n',
            "agreements[0].mechanism",
            "is not allowed here",
        ),
    ],
)
def test_agreement_checks(entry: str, key: str, words: str) -> None:
    problem = only("version = 1\n[[agreements]]\n" + entry)
    assert problem.key == key
    assert words in problem.message
    assert problem.line is not None


@pytest.mark.parametrize(
    ("missing", "words"),
    [
        ("expires", "needs an end date"),
        ("approved_by", "who approved"),
        ("reason", "why the exception"),
    ],
)
def test_waiver_needs_expiry_approver_and_reason(missing: str, words: str) -> None:
    fields = {
        "rule": '"heroku-connect"',
        "app": '"x"',
        "reason": '"r"',
        "approved_by": '"DPO"',
        "expires": "2027-01-01",
    }
    del fields[missing]
    body = "".join(f"{k} = {v}\n" for k, v in fields.items())
    problem = only("version = 1\n\n[[waivers]]\n" + body)
    assert (problem.line, problem.key) == (3, f"waivers[0].{missing}")
    assert words in problem.message


@pytest.mark.parametrize("rule", ["api-error", "waiver-expired", "waiver-unused"])
def test_some_rules_cannot_be_waived(rule: str) -> None:
    problem = only(
        f'version = 1\n[[waivers]]\nrule = "{rule}"\napp = "x"\nreason = "r"\n'
        'approved_by = "DPO"\nexpires = 2027-01-01\n'
    )
    assert problem.key == "waivers[0].rule"
    assert "cannot" in problem.message


def test_duplicate_waivers() -> None:
    waiver = (
        '[[waivers]]\nrule = "heroku-connect"\napp = "x"\nreason = "r"\n'
        'approved_by = "DPO"\nexpires = 2027-01-01\n'
    )
    problem = only("version = 1\n" + waiver + waiver)
    assert (problem.line, problem.key) == (8, "waivers[1]")
    assert "same rule, app and subject" in problem.message


@pytest.mark.parametrize(
    ("first", "second", "words"),
    [
        ("econ-*", "econ-archive", "never used"),
        ("*", "anything-*", "never used"),
        ("survey", "survey", "duplicate"),
    ],
)
def test_shadowed_app_entries(first: str, second: str, words: str) -> None:
    text = (
        f'version = 1\n[[apps]]\nname = "{first}"\ndata_class = "none"\n'
        f'[[apps]]\nname = "{second}"\ndata_class = "personal"\n'
    )
    problem = only(text)
    assert (problem.line, problem.key) == (6, "apps[1].name")
    assert words in problem.message


def test_exact_name_before_glob_is_fine() -> None:
    loads_policy(
        'version = 1\n[[apps]]\nname = "econ-archive"\ndata_class = "none"\n'
        '[[apps]]\nname = "econ-*"\ndata_class = "personal"\n'
    )


def test_every_problem_is_reported_at_once_sorted_by_line() -> None:
    text = textwrap.dedent("""\
        version = 1
        bogus = true
        [defaults]
        fail_on = "never"
        [[agreements]]
        id = "a"
        heroku = true
        teams = ["t"]
        expires = "soon"
        [[waivers]]
        rule = "nope"
        app = "x"
    """)
    found = problems(text)
    keys = [p.key for p in found]
    assert keys == [
        "bogus",
        "defaults.fail_on",
        "agreements[0].expires",
        "waivers[0].approved_by",
        "waivers[0].expires",
        "waivers[0].reason",
        "waivers[0].rule",
    ]
    lines = [p.line for p in found]
    assert lines == sorted(lines)
    message = str(PolicyError(found))
    assert "7 problems" in message and "p.toml:4 [defaults.fail_on]" in message


def test_toml_syntax_error_has_line_and_enclosing_key() -> None:
    text = AGREEMENTS.replace(
        'countries = ["US"]\nexpires = 2028-01-31', 'countries = ["US"]\nexpires 2028-01-31'
    )
    problem = only(text)
    assert problem.line == 13
    assert problem.key == "agreements[1]"
    assert problem.message.startswith("TOML syntax error")


def test_toml_syntax_error_at_end_of_document() -> None:
    problem = only('version = 1\nname = "unterminated')
    assert problem.line == 2
    assert "TOML syntax error" in problem.message


def test_non_utf8_bytes_are_a_problem_with_line() -> None:
    problem = only(b"version = 1\n# caf\xe9\n")  # type: ignore[arg-type]
    assert problem.line == 2
    assert "not UTF-8" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("x = " + "[" * 50_000 + "]" * 50_000, id="arrays"),
        pytest.param("x = " + "{a = " * 5_000 + "1" + "}" * 5_000, id="inline-tables"),
        pytest.param("version = 1\n[agreements]\n" + "a = [" * 3_000 + "]" * 3_000, id="broken"),
        pytest.param("[" + ".".join(["a"] * 5_000) + "]\n", id="dotted-header"),
    ],
)
def test_absurd_nesting_is_a_policy_error(text: str) -> None:
    assert problems(text)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path / "missing.toml")
    assert "does not exist" in str(info.value)
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path)
    assert "directory" in str(info.value)


def test_huge_file_is_refused_early() -> None:
    assert "at most" in only("# " + "x" * 5_000_001).message
