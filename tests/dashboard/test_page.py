"""The dashboard in headless Chromium: every flow, the Try-it form with the seed's presets, runs appearing
live, a run's action tree, the outbox, calls made outside the page, the keyboard, and no request leaving the
server's origin. Tests share one page and run in file order (the later ones read runs the earlier started)."""

from __future__ import annotations

import re
import time

import pytest

LIVE_WITHIN = 2000  # ms: a call made anywhere shows on the page with its run id and status within 2 s


def send_preset(page, flow: str, kind: str) -> dict:
    """Pick ``flow`` in Try it, click its preset of ``kind`` (right/wrong/none), send; the answer shown."""
    page.click("#tab-try")
    page.select_option("#try-target", f"{flow}\u0000manual")
    page.click(f"#try-presets button.preset[data-kind={kind}]")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'try-send'")
    page.click("#try-send")
    answer = page.wait_for_selector("#try-answer")
    run_button = page.query_selector("#try-open-run")
    run_id = run_button.inner_text().removeprefix("Open run ").strip() if run_button else None
    return {"status": int(answer.get_attribute("data-status")), "run_id": run_id}


def feed_item(page, run_id: str, timeout: int = LIVE_WITHIN):
    return page.wait_for_selector(f'#calls li[data-run-id="{run_id}"]', timeout=timeout)


def run_status(page, run_id: str, wanted: str, timeout: int = LIVE_WITHIN) -> None:
    page.wait_for_function(
        "([id, wanted]) => { const li = document.querySelector(`#calls li[data-run-id=\"${id}\"]`);"
        " return li && li.querySelector('.l2 .chip').textContent === wanted; }", arg=[run_id, wanted], timeout=timeout)


def test_every_flow_with_its_protection(page, server, artifacts):
    names = {e.name for e in server.live.server.registry.entries()}
    shown = {el.get_attribute("data-flow") for el in page.query_selector_all(".flow")}
    assert shown == names and {"secret-key-condition", "token-in-path", "send-email", "oauth-protected"} <= shown
    kinds = lambda flow: {el.get_attribute("data-kind") for el in  # noqa: E731
                          page.query_selector_all(f'.flow[data-flow="{flow}"] .protections > li')}
    assert kinds("secret-key-condition") >= {"sas", "condition"}
    assert kinds("oauth-protected") >= {"sas-off", "oauth"}
    condition = page.inner_text('.flow[data-flow="secret-key-condition"] .kind-condition')
    assert "@equals(triggerOutputs()?['headers']?['secretKey'], parameters('secretKey'))" in condition
    assert "Why it matters" in condition and "202" in condition
    oauth = page.inner_text('.flow[data-flow="oauth-protected"] .kind-oauth')
    assert "aud" in oauth and "https://management.azure.com/" in oauth
    finding = page.inner_text('.flow[data-flow="token-in-header"] .findings li[data-rule="secret-not-securestring"]')
    assert "Fix:" in finding and "secureData" in finding  # the audit's findings beside the trigger
    assert "x-api-token" in page.inner_text('.flow[data-flow="token-in-header"] .kind-check')
    url = page.input_value('.flow[data-flow="token-in-path"] .urlbox input')
    assert url.startswith(server.base + "/workflows/") and "sig=" in url
    page.click('.flow[data-flow="token-in-path"] details.snippets summary')
    snippets = page.inner_text('.flow[data-flow="token-in-path"] details.snippets')
    assert "curl -i -X GET" in snippets and "Invoke-WebRequest -Method Get" in snippets
    assert "/secure/s3cr3t-token" in snippets
    page.screenshot(path=str(artifacts / "flows.png"))
    assert page.errors == []


def test_right_and_wrong_requests_from_the_form_show_live(page, artifacts):
    right = send_preset(page, "token-in-path", "right")
    assert right["status"] == 200 and right["run_id"]
    feed_item(page, right["run_id"])
    run_status(page, right["run_id"], "Succeeded")
    wrong = send_preset(page, "token-in-path", "wrong")
    assert wrong["status"] == 401 and wrong["run_id"]  # the flow's own Response refuses: a run exists
    feed_item(page, wrong["run_id"])
    run_status(page, wrong["run_id"], "Succeeded")
    unsigned = send_preset(page, "token-in-path", "none")  # no sig: refused before any run
    assert unsigned["status"] == 401 and unsigned["run_id"] is None
    page.wait_for_selector('#calls li[data-status="401"][data-outcome="refused"]', timeout=LIVE_WITHIN)
    skipped = send_preset(page, "secret-key-condition", "wrong")  # a false trigger condition: 202, no run
    assert skipped["status"] == 202 and skipped["run_id"] is None
    page.wait_for_selector('#calls li[data-workflow="secret-key-condition"][data-outcome="skipped"]',
                           timeout=LIVE_WITHIN)
    page.screenshot(path=str(artifacts / "try-it.png"))
    page.context.wrong_run = wrong["run_id"]


