"""The apps of the built-in demo estate (``gatekeeper/simulator/demo_estate.json``), in the
order the estate lists them: one list for every test that names them all, so that a new demo
app is added in one place."""

from __future__ import annotations

DEMO_APPS: tuple[str, ...] = (
    "survey",
    "otree-study",
    "experiment-us",
    "frankfurt-exp",
    "fir-survey",
    "clinical-trial",
    "bio-dashboard",
    "econ-game",
    "econ-archive",
    "student-game",
    "jdoe-thesis",
)
