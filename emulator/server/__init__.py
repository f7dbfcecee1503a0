"""The trigger server (``python -m emulator serve``): callback URLs, SAS, the host's HTTP answers.

Reading order for one request: ``app`` (routes, access log) -> ``invoke`` (checks in the host's order,
trigger outputs via ``content``/``paths``/``schema``, the run) -> ``response`` (answer, x-ms-* headers).
Keys and signatures: ``sas``; workflows and hot reload: ``registry``; management API: ``management``;
run history: ``history``. See docs/server.md.
"""
