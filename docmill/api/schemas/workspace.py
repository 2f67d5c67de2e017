"""Notes, saved views and bulk edit: request and response shapes."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from docmill.api.schemas.common import MAX_BIGINT, NO_NUL
from docmill.api.schemas.documents import Tag
from docmill.permissions.shares import Permission
from docmill.pipeline.registry import ProcessStage

# ---- notes -------------------------------------------------------------------------------------------


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20_000, pattern=NO_NUL, description="Markdown.")


class NoteOut(BaseModel):
    id: int
    document_id: int
    author_id: int | None
    author: str | None = Field(description="The author's user name (null once that user is deleted).")
    body: str
    created_at: datetime
    updated_at: datetime
    mine: bool = Field(description="True when the caller wrote it (and may change or delete it).")


# ---- saved views -------------------------------------------------------------------------------------

QueryValue = str | list[str]
ViewQuery = Annotated[
    dict[Annotated[str, Field(max_length=100)], QueryValue],
    Field(description="The documents list's URL parameters (filters, sort, columns); repeated ones as lists."),
]
ViewName = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]


class ViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ViewName
    query: ViewQuery = Field(default_factory=dict)
    pinned: bool = False
    position: int | None = Field(default=None, ge=0, le=1_000_000)


class ViewUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ViewName | None = None
    query: ViewQuery | None = None
    pinned: bool | None = None
    position: int | None = Field(default=None, ge=0, le=1_000_000)


class ViewOut(BaseModel):
    id: int
    name: str
    query: dict[str, QueryValue]
    pinned: bool
    position: int
    created_at: datetime
    updated_at: datetime
    count: int | None = Field(description="Documents you may see that match it (null if its query no longer applies).")


class ViewCount(BaseModel):
    id: int
    count: int


# ---- bulk edit ---------------------------------------------------------------------------------------

MAX_BULK_IDS = 100_000
DocumentId = Annotated[int, Field(ge=1, le=MAX_BIGINT)]


class Selection(BaseModel):
    """Which documents: these ids, or every document you may see that matches a documents-list query."""

    model_config = ConfigDict(extra="forbid")

    ids: list[DocumentId] | None = Field(default=None, max_length=MAX_BULK_IDS)
    filter: ViewQuery | None = None

    @model_validator(mode="after")
    def _one(self) -> Selection:
        if (self.ids is None) == (self.filter is None):
            raise ValueError('send either "ids" or "filter", not both or neither')
        return self


class BulkSetCategory(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["set_category"]
    category: str | None = Field(max_length=500, pattern=NO_NUL, description='A path such as "Finance"; null: none.')


class BulkAddTags(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["add_tags"]
    tags: list[Tag] = Field(min_length=1, max_length=50)


class BulkRemoveTags(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["remove_tags"]
    tags: list[Tag] = Field(min_length=1, max_length=50)


class BulkSetFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["set_fields"]
    fields: dict[Annotated[str, Field(max_length=40)], Any] = Field(
        min_length=1, description="{field slug: value, or null to clear}"
    )


class BulkSetOwner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["set_owner"]
    user: str = Field(min_length=1, max_length=100, pattern=NO_NUL, description="The new owner's user name.")


class BulkShare(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["share"]
    permission: Permission
    user: str | None = Field(default=None, max_length=100, pattern=NO_NUL)
    group: str | None = Field(default=None, max_length=100, pattern=NO_NUL)

    @model_validator(mode="after")
    def _one(self) -> BulkShare:
        if (self.user is None) == (self.group is None):
            raise ValueError('name either a "user" or a "group" to share with')
        return self


class BulkReprocess(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["reprocess"]
    from_stage: ProcessStage | None = Field(default=None, description="Null: from each document's first stages.")


class BulkDelete(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["delete"]


BulkAction = Annotated[
    BulkSetCategory
    | BulkAddTags
    | BulkRemoveTags
    | BulkSetFields
    | BulkSetOwner
    | BulkShare
    | BulkReprocess
    | BulkDelete,
    Field(discriminator="type"),
]


class BulkEditRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    selection: Selection
    action: BulkAction


class BulkJobStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class BulkJobError(BaseModel):
    document_id: int
    reason: str


class BulkJobOut(BaseModel):
    id: int
    status: BulkJobStatus
    action: dict[str, Any]
    selection: dict[str, Any]
    total: int = Field(description="Documents selected.")
    processed: int = Field(description="Documents walked so far (changed or failed).")
    done: int = Field(description="Documents changed (or already as asked).")
    failed: int = Field(description="Documents that could not be changed; `errors` says why (the first 100).")
    errors: list[BulkJobError]
    error: str | None = Field(description="Why the job itself stopped, when it failed.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
