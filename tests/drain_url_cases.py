"""The drain URLs every reduction of a drain URL must agree on (``gatekeeper.drain_url``).

One table, passed by the collector (``tests/unit/collect/test_drain_urls.py``), by the
simulator's ground truth (``tests/unit/simulator/test_sim_drain_urls.py``) and by both over
HTTP (``tests/e2e/test_simulator_drain_urls.py``). Each row: the URL Heroku answers, the host
the gatekeeper judges, the URL it keeps. ``SECRETS`` must appear in no reduced URL.
"""

from __future__ import annotations

from gatekeeper.drain_url import UNUSABLE

SECRETS = ("s3cret", "secret", "pa55", "frag-key")

CASES: list[tuple[str, str, str]] = [
    (
        "syslog+tls://logs.example.edu:6514",
        "logs.example.edu",
        "syslog+tls://logs.example.edu:6514",
    ),
    (
        "https://user:pa55@Logs.Example.IO/ingest?token=s3cret#frag-key",
        "logs.example.io",
        "https://logs.example.io/ingest",
    ),
    (
        "https://logs.example.io/in;jsessionid=x?api_key=s3cret",
        "logs.example.io",
        "https://logs.example.io/in;jsessionid=x",
    ),
    (
        "https://logs.example.io/in;jsessionid=x?api_key=1",
        "logs.example.io",
        "https://logs.example.io/in;jsessionid=x",
    ),
    ("  HTTPS://logs.example.io/a  ", "logs.example.io", "https://logs.example.io/a"),
    (
        "https://user:pa55@Logs.Example.IO/ingest?token=s3cret#frag",
        "logs.example.io",
        "https://logs.example.io/ingest",
    ),
    (
        "https://logs.example-logging.io/ingest?token=s3cret",
        "logs.example-logging.io",
        "https://logs.example-logging.io/ingest",
    ),
    (
        "https://user:pa55@Intake.Example.EU/v2/logs#frag-key",
        "intake.example.eu",
        "https://intake.example.eu/v2/logs",
    ),
    # IPv6 literals: the host without brackets (what [logs] allowed_drain_hosts would name),
    # the URL with them (without, "[2001:db8::1]:514" would read as a longer address).
    ("syslog://[2001:db8::1]:514", "2001:db8::1", "syslog://[2001:db8::1]:514"),
    ("https://ingest:s3cret@[2001:DB8::2]/logs", "2001:db8::2", "https://[2001:db8::2]/logs"),
    ("syslog://[::1]", "::1", "syslog://[::1]"),
    # An empty port is no port; port 0 is still a port.
    ("syslog://logs.example.edu:/x", "logs.example.edu", "syslog://logs.example.edu/x"),
    ("syslog://logs.example.edu:0", "logs.example.edu", "syslog://logs.example.edu:0"),
    # Fail closed: no host (so the drain rule blocks), and nothing of the text kept.
    ("http://[::1", "", UNUSABLE),
    ("http://logs.example.io:99999/", "", UNUSABLE),
    ("https://logs.example.edu:65536/x?token=s3cret", "", UNUSABLE),
    ("https://ingest:s3cret@logs.example.edu:port/x", "", UNUSABLE),
    ("syslog://logs.example.edu:-1", "", UNUSABLE),
    ("https://[not-an-address]/x", "", UNUSABLE),
    ("not a url", "", UNUSABLE),
    ("user:secret@host/path", "", UNUSABLE),
    ("user:pa55@logs.example.edu/path", "", UNUSABLE),
    ("//ingest:s3cret@logs.example.edu/x", "", UNUSABLE),
    ("https:///no-host?token=s3cret", "", UNUSABLE),
    ("https://user:pa55@/x", "", UNUSABLE),
    ("", "", UNUSABLE),
    (UNUSABLE, "", UNUSABLE),
]
