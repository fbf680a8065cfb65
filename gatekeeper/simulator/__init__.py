"""A faithful local Heroku Platform API (docs/design.md#7-the-simulator): ``gatekeeper simulate``.

It serves an estate over real HTTP on 127.0.0.1 with Heroku's paths, headers, ``Range``
pagination, ETags, rate limiting and error bodies, plus switchable faults, so that the
client, the collector, the CLI and the benchmarks run without the internet::

    from gatekeeper.simulator import Simulator, demo_estate, DEMO_ADMIN_TOKEN

    with Simulator(demo_estate()) as sim:
        ...  # talk to sim.url with DEMO_ADMIN_TOKEN; sim.requests records every request

The estate file format and the fault switches are documented in docs/simulator.md.
"""

from gatekeeper.simulator.demo import demo_estate
from gatekeeper.simulator.estate import (
    ALL,
    DEMO_ADMIN_TOKEN,
    DEMO_JDOE_TOKEN,
    SimAddOn,
    SimApp,
    SimEnterpriseAccount,
    SimEstate,
    SimPipeline,
    SimSpace,
    SimTeam,
    SimToken,
)
from gatekeeper.simulator.estate_file import estate_to_data, load_estate
from gatekeeper.simulator.faults import ALWAYS, UNKNOWN_PLAN, UNKNOWN_REGION, Faults
from gatekeeper.simulator.generate import generate_estate
from gatekeeper.simulator.kinds.log_drains import SimLogDrain
from gatekeeper.simulator.server import RequestRecord, Simulator

__all__ = [
    "ALL",
    "ALWAYS",
    "DEMO_ADMIN_TOKEN",
    "DEMO_JDOE_TOKEN",
    "UNKNOWN_PLAN",
    "UNKNOWN_REGION",
    "Faults",
    "RequestRecord",
    "SimAddOn",
    "SimApp",
    "SimEnterpriseAccount",
    "SimEstate",
    "SimLogDrain",
    "SimPipeline",
    "SimSpace",
    "SimTeam",
    "SimToken",
    "Simulator",
    "demo_estate",
    "estate_to_data",
    "generate_estate",
    "load_estate",
]
