"""Each fault switch does what docs/simulator.md says, over real HTTP, and can be changed while
the simulator runs. (How the gatekeeper copes with them is tests/e2e/test_fault_matrix.py.)"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from gatekeeper.simulator import (
    ALWAYS,
    DEMO_ADMIN_TOKEN,
    UNKNOWN_PLAN,
    UNKNOWN_REGION,
    Faults,
    Simulator,
)

ACCEPT = "application/vnd.heroku+json; version=3"
HEADERS = {"Accept": ACCEPT, "Authorization": f"Bearer {DEMO_ADMIN_TOKEN}"}
_client: list[httpx.Client] = []


@pytest.fixture(scope="module", autouse=True)
def _shared_client() -> Iterator[None]:
    with httpx.Client(timeout=10, headers=HEADERS) as client:
        _client.append(client)
        yield
        _client.clear()


def get(sim: Simulator, path: str, **headers: str) -> httpx.Response:
    return _client[0].get(
        sim.url + path, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )


def statuses(sim: Simulator) -> list[int]:
    return [r.status for r in sim.requests]


def raw_exchange(sim: Simulator, path: str) -> bytes | Exception:
    """Send one request on a fresh socket; what came back, or the error reading it."""
    with socket.create_connection(("127.0.0.1", sim.port), timeout=5) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: {ACCEPT}\r\n"
            f"Authorization: Bearer {DEMO_ADMIN_TOKEN}\r\n\r\n".encode()
        )
        try:
            return sock.recv(65536)
        except OSError as exc:
            return exc


def test_latency_delays_but_answers(simulator: Simulator) -> None:
    simulator.faults = Faults(latency=0.01)
    assert get(simulator, "/apps").status_code == 200


@pytest.mark.parametrize(("retry_after", "header"), [(3, "3"), (0.4, "0"), (None, None)])
def test_429_burst(simulator: Simulator, retry_after: float | None, header: str | None) -> None:
    simulator.faults = Faults(too_many_requests=2, retry_after=retry_after)
    first = get(simulator, "/apps")
    assert first.status_code == 429
    assert first.json()["id"] == "rate_limit"
    assert first.headers.get("retry-after") == header
    assert first.headers["ratelimit-remaining"] == "0"
    get(simulator, "/apps")
    assert get(simulator, "/apps").status_code == 200
    assert statuses(simulator) == [429, 429, 200]


@pytest.mark.parametrize(
    ("status", "error_id"), [(503, "service_unavailable"), (500, "internal_server_error")]
)
def test_server_errors_then_recovery(simulator: Simulator, status: int, error_id: str) -> None:
    simulator.faults = Faults(server_errors=2, server_error_status=status)
    answers = [get(simulator, "/teams") for _ in range(3)]
    assert [a.status_code for a in answers] == [status, status, 200]
    assert answers[0].json()["id"] == error_id


def test_a_path_glob_breaks_one_app_only(simulator: Simulator) -> None:
    simulator.faults = Faults(server_errors=ALWAYS, path="/apps/survey*")
    assert get(simulator, "/apps/survey").status_code == 503
    assert get(simulator, "/apps/survey/addons").status_code == 503
    assert get(simulator, "/apps/otree-study/addons").status_code == 200
    assert get(simulator, "/apps").status_code == 200
    assert simulator.faults.server_errors == ALWAYS


def test_dropped_connection_closes_without_an_answer(simulator: Simulator) -> None:
    simulator.faults = Faults(drop_connections=1)
    assert raw_exchange(simulator, "/apps") == b""  # EOF: closed, nothing sent
    assert get(simulator, "/apps").status_code == 200
    assert statuses(simulator) == [0, 200]


def test_reset_connection_sends_a_reset(simulator: Simulator) -> None:
    simulator.faults = Faults(reset_connections=1)
    result = raw_exchange(simulator, "/apps")
    assert isinstance(result, ConnectionResetError)
    assert get(simulator, "/apps").status_code == 200
    assert statuses(simulator) == [0, 200]


def test_httpx_sees_dropped_and_reset_connections_as_transport_errors(simulator: Simulator) -> None:
    for fault in ("drop_connections", "reset_connections"):
        simulator.faults = Faults(**{fault: 1})
        with (
            httpx.Client(headers=HEADERS, timeout=5) as client,
            pytest.raises(httpx.TransportError),
        ):
            client.get(simulator.url + "/apps")


def test_slow_response_runs_into_a_read_timeout(simulator: Simulator) -> None:
    simulator.faults = Faults(slow_responses=1, slow_seconds=30)
    with httpx.Client(headers=HEADERS, timeout=httpx.Timeout(5, read=0.2)) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get(simulator.url + "/apps")
        assert client.get(simulator.url + "/regions", timeout=10).status_code == 200
    # stop() wakes the delayed answer: the fixture's teardown does not wait 30 seconds.


def test_broken_json(simulator: Simulator) -> None:
    simulator.faults = Faults(broken_json=1, path="/apps")
    broken = get(simulator, "/apps")
    assert broken.status_code == 200
    assert broken.headers["content-type"] == "application/json; charset=utf-8"
    with pytest.raises(json.JSONDecodeError):
        json.loads(broken.content)
    assert isinstance(get(simulator, "/apps").json(), list)


def test_looping_next_range_points_back_to_page_one(simulator: Simulator) -> None:
    simulator.faults = Faults(looping_next_range=True)
    first = get(simulator, "/apps", Range="id ..; max=4")
    assert first.status_code == 206
    second = get(simulator, "/apps", Range=first.headers["next-range"])
    assert second.status_code == 206
    assert first.headers["next-range"] == second.headers["next-range"] == "id ..; max=4"
    assert first.json() == second.json()
    complete = get(simulator, "/regions")  # even a list that fits one page loops
    assert complete.status_code == 206 and complete.headers["next-range"] == "id ..; max=200"


def test_206_without_next_range(simulator: Simulator) -> None:
    simulator.faults = Faults(missing_next_range=True, path="/teams/*/apps")
    partial = get(simulator, "/teams/psych-lab/apps", Range="id ..; max=2")
    assert partial.status_code == 206 and "next-range" not in partial.headers
    assert get(simulator, "/apps", Range="id ..; max=2").headers["next-range"]


def test_null_region(simulator: Simulator) -> None:
    simulator.faults = Faults(null_region_apps={"survey"})
    assert get(simulator, "/apps/survey").json()["region"] is None
    listed = {a["name"]: a["region"] for a in get(simulator, "/apps").json()}
    assert listed["survey"] is None and listed["otree-study"]["name"] == "eu"
    team = {a["name"]: a["region"] for a in get(simulator, "/teams/psych-lab/apps").json()}
    assert team["survey"] is None
    simulator.faults = Faults()
    assert get(simulator, "/apps/survey").json()["region"]["name"] == "eu"


def test_unknown_region(simulator: Simulator) -> None:
    simulator.faults = Faults(unknown_region_apps={"econ-*"})
    region = get(simulator, "/apps/econ-game").json()["region"]
    assert region["name"] == UNKNOWN_REGION
    assert get(simulator, f"/regions/{UNKNOWN_REGION}").status_code == 404
    assert get(simulator, f"/regions/{region['id']}").status_code == 404
    assert get(simulator, "/apps/survey").json()["region"]["name"] == "eu"


def test_unknown_plan(simulator: Simulator) -> None:
    simulator.faults = Faults(unknown_plan_apps={"survey"})
    plans = sorted(o["plan"]["name"] for o in get(simulator, "/apps/survey/addons").json())
    assert plans == sorted(
        f"{s}:{UNKNOWN_PLAN}" for s in ("heroku-postgresql", "papertrail", "sendgrid")
    )
    assert get(simulator, f"/plans/heroku-postgresql:{UNKNOWN_PLAN}").status_code == 404
    team_plans = {
        o["app"]["name"]: o["plan"]["name"]
        for o in get(simulator, "/teams/psych-lab/addons").json()
    }
    assert team_plans["experiment-us"] == "heroku-postgresql:essential-0"


def test_forbidden_app(simulator: Simulator) -> None:
    simulator.faults = Faults(forbidden_apps={"clinical-trial"})
    for path in (
        "/apps/clinical-trial",
        "/apps/clinical-trial/addons",
        "/apps/clinical-trial/log-drains",
    ):
        denied = get(simulator, path)
        assert denied.status_code == 403 and denied.json()["id"] == "forbidden"
    assert "clinical-trial" in {a["name"] for a in get(simulator, "/teams/bio-lab/apps").json()}
    assert get(simulator, "/apps/bio-dashboard").status_code == 200


def test_expiring_token(simulator: Simulator) -> None:
    simulator.faults = Faults(expire_token_after=2)
    answers = [get(simulator, "/account") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 401, 401]
    assert answers[2].json()["id"] == "unauthorized"


def test_faults_change_while_running(simulator: Simulator) -> None:
    assert get(simulator, "/apps").status_code == 200
    simulator.faults.server_errors = 1
    assert get(simulator, "/apps").status_code == 503
    assert get(simulator, "/apps").status_code == 200
    simulator.faults.too_many_requests = 1
    assert get(simulator, "/apps").status_code == 429


def test_faults_given_at_start(start_simulator: Any) -> None:
    sim = start_simulator(faults=Faults(server_errors=1), latency=0.001)
    assert [get(sim, "/apps").status_code for _ in range(2)] == [503, 200]


# -- lists that do not move forward, bodies that trickle or nest, Retry-After dates -------------


def test_backwards_next_range_starts_before_every_id(simulator: Simulator) -> None:
    simulator.faults = Faults(backwards_next_range=True, path="/apps")
    page = get(simulator, "/apps", Range="id ..; max=4")
    assert page.status_code == 206
    assert page.headers["next-range"] == "id ]00000000-0000-0000-0000-000000000000..; max=4"
    assert page.json()[-1]["id"] > "00000000-0000-0000-0000-000000000000"


def test_respelled_next_range_repeats_the_range_with_one_space_more(simulator: Simulator) -> None:
    simulator.faults = Faults(respelled_next_range=True, path="/apps")
    first = get(simulator, "/apps", Range="id ..; max=4")
    second = get(simulator, "/apps", Range=first.headers["next-range"])
    assert first.headers["next-range"] == "id  ..; max=4"
    assert second.headers["next-range"] == "id   ..; max=4"
    assert first.status_code == second.status_code == 206
    assert first.json() == second.json()


def test_an_endless_list_serves_full_pages_of_new_ids(simulator: Simulator) -> None:
    simulator.faults = Faults(endless_list=True, path="/apps/survey/log-drains")
    seen: list[str] = []
    range_ = "id ..; max=1000"
    for _ in range(3):
        page = get(simulator, "/apps/survey/log-drains", Range=range_)
        assert page.status_code == 206
        ids = [item["id"] for item in page.json()]
        assert len(ids) == 1000 and ids == sorted(ids)
        assert not seen or ids[0] > seen[-1]
        seen += ids
        range_ = page.headers["next-range"]
        assert range_ == f"id ]{ids[-1]}..; max=1000"
    assert get(simulator, "/apps").status_code == 200  # other paths answer as usual


def test_a_trickling_body_arrives_a_byte_at_a_time(simulator: Simulator) -> None:
    simulator.faults = Faults(trickle_responses=1, trickle_seconds=0.01, path="/account")
    with _client[0].stream("GET", simulator.url + "/account") as response:
        chunks = list(response.iter_raw())
    # Bytes written apart may still be read together: the body came in pieces, and whole.
    assert len(chunks) > 1
    assert json.loads(b"".join(chunks))["email"]
    with _client[0].stream("GET", simulator.url + "/account") as response:
        assert len(list(response.iter_raw())) == 1  # counted: the next answer is whole


def test_nested_json_replaces_answers_and_error_bodies(simulator: Simulator) -> None:
    simulator.faults = Faults(
        nested_json=ALWAYS, nested_depth=5, forbidden_apps={"survey"}, path="/apps*"
    )
    assert get(simulator, "/apps").content == b"[[[[[]]]]]"
    forbidden = get(simulator, "/apps/survey")
    assert forbidden.status_code == 403 and forbidden.content == b"[[[[[]]]]]"
    assert get(simulator, "/regions").json()  # outside the path glob


def test_retry_after_as_an_http_date(simulator: Simulator) -> None:
    simulator.faults = Faults(too_many_requests=1, retry_after=2, retry_after_date=True)
    limited = get(simulator, "/apps")
    assert limited.status_code == 429
    sent = parsedate_to_datetime(limited.headers["date"])
    until = parsedate_to_datetime(limited.headers["retry-after"])
    assert (until - sent).total_seconds() == 2
    assert len(limited.headers.get_list("date")) == 1
