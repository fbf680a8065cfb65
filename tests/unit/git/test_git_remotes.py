"""Which Heroku app a git remote is: URL parsing, resolution rules, and real git remotes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hooktest_support import git

from gatekeeper.errors import UsageError
from gatekeeper.git.remotes import (
    ConfiguredUrls,
    PushTarget,
    TargetKind,
    app_from_remote,
    heroku_app_for_repo,
    is_app_name,
    resolve_push_target,
)

# (remote URL, app or None)
REMOTE_URLS = [
    ("https://git.heroku.com/survey.git", "survey"),
    ("https://git.heroku.com/survey", "survey"),
    ("https://git.heroku.com/survey.git/", "survey"),
    ("https://git.heroku.com/survey/", "survey"),
    ("https://git.heroku.com:443/otree-study.git", "otree-study"),
    ("HTTPS://Git.Heroku.COM/econ-game.git", "econ-game"),
    ("https://heroku:HRKU-secret@git.heroku.com/econ-game.git", "econ-game"),
    ("git@heroku.com:experiment-us.git", "experiment-us"),
    ("git@heroku.com:experiment-us", "experiment-us"),
    ("git@heroku.com:experiment-us.git/", "experiment-us"),
    ("ssh://git@heroku.com/clinical-trial.git", "clinical-trial"),
    ("ssh://git@heroku.com/clinical-trial", "clinical-trial"),
    ("ssh://git@heroku.com:22/clinical-trial.git/", "clinical-trial"),
    ("  https://git.heroku.com/survey.git\n", "survey"),
    ("https://git.heroku.com/abc.git", "abc"),  # 3 characters: the shortest name
    ("https://git.heroku.com/" + "a" * 30 + ".git", "a" * 30),  # the longest
    # Not Heroku remotes, or not valid app names:
    ("https://git.heroku.com/ab.git", None),  # too short
    ("https://git.heroku.com/" + "a" * 31 + ".git", None),  # too long
    ("https://git.heroku.com/Survey.git", None),  # upper case
    ("https://git.heroku.com/1survey.git", None),  # starts with a digit
    ("https://git.heroku.com/-survey.git", None),
    ("https://git.heroku.com/sur_vey.git", None),
    ("https://git.heroku.com/sur.vey.git", None),
    ("https://git.heroku.com/team/survey.git", None),
    ("https://git.heroku.com/survey.git.git", None),
    ("https://git.heroku.com/", None),
    ("https://git.heroku.com/$(touch pwned).git", None),
    ("https://git.heroku.com/`touch pwned`.git", None),
    ("https://git.heroku.com/survey;touch pwned.git", None),
    ("https://git.heroku.com/survey.git;touch pwned", None),
    ("https://git.heroku.com/survey|sh.git", None),
    ("https://git.heroku.com/survey\n.git", None),
    ("http://git.heroku.com/survey.git", None),  # Heroku serves git over HTTPS only
    ("https://git.heroku.com.evil.example/survey.git", None),
    ("https://evil.example/git.heroku.com/survey.git", None),
    ("https://github.com/uni-example/survey.git", None),
    ("git@github.com:uni-example/survey.git", None),
    ("git@heroku.com.evil.example:survey.git", None),
    ("ssh://git@heroku.com.evil.example/survey.git", None),
    ("ssh://root@heroku.com/survey.git", None),
    ("/srv/git/survey.git", None),
    ("../heroku.git", None),
    ("heroku", None),  # a remote name, not a URL
    ("survey", None),
    ("", None),
]


@pytest.mark.parametrize(("url", "app"), REMOTE_URLS)
def test_app_from_remote(url: str, app: str | None) -> None:
    assert app_from_remote(url) == app


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("abc", True),
        ("econ-game", True),
        ("a1-2-3", True),
        ("ab", False),
        ("Abc", False),
        ("9abc", False),
        ("abc_d", False),
        ("abc ", False),
        ("a" * 30, True),
        ("a" * 31, False),
        ("abc\n", False),
    ],
)
def test_is_app_name(name: str, valid: bool) -> None:
    assert is_app_name(name) is valid


HEROKU_URL = "https://git.heroku.com/survey.git"
LOCAL_URL = "/srv/stand-in.git"


@pytest.mark.parametrize(
    ("remote", "url", "config", "expected"),
    [
        # The URL names the app.
        ("heroku", HEROKU_URL, {}, PushTarget(TargetKind.APP, "survey", "the remote URL")),
        ("production", HEROKU_URL, {}, PushTarget(TargetKind.APP, "survey", "the remote URL")),
        # Pushing to a URL directly: git passes the URL twice.
        (HEROKU_URL, HEROKU_URL, {}, PushTarget(TargetKind.APP, "survey", "the remote URL")),
        # Other remotes pass.
        ("origin", "git@github.com:uni/survey.git", {}, PushTarget(TargetKind.NOT_HEROKU)),
        ("origin", LOCAL_URL, {"gatekeeper.app": "survey"}, PushTarget(TargetKind.NOT_HEROKU)),
        (LOCAL_URL, LOCAL_URL, {"gatekeeper.app": "survey"}, PushTarget(TargetKind.NOT_HEROKU)),
        # A remote standing in for Heroku, configured per remote or (for `heroku`) per repo.
        (
            "staging",
            LOCAL_URL,
            {"remote.staging.gatekeeper-app": "econ-game"},
            PushTarget(TargetKind.APP, "econ-game", "git config remote.staging.gatekeeper-app"),
        ),
        (
            "heroku",
            LOCAL_URL,
            {"gatekeeper.app": "econ-game"},
            PushTarget(TargetKind.APP, "econ-game", "git config gatekeeper.app"),
        ),
        (
            "heroku",
            LOCAL_URL,
            {"remote.heroku.gatekeeper-app": "econ-game"},
            PushTarget(TargetKind.APP, "econ-game", "git config remote.heroku.gatekeeper-app"),
        ),
        # Agreeing sources are fine; the first one found is named.
        (
            "heroku",
            HEROKU_URL,
            {"gatekeeper.app": "survey"},
            PushTarget(TargetKind.APP, "survey", "the remote URL"),
        ),
    ],
)
def test_resolve_push_target(
    remote: str, url: str, config: dict[str, str], expected: PushTarget
) -> None:
    assert resolve_push_target(remote, url, config.get) == expected


def test_remote_named_heroku_without_an_app_is_unresolved() -> None:
    target = resolve_push_target("heroku", LOCAL_URL, {}.get)
    assert target.kind is TargetKind.UNRESOLVED
    assert "git config gatekeeper.app" in target.reason


@pytest.mark.parametrize(
    ("remote", "url", "config", "in_reason"),
    [
        ("heroku", HEROKU_URL, {"gatekeeper.app": "econ-game"}, "more than one app"),
        ("heroku", HEROKU_URL, {"remote.heroku.gatekeeper-app": "econ-game"}, "more than one"),
        (
            "heroku",
            LOCAL_URL,
            {"remote.heroku.gatekeeper-app": "survey", "gatekeeper.app": "econ-game"},
            "more than one app",
        ),
        ("heroku", LOCAL_URL, {"gatekeeper.app": "$(touch pwned)"}, "not a valid Heroku app"),
        ("staging", LOCAL_URL, {"remote.staging.gatekeeper-app": "`id`"}, "not a valid"),
        ("heroku", "https://git.heroku.com/$(touch pwned).git", {}, "not a valid Heroku app"),
        ("heroku", "https://git.heroku.com/a/b.git", {}, "not a valid Heroku app"),
    ],
)
def test_ambiguous_or_invalid_targets_are_invalid(
    remote: str, url: str, config: dict[str, str], in_reason: str
) -> None:
    target = resolve_push_target(remote, url, config.get)
    assert target.kind is TargetKind.INVALID
    assert target.app is None
    assert in_reason in target.reason


# --- URLs that git rewrote (url.<base>.insteadOf, pushInsteadOf) before calling the hook ---

MIRROR_URL = "ssh://git@mirror.uni-example.edu/heroku/survey.git"
REWRITTEN = "the remote's configured URL, before git rewrote it"


@pytest.mark.parametrize(
    ("remote", "url", "configured", "expected"),
    [
        # The configured URL is Heroku's; git pushes to a rewritten one.
        (
            "production",
            MIRROR_URL,
            ConfiguredUrls(url=(HEROKU_URL,)),
            PushTarget(TargetKind.APP, "survey", REWRITTEN),
        ),
        (
            "heroku",
            MIRROR_URL,
            ConfiguredUrls(url=(HEROKU_URL,)),
            PushTarget(TargetKind.APP, "survey", REWRITTEN),
        ),
        # A pushurl is where git pushes: it comes before the url.
        (
            "production",
            MIRROR_URL,
            ConfiguredUrls(
                pushurl=("git@heroku.com:econ-game.git",), url=("git@github.com:uni/x.git",)
            ),
            PushTarget(TargetKind.APP, "econ-game", REWRITTEN),
        ),
        (
            "production",
            MIRROR_URL,
            ConfiguredUrls(pushurl=("git@heroku.com:econ-game.git",), url=(HEROKU_URL,)),
            PushTarget(TargetKind.APP, "econ-game", REWRITTEN),
        ),
        # A pushurl to a proxy of the Heroku app the remote fetches from.
        (
            "production",
            MIRROR_URL,
            ConfiguredUrls(pushurl=(MIRROR_URL,), url=(HEROKU_URL,)),
            PushTarget(TargetKind.APP, "survey", REWRITTEN),
        ),
        # A push to a Heroku URL that git rewrote: the remote git passes is the URL as typed.
        (HEROKU_URL, MIRROR_URL, ConfiguredUrls(), PushTarget(TargetKind.APP, "survey", REWRITTEN)),
        # The URL git passes is Heroku's: that is where the push goes, whatever it came from.
        (
            "production",
            "https://git.heroku.com/econ-game.git",
            ConfiguredUrls(url=(HEROKU_URL,)),
            PushTarget(TargetKind.APP, "econ-game", "the remote URL"),
        ),
        # Nothing Heroku-shaped anywhere.
        (
            "origin",
            MIRROR_URL,
            ConfiguredUrls(url=("git@github.com:uni/survey.git",)),
            PushTarget(TargetKind.NOT_HEROKU),
        ),
    ],
)
def test_resolve_push_target_sees_through_rewritten_urls(
    remote: str, url: str, configured: ConfiguredUrls, expected: PushTarget
) -> None:
    assert resolve_push_target(remote, url, {}.get, configured) == expected


@pytest.mark.parametrize(
    ("remote", "configured", "config", "in_reason"),
    [
        (
            "production",
            ConfiguredUrls(url=(HEROKU_URL, "https://git.heroku.com/econ-game.git")),
            {},
            "cannot be told",
        ),
        (
            "production",
            ConfiguredUrls(url=("https://git.heroku.com/$(touch pwned).git",)),
            {},
            "not a valid Heroku app name",
        ),
        (
            "heroku",
            ConfiguredUrls(url=(HEROKU_URL,)),
            {"gatekeeper.app": "econ-game"},
            "more than one app",
        ),
        (
            "production",
            ConfiguredUrls(url=(HEROKU_URL,)),
            {"remote.production.gatekeeper-app": "econ-game"},
            "more than one app",
        ),
    ],
)
def test_rewritten_urls_that_are_ambiguous_or_invalid_are_invalid(
    remote: str, configured: ConfiguredUrls, config: dict[str, str], in_reason: str
) -> None:
    target = resolve_push_target(remote, MIRROR_URL, config.get, configured)
    assert target.kind is TargetKind.INVALID
    assert target.app is None
    assert in_reason in target.reason


def test_a_rewritten_heroku_remote_without_heroku_urls_is_unresolved() -> None:
    configured = ConfiguredUrls(url=("git@github.com:uni/survey.git",))
    target = resolve_push_target("heroku", MIRROR_URL, {}.get, configured)
    assert target.kind is TargetKind.UNRESOLVED
    assert MIRROR_URL in target.reason


@pytest.mark.parametrize(
    ("value", "escaped"),
    [("a\x1b[31mb", "\\x1b"), ("app\u202egnp.exe", "\\u202e"), ("x\ny", "\\n")],
)
def test_invalid_reason_escapes_control_characters(value: str, escaped: str) -> None:
    """Terminal escapes, bidi overrides and newlines in config cannot forge hook output."""
    target = resolve_push_target("heroku", LOCAL_URL, {"gatekeeper.app": value}.get)
    assert target.kind is TargetKind.INVALID
    assert value not in target.reason
    assert escaped in target.reason


def test_unicode_app_names_are_not_apps() -> None:
    assert app_from_remote("https://git.heroku.com/ñandú-app.git") is None
    assert not is_app_name("ｅｃｏｎ-game")  # full-width letters


# --- real git ---------------------------------------------------------------------------


def test_heroku_app_for_repo_reads_the_heroku_remote(repo: Path) -> None:
    git(repo, "remote", "add", "heroku", "https://git.heroku.com/otree-study.git")
    git(repo, "remote", "add", "origin", "git@github.com:uni-example/otree-study.git")
    assert heroku_app_for_repo(repo) == "otree-study"
    assert heroku_app_for_repo(str(repo)) == "otree-study"
    assert heroku_app_for_repo(repo, remote="origin") is None
    assert heroku_app_for_repo(repo, remote="nosuch") is None
    assert heroku_app_for_repo(repo, remote="--help") is None


def test_heroku_app_for_repo_from_a_subdirectory_and_other_remote_names(repo: Path) -> None:
    git(repo, "remote", "add", "staging", "git@heroku.com:survey-staging.git")
    sub = repo / "src"
    sub.mkdir()
    assert heroku_app_for_repo(sub, remote="staging") == "survey-staging"
    assert heroku_app_for_repo(sub) is None  # no remote named heroku


def test_heroku_app_for_repo_uses_the_push_url(repo: Path) -> None:
    git(repo, "remote", "add", "heroku", "https://github.com/uni-example/mirror.git")
    git(repo, "remote", "set-url", "--push", "heroku", "https://git.heroku.com/econ-game.git")
    assert heroku_app_for_repo(repo) == "econ-game"


@pytest.mark.parametrize("rewrite", ["insteadOf", "pushInsteadOf"])
def test_heroku_app_for_repo_sees_through_rewritten_urls(
    repo: Path, tmp_path: Path, rewrite: str
) -> None:
    git(repo, "remote", "add", "heroku", "https://git.heroku.com/econ-game.git")
    git(repo, "config", f"url.{tmp_path}/mirror/.{rewrite}", "https://git.heroku.com/")
    pushed_to = git(repo, "remote", "get-url", "--push", "heroku").stdout.strip()
    assert pushed_to == f"{tmp_path}/mirror/econ-game.git"  # what git gives the hook
    assert heroku_app_for_repo(repo) == "econ-game"


def test_heroku_app_for_repo_with_a_local_stand_in(repo: Path, bare: Path) -> None:
    git(repo, "remote", "add", "heroku", str(bare))
    assert heroku_app_for_repo(repo) is None
    git(repo, "config", "gatekeeper.app", "experiment-us")
    assert heroku_app_for_repo(repo) == "experiment-us"


def test_heroku_app_for_repo_refuses_to_guess(repo: Path) -> None:
    git(repo, "remote", "add", "heroku", "https://git.heroku.com/survey.git")
    git(repo, "config", "remote.heroku.gatekeeper-app", "econ-game")
    with pytest.raises(UsageError, match="more than one app"):
        heroku_app_for_repo(repo)


def test_heroku_app_for_repo_rejects_a_malicious_url(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    git(repo, "remote", "add", "heroku", "https://git.heroku.com/$(touch pwned)`touch pwned2`.git")
    with pytest.raises(UsageError, match="not a valid Heroku app name"):
        heroku_app_for_repo(repo)
    for where in (repo, tmp_path):
        assert not (where / "pwned").exists()
        assert not (where / "pwned2").exists()


def test_heroku_app_for_repo_outside_a_repository(tmp_path: Path, git_program: str) -> None:
    assert heroku_app_for_repo(tmp_path) is None


def test_heroku_app_for_repo_without_git(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo))  # no git there
    with pytest.raises(UsageError, match="git is not installed"):
        heroku_app_for_repo(repo)
