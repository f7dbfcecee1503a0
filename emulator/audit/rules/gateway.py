"""Flows behind the gateway: still callable directly unless the backend is gatewayOnly."""

from __future__ import annotations

from . import Hit, rule


@rule("gateway-bypass", "high", "Flow behind the gateway is still directly callable",
      """An API of the gateway configuration forwards to this flow, but its backend is not gatewayOnly and the
      flow has no caller IP restriction: anyone with the flow's own callback URL skips every gateway policy
      (subscription keys, JWT validation, IP filters, rate limits).""",
      "Set \"gatewayOnly\": true on the API's backend (in Azure: restrict the workflow's allowed caller IP "
      "addresses to the API Management instance).", per="gateway")
def gateway_bypass(backends, workflows):
    # gatewayOnly locks the workflow itself (all its triggers), whichever API names it
    locked = {b.workflow.lower() for b in backends if b.gateway_only}
    for backend in backends:
        if backend.workflow.lower() in locked:
            continue
        facts = workflows.get(backend.workflow.lower())
        if facts is None or facts.ip_restricted:
            continue
        trigger = backend.trigger or facts.trigger_name
        path = f"{backend.path}.gatewayOnly" if backend.has_flag else backend.path
        yield Hit(path, f"The API '{backend.api}' forwards to the workflow '{facts.wf.name}', which is still "
                  f"callable directly with its SAS URL: the gateway's policies can be skipped.", trigger=trigger,
                  file=backend.file, workflow=facts.wf.name)
