"""Command line: ``python -m emulator`` / ``logicapps-emulator`` (the top layer: it may import every other).

``main.py``: the parser, ``eval`` and ``conformance``; ``run.py``: ``validate`` and ``run`` (one request
in-process, through :mod:`emulator.runtime.trigger`); ``serve.py``: the HTTP server; ``token.py``: bearer
tokens from the local issuer; ``conformance.py``: expression conformance case files; ``audit.py``: the
security audit (:mod:`emulator.audit`).
"""

from .main import main

__all__ = ["main"]
