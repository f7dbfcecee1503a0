"""Loops: Foreach (sequential or parallel iterations) and Until."""

from __future__ import annotations

import asyncio

from ...definitions.status import CANCELLED, FAILED, SUCCEEDED, TIMED_OUT
from ...expressions.values import to_json_text, type_name
from ..clock import parse_duration
from ..errors import ActionFailure
from ..run import worst
from .control import Container, finish_container
from .registry import action_type


@action_type("Foreach")
class Foreach(Container):
    is_loop = True

    @classmethod
    def compile(cls, action, compiler) -> None:
        action.compiled["foreach"] = compiler.value(action.raw.get("foreach"), f"{action.path}.foreach")

    @staticmethod
    def concurrency(step) -> int:
        action = step.action
        if "sequential" in action.operation_options:
            return 1
        conc = (action.runtime_configuration.get("concurrency") or {}).get("repetitions")
        if isinstance(conc, int) and conc > 0:
            return conc
        return step.run.options.foreach_concurrency

    @staticmethod
    async def execute(step):
        action, run = step.action, step.run
        items = step.evaluate(action.compiled["foreach"], where="inputs")
        if not isinstance(items, list):
            source = action.raw.get("foreach")
            text = source if isinstance(source, str) else to_json_text(source)
            raise ActionFailure("InvalidTemplate", f"The execution of template action '{step.name}' failed: the "
                                f"result of the evaluation of 'foreach' expression '{text}' is of type "
                                f"'{type_name(items)}'. The result must be a valid array.")
        most = run.options.limits.foreach_items
        if len(items) > most:
            raise ActionFailure("InvalidTemplate", f"The execution of template action '{step.name}' failed: the "
                                f"'foreach' array has {len(items)} items, more than the limit of {most}.")
        step.inputs = items
        body = action.body
        statuses: list[str] = []
        if not body.actions or not items:
            finish_container(step, SUCCEEDED)
            step.extra["iterationCount"] = len(items)
            return
        width = Foreach.concurrency(step)

        async def iteration(index: int, item) -> str:
            frame = run.iteration_frame(step.frame, action, index, item, has_item=True)
            return await run.run_branch(body, frame)

        if width == 1:
            for index, item in enumerate(items):
                statuses.append(await iteration(index, item))
                if run.terminated:
                    break
        else:
            gate = asyncio.Semaphore(width)

            async def gated(index, item):
                async with gate:
                    return await iteration(index, item)

            statuses = list(await asyncio.gather(*(gated(i, it) for i, it in enumerate(items))))
        step.extra["iterationCount"] = len(items)
        result = worst(statuses)
        finish_container(step, FAILED if result in (FAILED, TIMED_OUT) else
                         CANCELLED if result == CANCELLED else SUCCEEDED)


@action_type("Until")
class Until(Container):
    is_loop = True
    default_count = 60
    default_timeout = "PT1H"

    @staticmethod
    async def execute(step):
        action, run = step.action, step.run
        condition = action.compiled.get("condition")
        count = action.limit.get("count", Until.default_count)
        try:
            count = int(count)
        except (TypeError, ValueError):
            count = Until.default_count
        most = run.options.limits.until_iterations
        if count > most:
            raise ActionFailure("InvalidTemplate", f"The execution of template action '{step.name}' failed: the "
                                f"'until' limit count {count} is more than the maximum of {most} iterations.")
        timeout_text = action.limit.get("timeout", Until.default_timeout)
        timeout = parse_duration(timeout_text) or parse_duration(Until.default_timeout)
        started = run.clock.now()
        body = action.body
        index = 0
        status = SUCCEEDED
        while True:
            frame = run.iteration_frame(step.frame, action, index, has_item=False)
            status = await run.run_branch(body, frame)
            index += 1
            if status != SUCCEEDED or run.terminated:
                break
            if condition is not None and step.evaluate(condition, where="action", ctx=frame.ctx) is True:
                break
            if index >= count:
                break
            if (run.clock.now() - started).total_seconds() >= timeout:
                step.extra["iterationCount"] = index
                raise ActionFailure("ActionTimedOut", f"The execution of template action '{step.name}' timed "
                                    f"out: the 'until' loop did not finish within '{timeout_text}'.",
                                    status=TIMED_OUT, record_code="ActionTimedOut")
            await asyncio.sleep(0)
        step.extra["iterationCount"] = index
        finish_container(step, status)
