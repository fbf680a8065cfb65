"""log-drain-not-allowed, and the api-error for drains that were not collected."""

from __future__ import annotations

import pytest
from demo_facts import drain, finding, make_app, make_estate, make_policy, rules_of, run

from gatekeeper import serial
from gatekeeper.rules.log_drains import host_allowed


def policy(hosts: str = '["*.uni-example.edu"]', check: bool = True):
    return make_policy(f"""
        [logs]
        allowed_drain_hosts = {hosts}
        check_drains = {"true" if check else "false"}
        [[apps]]
        name = "*"
        data_class = "none"
    """)


@pytest.mark.parametrize(
    ("host", "patterns", "allowed"),
    [
        ("logs.uni-example.edu", ["*.uni-example.edu"], True),
        ("a.b.uni-example.edu", ["*.uni-example.edu"], True),
        ("uni-example.edu", ["*.uni-example.edu"], False),  # the glob needs a subdomain
        ("logs.uni-example.edu.evil.com", ["*.uni-example.edu"], False),
        ("evil-uni-example.edu", ["*.uni-example.edu"], False),
        ("LOGS.Uni-Example.EDU", ["*.uni-example.edu"], True),  # host names ignore case
        ("logs.uni-example.edu.", ["*.uni-example.edu"], True),  # trailing dot
        ("uni-example.edu", ["uni-example.edu"], True),
        ("logs1.example.io", ["logs?.example.io"], True),
        ("logs12.example.io", ["logs?.example.io"], False),
        ("", ["*"], False),  # a drain without a host is never allowed
        ("logs.uni-example.edu", [], False),
    ],
)
def test_host_globs(host: str, patterns: list[str], allowed: bool) -> None:
    assert host_allowed(host, patterns) is allowed


def test_custom_drain_to_a_host_not_allowed_blocks() -> None:
    bad = drain("https://logs.example-logging.io/ingest", "logs.example-logging.io")
    app = make_app("bio-dashboard", drains=(bad,))
    f = finding(run(make_estate(app), policy()), "bio-dashboard", "log-drain-not-allowed")
    assert f.severity == "block"
    assert f.subject == "https://logs.example-logging.io/ingest"
    assert "IP addresses" in f.message and "*.uni-example.edu" in f.message
    assert (
        "`heroku drains:remove https://logs.example-logging.io/ingest -a bio-dashboard`"
        in f.remediation
    )
    assert "s3cr3t" not in serial.to_json(f)


def test_allowed_host_and_add_on_drains_pass() -> None:
    ours = drain("syslog+tls://logs.uni-example.edu:6514", "logs.uni-example.edu")
    papertrail = drain(
        "syslog+tls://logs.papertrailapp.com:43215", "logs.papertrailapp.com", "papertrail-survey"
    )
    report = run(make_estate(make_app("app", drains=(ours, papertrail))), policy())
    assert rules_of(report, "app") == set()


def test_one_finding_per_drain() -> None:
    drains = (
        drain("https://a.example.io/x", "a.example.io"),
        drain("https://b.example.io/y", "b.example.io"),
    )
    report = run(make_estate(make_app("app", drains=drains)), policy("[]"))
    assert [f.subject for f in report.apps[0].findings] == [
        "https://a.example.io/x",
        "https://b.example.io/y",
    ]


def test_check_drains_off_skips_drains_even_when_not_collected() -> None:
    bad = drain("https://a.example.io/x", "a.example.io")
    for drains in ((bad,), None):
        report = run(make_estate(make_app("app", drains=drains)), policy(check=False))
        assert rules_of(report, "app") == set()


def test_drains_not_collected_with_the_check_on_is_an_api_error() -> None:
    report = run(make_estate(make_app("app", drains=None)), policy())
    f = finding(report, "app", "api-error")
    assert f.subject == "log-drains" and f.severity == "block"
    assert "check_drains" in f.message
    assert report.apps[0].decision == "block"
