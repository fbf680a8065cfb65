"""``gatekeeper serve``: the dashboard, the Heroku webhook receiver and the worker (issue 14).

A thin web layer over the use cases (``gatekeeper.usecases.watch``, ``events``,
``dashboard``), as ``gatekeeper.commands`` is for the command line. Its third-party stack
(Starlette, Jinja2, uvicorn, itsdangerous; Authlib for the OpenID Connect sign-in of
:mod:`gatekeeper.serve.oidc`) is the optional ``serve`` extra: nothing here is
imported by ``gatekeeper check`` or the release phase. ``settings`` reads the environment
without importing that stack, so that a missing extra or a bad setting is one clear message.
"""
