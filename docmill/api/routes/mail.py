"""Mail accounts (admins only): list with progress and errors, add, change, remove, test, fetch now; rules;
the messages an account brought in; retry the failed ones. Passwords go in, never out."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from docmill.api.deps import audited, database_dep, require_admin, session_dep, settings_dep
from docmill.api.errors import CONFLICT, NOT_FOUND, error_doc
from docmill.api.schemas.common import Count, Limit, Offset
from docmill.api.schemas.mail import (
    AccountIdPath,
    MailAccountCreate,
    MailAccountOut,
    MailAccountUpdate,
    MailMessageDocumentOut,
    MailMessageOut,
    MailMessagePage,
    MailPollResult,
    MailProgress,
    MailRuleCreate,
    MailRuleOut,
    MailRuleUpdate,
    MailTestResult,
    MessageCounts,
    RuleIdPath,
)
from docmill.audit.log import AuditAction
from docmill.collector.mail import poll, service
from docmill.collector.mail.types import MessageStatus
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import MailAccount, MailRule

router = APIRouter(
    prefix="/mail",
    tags=["mail"],
    dependencies=[Depends(require_admin), Depends(audited(AuditAction.MAIL, "mail_account"))],
    responses={403: error_doc("Not an admin")},
)

DbSession = Annotated[Session, Depends(session_dep)]
SettingsDep = Annotated[Settings, Depends(settings_dep)]
DatabaseDep = Annotated[Database, Depends(database_dep)]


def _rule_out(session: Session, rule: MailRule) -> MailRuleOut:
    fields = {name: getattr(rule, name) for name in MailRuleOut.model_fields if name != "category"}
    return MailRuleOut(**fields, category=service.category_path(session, rule.category_id))


def _account_out(session: Session, account: MailAccount, counts: dict[str, int] | None = None) -> MailAccountOut:
    if counts is None:
        counts = service.message_counts(session, [account.id])[account.id]
    return MailAccountOut(
        id=account.id,
        name=account.name,
        host=account.host,
        port=account.port,
        security=account.security,
        username=account.username,
        has_custom_ca=bool(account.ca_cert),
        enabled=account.enabled,
        use_idle=account.use_idle,
        allow_delete=account.allow_delete,
        interval_s=account.interval_s,
        supports_idle="IDLE" in account.capabilities,
        last_fetch_at=account.last_fetch_at,
        next_fetch_at=account.next_fetch_at,
        last_status=account.last_status,
        last_error=account.last_error,
        last_error_code=account.last_error_code,
        error_count=account.error_count,
        progress=MailProgress.model_validate(account.progress or {}),
        messages_ingested=account.messages_ingested,
        documents_added=account.documents_added,
        messages=MessageCounts(**{k: v for k, v in counts.items() if k in MessageCounts.model_fields}),
        rules=[_rule_out(session, r) for r in account.rules],
        created_at=account.created_at,
    )


def _account_input(body: MailAccountCreate | MailAccountUpdate) -> service.AccountInput:
    return service.AccountInput(**body.model_dump(exclude_unset=True))


def _rule_input(body: MailRuleCreate | MailRuleUpdate) -> service.RuleInput:
    return service.RuleInput(**body.model_dump(exclude_unset=True))


@router.get("/accounts", response_model=list[MailAccountOut], summary="List mail accounts with progress and errors")
def list_accounts(session: DbSession) -> list[MailAccountOut]:
    accounts = service.list_accounts(session)
    counts = service.message_counts(session, [a.id for a in accounts])
    return [_account_out(session, a, counts[a.id]) for a in accounts]


@router.post(
    "/accounts", response_model=MailAccountOut, status_code=201, responses=CONFLICT, summary="Add a mail account"
)
def add_account(session: DbSession, settings: SettingsDep, body: MailAccountCreate) -> MailAccountOut:
    account = service.add_account(session, settings, _account_input(body))
    session.commit()
    return _account_out(session, account)


@router.get("/accounts/{account_id}", response_model=MailAccountOut, responses=NOT_FOUND, summary="Get a mail account")
def get_account(session: DbSession, account_id: AccountIdPath) -> MailAccountOut:
    return _account_out(session, service.find_account(session, account_id))


@router.patch(
    "/accounts/{account_id}",
    response_model=MailAccountOut,
    responses={**NOT_FOUND, **CONFLICT},
    summary="Change a mail account (send password only to change it)",
)
def update_account(
    session: DbSession, settings: SettingsDep, account_id: AccountIdPath, body: MailAccountUpdate
) -> MailAccountOut:
    account = service.update_account(session, settings, account_id, _account_input(body))
    session.commit()
    return _account_out(session, account)


@router.delete(
    "/accounts/{account_id}",
    status_code=204,
    responses=NOT_FOUND,
    summary="Remove a mail account and its rules (the documents it brought stay)",
)
def remove_account(session: DbSession, account_id: AccountIdPath) -> Response:
    service.remove_account(session, account_id)
    session.commit()
    return Response(status_code=204)


@router.post(
    "/accounts/{account_id}/test",
    response_model=MailTestResult,
    responses=NOT_FOUND,
    summary="Test the connection: DNS, connect, TLS, login, folders (failures come back in the result)",
)
def test_account(database: DatabaseDep, settings: SettingsDep, account_id: AccountIdPath) -> MailTestResult:
    result = service.test_account(database, settings, account_id)
    return MailTestResult(**dataclasses.asdict(result))


@router.post(
    "/accounts/{account_id}/fetch",
    response_model=MailPollResult,
    responses={**NOT_FOUND, **CONFLICT},
    summary="Poll the account now (connection and folder errors come back in the result)",
)
def fetch_now(database: DatabaseDep, settings: SettingsDep, account_id: AccountIdPath) -> MailPollResult:
    outcome = poll.poll_account(database, settings, account_id)
    fields: dict[str, Any] = dataclasses.asdict(outcome)
    fields.pop("name")
    return MailPollResult(**fields)


@router.post(
    "/accounts/{account_id}/rules",
    response_model=MailRuleOut,
    status_code=201,
    responses=NOT_FOUND,
    summary="Add a rule (the account's folders are read again under the new rules)",
)
def add_rule(session: DbSession, account_id: AccountIdPath, body: MailRuleCreate) -> MailRuleOut:
    rule = service.add_rule(session, account_id, _rule_input(body))
    session.commit()
    return _rule_out(session, rule)


@router.patch(
    "/accounts/{account_id}/rules/{rule_id}", response_model=MailRuleOut, responses=NOT_FOUND, summary="Change a rule"
)
def update_rule(
    session: DbSession, account_id: AccountIdPath, rule_id: RuleIdPath, body: MailRuleUpdate
) -> MailRuleOut:
    rule = service.update_rule(session, rule_id, _rule_input(body), account_id)
    session.commit()
    return _rule_out(session, rule)


@router.delete("/accounts/{account_id}/rules/{rule_id}", status_code=204, responses=NOT_FOUND, summary="Remove a rule")
def remove_rule(session: DbSession, account_id: AccountIdPath, rule_id: RuleIdPath) -> Response:
    service.remove_rule(session, rule_id, account_id)
    session.commit()
    return Response(status_code=204)


@router.get(
    "/accounts/{account_id}/messages",
    response_model=MailMessagePage,
    responses=NOT_FOUND,
    summary="Messages the account's rules took, newest change first, with their documents",
)
def list_messages(
    session: DbSession,
    account_id: AccountIdPath,
    limit: Limit = 50,
    offset: Offset = 0,
    status: Annotated[MessageStatus | None, Query(description="Only messages in this status.")] = None,
) -> MailMessagePage:
    views, total = service.list_messages(session, account_id, status=status, limit=limit, offset=offset)
    items = [
        MailMessageOut(
            id=v.message.id,
            rule_id=v.message.rule_id,
            folder=v.message.folder,
            subject=v.message.subject,
            sender=v.message.sender,
            sent_at=v.message.sent_at,
            message_id=None if v.message.message_key.startswith(("sha256:", "uid:")) else v.message.message_key,
            status=v.message.status,
            attempts=v.message.attempts,
            error=v.message.error,
            warnings=v.message.warnings,
            documents_added=v.message.documents_added,
            action_done=v.message.action_done,
            updated_at=v.message.updated_at,
            documents=[
                MailMessageDocumentOut(document_id=d.document_id, role=d.role, name=d.name) for d in v.documents
            ],
        )
        for v in views
    ]
    return MailMessagePage(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/accounts/{account_id}/messages/retry",
    response_model=Count,
    responses=NOT_FOUND,
    summary="Try the failed messages again at the next poll (which is soon)",
)
def retry_failed(session: DbSession, account_id: AccountIdPath) -> Count:
    count = service.retry_failed(session, account_id)
    session.commit()
    return Count(count=count)
