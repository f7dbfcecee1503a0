"""The run view of a flow with nesting: a Scope holding a Foreach (its repetitions), a Switch (the case that
ran), secured inputs and outputs, and a failed action with its error."""

from __future__ import annotations

import pytest

from tests.server.live import write_flows

NESTED = {"definition": {
    "parameters": {"password": {"type": "securestring", "defaultValue": "hunter2"}},
    "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}},
    "actions": {
        "Prepare": {"type": "Scope", "runAfter": {}, "actions": {
            "Each_item": {"type": "Foreach", "foreach": "@createArray(1, 2, 3)", "runAfter": {}, "actions": {
                "Double": {"type": "Compose", "inputs": "@mul(item(), 2)", "runAfter": {}}}}}},
        "Pick": {"type": "Switch", "expression": "@triggerBody()?['choice']", "runAfter": {"Prepare": ["Succeeded"]},
                 "cases": {"Case_a": {"case": "a", "actions": {
                     "Chose_a": {"type": "Compose", "inputs": "a", "runAfter": {}}}}},
                 "default": {"actions": {"Chose_default": {"type": "Compose", "inputs": "d", "runAfter": {}}}}},
        "Use_secret": {"type": "Compose", "inputs": "@parameters('password')", "runAfter": {"Pick": ["Succeeded"]},
                       "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}}},
        "Divide": {"type": "Compose", "inputs": "@div(1, 0)", "runAfter": {"Use_secret": ["Succeeded"]}},
        "Response": {"type": "Response", "kind": "Http", "inputs": {"statusCode": 200, "body": "done"},
                     "runAfter": {"Divide": ["Failed"]}},
    }}}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    return [write_flows(tmp_path_factory.mktemp("flows"), {"nested.json": NESTED})]


def test_nested_scopes_loops_switch_secured_and_errors(page, server, artifacts):
    live = server.live
    status, headers, _ = server.run(live.call("POST", live.url("nested"), json={"choice": "a"}))
    assert status == 200
    run_id = headers["x-ms-workflow-run-id"]
    page.wait_for_function(
        f"(() => {{ const li = document.querySelector('#calls li[data-run-id=\"{run_id}\"]');"
        " return li && li.querySelector('.l2 .chip').textContent === 'Succeeded'; })()", timeout=2000)
    page.click(f'#calls li[data-run-id="{run_id}"] button.runid')
    tree = page.wait_for_selector("#action-tree")
    double = tree.query_selector('li[data-action="Prepare"] li[data-action="Each_item"] li[data-action="Double"]')
    assert double is not None and double.get_attribute("data-status") == "Succeeded"
    double.query_selector("details.reps summary").click()
    page.wait_for_function("document.querySelectorAll('#action-tree li[data-action=\"Double\"] details.reps li')"
                           ".length === 3", timeout=2000)
    pick = tree.query_selector('li[data-action="Pick"]')
    assert pick.query_selector('.branch-label.taken').inner_text().startswith("Case Case_a")
    assert tree.query_selector('li[data-action="Chose_default"]').get_attribute("data-status") == "Skipped"
    secret = tree.query_selector('li[data-action="Use_secret"]')
    assert "secured" in secret.inner_text() and "hunter2" not in page.content()
    divide = tree.query_selector('li[data-action="Divide"]')
    assert divide.get_attribute("data-status") == "Failed"
    assert "divide" in divide.query_selector(".error").inner_text().lower()
    page.screenshot(path=str(artifacts / "run-tree.png"), full_page=True)
    assert page.errors == []
