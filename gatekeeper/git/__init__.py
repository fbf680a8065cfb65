"""Git integration: the Heroku app behind a git remote, and the pre-push hook.

- ``names``: the pattern of Heroku app names (``check --app`` reads only this).
- ``remotes``: parse Heroku git remote URLs and resolve the app a push goes to.
- ``hook``: install and uninstall the pre-push hook script.
- ``prepush``: what the installed hook runs (``gatekeeper hook run-pre-push``).
- ``toplevel``: the top of the work tree a file is in (for repository-relative reports).

Nothing here executes text taken from a remote URL or from git config: app names are
validated against Heroku's name pattern and only ever passed as argv elements.
"""
