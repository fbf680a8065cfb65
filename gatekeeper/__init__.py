"""heroku-gatekeeper: checks Heroku apps against an institution's data protection policy."""

__version__ = "0.1.0"
