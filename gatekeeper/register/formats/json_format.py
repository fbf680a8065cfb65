"""The register as the JSON document ``gatekeeper.register/v1``
(``gatekeeper.register.model``; its schema is ``register-schema-v1.json``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, BinaryIO

from gatekeeper.register.model import document

if TYPE_CHECKING:
    from gatekeeper.register.model import Register


class RegisterJson:
    name = "json"
    extension = ".json"
    media_type = "application/json"

    def write(self, register: Register, out: BinaryIO) -> None:
        text = json.dumps(document(register), indent=2, ensure_ascii=False) + "\n"
        out.write(text.encode("utf-8", "surrogatepass"))
