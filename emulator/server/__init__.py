"""The trigger server (``python -m emulator serve``): callback URLs, SAS, the host's HTTP answers.

Reading order for one request: ``app`` (the short way for trigger URLs, routes, access log) -> ``invoke``
(checks in the host's order; method, path, trigger outputs, conditions and the caller's answer through
:mod:`emulator.runtime.trigger`) -> ``response`` (the answer, x-ms-* headers). The same pipeline without a
socket: ``call`` (``CallRequest`` -> ``CallAnswer``). Keys and signatures: ``sas``; workflows and hot
reload: ``registry``; management API: ``management``; run history: ``history``. See docs/server.md.
"""
