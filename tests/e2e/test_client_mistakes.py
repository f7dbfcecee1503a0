"""Property test: whatever a client sends, the server answers in the host's shape and never 500.

Random methods, relative paths, query strings, headers, content types and bodies go to every demo flow
on a real socket; every answer must be a non-5xx status (502/504 excepted: they describe the run), and every
error body must be the host's ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qsl

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.server.live import start

FLOWS = ["secret-key-condition", "token-in-path", "token-in-header", "send-email", "oauth-protected"]
CONTENT_TYPES = ["application/json", "application/json; charset=utf-16", "text/plain", "application/xml",
                 "application/x-www-form-urlencoded", "multipart/form-data; boundary=XyZ", "multipart/mixed",
                 "application/octet-stream", "image/png", "", "application/json; charset=bogus", "text/json"]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)

request_parts = st.fixed_dictionaries({
    "flow": st.sampled_from(FLOWS),
    "method": st.sampled_from([None, None, None, "GET", "POST", "PUT", "DELETE", "PATCH"]),  # None: the right one
    "path": st.one_of(st.just(""), st.just("/secure/s3cr3t-token"),
                      TEXT.map(lambda t: "/secure/" + t.replace("?", "").replace("#", "")),
                      TEXT.map(lambda t: "/" + t.replace("?", "").replace("#", ""))),
    "query": st.dictionaries(st.sampled_from(["a", "api-version", "sp", "sv", "sig", "se", "x"]), TEXT, max_size=3),
    "headers": st.dictionaries(st.sampled_from(["secretKey", "x-api-token", "X-Custom", "X-Other",
                                                "Authorization"]),
                               st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
                               max_size=3),
    "content_type": st.sampled_from(CONTENT_TYPES),
    "body": st.one_of(st.binary(max_size=200), TEXT.map(str.encode),
                      st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), TEXT),
                                   lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                                   max_leaves=8).map(lambda v: json.dumps(v).encode())),
    "signed": st.sampled_from([True, True, True, False]),
})


def test_no_client_mistake_gets_a_500(tmp_path):
    async def scenario():
        live = await start([ROOT / "flows"], tmp_path / "state")
        try:
            answers = []

            @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
            @given(request_parts)
            def check(parts):
                answers.append(parts)

            check()  # hypothesis draws the examples; they are sent below on the server's loop
            assert len(answers) >= 100
            statuses = set()
            for parts in answers:
                base = live.url(parts["flow"]) if parts["signed"] else \
                    f"{live.base}/workflows/{parts['flow']}/triggers/manual/paths/invoke?api-version=2016-10-01"
                head, _, query = base.partition("?")
                url = head.replace("/secure/{token}", "") + parts["path"]
                params = dict(parse_qsl(query))
                sas = {"sp", "sv", "sig", "se"} if parts["signed"] else set()
                params.update({k: v for k, v in parts["query"].items() if k not in sas})
                headers = dict(parts["headers"])
                if parts["content_type"]:
                    headers["Content-Type"] = parts["content_type"]
                method = parts["method"] or ("GET" if parts["flow"] == "token-in-path" else "POST")
                async with live.session.request(method, url, params=params, headers=headers,
                                                data=parts["body"]) as resp:
                    data = await resp.read()
                    statuses.add(resp.status)
                    assert resp.status < 500 or resp.status in (502, 504), (parts, resp.status, data[:300])
                    if resp.status >= 400 and "x-ms-workflow-run-id" not in resp.headers:
                        # an answer of the runtime itself (not the flow's own Response action)
                        assert "error" in json.loads(data), (parts, resp.status, data[:300])
                        error = json.loads(data)["error"]
                        assert set(error) == {"code", "message"} and error["code"], (parts, data[:300])
            assert len(statuses) >= 4, statuses  # the draws reach many different answers
        finally:
            await live.close()

    asyncio.run(scenario())
