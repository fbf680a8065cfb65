"""Validates API payloads item by item, so one malformed app does not sink a whole team."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from gatekeeper import facts

M = TypeVar("M", bound=BaseModel)


def describe(exc: ValidationError) -> str:
    """A short, token-free account of what was wrong with a payload."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "(body)"
        parts.append(f"{loc}: {err['msg']}")
    more = len(exc.errors()) - 3
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def parse_item(raw: Any, model: type[M]) -> M | str:
    """The parsed model, or a description of why the payload cannot be used."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        return describe(exc)


def broken_app(raw: Any, problem: str, *, team: str | None = None) -> facts.App | None:
    """An app whose payload could not be read: kept, with an error, so the engine blocks it.

    Returns None when not even the app's id and name are there to attach the error to.
    """
    if not isinstance(raw, dict):
        return None
    app_id, name = raw.get("id"), raw.get("name")
    if not isinstance(app_id, str) or not isinstance(name, str):
        return None
    error = facts.FactError(
        fact="app",
        message=f"The API's description of the app is incomplete or malformed ({problem}).",
    )
    return facts.App(
        id=app_id, name=name, owner="team" if team else "person", team=team, errors=(error,)
    )


def unnamed_app(position: int, problem: str, *, team: str | None = None) -> facts.App:
    """A stand-in for a list entry that lacks even its id or name, so the engine blocks it
    (``api-error``) and the report shows that something unreadable is there."""
    where = f"team {team}'s app list" if team else "the app list"
    error = facts.FactError(
        fact="app",
        message=(
            f"Entry {position + 1} of {where} has no usable id or name ({problem}); an app "
            "that cannot be identified cannot be judged."
        ),
    )
    name = f"unidentified-app-{position + 1}"
    return facts.App(
        id=f"unidentified:{team or ''}:{position + 1}",
        name=name,
        owner="team" if team else "person",
        team=team,
        errors=(error,),
    )
