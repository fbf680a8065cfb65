"""Response bodies, shaped like the official Platform API schema (version 3).

Each function returns the JSON object for one resource with every property the schema
lists for it (the schema marks most resources ``strictProperties``), nullable references
(``app.team``, ``app.space``, ``team.enterprise_account``) as ``null`` where they do not
apply. Ids are UUIDs, dates RFC 3339 strings. The bodies of the resource kinds' lists (log
drains, telemetry drains) are in their modules, ``gatekeeper.simulator.kinds``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from gatekeeper.simulator import catalog
from gatekeeper.simulator.estate import (
    SimAddOn,
    SimApp,
    SimAttachment,
    SimEnterpriseAccount,
    SimSpace,
    SimTeam,
    SimToken,
    SimWebhook,
)
from gatekeeper.simulator.naming import dates, drain_token, size_bytes, stable_id, web_url

Json = dict[str, Any]
Attaching = tuple[SimApp, SimAttachment]  # an app using an add-on it does not own

CEDAR = {"id": stable_id("generation", "cedar"), "name": "cedar"}
GENERATIONS = {
    name: {"id": stable_id("generation", name), "name": name} for name in ("cedar", "fir")
}


def generation(name: str) -> Json:
    """``generation`` as version 3 shows it: ``{id, name}``."""
    return GENERATIONS.get(name) or {"id": stable_id("generation", name), "name": name}


PROVIDER = "amazon-web-services"


@lru_cache(maxsize=4096)
def user_id(email: str) -> str:
    return stable_id("user", email)


_dates = dates


@lru_cache(maxsize=1024)
def _ref_id(kind: str, name: str) -> str:
    return stable_id(kind, name)


def ref(kind: str, name: str) -> Json:
    return {"id": _ref_id(kind, name), "name": name}


def account(email: str, name: str | None) -> Json:
    created, updated = _dates("account", email)
    return {
        "allow_tracking": True,
        "beta": False,
        "created_at": created,
        "email": email,
        "federated": False,
        "id": user_id(email),
        "identity_provider": None,
        "last_login": updated,
        "name": name,
        "sms_number": None,
        "suspended_at": None,
        "delinquent_at": None,
        "two_factor_authentication": True,
        "updated_at": updated,
        "verified": True,
        "country_of_residence": None,
        "default_organization": None,
        "default_team": None,
    }


def authorization(token: SimToken, name: str | None) -> Json:
    """An OAuth authorization (``GET /oauth/authorizations``), with its access token, as the
    schema shows it (the Heroku CLI matches its own token against this list)."""
    created, updated = _dates("authorization", token.token)
    return {
        "access_token": {
            "expires_in": None,
            "id": stable_id("oauth-token", token.token),
            "token": token.token,
        },
        "client": None,
        "created_at": created,
        "description": f"gatekeeper simulator token of {token.email}",
        "grant": None,
        "id": stable_id("oauth-authorization", token.token),
        "refresh_token": None,
        "scope": list(token.scope),
        "session": None,
        "updated_at": updated,
        "user": {"id": user_id(token.email), "email": token.email, "full_name": name},
    }


def _region_ref(region: str | None) -> Json | None:
    if region is None:
        return None
    info = catalog.region_info(region)
    return {"id": info.id if info else _ref_id("region", region), "name": region}


def _app_common(app: SimApp, region: str | None) -> Json:
    created, updated = _dates("app", app.name)
    stack = ref("stack", app.stack)
    return {
        "archived_at": None,
        "buildpack_provided_description": "Python",
        "build_stack": stack,
        "created_at": created,
        "git_url": f"https://git.heroku.com/{app.name}.git",
        "id": app.id,
        "internal_routing": False if app.space else None,
        "maintenance": False,
        "name": app.name,
        "owner": {"email": app.owner_email, "id": user_id(app.owner_email)},
        "region": _region_ref(region),
        "released_at": updated,
        "repo_size": size_bytes("repo", app.name, 50_000, 20_000_000),
        "slug_size": size_bytes("slug", app.name, 20_000_000, 200_000_000),
        "stack": stack,
        "updated_at": updated,
        "web_url": web_url(app.name),
    }


def app(app: SimApp, team: SimTeam | None, space: SimSpace | None, region: str | None) -> Json:
    """``GET /apps/{app}``; ``region`` is passed so that faults can replace it."""
    body = _app_common(app, region)
    team_ref = {"id": team.id, "name": team.name} if team else None
    body.update(
        {
            "acm": False,
            "generation": generation(space.generation if space else "cedar"),
            "organization": team_ref,
            "team": team_ref,
            "space": {"id": space.id, "name": space.name, "shield": space.shield}
            if space
            else None,
        }
    )
    return body


def team_app(
    app: SimApp, team: SimTeam | None, space: SimSpace | None, region: str | None, *, joined: bool
) -> Json:
    """``GET /teams/{team}/apps`` items (the ``team-app`` resource)."""
    body = _app_common(app, region)
    body.update(
        {
            "joined": joined,
            "locked": False,
            "team": {"id": team.id, "name": team.name} if team else None,
            "space": {"id": space.id, "name": space.name} if space else None,
        }
    )
    return body


def team(team: SimTeam, enterprise: SimEnterpriseAccount | None, role: str | None) -> Json:
    created, updated = _dates("team", team.name)
    in_enterprise = enterprise is not None
    return {
        "id": team.id,
        "created_at": created,
        "credit_card_collections": not in_enterprise,
        "default": False,
        "enterprise_account": {"id": enterprise.id, "name": enterprise.name}
        if enterprise
        else None,
        "identity_provider": None,
        "membership_limit": None,
        "name": team.name,
        "provisioned_licenses": in_enterprise,
        "role": role,
        "type": "enterprise" if in_enterprise else "team",
        "updated_at": updated,
    }


def enterprise_account(ea: SimEnterpriseAccount, permissions: list[str]) -> Json:
    created, updated = _dates("enterprise-account", ea.name)
    return {
        "id": ea.id,
        "created_at": created,
        "name": ea.name,
        "updated_at": updated,
        "permissions": permissions,
        "trial": False,
        "partner_benefits": False,
        "identity_provider": None,
    }


def space(space: SimSpace, team: SimTeam | None) -> Json:
    created, updated = _dates("space", space.name)
    team_name = team.name if team else (space.team or "")
    team_id = team.id if team else stable_id("team", team_name)
    return {
        "created_at": created,
        "id": space.id,
        "name": space.name,
        "organization": {"name": team_name},
        "team": {"id": team_id, "name": team_name},
        "region": _region_ref(space.region),
        "shield": space.shield,
        "state": "allocated",
        "updated_at": updated,
        "cidr": "10.0.0.0/16",
        "data_cidr": "172.23.0.0/20",
        "generation": generation(space.generation),
    }


def region(info: catalog.RegionInfo) -> Json:
    created, updated = _dates("region", info.name)
    return {
        "country": info.country,
        "created_at": created,
        "description": info.description,
        "id": info.id,
        "locale": info.locale,
        "name": info.name,
        "private_capable": info.private_capable,
        "provider": {"name": PROVIDER, "region": info.provider_region},
        "updated_at": updated,
    }


def addon_service(info: catalog.ServiceInfo) -> Json:
    created, updated = _dates("addon-service", info.name)
    return {
        "cli_plugin_name": info.cli_plugin_name,
        "created_at": created,
        "human_name": info.human_name,
        "id": info.id,
        "name": info.name,
        "state": "ga",
        "supports_multiple_installations": info.supports_multiple_installations,
        "supports_sharing": info.supports_sharing,
        "updated_at": updated,
        "supported_generations": [CEDAR],
    }


def _price(plan: catalog.PlanInfo) -> Json:
    return {"cents": plan.cents, "contract": plan.contract, "unit": "month"}


def plan(info: catalog.PlanInfo) -> Json:
    created, updated = _dates("plan", info.name)
    service = catalog.service_info(info.service)
    return {
        "addon_service": {"id": service.id, "name": service.name},
        "created_at": created,
        "compliance": list(info.compliance) if info.compliance else None,
        "default": info.default,
        "description": f"{service.human_name} {info.human_name}",
        "human_name": info.human_name,
        "id": info.id,
        "installable_inside_private_network": info.inside_private_network,
        "installable_outside_private_network": info.outside_private_network,
        "name": info.name,
        "price": _price(info),
        "space_default": False,
        "state": "public",
        "updated_at": updated,
        "visible": True,
    }


def region_capability(service: catalog.ServiceInfo, info: catalog.RegionInfo) -> Json:
    return {
        "id": stable_id("region-capability", service.name, info.name),
        "supports_private_networking": info.private_capable and service.name.startswith("heroku-"),
        "addon_service": addon_service(service),
        "region": region(info),
    }


def app_ref(app: SimApp) -> Json:
    return {"id": app.id, "name": app.name}


def addon(addon: SimAddOn, app: SimApp, *, plan_name: str, expand: frozenset[str]) -> Json:
    """An add-on; ``expand`` holds ``Accept-Expansion`` members (``addon_service``, ``plan``)."""
    created, updated = _dates("addon", addon.name)
    service = catalog.service_info(addon.service)
    known_plan = plan_name == addon.plan
    info = catalog.plan_info(addon.plan)
    if "plan" in expand and known_plan:
        plan_body: Json = plan(info)
    else:
        plan_body = {
            "id": stable_id("plan", plan_name) if not known_plan else info.id,
            "name": plan_name,
        }
    return {
        "actions": [],
        "addon_service": addon_service(service)
        if "addon_service" in expand
        else {"id": service.id, "name": service.name},
        "billing_entity": {"id": app.id, "name": app.name, "type": "app"},
        "app": app_ref(app),
        "billed_price": _price(info),
        "config_vars": [f"{addon.attachment}_URL"],
        "created_at": created,
        "id": addon.id,
        "name": addon.name,
        "plan": plan_body,
        "provider_id": f"resource{stable_id('provider', addon.name)[:8]}@heroku.com",
        "state": "provisioned",
        "updated_at": updated,
        "web_url": f"https://addons-sso.heroku.com/apps/{app.id}/addons/{addon.id}",
    }


def attachment(addon: SimAddOn, app: SimApp, used_by: Attaching | None = None) -> Json:
    """An attachment of ``addon`` (owned by ``app``) to its owner, or to another app
    (``used_by``: that app and its attachment)."""
    user, name, key = (app, addon.attachment, attachment_id(addon))
    if used_by is not None:
        user, name, key = (used_by[0], used_by[1].name, used_by[1].id)
    created, updated = _dates("attachment", addon.name, key)
    return {
        "addon": {"id": addon.id, "name": addon.name, "app": app_ref(app)},
        "app": app_ref(user),
        "created_at": created,
        "id": key,
        "name": name,
        "namespace": None,
        "updated_at": updated,
        "web_url": f"https://addons-sso.heroku.com/apps/{app.id}/addons/{addon.id}",
        "log_input_url": None,
    }


def attachment_id(addon: SimAddOn) -> str:
    return stable_id("attachment", addon.id)


def app_webhook(webhook: SimWebhook, app: SimApp) -> Json:
    """An app webhook subscription (schema definition ``app-webhook``); no secret."""
    created, updated = _dates("app-webhook", app.name, webhook.id)
    return {
        "app": app_ref(app),
        "created_at": created,
        "id": webhook.id,
        "include": list(webhook.include),
        "level": webhook.level,
        "updated_at": updated,
        "url": webhook.url,
    }


def space_log_drain(space: SimSpace, url: str) -> Json:
    """``GET /spaces/{space}/log-drain`` (3.dogwood): a log-drain without an app, as the
    Heroku CLI's tests show it."""
    created, updated = _dates("space-log-drain", space.name)
    drain_id = stable_id("space-log-drain", space.name, url)
    return {
        "addon": None,
        "created_at": created,
        "id": drain_id,
        "token": drain_token(drain_id),
        "updated_at": updated,
        "url": url,
    }


