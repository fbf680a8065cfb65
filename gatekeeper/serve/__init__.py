"""`gatekeeper serve`: the web layer over the use cases (issue 14), in the optional `serve`
extra; OpenID Connect sign-in is :mod:`gatekeeper.serve.oidc`."""
