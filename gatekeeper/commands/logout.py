"""``gatekeeper logout``: remove the token ``gatekeeper login`` stored in the OS keyring."""

from __future__ import annotations

import click

from gatekeeper.commands import terminal
from gatekeeper.commands.verbs import summarized


@summarized("logout")
@click.command(name="logout")
@click.option(
    "--api-url",
    metavar="URL",
    help="Heroku API base URL (default: from HEROKU_HOST, else https://api.heroku.com).",
)
def command(api_url: str | None) -> int:
    """From the OS keyring. Other token sources are left alone and named if they still hold a token:
    HEROKU_API_KEY and ~/.netrc (written by `heroku login`; `heroku logout` removes it).
    """
    import os

    from gatekeeper.heroku.config import api_host, resolve_api_url
    from gatekeeper.heroku.credentials import TOKEN_ENV, delete_keyring_token, netrc_has_entry

    base_url = resolve_api_url(api_url)
    host = api_host(base_url)
    if delete_keyring_token(host):
        click.echo(f"Removed the token stored for {host} from the OS keyring.")
    else:
        click.echo(f"No token was stored for {host} in the OS keyring.")
    if os.environ.get(TOKEN_ENV, "").strip():
        terminal.info(f"Note: {TOKEN_ENV} is still set; unset it to stop using that token.")
    if netrc_has_entry(host):
        terminal.info(f"Note: ~/.netrc still has a token for {host} (`heroku logout` removes it).")
    return 0