def dyno(app: SimApp, kind: str, number: int) -> Json:
    name = f"{kind}.{number}"
    created, updated = _dates("dyno", app.name, name)
    return {
        "attach_url": None,
        "command": "gunicorn app:app" if kind == "web" else f"python {kind}.py",
        "created_at": created,
        "id": stable_id("dyno", app.name, name),
        "name": name,
        "release": {"id": stable_id("release", app.name), "version": 1},
        "app": {"name": app.name, "id": app.id},
        "size": "Basic",
        "state": "up",
        "type": kind,
        "updated_at": updated,
    }


def collaborator(app: SimApp, email: str, role: str | None) -> Json:
    created, updated = _dates("collaborator", app.name, email)
    return {
        "app": {"name": app.name, "id": app.id},
        "created_at": created,
        "id": stable_id("collaborator", app.name, email),
        "permissions": [],
        "role": role,
        "updated_at": updated,
        "user": {"email": email, "federated": False, "id": user_id(email)},
    }


def pipeline_coupling(app: SimApp) -> Json:
    assert app.pipeline is not None
    created, updated = _dates("pipeline-coupling", app.name)
    return {
        "app": {"id": app.id},
        "created_at": created,
        "id": stable_id("pipeline-coupling", app.name),
        "pipeline": ref("pipeline", app.pipeline.name),
        "stage": app.pipeline.stage,
        "updated_at": updated,
    }


