"""The fields API: definitions (admins), a document's values (every type round-trips through PUT and GET),
422s naming the field and what it accepts, the documents list filtered and sorted by field values (a member
sees only their own documents and counts), search and ask with field filters."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from docmill.db.engine import Database
from tests.api.conftest import Account, make_account
from tests.fields.conftest import MakeDoc

DEFINITIONS: list[dict[str, Any]] = [
    {"name": "Title note", "slug": "note", "type": "text"},
    {"name": "Remarks", "type": "long_text"},
    {"name": "Pages", "type": "integer"},
    {"name": "Rate", "type": "decimal"},
    {"name": "Amount", "type": "money", "default_currency": "KRW", "extraction_hint": "the total amount to pay"},
    {"name": "Due date", "type": "date"},
    {"name": "Paid", "type": "boolean"},
    {"name": "Site", "type": "url"},
    {"name": "State", "type": "select", "options": ["open", "paid"]},
    {"name": "Related", "type": "document_link"},
    {"name": "Handler", "type": "user"},
    {"name": "Policy", "type": "text", "pattern": r"[A-Z]{2}-\d{4}"},
]


def define(api: TestClient, *definitions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for d in definitions:
        r = api.post("/api/fields", json=d)
        assert r.status_code == 201, r.text
        out[r.json()["slug"]] = r.json()
    return out


def put(client: TestClient, doc: int, values: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return client.put(f"/api/documents/{doc}/fields", json={"values": values}, headers=headers or {})


def test_definitions_admin_only_and_listed_in_order(
    api: TestClient, client: TestClient, database: Database, account: Account
) -> None:
    fields = define(api, *DEFINITIONS)
    assert list(fields) == [
        "note", "remarks", "pages", "rate", "amount", "due_date", "paid", "site", "state", "related", "handler",
        "policy",
    ]  # fmt: skip
    assert fields["amount"]["default_currency"] == "KRW" and "currency" in fields["amount"]["accepted"]
    assert fields["state"]["accepted"] == "one of: open, paid"
    member = make_account(database, "mia", admin=False)
    listed = client.get("/api/fields", headers=member.headers)
    assert listed.status_code == 200 and [f["slug"] for f in listed.json()] == list(fields)
    refused = client.post("/api/fields", json={"name": "X", "type": "text"}, headers=member.headers)
    assert refused.status_code == 403
    again = api.post("/api/fields", json={"name": "Amount", "type": "text"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "field_exists"
    no_options = api.post("/api/fields", json={"name": "Kind", "type": "select"})
    assert no_options.status_code == 422 and "options" in no_options.json()["error"]["message"]

    state = fields["state"]["id"]
    changed = api.patch(f"/api/fields/{state}", json={"name": "Status", "options": ["open", "paid", "late"]})
    assert changed.status_code == 200 and changed.json()["options"] == ["open", "paid", "late"]
    assert changed.json()["slug"] == "state" and changed.json()["name"] == "Status"
    assert api.delete(f"/api/fields/{fields['policy']['id']}").status_code == 204
    assert api.delete(f"/api/fields/{fields['policy']['id']}").status_code == 404
    assert "policy" not in [f["slug"] for f in api.get("/api/fields").json()]


def test_every_type_round_trips_through_put_and_get(
    api: TestClient, account: Account, make_document: Any, database: Database
) -> None:
    define(api, *DEFINITIONS)
    doc = make_document(owner_id=account.id)
    other = make_document(owner_id=account.id)
    given = {
        "note": "  call back  ",
        "remarks": "line one\nline two",
        "pages": "1,200",
        "rate": 0.125,
        "amount": "125,000",
        "due_date": "2026-03-14",
        "paid": False,
        "site": "https://example.com/bill",
        "state": "paid",
        "related": other,
        "handler": account.id,
        "policy": "AB-1234",
    }
    canonical = {
        "note": "call back",
        "remarks": "line one\nline two",
        "pages": 1200,
        "rate": "0.125",
        "amount": {"amount": "125000", "currency": "KRW"},
        "due_date": "2026-03-14",
        "paid": False,
        "site": "https://example.com/bill",
        "state": "paid",
        "related": other,
        "handler": account.id,
        "policy": "AB-1234",
    }
    r = put(api, doc, given)
    assert r.status_code == 200, r.text
    assert {c["slug"]: c["new"] for c in r.json()["changed"]} == canonical
    got = api.get(f"/api/documents/{doc}/fields").json()
    assert {v["slug"]: v["value"] for v in got["values"]} == canonical
    assert all(v["source"] == "user" for v in got["values"])
    detail = api.get(f"/api/documents/{doc}").json()
    assert detail["fields"] == canonical and len(detail["field_values"]) == len(canonical)

    # the same values again change nothing; money given as an object with another currency does
    assert put(api, doc, given).json()["changed"] == []
    r = put(api, doc, {"amount": {"amount": "12.50", "currency": "usd"}, "note": None})
    assert [(c["slug"], c["new"]) for c in r.json()["changed"]] == [
        ("amount", {"amount": "12.5", "currency": "USD"}),
        ("note", None),
    ]
    audit = api.get("/api/audit", params={"action": "edit"}).json()
    rows = audit["items"] if isinstance(audit, dict) else audit
    assert any((row.get("detail") or {}).get("fields", {}).get("amount") for row in rows)


@pytest.mark.parametrize(
    ("values", "field", "accepted"),
    [
        ({"due_date": "tomorrow-ish"}, "due_date", "YYYY-MM-DD"),
        ({"state": "late"}, "state", "one of: open, paid"),
        ({"pages": 1.5}, "pages", "whole number"),
        ({"paid": "yes"}, "paid", "true or false"),
        ({"site": "javascript:alert(1)"}, "site", "http(s)"),
        ({"policy": "ab-1"}, "policy", "matching"),
        ({"related": 99_999_999}, "related", "document you can see"),
        ({"nosuch": "x"}, "nosuch", "one of the fields"),
    ],
)
def test_invalid_values_are_a_422_naming_the_field_and_nothing_is_written(
    api: TestClient, account: Account, make_document: Any, values: dict[str, Any], field: str, accepted: str
) -> None:
    define(api, *DEFINITIONS)
    doc = make_document(owner_id=account.id)
    r = put(api, doc, {"amount": "5000", **values})  # all or nothing: the good value is not written either
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == field and accepted in error["accepted"]
    assert field in error["message"] and error["hint"]
    assert api.get(f"/api/documents/{doc}/fields").json()["values"] == []


def test_values_follow_document_permissions(
    api: TestClient, client: TestClient, account: Account, make_document: Any, database: Database
) -> None:
    define(
        api,
        {"name": "Amount", "type": "money", "default_currency": "KRW"},
        {"name": "Related", "type": "document_link"},
    )
    member = make_account(database, "mia", admin=False)
    mine = make_document(owner_id=member.id)
    theirs = make_document(owner_id=account.id)
    assert put(client, mine, {"amount": "10"}, member.headers).status_code == 200
    assert put(client, theirs, {"amount": "10"}, member.headers).status_code == 404
    assert client.get(f"/api/documents/{theirs}/fields", headers=member.headers).status_code == 404
    linked = put(client, mine, {"related": theirs}, member.headers)  # a link to a document they cannot see
    assert linked.status_code == 422 and linked.json()["error"]["field"] == "related"


def test_list_filters_and_sorts_by_fields_for_what_the_caller_may_see(
    api: TestClient, client: TestClient, account: Account, make_document: Any, database: Database
) -> None:
    define(
        api,
        {"name": "Amount", "type": "money", "default_currency": "KRW"},
        {"name": "Due", "type": "date"},
        {"name": "State", "type": "select", "options": ["open", "paid"]},
        {"name": "Paid", "type": "boolean"},
        {"name": "Ref", "type": "text"},
    )
    member = make_account(database, "mia", admin=False)
    expected: dict[int, dict[str, Any]] = {}
    for i in range(50):
        owner = member.id if i % 5 == 0 else account.id
        doc = make_document(owner_id=owner, title=f"bill {i}")
        values: dict[str, Any] = {"amount": str(10_000 * i), "state": "paid" if i % 2 else "open", "paid": i % 2 == 1}
        if i % 3:
            values["due"] = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
        if i % 7 == 0:
            values["ref"] = f"INV-{i:03d}-Q"
        assert put(api, doc, values).status_code == 200
        expected[doc] = {**values, "owner": owner, "amount": 10_000 * i}

    def ids(
        params: dict[str, Any] | list[tuple[str, str]], headers: dict[str, str] | None = None
    ) -> tuple[list[int], int]:
        r = client.get("/api/documents", params=params, headers=headers or account.headers)
        assert r.status_code == 200, r.text
        return [i["id"] for i in r.json()["items"]], r.json()["total"]

    got, total = ids([("field", "amount>100000"), ("limit", "200")])
    want = {d for d, v in expected.items() if v["amount"] > 100_000}
    assert set(got) == want and total == len(want)
    got, total = ids(
        [("field", "amount>=100000"), ("field", "amount<=200000 KRW"), ("field", "state:paid"), ("limit", "200")]
    )
    want = {d for d, v in expected.items() if 100_000 <= v["amount"] <= 200_000 and v["state"] == "paid"}
    assert set(got) == want and total == len(want)
    got, _ = ids([("field", "due<2026-06-01"), ("limit", "200")])
    assert set(got) == {d for d, v in expected.items() if "due" in v and v["due"] < "2026-06-01"}
    got, _ = ids([("field", "due:empty"), ("limit", "200")])
    assert set(got) == {d for d, v in expected.items() if "due" not in v}
    got, _ = ids([("field", "paid:true"), ("limit", "200")])
    assert set(got) == {d for d, v in expected.items() if v["paid"]}
    got, _ = ids([("field", "state!=paid"), ("limit", "200")])
    assert set(got) == {d for d, v in expected.items() if v["state"] != "paid"}
    got, _ = ids([("field", "ref:inv-0"), ("limit", "200")])  # text: contains, any case
    assert set(got) == {d for d, v in expected.items() if "ref" in v and v["ref"].startswith("INV-0")}
    got, _ = ids([("field", "amount>100 USD"), ("limit", "200")])
    assert got == []

    # sorting: by amount descending, by due ascending with the documents without one last
    got, _ = ids({"sort": "-field:amount", "limit": 200})
    assert got == sorted(expected, key=lambda d: (-expected[d]["amount"], -d))
    got, _ = ids({"sort": "field:due", "limit": 200})
    dated = sorted((d for d in expected if "due" in expected[d]), key=lambda d: (expected[d]["due"], d))
    assert got[: len(dated)] == dated and set(got[len(dated) :]) == {d for d in expected if "due" not in expected[d]}

    # columns: the values asked for ride along with each item
    r = client.get(
        "/api/documents", params={"fields": "amount,due", "sort": "-field:amount", "limit": 3}, headers=account.headers
    )
    top = r.json()["items"][0]
    assert top["fields"]["amount"] == {"amount": "490000", "currency": "KRW"} and set(top["fields"]) <= {
        "amount",
        "due",
    }

    # a member sees only their own documents and counts
    got, total = ids([("field", "amount>100000"), ("limit", "200")], member.headers)
    want = {d for d, v in expected.items() if v["amount"] > 100_000 and v["owner"] == member.id}
    assert set(got) == want and total == len(want)
    got, total = ids({"sort": "field:amount", "limit": 200}, member.headers)
    assert total == 10 and got == sorted(d for d, v in expected.items() if v["owner"] == member.id)


@pytest.mark.parametrize(
    ("params", "field", "accepted"),
    [
        ({"field": "due<tomorrow-ish"}, "due", "YYYY-MM-DD"),
        ({"field": "state:late"}, "state", "one of: open, paid"),
        ({"field": "paid>true"}, "paid", "true or false"),
        ({"field": "nosuch>1"}, "nosuch", "one of the fields"),
        ({"sort": "field:nosuch"}, "nosuch", "one of the fields"),
        ({"fields": "amount,nosuch"}, "nosuch", "one of the fields"),
    ],
)
def test_bad_list_filters_are_a_422_naming_the_field(
    api: TestClient, params: dict[str, str], field: str, accepted: str
) -> None:
    define(
        api,
        {"name": "Amount", "type": "money", "default_currency": "KRW"},
        {"name": "Due", "type": "date"},
        {"name": "State", "type": "select", "options": ["open", "paid"]},
        {"name": "Paid", "type": "boolean"},
    )
    r = api.get("/api/documents", params=params)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == field and accepted in error["accepted"] and error["hint"]


def test_search_and_ask_take_field_filters(
    api: TestClient, client: TestClient, account: Account, text_document: MakeDoc, database: Database
) -> None:
    define(api, {"name": "Amount", "type": "money", "default_currency": "KRW"}, {"name": "Due", "type": "date"})
    member = make_account(database, "mia", admin=False)
    big = text_document(account.id, "관리비 고지서 이번 달 관리비 납부 안내")
    small = text_document(account.id, "관리비 고지서 소액 관리비 납부 안내")
    members = text_document(member.id, "관리비 고지서 회원 관리비 납부 안내")
    put(api, big, {"amount": "250000", "due": "2026-03-14"})
    put(api, small, {"amount": "30000", "due": "2026-12-01"})
    put(api, members, {"amount": "500000"})

    def found(params: Any, headers: dict[str, str] | None = None) -> list[int]:
        r = client.get("/api/search", params=params, headers=headers or account.headers)
        assert r.status_code == 200, r.text
        return sorted(h["document_id"] for h in r.json()["hits"])

    assert found({"q": "관리비", "mode": "fulltext"}) == sorted([big, small, members])
    assert found({"q": "field:amount>100000 관리비", "mode": "fulltext"}) == sorted([big, members])
    r = client.get(
        "/api/search", params={"q": "field:amount>100000 관리비", "mode": "fulltext"}, headers=account.headers
    )
    assert r.json()["query"] == "관리비"  # the filter words are not searched for
    assert found([("q", "관리비"), ("field", "amount>100000"), ("field", "due<2026-12-31"), ("mode", "fulltext")]) == [
        big
    ]
    assert found([("q", "관리비"), ("field", "due:empty"), ("mode", "fulltext")]) == [members]
    assert found({"q": "field:amount>100000 관리비", "mode": "fulltext"}, member.headers) == [members]
    bad = client.get("/api/search", params={"q": "field:due<soon 관리비"}, headers=account.headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "due"

    def count(headers: dict[str, str], *fields: str) -> Any:
        r = client.post(
            "/api/ask",
            json={"question": "how many 관리비 documents?", "fields": list(fields), "store": False},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        return r.json()["count"]

    assert count(account.headers) == 3
    assert count(account.headers, "amount>100000") == 2
    assert count(account.headers, "amount>100000", "due<2026-12-31") == 1
    assert count(member.headers, "amount>100000") == 1  # only their own
    bad = client.post("/api/ask", json={"question": "관리비?", "fields": ["amount>lots"]}, headers=account.headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "amount"
