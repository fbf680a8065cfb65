"""``gatekeeper login``: check a Heroku API token and store it in the OS keyring.

The token is read from a hidden prompt, or from standard input when that is not a terminal
(``heroku authorizations:create --scope read --short | gatekeeper login``), checked with
``GET /account`` and stored under service ``heroku-gatekeeper``, username = the API host. It is
never echoed, logged or put in an error message.
"""

from __future__ import annotations

import sys

import click

from gatekeeper.commands import terminal
from gatekeeper.commands.verbs import summarized


@summarized("login")
@click.command(name="login")
@click.option(
    "--api-url",
    metavar="URL",
    help="Heroku API base URL (default: from HEROKU_HOST, else https://api.heroku.com).",
)
def command(api_url: str | None) -> int:
    """Reads the token from a hidden prompt, or from standard input when it is piped in,
    checks it with GET /account and says which account it belongs to. A read-only token
    is enough: create one with `heroku authorizations:create --scope read --short`.
    HEROKU_API_KEY, when set, still takes precedence over the stored token.
    """
    import os

    from gatekeeper.heroku.config import api_host, resolve_api_url
    from gatekeeper.heroku.credentials import TOKEN_ENV, require_keyring, store_keyring_token
    from gatekeeper.redact import register_secret

    base_url = resolve_api_url(api_url)
    host = api_host(base_url)
    require_keyring()  # before asking for the token: it could not be kept anyway
    token = _read_token()
    register_secret(token)
    email = _account_email(base_url, token)
    store_keyring_token(host, token)
    click.echo(f"Logged in to {host} as {email}; the token is stored in the OS keyring.")
    if os.environ.get(TOKEN_ENV, "").strip():
        terminal.info(f"Note: {TOKEN_ENV} is set and takes precedence over the stored token.")
    return 0


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _read_token() -> str:
    from gatekeeper.errors import UsageError

    if _stdin_is_tty():
        token = str(
            click.prompt(
                "Heroku API token", hide_input=True, err=True, default="", show_default=False
            )
        )
    else:
        token = sys.stdin.readline()
    token = token.strip()
    if not token:
        raise UsageError(
            "No token given.",
            hint="Paste it at the prompt, or pipe it in: "
            "`heroku authorizations:create --scope read --short | gatekeeper login`.",
        )
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        # Not echoed: it may still be a secret, pasted with something else.
        raise UsageError(
            "That does not look like a Heroku API token (it contains spaces or control characters)."
        )
    return token


def _account_email(base_url: str, token: str) -> str:
    """Who the token belongs to, per ``GET /account``; a refused token stores nothing."""
    from gatekeeper.errors import AuthenticationError
    from gatekeeper.heroku.client import HerokuClient
    from gatekeeper.heroku.endpoints import ACCOUNT

    try:
        with HerokuClient(base_url, token, max_retries=2) as client:
            return client.get_model(ACCOUNT.path(), ACCOUNT.model).email
    except AuthenticationError as exc:
        raise AuthenticationError(
            "Heroku did not accept the token",
            status=exc.status,
            error_id=exc.error_id,
            request_id=exc.request_id,
            path=exc.path,
            hint="Nothing was stored. Create a read-only token with "
            "`heroku authorizations:create --scope read` and try again.",
        ) from None
