"""The simulator speaks the Platform API protocol over real HTTP: headers, Range pagination,
ETags, rate limiting, authentication, access and error bodies
(docs/design.md#3-heroku-facts-the-code-relies-on)."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from gatekeeper.simulator import (
    DEMO_ADMIN_TOKEN,
    DEMO_JDOE_TOKEN,
    Simulator,
    demo_estate,
    generate_estate,
)

ACCEPT = "application/vnd.heroku+json; version=3"
JSON = "application/json; charset=utf-8"
_client: list[httpx.Client] = []  # one pooled client for the module (a new one costs ~0.1 s)


@pytest.fixture(scope="module", autouse=True)
def _shared_client() -> Iterator[None]:
    with httpx.Client(timeout=10) as client:
        _client.append(client)
        yield
        _client.clear()


def request(method: str, url: str, **options: Any) -> httpx.Response:
    return _client[0].request(method, url, **options)


def get(
    sim: Simulator, path: str, token: str | None = DEMO_ADMIN_TOKEN, **headers: str
) -> httpx.Response:
    sent = {"Accept": ACCEPT}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    return request("GET", sim.url + path, headers=sent)


def error_of(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"id", "message"} and body["message"]
    assert response.headers["content-type"] == JSON
    return response.status_code, body["id"]


def walk(
    sim: Simulator, path: str, first_range: str, token: str = DEMO_ADMIN_TOKEN
) -> tuple[list[dict[str, Any]], list[httpx.Response]]:
    items: list[dict[str, Any]] = []
    responses = []
    current = first_range
    while True:
        response = get(sim, path, token, Range=current)
        responses.append(response)
        items.extend(response.json())
        if response.status_code == 200:
            return items, responses
        assert response.status_code == 206
        current = response.headers["next-range"]


# ------------------------------------------------------------------ headers


def test_every_response_has_a_request_id_and_json_type(simulator: Simulator) -> None:
    for response in (
        get(simulator, "/apps"),
        get(simulator, "/apps/nope"),
        get(simulator, "/apps", token=None),
    ):
        uuid.UUID(response.headers["request-id"])
        assert response.headers["content-type"] == JSON
    ids = {get(simulator, "/account").headers["request-id"] for _ in range(3)}
    assert len(ids) == 3


def test_rate_limit_remaining_counts_down_and_rate_limits_are_free(simulator: Simulator) -> None:
    first = int(get(simulator, "/account").headers["ratelimit-remaining"])
    second = int(get(simulator, "/apps").headers["ratelimit-remaining"])
    assert second == first - 1
    free = get(simulator, "/account/rate-limits")
    assert free.json() == {"remaining": second}
    assert int(get(simulator, "/account/rate-limits").json()["remaining"]) == second


# ------------------------------------------------------------------ pagination


def test_small_list_is_one_complete_page(simulator: Simulator) -> None:
    response = get(simulator, "/apps")
    assert response.status_code == 200
    assert len(response.json()) == 11
    assert response.headers["accept-ranges"] == "id, name"
    assert "next-range" not in response.headers
    ids = [a["id"] for a in response.json()]
    assert ids == sorted(ids)  # the default order is by id
    assert response.headers["content-range"] == f"id {ids[0]}..{ids[-1]}"


@pytest.mark.parametrize("field", ["id", "name"])
def test_next_range_walks_the_list_in_pages(simulator: Simulator, field: str) -> None:
    items, responses = walk(simulator, "/apps", f"{field} ..; max=3")
    assert [r.status_code for r in responses] == [206, 206, 206, 200]
    assert [len(r.json()) for r in responses] == [3, 3, 3, 2]
    keys = [a[field] for a in items]
    assert keys == sorted(keys) and len(set(keys)) == 11
    assert responses[0].headers["next-range"] == f"{field} ]{keys[2]}..; max=3"
    assert responses[1].headers["content-range"] == f"{field} {keys[3]}..{keys[5]}"


def test_descending_order(simulator: Simulator) -> None:
    items, _ = walk(simulator, "/apps", "name ..; max=4, order=desc")
    names = [a["name"] for a in items]
    assert names == sorted(names, reverse=True) and len(names) == 11


def test_default_page_is_200_and_max_is_1000(start_simulator: Callable[..., Simulator]) -> None:
    sim = start_simulator(generate_estate(apps=1500, teams=3))
    default = get(sim, "/apps")
    assert default.status_code == 206 and len(default.json()) == 200
    assert default.headers["next-range"].endswith("; max=200")
    items, responses = walk(sim, "/apps", "id ..; max=1000")
    assert [r.status_code for r in responses] == [206, 200]
    assert len(items) == len({a["id"] for a in items}) == 1500


@pytest.mark.parametrize(
    "header",
    [
        "id ..; max=1001",
        "id ..; max=0",
        "colour ..",
        "id; max=10",
        "id ..; order=random",
    ],
)
def test_unsatisfiable_range_is_416(simulator: Simulator, header: str) -> None:
    response = get(simulator, "/apps", Range=header)
    assert error_of(response) == (416, "requested_range_not_satisfiable")
    assert response.headers["accept-ranges"] == "id, name"


def test_drains_can_only_be_ranged_by_id(simulator: Simulator) -> None:
    assert get(simulator, "/apps/survey/log-drains").headers["accept-ranges"] == "id"
    assert get(simulator, "/apps/survey/log-drains", Range="name ..").status_code == 416


# ------------------------------------------------------------------ ETag


def test_if_none_match_answers_304_with_an_empty_body(simulator: Simulator) -> None:
    first = get(simulator, "/apps/survey")
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = get(simulator, "/apps/survey", If_None_Match=etag)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert "ratelimit-remaining" in again.headers and "request-id" in again.headers
    assert get(simulator, "/apps/survey", If_None_Match='"stale"').status_code == 200
    assert get(simulator, "/apps/survey", If_None_Match=f"W/{etag}").status_code == 304


def test_etags_differ_between_pages_and_after_a_change(simulator: Simulator) -> None:
    page_one = get(simulator, "/apps", Range="id ..; max=5").headers["etag"]
    page_two = get(
        simulator,
        "/apps",
        Range=get(simulator, "/apps", Range="id ..; max=5").headers["next-range"],
    ).headers["etag"]
    assert page_one != page_two
    before = get(simulator, "/apps/survey/addons").headers["etag"]
    estate = demo_estate()
    survey = estate.app("survey")
    assert survey is not None
    survey.addons.pop()
    simulator.set_estate(estate)
    after = get(simulator, "/apps/survey/addons", If_None_Match=before)
    assert after.status_code == 200 and len(after.json()) == 2


# ------------------------------------------------------------------ authentication and access


@pytest.mark.parametrize("authorization", [None, "Bearer HRKU-wrong", "Bearer", "Token abc"])
def test_unknown_or_missing_token_is_401(simulator: Simulator, authorization: str | None) -> None:
    headers = {"Accept": ACCEPT}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = request("GET", simulator.url + "/apps", headers=headers)
    assert error_of(response) == (401, "unauthorized")


def test_basic_auth_with_the_token_as_password(simulator: Simulator) -> None:
    response = request(
        "GET", simulator.url + "/account", auth=("", DEMO_ADMIN_TOKEN), headers={"Accept": ACCEPT}
    )
    assert response.status_code == 200
    assert response.json()["email"] == "admin@uni-example.edu"


@pytest.mark.parametrize(
    "path",
    [
        "/apps/clinical-trial",
        "/apps/clinical-trial/addons",
        "/apps/clinical-trial/log-drains",
        "/teams/bio-lab",
        "/teams/bio-lab/apps",
        "/teams/bio-lab/addons",
        "/spaces/bio-shield",
        "/enterprise-accounts/uni-example",
        "/enterprise-accounts/uni-example/teams",
        "/users/admin@uni-example.edu/apps",
    ],
)
def test_outside_the_tokens_reach_is_403(simulator: Simulator, path: str) -> None:
    assert error_of(get(simulator, path, DEMO_JDOE_TOKEN)) == (403, "forbidden")


@pytest.mark.parametrize(
    "path",
    [
        "/apps/no-such-app",
        "/teams/no-such-team",
        "/spaces/nowhere",
        "/regions/atlantis",
        "/plans/heroku-postgresql:gigantic-9",
        "/addon-services/nope",
        "/addons/nope",
        "/enterprise-accounts/other",
        "/apps/survey/log-drains/nope",
        "/no/such/endpoint",
    ],
)
def test_unknown_things_are_404(simulator: Simulator, path: str) -> None:
    assert error_of(get(simulator, path)) == (404, "not_found")


def test_a_researcher_sees_their_slice(simulator: Simulator) -> None:
    names = sorted(a["name"] for a in get(simulator, "/apps", DEMO_JDOE_TOKEN).json())
    assert names == [
        "experiment-us",
        "fir-survey",
        "frankfurt-exp",
        "jdoe-thesis",
        "otree-study",
        "survey",
    ]
    mine = get(simulator, "/users/~/apps", DEMO_JDOE_TOKEN).json()
    assert [a["name"] for a in mine] == ["jdoe-thesis"]
    teams = get(simulator, "/teams", DEMO_JDOE_TOKEN).json()
    assert [(t["name"], t["role"]) for t in teams] == [("psych-lab", "member")]
    assert get(simulator, "/enterprise-accounts", DEMO_JDOE_TOKEN).json() == []
    assert [s["name"] for s in get(simulator, "/spaces", DEMO_JDOE_TOKEN).json()] == [
        "uni-frankfurt",
        "uni-fir",
    ]
    assert get(simulator, "/account", DEMO_JDOE_TOKEN).json()["email"] == (
        "jane.doe@uni-example.edu"
    )


def test_apps_by_id_and_team_apps(simulator: Simulator) -> None:
    survey = get(simulator, "/apps/survey").json()
    assert get(simulator, f"/apps/{survey['id']}").json() == survey
    team_apps = get(simulator, "/teams/econ-lab/apps").json()
    assert sorted(a["name"] for a in team_apps) == ["econ-archive", "econ-game"]
    assert all(a["joined"] is True and a["locked"] is False for a in team_apps)
    assert survey["owner"]["email"] == "psych-lab@herokumanager.com"
    assert survey["team"]["name"] == "psych-lab" and survey["space"] is None


def test_nullable_references(simulator: Simulator) -> None:
    assert get(simulator, "/apps/jdoe-thesis").json()["team"] is None
    assert get(simulator, "/teams/student-projects").json()["enterprise_account"] is None
    assert get(simulator, "/teams/psych-lab").json()["enterprise_account"]["name"] == (
        "uni-example"
    )
    drains = {d["url"]: d for d in get(simulator, "/apps/otree-study/log-drains").json()}
    assert drains["syslog+tls://logs.uni-example.edu:6514"]["addon"] is None
    papertrail = get(simulator, "/apps/survey/log-drains").json()[0]
    assert papertrail["addon"]["name"].startswith("papertrail-")


def test_the_api_shows_drain_urls_in_full(simulator: Simulator) -> None:
    """Heroku returns the URL it was given; the gatekeeper must strip the secret itself."""
    [drain] = get(simulator, "/apps/bio-dashboard/log-drains").json()
    assert drain["url"] == "https://logs.example-logging.io/ingest?token=s3cr3t-drain-token"


@pytest.mark.parametrize(
    "path", ["/apps/survey/config-vars", "/apps/survey/releases/1/config-vars"]
)
def test_config_vars_are_refused(simulator: Simulator, path: str) -> None:
    assert error_of(get(simulator, path)) == (403, "forbidden")


# ------------------------------------------------------------------ Accept


@pytest.mark.parametrize(
    "accept", [None, "application/json", "*/*", "application/vnd.heroku+json; version=2"]
)
def test_wrong_or_missing_accept_is_406(simulator: Simulator, accept: str | None) -> None:
    headers = {"Authorization": f"Bearer {DEMO_ADMIN_TOKEN}"}
    if accept is not None:
        headers["Accept"] = accept
    response = request("GET", simulator.url + "/apps", headers=headers)
    assert error_of(response) == (406, "not_acceptable")


@pytest.mark.parametrize(
    "accept",
    [
        "application/vnd.heroku+json; version=3",
        "application/vnd.heroku+json; version=3.sdk",
        "application/vnd.heroku+json;version=3",
        "application/json, application/vnd.heroku+json; version=3",
    ],
)
def test_version_3_and_its_variants_are_accepted(simulator: Simulator, accept: str) -> None:
    assert get(simulator, "/apps", Accept=accept).status_code == 200


# ------------------------------------------------------------------ rate limit


def test_an_empty_bucket_answers_429(start_simulator: Callable[..., Simulator]) -> None:
    sim = start_simulator(rate_limit=3, rate_refill=0)
    statuses = [get(sim, "/account").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = get(sim, "/apps")
    assert error_of(limited) == (429, "rate_limit")
    assert limited.headers["ratelimit-remaining"] == "0"
    assert get(sim, "/account/rate-limits").json() == {"remaining": 0}  # free, still answers
    # Another account has its own bucket.
    assert get(sim, "/account", DEMO_JDOE_TOKEN).status_code == 200


# ------------------------------------------------------------------ HTTP


def test_head_answers_headers_only(simulator: Simulator) -> None:
    response = request(
        "HEAD",
        simulator.url + "/apps",
        headers={"Accept": ACCEPT, "Authorization": f"Bearer {DEMO_ADMIN_TOKEN}"},
    )
    assert response.status_code == 200 and response.content == b""
    assert response.headers["etag"] == get(simulator, "/apps").headers["etag"]


def test_writes_are_not_endpoints_here(simulator: Simulator) -> None:
    response = request(
        "POST",
        simulator.url + "/apps",
        json={"name": "new"},
        headers={"Accept": ACCEPT, "Authorization": f"Bearer {DEMO_ADMIN_TOKEN}"},
    )
    assert error_of(response) == (404, "not_found")
    assert get(simulator, "/apps").status_code == 200  # the connection stays usable


def test_keep_alive_serves_many_requests_on_one_connection(simulator: Simulator) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", simulator.port, timeout=10)
    try:
        for path in ("/account", "/apps", "/apps/nope", "/regions"):
            connection.request(
                "GET",
                path,
                headers={"Accept": ACCEPT, "Authorization": f"Bearer {DEMO_ADMIN_TOKEN}"},
            )
            response = connection.getresponse()
            json.loads(response.read())
            assert response.getheader("Connection") != "close"
    finally:
        connection.close()
    assert simulator.request_count == 4


def test_records_requests_without_the_token(simulator: Simulator) -> None:
    get(simulator, "/apps", Range="id ..; max=2", User_Agent="probe/1")
    get(simulator, "/apps/nope")
    first, second = simulator.requests
    assert (first.method, first.path, first.status) == ("GET", "/apps", 206)
    assert first.headers["range"] == "id ..; max=2"
    assert first.headers["user-agent"] == "probe/1"
    assert first.headers["authorization-scheme"] == "Bearer"
    assert first.response_headers["next-range"].startswith("id ]")
    assert first.account == "admin@uni-example.edu"
    assert second.status == 404
    assert DEMO_ADMIN_TOKEN not in repr(simulator.requests)
    assert simulator.request_count == 2
    simulator.reset_stats()
    assert simulator.request_count == 0 and simulator.requests == []


def test_expanded_addons_only_when_asked(simulator: Simulator) -> None:
    plain = get(simulator, "/addons").json()
    expanded = get(
        simulator,
        "/addons",
        Accept_Expansion="addon_service,plan",
        Accept="application/vnd.heroku+json; version=3.sdk",
    ).json()
    assert len(plain) == len(expanded) == sum(len(a.addons) for a in demo_estate().apps)
    assert all("human_name" not in o["addon_service"] for o in plain)
    assert all("human_name" in o["addon_service"] and "price" in o["plan"] for o in expanded)


def test_stop_closes_idle_connections(start_simulator: Callable[..., Simulator]) -> None:
    sim = start_simulator()
    with httpx.Client(
        base_url=sim.url, headers={"Accept": ACCEPT, "Authorization": f"Bearer {DEMO_ADMIN_TOKEN}"}
    ) as client:
        assert client.get("/account").status_code == 200
        sim.stop()
        with pytest.raises(httpx.TransportError):
            client.get("/account")
