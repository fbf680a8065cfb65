"""``SimEstate.to_facts(token)`` is what the simulator serves to that token over HTTP.

A deliberately plain reader (every list paged with Range, every app's add-ons and drains
fetched one by one) builds the facts from the responses; they must equal the ground truth.
Collector tests rely on this when they compare what the gatekeeper gathered with
``to_facts``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from gatekeeper import facts
from gatekeeper.drain_url import reduce_drain_url
from gatekeeper.simulator import (
    DEMO_ADMIN_TOKEN,
    DEMO_JDOE_TOKEN,
    SimEstate,
    Simulator,
    demo_estate,
    generate_estate,
)


def pages(client: httpx.Client, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    headers = {"Range": "id ..; max=1000"}
    while True:
        response = client.get(path, headers=headers)
        assert response.status_code in (200, 206), (path, response.text)
        items.extend(response.json())
        if response.status_code == 200:
            return items
        headers = {"Range": response.headers["next-range"]}


def read_estate(sim: Simulator, token: str) -> facts.Estate:
    headers = {
        "Accept": "application/vnd.heroku+json; version=3",
        "Authorization": f"Bearer {token}",
    }
    with httpx.Client(base_url=sim.url, headers=headers, timeout=30) as client:
        teams = pages(client, "/teams")
        eas = {e["name"]: e["id"] for e in pages(client, "/enterprise-accounts")}
        eas.update(
            {
                t["enterprise_account"]["name"]: t["enterprise_account"]["id"]
                for t in teams
                if t["enterprise_account"]
            }
        )
        apps = []
        listed = pages(client, "/apps")
        by_name = {a["name"]: a for a in listed}
        listed_spaces = {s["name"]: s for s in pages(client, "/spaces")}
        in_use = {a["space"]["name"] for a in listed if a["space"]}

        def owner(name: str, field: str) -> Any:
            found = by_name.get(name)
            if found is None:  # the token cannot see the owner
                return None
            if field == "region":
                return found["region"]["name"] if found["region"] else None
            if field == "team":
                return found["team"]["name"] if found["team"] else None
            return "team" if found["team"] else "person"

        def telemetry(path: str) -> tuple[facts.TelemetryDrain, ...]:
            out = []
            for d in pages(client, path):
                reduced = reduce_drain_url(d["exporter"]["endpoint"])
                out.append(
                    facts.TelemetryDrain(
                        id=d["id"],
                        host=reduced.host,
                        url=reduced.url,
                        signals=tuple(sorted(d["signals"])),
                    )
                )
            return tuple(sorted(out, key=lambda d: d.id))

        def space_log_drain(space: dict[str, Any]) -> facts.SpaceLogDrain | None:
            if not (space["shield"] and space["name"] in in_use):
                return None
            response = client.get(
                f"/spaces/{space['id']}/log-drain",
                headers={"Accept": "application/vnd.heroku+json; version=3.dogwood"},
            )
            if response.status_code != 200:
                return facts.SpaceLogDrain(
                    state="unknown", reason=f"the API answered HTTP {response.status_code}"
                )
            reduced = reduce_drain_url(response.json()["url"])
            return facts.SpaceLogDrain(state="set", host=reduced.host, url=reduced.url)

        def owner_errors(app_name: str, addons: list[dict[str, Any]]) -> list[facts.FactError]:
            """One error per owner of an attached add-on that the token cannot read."""
            errors: dict[str, facts.FactError] = {}
            for o in sorted(addons, key=lambda o: o["id"]):
                name = o["app"]["name"]
                if name == app_name or name in by_name or name in errors:
                    continue
                status = client.get(f"/apps/{name}").status_code
                assert status == 403, (name, status)
                errors[name] = facts.FactError(
                    fact="addon-attachments",
                    message=f"The app {name} that owns the attached add-on {o['name']} "
                    f"could not be read (HTTP {status})",
                    status=status,
                )
            return [errors[n] for n in sorted(errors)]

        for app in listed:
            addons = pages(client, f"/apps/{app['id']}/addons")
            drains = pages(client, f"/apps/{app['id']}/log-drains")
            generation = app["generation"]["name"]
            apps.append(
                facts.App(
                    id=app["id"],
                    name=app["name"],
                    owner="team" if app["team"] else "person",
                    owner_email=app["owner"]["email"],
                    team=app["team"]["name"] if app["team"] else None,
                    region=app["region"]["name"] if app["region"] else None,
                    space=app["space"]["name"] if app["space"] else None,
                    addons=tuple(
                        sorted(
                            (
                                facts.AddOn(
                                    id=o["id"],
                                    name=o["name"],
                                    service=o["addon_service"]["name"],
                                    plan=o["plan"]["name"],
                                    app=o["app"]["name"],
                                    owner_region=owner(o["app"]["name"], "region"),
                                    owner_team=owner(o["app"]["name"], "team"),
                                    owner_account=owner(o["app"]["name"], "account"),
                                )
                                for o in addons
                            ),
                            key=lambda o: o.id,
                        )
                    ),
                    log_drains=tuple(
                        sorted(
                            (
                                facts.LogDrain(
                                    id=d["id"],
                                    host=reduce_drain_url(d["url"]).host,
                                    url=reduce_drain_url(d["url"]).url,
                                    addon=d["addon"]["name"] if d["addon"] else None,
                                )
                                for d in drains
                            ),
                            key=lambda d: d.id,
                        )
                    ),
                    generation=generation,
                    telemetry_drains=telemetry(f"/apps/{app['id']}/telemetry-drains")
                    if generation == "fir"
                    else (),
                    errors=tuple(owner_errors(app["name"], addons)),
                )
            )
        return facts.Estate(
            source="simulator",
            apps=tuple(sorted(apps, key=lambda a: a.name)),
            teams=tuple(
                sorted(
                    (
                        facts.Team(
                            id=t["id"],
                            name=t["name"],
                            enterprise_account=(t["enterprise_account"] or {}).get("name"),
                        )
                        for t in teams
                    ),
                    key=lambda t: t.name,
                )
            ),
            enterprise_accounts=tuple(
                facts.EnterpriseAccount(id=i, name=n) for n, i in sorted(eas.items())
            ),
            spaces=tuple(
                sorted(
                    (
                        facts.Space(
                            id=s["id"],
                            name=s["name"],
                            region=s["region"]["name"],
                            shield=s["shield"],
                            team=s["team"]["name"],
                            generation=s["generation"]["name"],
                            telemetry_drains=telemetry(f"/spaces/{s['id']}/telemetry-drains")
                            if s["generation"]["name"] == "fir" and s["name"] in in_use
                            else (),
                            log_drain=space_log_drain(s),
                        )
                        for s in listed_spaces.values()
                    ),
                    key=lambda s: s.name,
                )
            ),
            regions=tuple(
                facts.Region(
                    name=r["name"],
                    country=r["country"],
                    provider_region=r["provider"]["region"],
                    private_capable=r["private_capable"],
                )
                for r in pages(client, "/regions")
            ),
        )


def normalise(estate: facts.Estate) -> facts.Estate:
    return dataclasses.replace(estate, regions=tuple(sorted(estate.regions, key=lambda r: r.name)))


@pytest.mark.parametrize("token", [DEMO_ADMIN_TOKEN, DEMO_JDOE_TOKEN])
def test_demo_estate_served_is_its_ground_truth(simulator: Simulator, token: str) -> None:
    served = read_estate(simulator, token)
    assert normalise(served) == normalise(simulator.estate.to_facts(token))


def test_generated_estate_served_is_its_ground_truth(start_simulator: Any) -> None:
    sim = start_simulator(generate_estate(apps=120, teams=4, seed=11))
    served = read_estate(sim, DEMO_ADMIN_TOKEN)
    assert len(served.apps) == 120
    assert normalise(served) == normalise(sim.estate.to_facts(DEMO_ADMIN_TOKEN))
    assert any(d.addon is None for a in served.apps for d in a.log_drains or ())


def test_a_served_snapshot_replays_the_same_facts(start_simulator: Any) -> None:
    truth = demo_estate().to_facts()
    sim = start_simulator(SimEstate.from_facts(truth))
    served = read_estate(sim, DEMO_ADMIN_TOKEN)
    assert served.apps == truth.apps
    assert served.teams == truth.teams and served.spaces == truth.spaces


@pytest.mark.slow
def test_ten_thousand_apps_page_in_ten_requests(start_simulator: Any) -> None:
    """The benchmark size: a whole-estate list costs ten requests of 1,000."""
    sim = start_simulator(generate_estate(apps=10_000))
    headers = {
        "Accept": "application/vnd.heroku+json; version=3",
        "Authorization": f"Bearer {DEMO_ADMIN_TOKEN}",
    }
    with httpx.Client(base_url=sim.url, headers=headers, timeout=60) as client:
        apps = pages(client, "/apps")
    assert len({a["id"] for a in apps}) == 10_000
    assert sim.request_count == 10
    assert [r.status for r in sim.requests] == [206] * 9 + [200]
