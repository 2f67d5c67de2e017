"""Every OpenAPI route against every kind of caller: admin, owner, a member the document is shared with
as view and as edit, a member it is not shared with, and anonymous — each gets exactly the expected answer.

A route missing from ROUTES fails the test: a new route has to say who may call it.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from docmill.auth.tokens import list_tokens
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Group, GroupMember
from tests.api.conftest import make_account
from tests.permissions.conftest import People, Shared, make_shared_document


class Policy(enum.Enum):
    PUBLIC = "anyone"
    AUTH = "any signed-in user"
    ADMIN = "admins only"
    VIEW = "who may see the document"
    EDIT = "who may change the document"
    OWNER = "its owner and admins"


ANY = None  # an allowed call whose exact answer depends on state the matrix does not set up (ids of nothing)


@dataclass(frozen=True)
class Case:
    policy: Policy
    ok: int | tuple[int, str] | None  # what an allowed caller gets
    body: Callable[[], Any] | None = None
    query: str = ""


def _unique() -> str:
    return uuid.uuid4().hex[:10]


ROUTES: dict[tuple[str, str], Case] = {
    ("GET", "/health"): Case(Policy.PUBLIC, 200),
    ("GET", "/ready"): Case(Policy.PUBLIC, ANY),
    ("GET", "/api/system/ready"): Case(Policy.AUTH, ANY),
    ("GET", "/metrics"): Case(Policy.AUTH, 200),
    ("POST", "/api/session/login"): Case(
        Policy.PUBLIC, (401, "invalid_credentials"), lambda: {"username": "nobody", "password": "wrong password"}
    ),
    ("POST", "/api/session/logout"): Case(Policy.AUTH, 204),
    ("GET", "/api/session/me"): Case(Policy.AUTH, 200),
    ("GET", "/api/documents"): Case(Policy.AUTH, 200),
    ("POST", "/api/documents"): Case(Policy.AUTH, 201),
    ("GET", "/api/documents/{document_id}"): Case(Policy.VIEW, 200),
    ("PATCH", "/api/documents/{document_id}"): Case(Policy.EDIT, 200, lambda: {"tags": ["x"]}),
    ("DELETE", "/api/documents/{document_id}"): Case(Policy.OWNER, 204),
    ("POST", "/api/documents/{document_id}/restore"): Case(Policy.OWNER, 200),
    ("GET", "/api/documents/{document_id}/file"): Case(Policy.VIEW, 200),
    ("GET", "/api/documents/{document_id}/markdown"): Case(Policy.VIEW, 200),
    ("GET", "/api/documents/{document_id}/preview"): Case(Policy.VIEW, (404, "no_preview")),
    ("GET", "/api/documents/{document_id}/searchable-pdf"): Case(Policy.VIEW, (404, "no_searchable_pdf")),
    ("GET", "/api/documents/{document_id}/thumbnail"): Case(Policy.VIEW, (404, "no_thumbnail")),
    ("GET", "/api/documents/{document_id}/transcript"): Case(Policy.VIEW, (404, "no_transcript")),
    ("POST", "/api/documents/{document_id}/transcribe"): Case(Policy.EDIT, (409, "not_a_recording"), lambda: {}),
    ("GET", "/api/documents/{document_id}/history"): Case(Policy.VIEW, 200),
    ("POST", "/api/documents/{document_id}/reprocess"): Case(Policy.EDIT, 200, lambda: {}),
    ("POST", "/api/documents/{document_id}/retry"): Case(Policy.EDIT, 200),
    ("GET", "/api/documents/{document_id}/shares"): Case(Policy.VIEW, 200),
    ("POST", "/api/documents/{document_id}/purge"): Case(Policy.OWNER, (409, "not_in_trash")),
    ("POST", "/api/trash/empty"): Case(Policy.AUTH, 200),
    ("POST", "/api/documents/{document_id}/shares"): Case(
        Policy.OWNER, 200, lambda: {"user": "spare", "permission": "edit"}
    ),
    ("DELETE", "/api/documents/{document_id}/shares/{share_id}"): Case(Policy.OWNER, 200),
    ("PUT", "/api/documents/{document_id}/visibility"): Case(Policy.OWNER, 200, lambda: {"visible_to_all": True}),
    ("GET", "/api/sharing/directory"): Case(Policy.AUTH, 200),
    ("GET", "/api/queue"): Case(Policy.ADMIN, 200),
    ("GET", "/api/queue/failures"): Case(Policy.ADMIN, 200),
    ("POST", "/api/queue/retry-failed"): Case(Policy.ADMIN, 200),
    ("POST", "/api/queue/{stage}/pause"): Case(Policy.ADMIN, 200),
    ("POST", "/api/queue/{stage}/resume"): Case(Policy.ADMIN, 200),
    ("POST", "/api/queue/{stage}/retry-failed"): Case(Policy.ADMIN, 200),
    ("POST", "/api/queue/{stage}/run-missing"): Case(Policy.ADMIN, 200),
    ("POST", "/api/queue/{stage}/run-all"): Case(Policy.ADMIN, 200),
    ("GET", "/api/dashboard"): Case(Policy.AUTH, 200),
    ("GET", "/api/search"): Case(Policy.AUTH, 200, query="?q=notes&mode=fulltext"),
    ("POST", "/api/ask"): Case(Policy.AUTH, 200, lambda: {"question": "what do the notes say?"}),
    ("GET", "/api/ask/threads"): Case(Policy.AUTH, 200),
    ("GET", "/api/ask/threads/{thread_id}"): Case(Policy.AUTH, (404, "not_found")),
    ("DELETE", "/api/ask/threads/{thread_id}"): Case(Policy.AUTH, (404, "not_found")),
    ("GET", "/api/library/suggestions"): Case(Policy.AUTH, 200),
    ("POST", "/api/library/suggestions/{suggestion_id}/accept"): Case(Policy.EDIT, 200, lambda: {}),
    ("POST", "/api/library/suggestions/{suggestion_id}/reject"): Case(Policy.EDIT, 200),
    ("POST", "/api/library/suggestions/bulk"): Case(Policy.AUTH, 200, lambda: {"ids": [1], "action": "reject"}),
    ("GET", "/api/library/field-suggestions"): Case(Policy.AUTH, 200),
    ("POST", "/api/library/field-suggestions/{field_suggestion_id}/accept"): Case(Policy.EDIT, 200),
    ("POST", "/api/library/field-suggestions/{field_suggestion_id}/reject"): Case(Policy.EDIT, 200),
    # issue 19: views (notes, saved views, bulk edit)
    ("GET", "/api/documents/{document_id}/notes"): Case(Policy.VIEW, 200),
    ("POST", "/api/documents/{document_id}/notes"): Case(Policy.VIEW, 201, lambda: {"body": "a *note*"}),
    ("PATCH", "/api/notes/{note_id}"): Case(Policy.AUTH, (404, "not_found"), lambda: {"body": "changed"}),
    ("DELETE", "/api/notes/{note_id}"): Case(Policy.AUTH, (404, "not_found")),
    ("GET", "/api/views"): Case(Policy.AUTH, 200),
    ("POST", "/api/views"): Case(Policy.AUTH, 201, lambda: {"name": f"v{_unique()}", "query": {"tag": ["x"]}}),
    ("GET", "/api/views/{view_id}"): Case(Policy.AUTH, (404, "not_found")),
    ("GET", "/api/views/{view_id}/count"): Case(Policy.AUTH, (404, "not_found")),
    ("PATCH", "/api/views/{view_id}"): Case(Policy.AUTH, (404, "not_found"), lambda: {"pinned": True}),
    ("DELETE", "/api/views/{view_id}"): Case(Policy.AUTH, (404, "not_found")),
    ("GET", "/api/bulk"): Case(Policy.AUTH, 200),
    ("POST", "/api/bulk"): Case(
        Policy.AUTH, 202, lambda: {"selection": {"ids": [1]}, "action": {"type": "add_tags", "tags": ["x"]}}
    ),
    ("GET", "/api/bulk/{job_id}"): Case(Policy.AUTH, (404, "not_found")),
    ("GET", "/api/categories"): Case(Policy.AUTH, 200),
    ("POST", "/api/categories"): Case(Policy.ADMIN, 201, lambda: {"path": f"Made/{_unique()}"}),
    ("PATCH", "/api/categories/{category_id}"): Case(Policy.ADMIN, (404, "not_found"), lambda: {"description": "d"}),
    ("DELETE", "/api/categories/{category_id}"): Case(Policy.ADMIN, (404, "not_found")),
    ("GET", "/api/feeds"): Case(Policy.ADMIN, 200),
    ("POST", "/api/feeds"): Case(Policy.ADMIN, 422, lambda: {"url": "not a url"}),
    ("GET", "/api/feeds/{feed_id}"): Case(Policy.ADMIN, (404, "not_found")),
    ("PATCH", "/api/feeds/{feed_id}"): Case(Policy.ADMIN, (404, "not_found"), lambda: {"enabled": False}),
    ("DELETE", "/api/feeds/{feed_id}"): Case(Policy.ADMIN, (404, "not_found")),
    ("POST", "/api/feeds/{feed_id}/fetch"): Case(Policy.ADMIN, (404, "not_found")),
    ("GET", "/api/mail/accounts"): Case(Policy.ADMIN, 200),
    ("POST", "/api/mail/accounts"): Case(Policy.ADMIN, 422, lambda: {}),
    ("GET", "/api/mail/accounts/{account_id}"): Case(Policy.ADMIN, ANY),
    ("PATCH", "/api/mail/accounts/{account_id}"): Case(Policy.ADMIN, ANY, lambda: {}),
    ("DELETE", "/api/mail/accounts/{account_id}"): Case(Policy.ADMIN, ANY),
    ("POST", "/api/mail/accounts/{account_id}/test"): Case(Policy.ADMIN, ANY),
    ("POST", "/api/mail/accounts/{account_id}/fetch"): Case(Policy.ADMIN, ANY),
    ("POST", "/api/mail/accounts/{account_id}/rules"): Case(Policy.ADMIN, ANY, lambda: {}),
    ("PATCH", "/api/mail/accounts/{account_id}/rules/{rule_id}"): Case(Policy.ADMIN, ANY, lambda: {}),
    ("DELETE", "/api/mail/accounts/{account_id}/rules/{rule_id}"): Case(Policy.ADMIN, ANY),
    ("GET", "/api/mail/accounts/{account_id}/messages"): Case(Policy.ADMIN, ANY),
    ("POST", "/api/mail/accounts/{account_id}/messages/retry"): Case(Policy.ADMIN, ANY),
    ("GET", "/api/tokens"): Case(Policy.AUTH, 200),
    ("POST", "/api/tokens"): Case(Policy.AUTH, 201, lambda: {"name": "matrix"}),
    ("DELETE", "/api/tokens/{token_id}"): Case(Policy.AUTH, (404, "not_found")),
    ("POST", "/api/account/password"): Case(
        Policy.AUTH, (400, "wrong_password"), lambda: {"current_password": "not it at all", "new_password": "x" * 12}
    ),
    ("GET", "/api/users"): Case(Policy.ADMIN, 200),
    ("POST", "/api/users"): Case(Policy.ADMIN, 201, lambda: {"username": f"u{_unique()}", "password": "x" * 12}),
    ("PATCH", "/api/users/{user_id}"): Case(Policy.ADMIN, 200, lambda: {"role": "member"}),
    ("DELETE", "/api/users/{user_id}"): Case(Policy.ADMIN, 204),
    ("GET", "/api/groups"): Case(Policy.ADMIN, 200),
    ("POST", "/api/groups"): Case(Policy.ADMIN, 201, lambda: {"name": f"g{_unique()}"}),
    ("DELETE", "/api/groups/{group_id}"): Case(Policy.ADMIN, 204),
    ("PUT", "/api/groups/{group_id}/members/{user_id}"): Case(Policy.ADMIN, 200),
    ("DELETE", "/api/groups/{group_id}/members/{user_id}"): Case(Policy.ADMIN, 200),
    ("GET", "/api/audit"): Case(Policy.ADMIN, 200),
    ("GET", "/api/audit/export.csv"): Case(Policy.ADMIN, 200),
    ("GET", "/api/dashboard/history"): Case(Policy.AUTH, 200, query="?window=1h"),
    ("PUT", "/api/account/language"): Case(Policy.AUTH, 200, lambda: {"language": "ko"}),
    ("GET", "/api/admin/overview"): Case(Policy.ADMIN, 200),
    ("POST", "/api/admin/llm/test"): Case(Policy.ADMIN, ANY),
    # issue 19: workflows
    ("GET", "/api/workflows"): Case(Policy.ADMIN, 200),
    ("POST", "/api/workflows"): Case(Policy.ADMIN, 422, lambda: {"name": "x", "trigger": "added", "actions": []}),
    ("POST", "/api/workflows/order"): Case(Policy.ADMIN, (422, "invalid_workflow_order"), lambda: {"ids": [999_999]}),
    ("POST", "/api/workflows/dry-run"): Case(
        Policy.ADMIN, 200, lambda: {"name": "x", "trigger": "added", "actions": [{"type": "add_tags", "tags": ["t"]}]}
    ),
    ("GET", "/api/workflows/runs"): Case(Policy.ADMIN, 200),
    ("GET", "/api/workflows/{rule_id}"): Case(Policy.ADMIN, (404, "workflow_not_found")),
    ("PUT", "/api/workflows/{rule_id}"): Case(
        Policy.ADMIN,
        (404, "workflow_not_found"),
        lambda: {"name": "x", "trigger": "added", "actions": [{"type": "add_tags", "tags": ["t"]}]},
    ),
    ("DELETE", "/api/workflows/{rule_id}"): Case(Policy.ADMIN, (404, "workflow_not_found")),
    ("POST", "/api/workflows/{rule_id}/secret"): Case(Policy.ADMIN, (404, "workflow_not_found")),
    ("POST", "/api/workflows/{rule_id}/dry-run"): Case(Policy.ADMIN, (404, "workflow_not_found")),
    ("GET", "/api/workflows/{rule_id}/runs"): Case(Policy.ADMIN, (404, "workflow_not_found")),
    ("GET", "/api/workflows/{rule_id}/deliveries"): Case(Policy.ADMIN, (404, "workflow_not_found")),
    ("GET", "/api/documents/{document_id}/workflow-runs"): Case(Policy.VIEW, 200),
    # issue 19: fields
    ("GET", "/api/fields"): Case(Policy.AUTH, 200),
    ("POST", "/api/fields"): Case(Policy.ADMIN, 201, lambda: {"name": f"F {_unique()}", "type": "text"}),
    ("PATCH", "/api/fields/{field_id}"): Case(Policy.ADMIN, (404, "field_not_found"), lambda: {"name": "n"}),
    ("DELETE", "/api/fields/{field_id}"): Case(Policy.ADMIN, (404, "field_not_found")),
    ("GET", "/api/documents/{document_id}/fields"): Case(Policy.VIEW, 200),
    ("PUT", "/api/documents/{document_id}/fields"): Case(Policy.EDIT, 200, lambda: {"values": {}}),
}

PERSONAS = ("anonymous", "stranger", "viewer", "editor", "owner", "admin")

DENIED: dict[Policy, dict[str, tuple[int, str]]] = {
    Policy.PUBLIC: {},
    Policy.AUTH: {"anonymous": (401, "unauthorized")},
    Policy.ADMIN: {
        "anonymous": (401, "unauthorized"),
        **{p: (403, "admin_only") for p in ("stranger", "viewer", "editor", "owner")},
    },
    Policy.VIEW: {"anonymous": (401, "unauthorized"), "stranger": (404, "not_found")},
    Policy.EDIT: {"anonymous": (401, "unauthorized"), "stranger": (404, "not_found"), "viewer": (403, "forbidden")},
    Policy.OWNER: {
        "anonymous": (401, "unauthorized"),
        "stranger": (404, "not_found"),
        "viewer": (403, "forbidden"),
        "editor": (403, "forbidden"),
    },
}


def _openapi_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops}


def test_every_route_is_in_the_matrix(app: FastAPI) -> None:
    routes = _openapi_routes(app)
    missing = sorted(routes - ROUTES.keys())
    stale = sorted(ROUTES.keys() - routes)
    assert not missing, f"routes without a permission policy in tests/permissions/test_matrix.py: {missing}"
    assert not stale, f"policies for routes that no longer exist: {stale}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(
    persona: str, app: FastAPI, client: TestClient, settings: Settings, database: Database, people: People
) -> None:
    app.state.login_throttle = type(app.state.login_throttle)()  # the login case fails on purpose each time
    problems: list[str] = []
    for (method, template), case in sorted(ROUTES.items()):
        shared: Shared = make_shared_document(settings, database, people)
        target = _fresh_user(database)
        group = _fresh_group(database, target)
        account = None if persona == "anonymous" else getattr(people, persona)
        path = template.format(
            document_id=shared.document,
            share_id=shared.share,
            suggestion_id=shared.suggestion,
            field_suggestion_id=shared.field_suggestion,
            stage="extract",
            category_id=999_999,
            feed_id=999_999,
            account_id=999_999,
            rule_id=999_999,
            token_id=999_999,
            thread_id=999_999,
            field_id=999_999,
            note_id=999_999,
            view_id=999_999,
            job_id=999_999,
            user_id=target,
            group_id=group,
        )
        headers = account.headers if account else {}
        kwargs: dict[str, Any] = {"headers": headers}
        if method == "POST" and template == "/api/documents":
            kwargs["files"] = {"file": (f"{_unique()}.txt", f"upload {_unique()}".encode(), "text/plain")}
        elif case.body is not None:
            kwargs["json"] = case.body()
        client.cookies.clear()
        response = client.request(method, path + case.query, **kwargs)
        expected = DENIED[case.policy].get(persona, case.ok)
        got_code = _code(response)
        if expected is ANY:
            if response.status_code in (401, 403) or (got_code == "not_found" and case.policy is not Policy.ADMIN):
                problems.append(f"{persona} {method} {template}: refused ({response.status_code} {got_code})")
            continue
        status, code = expected if isinstance(expected, tuple) else (expected, None)
        if response.status_code != status or (code is not None and got_code != code):
            problems.append(
                f"{persona} {method} {template}: expected {status} {code or ''}, got {response.status_code} {got_code}"
            )
    assert not problems, "\n".join(problems)


def _code(response: Any) -> str | None:
    try:
        return response.json().get("error", {}).get("code")
    except (ValueError, AttributeError):
        return None


def _fresh_user(database: Database) -> int:
    return make_account(database, f"t{_unique()}", admin=False).id


def _fresh_group(database: Database, member: int) -> int:
    with database.transaction() as session:
        group = Group(name=f"g{_unique()}")
        session.add(group)
        session.flush()
        session.add(GroupMember(group_id=group.id, user_id=member))
        return group.id


def test_other_users_tokens_are_for_admins(client: TestClient, database: Database, people: People) -> None:
    with database.session() as session:
        olivias = list_tokens(session, people.owner.id)[0].id
    member, admin = people.stranger.headers, people.admin.headers
    assert client.get("/api/tokens", params={"user_id": people.owner.id}, headers=member).status_code == 403
    assert client.get("/api/tokens", params={"all": True}, headers=member).status_code == 403
    assert client.delete(f"/api/tokens/{olivias}", headers=member).status_code == 404
    listed = client.get("/api/tokens", params={"user_id": people.owner.id}, headers=admin).json()
    assert [t["id"] for t in listed] == [olivias]
    assert len(client.get("/api/tokens", params={"all": True}, headers=admin).json()) == 6
    assert client.delete(f"/api/tokens/{olivias}", headers=admin).status_code == 204
    assert client.get("/api/session/me", headers=people.owner.headers).status_code == 401
