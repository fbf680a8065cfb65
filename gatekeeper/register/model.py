"""The DPO's register (GDPR Art. 30 record) as pydantic models: the value and its contract.

One set of models is both what :func:`gatekeeper.register.build.build_register` returns and
the versioned JSON document ``gatekeeper.register/v1`` (docs/report-formats.md): the JSON
format dumps them, the history store keeps them, and ``register-schema-v1.json`` is their
JSON Schema (``python -m gatekeeper.register.model > gatekeeper/register/register-schema-v1.json``;
a unit test holds the file to the models). Within v1, fields are only ever added.

A register has one :class:`Activity` per app (the processing activity with what only the
institution knows: purpose, data subjects, categories, retention, controller) and one
:class:`RegisterRow` per app and recipient (who receives the data, in which role, where,
under which agreement and transfer mechanism).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import CoreSchema

from gatekeeper.report.v1 import IsoDate, UtcTime, strip_generated
from gatekeeper.results import API_ERROR_RULE, Decision

REGISTER_SCHEMA = "gatekeeper.register/v1"

Role = Literal["processor", "sub-processor", "own infrastructure"]
Kind = Literal[
    "platform", "add-on", "attached add-on", "log drain", "telemetry drain", "salesforce sync"
]
TransferMechanism = Literal["scc", "bcr", "dpf", "adequacy", "none"]
AgreementState = Literal["active", "expired", "not-yet-signed"]
ChangeKind = Literal[
    "new app", "app gone", "new recipient", "recipient gone", "agreement lapsed", "agreement added"
]

#: ``agreement_id`` of a row no agreement covers.
NO_AGREEMENT = "none"


class _Model(BaseModel):
    # The contract forbids unknown keys in what this version writes; reading ignores them,
    # so that a newer v1 writer's additions do not break an older reader.
    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        json_schema_serialization_defaults_required=True,
        json_schema_extra={"additionalProperties": False},
    )


class PolicyRef(_Model):
    path: str | None = None
    sha256: str | None = None


class Institution(_Model):
    name: str = ""
    contact: str = ""


class Activity(_Model):
    """One processing activity (one app), with the Art. 30(1) fields from the policy."""

    app: str
    app_id: str
    team: str | None = Field(description="null for an app in a personal account.")
    region: str | None = None
    data_class: str
    purpose: str = ""
    data_subjects: tuple[str, ...] = ()
    data_categories: tuple[str, ...] = ()
    retention: str = ""
    controller_contact: str = ""
    ethics_reference: str = ""
    decision: Decision


class RegisterRow(_Model):
    """One recipient of one app's data: the columns of the CSV, in this order."""

    app: str
    team: str | None = Field(description="null for an app in a personal account.")
    data_class: str
    purpose: str
    recipient: str = Field(description="Who receives the data: a company, a service, a host.")
    role: Role
    service: str = Field(description="heroku, the add-on service, or the drain's host.")
    kind: Kind
    countries: tuple[str, ...] = Field(
        description="ISO 3166-1 alpha-2 codes or groups (EEA, adequate); empty: unknown."
    )
    transfer_mechanism: TransferMechanism
    agreement_id: str = Field(description='The covering agreement\'s id, or "none".')
    agreement_document: str = ""
    agreement_expires: IsoDate | None = None
    decision: Decision = Field(description="The app's decision.")
    open_findings: tuple[str, ...] = Field(
        description="Rule ids of the unwaived findings about this recipient."
    )

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What identifies a row from one register to the next."""
        return (self.app, self.kind, self.service, self.recipient)

    @property
    def missing_agreement(self) -> bool:
        """A processor without an agreement: a contract the DPO must sign (a sub-processor's
        contract is the processor's, and own infrastructure needs none of its own)."""
        return self.role == "processor" and self.agreement_id == NO_AGREEMENT


class AgreementEntry(_Model):
    """An agreement of the policy as of the register's date, with the apps it covers here."""

    id: str
    kind: Literal["heroku", "addon"]
    covers: tuple[str, ...] = ()
    mechanism: str | None = None
    countries: tuple[str, ...] = ()
    document: str = ""
    signed: IsoDate | None = None
    expires: IsoDate
    state: AgreementState
    days_left: int = Field(description="Negative once expired.")
    apps: tuple[str, ...] = Field(description="Apps of this register whose rows name it.")


class Recipient(_Model):
    """The by-recipient view: one processor, sub-processor or host and what it receives."""

    recipient: str
    roles: tuple[Role, ...]
    services: tuple[str, ...]
    kinds: tuple[Kind, ...]
    countries: tuple[str, ...]
    apps: tuple[str, ...]
    agreements: tuple[str, ...]
    missing_agreement: tuple[str, ...] = Field(
        description="Apps that send it data with no agreement: the contracts to sign."
    )


class RegisterChange(_Model):
    kind: ChangeKind
    app: str
    recipient: str = ""
    service: str = ""
    detail: str = ""


class RegisterChanges(_Model):
    """What changed since an earlier register (the last audit's, from the history store)."""

    baseline: str
    since: UtcTime | None = None
    items: tuple[RegisterChange, ...] = ()


class Register(_Model):
    """The register of one estate: the ``gatekeeper.register/v1`` document."""

    schema_: Literal["gatekeeper.register/v1"] = Field("gatekeeper.register/v1", alias="schema")
    generated_at: UtcTime
    policy: PolicyRef = Field(default_factory=PolicyRef)
    institution: Institution = Field(default_factory=Institution)
    activities: tuple[Activity, ...] = ()
    rows: tuple[RegisterRow, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    agreements: tuple[AgreementEntry, ...] = ()
    changes: RegisterChanges | None = None

    model_config = ConfigDict(populate_by_name=True)

    @property
    def day(self) -> date:
        return self.generated_at.date()

    @property
    def complete(self) -> bool:
        """Fail closed: a register of no app, or with a fact that could not be read (an open
        ``api-error``), is not a complete record."""
        return bool(self.activities) and not any(
            API_ERROR_RULE in row.open_findings for row in self.rows
        )


def document(register: Register) -> dict[str, Any]:
    """The JSON document, keys in contract order (``changes`` only when compared)."""
    exclude = {"changes"} if register.changes is None else None
    return register.model_dump(mode="json", by_alias=True, exclude=exclude)


class _Schema(GenerateJsonSchema):
    """Draft 2020-12 without pydantic's titles and defaults; ``changes`` optional."""

    def generate(self, schema: CoreSchema, mode: JsonSchemaMode = "validation") -> JsonSchemaValue:
        result = super().generate(schema, mode)
        result["required"].remove("changes")
        result["properties"]["changes"] = result["properties"]["changes"]["anyOf"][0]
        strip_generated(result)
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "urn:heroku-gatekeeper:register:v1",
            "title": REGISTER_SCHEMA,
            **result,
        }


def generated_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the ``gatekeeper.register/v1`` document."""
    return Register.model_json_schema(by_alias=True, mode="serialization", schema_generator=_Schema)


def schema_text() -> str:
    """``register-schema-v1.json`` as it must be."""
    return json.dumps(generated_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # python -m gatekeeper.register.model > .../register-schema-v1.json
    sys.stdout.write(schema_text())
