"""Expression contexts for a run: one per run, one per loop iteration (its own ``item()``).

Variables, parameters and app settings are shared by every context of a run; the ``actions``
map is copied per iteration so an iteration sees its own records for the actions inside the loop.
"""

from __future__ import annotations

from ..expressions import EvalContext


def derive(ctx: EvalContext, *, loop: str | None = None, item=None, has_item: bool = False,
           index: int | None = None, result_provider=None) -> EvalContext:
    """A child context for one loop iteration (or an item-scoped evaluation in Query/Select)."""
    child = EvalContext(parameters=ctx.parameters, variables=ctx.variables, appsettings=ctx.appsettings,
                        trigger=ctx.trigger, actions=dict(ctx.actions), items=dict(ctx.items),
                        iteration_indexes=dict(ctx.iteration_indexes), workflow=ctx.workflow,
                        results=ctx.results, result_provider=result_provider or ctx.result_provider,
                        now=ctx.now, rng=ctx.random)
    if ctx.has_item:
        child.item = ctx.item
    child.extra = ctx.extra
    if has_item:
        child.item = item
        if loop is not None:
            child.items[loop] = item
    if loop is not None and index is not None:
        child.iteration_indexes[loop] = index
    return child


def with_item(ctx: EvalContext, item) -> EvalContext:
    """A shallow copy whose ``item()`` is ``item`` (Query ``where``, Select ``select``, Table columns)."""
    child = EvalContext.__new__(EvalContext)
    for slot in EvalContext.__slots__:
        setattr(child, slot, getattr(ctx, slot))
    child.item = item
    return child
