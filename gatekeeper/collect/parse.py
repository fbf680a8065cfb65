"""Validates API answers item by item, so one malformed app, add-on or drain does not sink a
whole team (or the whole audit).

Validation may fail for any reason, not only a field that is missing or of the wrong type:
an item nested deeper than the validator can follow raises ``RecursionError``. Each such
failure is this item's problem, reported on it (a broken app, a ``FactError``), never the end
of the run.
"""

from __future__ import annotations

from typing import Any, TypeVar

from gatekeeper import facts
from gatekeeper.errors import GatekeeperError, ProtocolError
from gatekeeper.heroku.protocol import parse_model
from gatekeeper.records import RecordError, read

M = TypeVar("M")


def describe(exc: RecordError) -> str:
    """A short, token-free account of what was wrong with a payload."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "(body)"
        parts.append(f"{loc}: {err['msg']}")
    more = len(exc.errors()) - 3
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "it is nested too deeply to be read"
    return f"it cannot be validated ({type(exc).__name__})"


def parse_item(raw: Any, model: type[M]) -> M | str:
    """The parsed model, or a description of why the payload cannot be used."""
    try:
        return read(model, raw)
    except RecordError as exc:
        return describe(exc)
    except Exception as exc:  # noqa: BLE001 - any failure is this item's, see the module
        return _unreadable(exc)


def parse_answer(raw: Any, model: type[M], path: str) -> M | ProtocolError:
    """The parsed model, or the ``ProtocolError`` that says why ``GET path``'s answer (or
    one item of it) cannot be used."""
    try:
        return parse_model(raw, model, path)
    except ProtocolError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - any failure is this item's, see the module
        return unreadable_answer(path, _unreadable(exc))


def unreadable_answer(path: str, why: str) -> ProtocolError:
    return ProtocolError(
        f"The API answered GET {path} with a body that cannot be used: {why}.",
        hint="The API or a proxy in between changed; nothing was decided (fail closed).",
    )


#: The failures of one request that are its answer, kept for its app or space, not the end of
#: the run: the API's errors, and a body nested too deeply to decode (``RecursionError``).
REQUEST_FAILURES = (GatekeeperError, RecursionError)


def request_error(exc: Exception, path: str) -> GatekeeperError:
    """The ``GatekeeperError`` standing for one of ``REQUEST_FAILURES`` of ``GET path``."""
    return exc if isinstance(exc, GatekeeperError) else unreadable_answer(path, _unreadable(exc))


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
