"""The Heroku app behind a git remote.

Heroku's git remotes have three shapes (devcenter "Deploying with Git")::

    https://git.heroku.com/NAME.git      (what ``heroku git:remote`` writes)
    git@heroku.com:NAME.git              (SSH, scp-like)
    ssh://git@heroku.com/NAME.git        (SSH, URL form)

each with or without ``.git`` and a trailing slash; an HTTPS URL may carry credentials
(``https://heroku:TOKEN@git.heroku.com/NAME.git`` is common in CI), so URLs are never
printed unredacted. An app name is ``[a-z][a-z0-9-]{2,29}``; anything else is not an app.

Which app a push goes to (``resolve_push_target``), in this order:

1. ``git config remote.<name>.gatekeeper-app NAME`` names the app behind remote ``<name>``;
   for a remote that is not Heroku-shaped (a mirror, a proxy, a local stand-in).
2. A Heroku-shaped URL gives the app from its path: the URL git passes the hook when it is
   Heroku-shaped (that is where the push goes); else the first of these that has a
   Heroku-shaped URL: the remote as typed (a push to a URL), ``remote.<name>.pushurl``,
   ``remote.<name>.url``, all as configured. git rewrites URLs (``url.<base>.insteadOf``,
   ``pushInsteadOf``) before it calls the hook, so the URL it passes may be a proxy or a
   mirror of a Heroku URL that only the configuration shows.
3. For the remote named ``heroku`` only: ``git config gatekeeper.app NAME``.

When two of these name different apps the result is ``INVALID`` (ambiguity blocks; it does
not pick one). A remote named ``heroku`` that none of these resolves is ``UNRESOLVED``: the
hook refuses the push and says how to name the app (fail closed; ``gatekeeper.failOpen`` is
the way out). Every other remote is ``NOT_HEROKU``.

Security: nothing taken from a URL or from git config is ever executed or passed through a
shell; git runs with argument lists, and an app name is used only after it matched the
pattern above.
"""

from __future__ import annotations

import enum
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.errors import UsageError
from gatekeeper.git.names import is_app_name

DEFAULT_REMOTE = "heroku"
"""The remote ``heroku git:remote`` creates, and the one ``check`` and the hook look at."""

REMOTE_APP_KEY = "remote.{remote}.gatekeeper-app"
REPO_APP_KEY = "gatekeeper.app"

# The host part of the three Heroku shapes; what follows is the app path. Host names are
# case-insensitive, app names are not (checked separately: names.APP_NAME_PATTERN).
_HEROKU_URL = re.compile(
    r"""
    (?:
        https://(?:[^/@\s]+@)?git\.heroku\.com(?::443)?/
      | ssh://git@heroku\.com(?::22)?/
      | git@heroku\.com:
    )
    (?P<path>.*?)
    (?:\.git)?
    /?
    """,
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)

ConfigLookup = Callable[[str], str | None]
"""``git config --get KEY`` for one repository: the value, or None when unset."""


def heroku_url_path(url: str) -> str | None:
    """The app part of a Heroku-shaped git URL, not yet validated; None for other URLs."""
    match = _HEROKU_URL.fullmatch(url.strip())
    return match.group("path") if match else None


def app_from_remote(name_or_url: str) -> str | None:
    """The app name in a Heroku git URL, or None when it is not one.

    Takes what git hands a pre-push hook as the remote: a URL (or a remote name, which is
    never a Heroku URL and gives None). A Heroku-shaped URL whose path is not a valid app
    name (``https://git.heroku.com/$(touch x).git``) also gives None.
    """
    path = heroku_url_path(name_or_url)
    if path is None or not is_app_name(path):
        return None
    return path


class TargetKind(enum.Enum):
    """What a push goes to, as far as the gatekeeper is concerned."""

    NOT_HEROKU = "not-heroku"
    APP = "app"
    UNRESOLVED = "unresolved"
    INVALID = "invalid"


@dataclass(frozen=True)
class PushTarget:
    """The result of resolving a remote: the app, or why there is none.

    ``source`` says where the app name came from (for messages); ``reason`` explains an
    ``INVALID`` or ``UNRESOLVED`` result in one sentence for the user.
    """

    kind: TargetKind
    app: str | None = None
    source: str = ""
    reason: str = ""


