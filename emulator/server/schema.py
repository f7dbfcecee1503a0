"""EnableSchemaValidation: the trigger's JSON schema checked with Newtonsoft.Json.Schema wording (spec §5).

The wording and ordering live in :mod:`emulator.runtime.schema_check` (ParseJson uses them too); this
module turns a mismatch into the host's HTTP answer.
"""

from __future__ import annotations

from ..runtime.schema_check import CompiledSchema, trigger_mismatch_message
from .errors import HttpError


class SchemaCheck:
    """A compiled trigger schema; ``check(body)`` raises HttpError 400 TriggerInputSchemaMismatch."""

    def __init__(self, trigger_name: str, schema: dict):
        self.trigger_name = trigger_name
        self._schema = CompiledSchema(schema)

    def messages(self, body) -> list[str]:
        return self._schema.messages(body)

    def check(self, body) -> None:
        errors = self._schema.messages(body)
        if errors:
            raise HttpError(400, "TriggerInputSchemaMismatch", trigger_mismatch_message(self.trigger_name, errors))
