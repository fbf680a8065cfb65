"""The collector reduces drain URLs as the shared table says (``tests/drain_url_cases.py``):
credentials, query and fragment never kept; an unusable URL fails closed."""

from __future__ import annotations

import pytest
from collect_fakes import drain
from drain_url_cases import CASES, SECRETS
from hypothesis import given
from hypothesis import strategies as st

from gatekeeper.collect import details
from gatekeeper.drain_url import UNUSABLE, reduce_drain_url
from gatekeeper.heroku import models
from gatekeeper.records import read
from gatekeeper.rules.log_drains import host_allowed


@pytest.mark.parametrize(("raw", "host", "url"), CASES)
def test_the_collector_reduces_drain_urls_as_the_table_says(raw: str, host: str, url: str) -> None:
    fact = details.log_drain(read(models.LogDrain, drain(raw, "survey")))
    assert (fact.host, fact.url) == (host, url)
    assert not any(secret in fact.url for secret in SECRETS)


_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@given(
    scheme=st.sampled_from(["https", "syslog", "syslog+tls", "HTTP", ""]),
    host=st.sampled_from(["logs.example.edu", "[2001:db8::1]", "[::1", "", "LOGS.example.IO"]),
    port=st.sampled_from(["", ":514", ":", ":99999", ":x", ":-1"]),
    path=st.sampled_from(["", "/", "/ingest", "/a;b=c", "//other.example/x"]),
    junk=_TEXT,
)
def test_no_credential_query_or_fragment_survives(
    scheme: str, host: str, port: str, path: str, junk: str
) -> None:
    secret = "Zq9sEcReT"
    raw = f"{scheme}://user:{secret}@{host}{port}{path}?token={secret}&{junk}#{secret}"
    reduced = reduce_drain_url(raw)
    assert secret not in reduced.url and secret not in reduced.host
    # Idempotent: what a snapshot keeps reads back the same through the simulator.
    assert reduce_drain_url(reduced.url) == reduced


@given(st.text(max_size=60))
def test_any_text_reduces_without_raising_and_idempotently(raw: str) -> None:
    reduced = reduce_drain_url(raw)
    assert reduce_drain_url(reduced.url) == reduced
    assert bool(reduced.host) == reduced.url.startswith(tuple("abcdefghijklmnopqrstuvwxyz"))


@pytest.mark.parametrize(("raw", "host", "url"), [c for c in CASES if c[2] == UNUSABLE])
def test_an_unusable_drain_url_fails_closed(raw: str, host: str, url: str) -> None:
    """No host: no [logs] allowed_drain_hosts entry, not even ``*``, lets the drain pass."""
    fact = details.log_drain(read(models.LogDrain, drain(raw, "survey")))
    assert fact.host == ""
    assert not host_allowed(fact.host, ["*", "logs.example.edu", "*.example.edu", "2001:db8::1"])