def shown(value: str, limit: int = 80) -> str:
    """A value from a URL or config, quoted and with control characters escaped for display."""
    text = value if len(value) <= limit else value[:limit] + "..."
    return repr(text)


@dataclass(frozen=True)
class ConfiguredUrls:
    """A remote's URLs as written in git config, before git's insteadOf rewriting."""

    pushurl: tuple[str, ...] = ()
    url: tuple[str, ...] = ()


def resolve_push_target(
    remote: str, url: str, config: ConfigLookup, configured: ConfiguredUrls = ConfiguredUrls()
) -> PushTarget:
    """Decide which Heroku app (if any) a push to ``remote`` at ``url`` goes to.

    ``remote`` and ``url`` are what git passes a pre-push hook; they are equal when the
    push names a URL rather than a remote (unless git rewrote that URL). ``config`` looks up
    git config keys of the repository; ``configured`` holds the remote's URLs as
    configured, before git's rewriting (``GitRepository.configured_urls``). Pure apart from
    ``config``, so it is tested without git.
    """
    named = bool(remote) and remote != url
    candidates: list[tuple[str, str]] = []  # (app, where it came from)

    if named:
        key = REMOTE_APP_KEY.format(remote=remote)
        value = config(key)
        if value:
            if not is_app_name(value):
                return PushTarget(
                    TargetKind.INVALID,
                    reason=f"git config {key} is {shown(value)}, which is not a valid "
                    "Heroku app name.",
                )
            candidates.append((value, f"git config {key}"))

    tiers = ((remote,), configured.pushurl, configured.url) if named else ()
    from_url = _app_from_urls(remote, url, tiers)
    if isinstance(from_url, PushTarget):
        return from_url
    if from_url is not None:
        candidates.append(from_url)

    if named and remote == DEFAULT_REMOTE:
        value = config(REPO_APP_KEY)
        if value:
            if not is_app_name(value):
                return PushTarget(
                    TargetKind.INVALID,
                    reason=f"git config {REPO_APP_KEY} is {shown(value)}, which is not a "
                    "valid Heroku app name.",
                )
            candidates.append((value, f"git config {REPO_APP_KEY}"))

    apps = {app for app, _ in candidates}
    if len(apps) > 1:
        listed = ", ".join(f"{app!r} from {source}" for app, source in candidates)
        return PushTarget(
            TargetKind.INVALID,
            reason=f"the remote {shown(remote)} names more than one app ({listed}); make "
            "them agree.",
        )
    if apps:
        app, source = candidates[0]
        return PushTarget(TargetKind.APP, app=app, source=source)
    if named and remote == DEFAULT_REMOTE:
        return PushTarget(
            TargetKind.UNRESOLVED,
            reason=f"the remote {DEFAULT_REMOTE!r} does not point at git.heroku.com (git pushes "
            f"to {shown(url)}) and no app is configured for it (git config "
            f"remote.{DEFAULT_REMOTE}.gatekeeper-app NAME, or git config {REPO_APP_KEY} NAME).",
        )
    return PushTarget(TargetKind.NOT_HEROKU)


def _app_from_urls(
    remote: str, url: str, tiers: Sequence[Sequence[str]]
) -> tuple[str, str] | PushTarget | None:
    """The app a push's URLs name, with where it came from; an ``INVALID`` target; or None.

    The URL git passes decides when it is Heroku-shaped: the push goes there, whatever it
    was rewritten from. Otherwise git may have rewritten a Heroku URL into it, and the first
    of ``tiers`` (groups of URLs as configured) with a Heroku-shaped URL decides.
    """
    path = heroku_url_path(url)
    if path is not None:
        if not is_app_name(path):
            return PushTarget(
                TargetKind.INVALID,
                reason=f"the remote URL points at Heroku's git server, but {shown(path)} is "
                "not a valid Heroku app name.",
            )
        return path, "the remote URL"
    found: list[str] = []
    for tier in tiers:
        for configured in tier:
            path = heroku_url_path(configured)
            if path is None:
                continue
            if not is_app_name(path):
                return PushTarget(
                    TargetKind.INVALID,
                    reason=f"the remote {shown(remote)} is configured with a URL of Heroku's "
                    f"git server, but {shown(path)} is not a valid Heroku app name.",
                )
            if path not in found:
                found.append(path)
        if found:
            break
    if len(found) > 1:
        listed = ", ".join(repr(app) for app in found)
        return PushTarget(
            TargetKind.INVALID,
            reason=f"the remote {shown(remote)} is configured with the Heroku apps {listed}, "
            f"and git rewrote the URL of this push to {shown(url)}, so which app it goes to "
            "cannot be told; give each app a remote of its own.",
        )
    if found:
        return found[0], "the remote's configured URL, before git rewrote it"
    return None


