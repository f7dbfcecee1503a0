"""Per-request storage keys shared by the handlers and the access-log middleware."""

from aiohttp import web

RUN_ID = web.RequestKey("run_id", object)          # the run id for the access log (None: no run)
X_HEADERS = web.RequestKey("x_headers", dict)      # x-ms-* headers to put on an error answer
