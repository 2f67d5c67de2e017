"""News feeds: list (with the last fetch's time, status and error), add, change, remove, fetch now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from docmill.api.deps import audited, database_dep, require_admin, session_dep, settings_dep
from docmill.api.errors import ApiError, ErrorBody, error_doc
from docmill.api.schemas.feeds import FeedCreate, FeedFetchResult, FeedIdPath, FeedOut, FeedUpdate
from docmill.audit.log import AuditAction
from docmill.collector import service
from docmill.config import Settings
from docmill.db.engine import Database

router = APIRouter(
    prefix="/feeds",
    tags=["feeds"],
    dependencies=[Depends(require_admin), Depends(audited(AuditAction.FEED, "feed"))],
    responses={403: error_doc("Not an admin")},
)

DbSession = Annotated[Session, Depends(session_dep)]
SettingsDep = Annotated[Settings, Depends(settings_dep)]
DatabaseDep = Annotated[Database, Depends(database_dep)]

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "No such feed"}}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"model": ErrorBody, "description": "Already subscribed"}}

T = TypeVar("T")
FEED_EXISTS_HINT = "it is already in the list of feeds; remove it there first to subscribe to it again"


def _call(func: Callable[[], T]) -> T:
    """Run a service call, turning its errors into API errors."""
    try:
        return func()
    except service.FeedNotFoundError as exc:
        raise ApiError(404, "not_found", exc.message, "list feeds: GET /api/feeds") from None
    except service.FeedExistsError as exc:
        # the service's hint names the CLI; a web user sees the feed in the list the request came from
        raise ApiError(409, "feed_exists", exc.message, FEED_EXISTS_HINT) from None
    except service.InvalidFeedError as exc:
        raise ApiError(422, "invalid_feed", exc.message, exc.hint) from None


@router.get("", response_model=list[FeedOut], summary="List feeds with their last fetch")
def list_feeds(session: DbSession) -> list[FeedOut]:
    return [FeedOut.model_validate(feed) for feed in service.list_feeds(session)]


@router.post("", response_model=FeedOut, status_code=201, responses=CONFLICT, summary="Subscribe to a feed")
def add_feed(session: DbSession, settings: SettingsDep, body: FeedCreate) -> FeedOut:
    feed = _call(
        lambda: service.add_feed(
            session, settings, body.url, interval_s=body.interval_s, title=body.title, owner_id=body.owner_id
        )
    )
    session.commit()
    return FeedOut.model_validate(feed)


@router.get("/{feed_id}", response_model=FeedOut, responses=NOT_FOUND, summary="Get a feed")
def get_feed(session: DbSession, feed_id: FeedIdPath) -> FeedOut:
    return FeedOut.model_validate(_call(lambda: service.find_feed(session, feed_id)))


@router.patch("/{feed_id}", response_model=FeedOut, responses=NOT_FOUND, summary="Change interval, title or enabled")
def update_feed(session: DbSession, feed_id: FeedIdPath, body: FeedUpdate) -> FeedOut:
    feed = _call(
        lambda: service.update_feed(
            session, feed_id, interval_s=body.interval_s, enabled=body.enabled, title=body.title, owner_id=body.owner_id
        )
    )
    session.commit()
    return FeedOut.model_validate(feed)


@router.delete(
    "/{feed_id}", status_code=204, responses=NOT_FOUND, summary="Unsubscribe (the documents it brought stay)"
)
def remove_feed(session: DbSession, feed_id: FeedIdPath) -> Response:
    _call(lambda: service.remove_feed(session, feed_id))
    session.commit()
    return Response(status_code=204)


@router.post(
    "/{feed_id}/fetch",
    response_model=FeedFetchResult,
    responses=NOT_FOUND,
    summary="Fetch a feed now (fetch and feed errors come back in the result)",
)
def fetch_now(database: DatabaseDep, settings: SettingsDep, feed_id: FeedIdPath) -> FeedFetchResult:
    outcome = _call(lambda: service.fetch_feed(database, settings, feed_id))
    fields = asdict(outcome)
    fields.pop("url")
    return FeedFetchResult(**fields)