_SDK_APP = {
    "base_image_name": None,
    "buildpacks": [],
    "current_build_architecture": ["amd64"],
}


def to_sdk(kind: str, body: Json) -> Json:
    """The ``version=3.sdk`` shape of a version 3 body (the variant the Heroku CLI asks for in
    ``heroku spaces`` and ``heroku addons``): a few more properties, generations as names,
    prices with ``metered``."""
    out = dict(body)
    if kind == "account":
        out.update(
            {
                "acknowledged_msa": True,
                "acknowledged_msa_at": body["created_at"],
                "eco_dynos_enabled": False,
                "eco_dynos_shutdown_at": None,
                "italian_customer_terms": None,
                "italian_partner_terms": None,
                "mfa_enabled": True,
                "mfa_exemption": False,
                "mfa_exemption_reason": None,
                "mfa_experience": "vaas",
                "pipeline_cost_consent_at": None,
            }
        )
    elif kind in ("app", "team-app"):
        out.update(_SDK_APP)
        out["generation"] = body.get("generation", CEDAR)["name"]
    elif kind == "team":
        out.update({"pipeline_cost_consent_at": None, "pipeline_cost_consent_user_email": None})
    elif kind == "space":
        out["generation"] = body["generation"]["name"]
    elif kind == "plan":
        out["price"] = {**body["price"], "metered": False}
    elif kind == "add-on":
        if body.get("billed_price") is not None:
            out["billed_price"] = {**body["billed_price"], "metered": False}
        if "price" in body["plan"]:  # expanded
            out["plan"] = to_sdk("plan", body["plan"])
    return out