class GitRepository:
    """Runs ``git`` in one directory, with argument lists only (never a shell)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``git ARGS`` in this directory; output captured, never raises on a git failure."""
        try:
            return subprocess.run(
                ["git", *args],
                cwd=self.path,
                capture_output=True,
                text=True,
                errors="replace",
                check=False,
            )
        except FileNotFoundError as exc:
            raise UsageError(
                "git is not installed or not on PATH.",
                hint="Install git, or name the app with --app NAME.",
            ) from exc
        except NotADirectoryError as exc:
            raise UsageError(f"{self.path} is not a directory.") from exc

    def config(self, key: str) -> str | None:
        """The value of ``git config --get KEY``, or None when unset or not a valid key."""
        result = self.run("config", "--get", key)
        if result.returncode != 0:
            return None
        return result.stdout.strip() or None

    def config_all(self, key: str) -> list[str]:
        """Every value of ``git config --get-all KEY`` (a multi-valued key), in order."""
        result = self.run("config", "--get-all", key)
        if result.returncode != 0:
            return []
        return [line.strip() for line in result.stdout.splitlines() if line.strip()]

    def configured_urls(self, remote: str) -> ConfiguredUrls:
        """The URLs of ``remote`` as configured, before git's insteadOf rewriting.

        Empty for a remote that does not exist (or a push to a URL).
        """
        if not remote or remote.startswith("-"):
            return ConfiguredUrls()
        return ConfiguredUrls(
            pushurl=tuple(self.config_all(f"remote.{remote}.pushurl")),
            url=tuple(self.config_all(f"remote.{remote}.url")),
        )

    def config_bool(self, key: str) -> bool:
        """``git config --bool KEY`` is true; unset or unparseable values are false."""
        result = self.run("config", "--bool", "--get", key)
        return result.returncode == 0 and result.stdout.strip() == "true"

    def remote_push_url(self, remote: str) -> str | None:
        """Where ``git push REMOTE`` goes (its pushurl, else its url, as git rewrites them);
        None if no such remote."""
        if not remote or remote.startswith("-"):
            return None
        result = self.run("remote", "get-url", "--push", "--", remote)
        if result.returncode != 0:
            return None
        return result.stdout.strip() or None

    def toplevel(self) -> Path | None:
        """The root of the work tree, or None outside one (or in a bare repository)."""
        result = self.run("rev-parse", "--show-toplevel")
        if result.returncode != 0 or not result.stdout.strip():
            return None
        return Path(result.stdout.strip())


def heroku_app_for_repo(repo_dir: Path | str, remote: str = DEFAULT_REMOTE) -> str | None:
    """The Heroku app behind ``remote`` of the repository at ``repo_dir``.

    Uses ``git remote get-url --push REMOTE``, the remote's configured URLs and the rules of
    ``resolve_push_target``.
    Returns None when there is no such remote or it is not a Heroku remote. Raises
    ``UsageError`` when git is missing, or when the remote or configuration is ambiguous or
    names an invalid app (a gate must not guess).
    """
    repo = GitRepository(Path(repo_dir))
    url = repo.remote_push_url(remote)
    if url is None:
        return None
    target = resolve_push_target(remote, url, repo.config, repo.configured_urls(remote))
    if target.kind is TargetKind.INVALID:
        raise UsageError(
            f"Cannot tell which Heroku app the git remote {shown(remote)} is: {target.reason}",
            hint="Name the app with --app NAME.",
        )
    return target.app if target.kind is TargetKind.APP else None
