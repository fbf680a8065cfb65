"""Collecting facts from the Heroku Platform API into ``gatekeeper.facts.Estate``.

``collect_app`` gathers what ``check`` needs for one app; ``collect_estate`` gathers whole
teams, enterprise accounts or everything a token can see with the bulk list endpoints, so the
number of requests grows with pages, not with apps (issue 5).
"""

from gatekeeper.collect.app import collect_app
from gatekeeper.collect.estate import AuditScope, collect_estate, request_budget

__all__ = ["AuditScope", "collect_app", "collect_estate", "request_budget"]