def test_a_run_shows_its_action_tree(page, artifacts):
    run_id = page.context.wrong_run
    page.click(f'#calls li[data-run-id="{run_id}"] button.runid')
    page.wait_for_selector("#action-tree")
    assert page.inner_text("#run-id") == run_id
    tree = page.query_selector("#action-tree")
    check = tree.query_selector('li[data-action="Check_token"]')
    assert check.get_attribute("data-status") == "Succeeded"
    assert check.query_selector('.branch-label.taken[data-branch="False"]') is not None
    assert check.query_selector('.branch-label.taken[data-branch="True"]') is None
    assert tree.query_selector('li[data-action="Unauthorized"]').get_attribute("data-status") == "Succeeded"
    assert tree.query_selector('li[data-action="Authorized"]').get_attribute("data-status") == "Skipped"
    unauthorized = tree.query_selector('li[data-action="Unauthorized"]')
    unauthorized.query_selector("details.io summary").click()  # inline, or fetched from its content link
    page.wait_for_function("document.querySelector('#action-tree li[data-action=\"Unauthorized\"]')"
                           ".innerText.includes('Invalid token.')", timeout=2000)
    page.screenshot(path=str(artifacts / "run.png"))
    page.keyboard.press("Escape")
    page.wait_for_selector("#pane-run", state="hidden")


def test_the_mocked_email_is_in_the_outbox(page, artifacts):
    sent = send_preset(page, "send-email", "right")
    assert sent["status"] == 200
    run_status(page, sent["run_id"], "Succeeded")
    page.click("#tab-outbox")
    mail = page.wait_for_selector('.mail[data-flow="send-email"]')
    assert mail.query_selector(".mail-to").inner_text() == "learner@example.com"
    assert mail.query_selector(".mail-subject").inner_text() == "Hello from the emulator"
    assert "never left the machine" in mail.query_selector(".mail-body").inner_text()
    page.screenshot(path=str(artifacts / "outbox.png"))


def test_oauth_presets_use_the_local_issuer(page):
    assert send_preset(page, "oauth-protected", "right")["status"] == 200
    assert send_preset(page, "oauth-protected", "wrong")["status"] == 401
    assert send_preset(page, "oauth-protected", "none")["status"] == 401


def test_calls_made_outside_the_page_appear_within_two_seconds(page, server, artifacts):
    live = server.live
    started = time.monotonic()
    status, headers, _ = server.run(live.call("POST", live.url("secret-key-condition"),
                                              headers={"secretKey": "let-me-in"}, json={"name": "curl"}))
    assert status == 200
    run_id = headers["x-ms-workflow-run-id"]
    feed_item(page, run_id)
    run_status(page, run_id, "Succeeded")
    assert time.monotonic() - started < 2.0 + 0.5  # the send itself, then at most 2 s on the page
    assert page.query_selector(f'#calls li[data-run-id="{run_id}"]').get_attribute("data-status") == "200"
    before = len(page.query_selector_all('#calls li[data-status="401"]'))
    bad = re.sub(r"sig=[^&]+", "sig=forged", live.url("token-in-path", relative="secure/x"))
    status, _, _ = server.run(live.call("GET", bad))
    assert status == 401
    page.wait_for_function(f"document.querySelectorAll('#calls li[data-status=\"401\"]').length > {before}",
                           timeout=LIVE_WITHIN)
    newest = page.query_selector("#calls li")
    assert newest.get_attribute("data-workflow") == "token-in-path"
    assert "DirectApiInvalidAuthorizationSignature" in newest.inner_text() or "Refused" in newest.inner_text()
    page.screenshot(path=str(artifacts / "live.png"))


def test_keyboard_and_presenter_zoom(page, artifacts):
    page.focus("#zoom")
    page.keyboard.press("1")
    assert page.is_visible("#pane-flows")
    page.keyboard.press("2")
    assert page.is_visible("#pane-try") and not page.is_visible("#pane-flows")
    page.keyboard.press("z")
    assert "presenter" in page.evaluate("document.documentElement.className")
    page.keyboard.press("1")
    page.screenshot(path=str(artifacts / "presenter.png"))
    page.keyboard.press("z")
    assert "presenter" not in page.evaluate("document.documentElement.className")
    page.keyboard.press("r")  # the newest run
    page.wait_for_selector("#action-tree")
    page.keyboard.press("Escape")


def test_reloading_the_flows_keeps_the_form(page):
    page.click("#tab-try")
    page.select_option("#try-target", "token-in-header\u0000manual")
    page.fill("#try-headers", "x-api-token: kept")
    page.click("#tab-flows")
    page.click("#reload-flows")
    page.wait_for_selector('.flow[data-flow="token-in-header"] .protections > li')
    assert page.input_value("#try-target") == "token-in-header\u0000manual"
    assert page.input_value("#try-headers") == "x-api-token: kept"


def test_no_request_leaves_the_server_origin(page, outside):
    assert outside == []
    assert page.errors == []


@pytest.mark.parametrize("path", ["/", "/dashboard/app.js", "/dashboard/style.css", "/dashboard/presets.json"])
def test_assets_are_served_by_the_emulator(server, path):
    status, headers, body = server.run(server.live.call("GET", server.live.base + path))
    assert status == 200 and body
    assert "cdn" not in body.decode("utf-8").lower()
