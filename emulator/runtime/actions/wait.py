"""Wait (Delay / Delay until): sleeps on the run's clock (a virtual clock never really waits)."""

from __future__ import annotations

from datetime import datetime, timezone

from ..clock import interval_seconds
from ..errors import ActionFailure
from .registry import Handler, action_type


@action_type("Wait")
class Wait(Handler):
    @staticmethod
    async def execute(step):
        inputs = step.evaluate_inputs() or {}
        step.inputs = inputs
        clock = step.run.clock
        if isinstance(inputs.get("interval"), dict):
            spec = inputs["interval"]
            try:
                seconds = interval_seconds(spec.get("count", 0), spec.get("unit"))
            except (TypeError, ValueError) as exc:
                raise ActionFailure("InvalidTemplate", f"The 'interval' of action '{step.name}' is not valid: "
                                    f"{exc}") from None
        elif isinstance(inputs.get("until"), dict):
            stamp = inputs["until"].get("timestamp")
            try:
                when = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
            except ValueError:
                raise ActionFailure("InvalidTemplate", f"The 'until' timestamp '{stamp}' of action "
                                    f"'{step.name}' is not a valid date and time.") from None
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            seconds = (when - clock.now()).total_seconds()
        else:
            raise ActionFailure("InvalidTemplate", f"Action '{step.name}' of type 'Wait' needs 'interval' or "
                                "'until' inputs.")
        await clock.sleep(max(0.0, seconds))
