"""The management API on the same server, as Azure's SDKs see it: workflows, triggers, runs, histories.

Each resource family has its module with a ``ROUTES`` table (``management_workflows``,
``management_triggers``, ``management_runs``); this one mounts every table under every prefix of
:data:`arm.PREFIXES` and the handlers share :mod:`management_base`. Content links are served by
:mod:`links`. The management API is not authenticated: the server is meant for 127.0.0.1.
"""

from __future__ import annotations

from functools import partial

from aiohttp import web

from . import arm, links, management_runs, management_triggers, management_workflows
from .invoke import workflow_not_found
from .management_base import Api

FAMILIES = (management_workflows, management_triggers, management_runs)
PREFIXES = arm.PREFIXES


class Management:
    def __init__(self, server):
        self.api = Api(server)

    def add_routes(self, app: web.Application) -> None:
        router = app.router
        for family in FAMILIES:
            for method, path, handler, prefixes in family.ROUTES:
                for prefix in prefixes if prefixes is not None else PREFIXES:
                    router.add_route(method, prefix + path, _synced(self.api.server, partial(handler, self.api)))
        serve = _synced(self.api.server, links.serve(self.api.server, workflow_not_found))
        for path in links.ROUTES:
            router.add_get(path, serve)


def _synced(server, handler):
    """A handler that first catches up with the other hosts (keys, states) when the state is shared."""
    if not server.shared:
        return handler

    async def synced(request):
        await server.sync_shared()
        return await handler(request)

    return synced
