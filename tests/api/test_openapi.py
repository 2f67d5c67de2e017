"""The OpenAPI schema: every route is typed and protected, the dump script works, and schemathesis finds no 5xx."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
from fastapi.testclient import TestClient
from schemathesis import GenerationMode

from docmill.api.app import create_app
from docmill.auth.tokens import create_token
from docmill.db.engine import Database
from docmill.models import User
from tests.api.conftest import Account, Seeded

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
PUBLIC = {("get", "/health"), ("get", "/ready"), ("post", "/api/session/login")}
FUZZ_EXAMPLES = 8  # per operation and mode: bounded so the whole api suite stays within its time budget
# Each of these checks a password with argon2 (deliberately slow), so they get fewer examples.
SLOW_OPERATIONS = {"POST /api/session/login": 3, "POST /api/account/password": 3}


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]


def _url(path: str, op: dict[str, Any]) -> str:
    """The path with each parameter filled with a valid value (an enum's first member, else 1)."""
    params = {p["name"]: p.get("schema", {}) for p in op.get("parameters", []) if p["in"] == "path"}

    def fill(match: re.Match[str]) -> str:
        schema = params.get(match.group(1), {})
        if "$ref" in schema or "enum" in schema:
            return "extract"
        return "1"

    return re.sub(r"\{(\w+)\}", fill, path)


def test_every_protected_route_answers_401_without_credentials(client: TestClient, seeded: Seeded) -> None:
    schema = client.app.openapi()  # type: ignore[attr-defined]
    operations = _operations(schema)
    assert len(operations) >= 30
    for method, path, op in operations:
        response = client.request(method.upper(), _url(path, op))
        if (method, path) in PUBLIC:
            assert response.status_code != 401, (method, path)
            continue
        assert response.status_code == 401, (method, path, response.status_code, response.text)
        assert response.json()["error"]["code"] == "unauthorized", (method, path)
        assert op.get("security"), f"{method} {path} does not document its security"
    assert client.get("/api/openapi.json").status_code == 401


def test_every_unsafe_route_needs_the_csrf_token_with_a_cookie(client: TestClient, account: Account) -> None:
    client.post("/api/session/login", json={"username": account.username, "password": account.password})
    for method, path, op in _operations(client.app.openapi()):  # type: ignore[attr-defined]
        if method in ("get", "head", "options") or (method, path) in PUBLIC:
            continue
        response = client.request(method.upper(), _url(path, op))
        assert response.status_code == 403, (method, path, response.status_code)
        assert response.json()["error"]["code"] == "csrf_failed"


def test_schema_is_complete(api: TestClient) -> None:
    served = api.get("/api/openapi.json")
    assert served.status_code == 200
    schema = served.json()
    assert schema == json.loads(json.dumps(create_app().openapi()))
    assert {"apiToken", "sessionCookie"} <= set(schema["components"]["securitySchemes"])
    for method, path, op in _operations(schema):
        where = f"{method.upper()} {path}"
        success = [code for code in op["responses"] if code.startswith("2")]
        assert success, where
        for code in success:
            if code == "204":
                continue
            content = op["responses"][code].get("content")
            assert content, f"{where} {code}: untyped response"
            for media in content.values():
                assert media.get("schema"), f"{where} {code}: response without a schema"
                assert media["schema"] != {}, f"{where} {code}: response typed as anything"
        if "requestBody" in op:
            for media in op["requestBody"]["content"].values():
                assert media["schema"], f"{where}: untyped request body"
        for code, error in op["responses"].items():
            if code[0] in "45" and not (path == "/ready" and code == "503"):
                assert error["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, (
                    f"{where} {code}"
                )
        for name in ("422",):
            assert name in op["responses"] or not (op.get("parameters") or "requestBody" in op), where
    assert "HTTPValidationError" not in schema["components"]["schemas"]  # one error body shape everywhere


def test_openapi_dump_script(tmp_path: Path) -> None:
    out = tmp_path / "openapi.json"
    subprocess.run([sys.executable, "-m", "docmill.api.openapi", str(out)], check=True, timeout=120)
    dumped = json.loads(out.read_text())
    assert dumped["info"]["title"] == "docmill" and "/api/dashboard" in dumped["paths"]


def test_schemathesis_finds_no_server_errors(database: Database, account: Account, seeded: Seeded) -> None:
    """Positive and negative cases for every operation (other engineers' routers included), authenticated."""
    # Fuzz with a token that is not the first one, so a fuzzed DELETE /api/tokens/1 cannot lock the run out.
    with database.transaction() as session:
        user = session.get(User, account.id)
        token = [create_token(session, user, f"decoy {i}") for i in range(3)][-1].token
    app = create_app()
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(app.openapi())))
    schema.app = app
    headers = {"Authorization": f"Bearer {token}"}
    server_errors: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis.settings(
                max_examples=SLOW_OPERATIONS.get(operation.label, FUZZ_EXAMPLES),
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(hypothesis.HealthCheck),
                phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            )
            def run(case: schemathesis.Case) -> None:
                response = case.call(headers=headers)
                if response.status_code >= 500:
                    server_errors.append(
                        f"{case.method} {case.formatted_path} -> {response.status_code}: "
                        f"{response.text[:300]}\n  reproduce: {case.as_curl_command()}"
                    )

            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE, f"{operation.label}: no valid request can be generated"
    assert operations >= 30
    assert not server_errors, "\n".join(server_errors[:20])
