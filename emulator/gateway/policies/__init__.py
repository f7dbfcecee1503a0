"""Policy families, one module each; importing this package registers every policy in ``policy.REGISTRY``."""

from . import access, cors, diagnostics, flow, jwt, limits, responses, transform  # noqa: F401
