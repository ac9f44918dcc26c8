"""Every view of PII (pages, API, exports, admin) is recorded through one helper, audit.context.record_view:
one summary and detail per kind of view, one place to change what a view row holds."""

from __future__ import annotations

import ast

from tests.conftest import ROOT


def _writes_a_view_row(call: ast.Call) -> bool:
    """A call other than record_view that says action=AuditAction.VIEW or EXPORT."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    action = next((keyword.value for keyword in call.keywords if keyword.arg == "action"), None)
    return (
        name != "record_view"
        and isinstance(action, ast.Attribute)
        and isinstance(action.value, ast.Name)
        and (action.value.id, action.attr) in {("AuditAction", "VIEW"), ("AuditAction", "EXPORT")}
    )


def test_no_view_writes_its_own_audit_row():
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for app in ("contactcenter", "ivr", "casework", "outreach")
        for path in (ROOT / app).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and _writes_a_view_row(node)
    ]
    assert found == []
