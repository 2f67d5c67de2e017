"""What a rule is made of: its trigger, typed conditions and actions (pydantic discriminated unions, stored
as JSON), and the outcome of running it."""

from __future__ import annotations

import enum
import fnmatch
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

MAX_PATTERN = 500
MAX_CONDITIONS = 50
MAX_ACTIONS = 50


class Trigger(enum.StrEnum):
    ADDED = "added"  # a document came in (by source)
    PROCESSED = "processed"  # after the classify stage stored its result
    UPDATED = "updated"  # the document was edited (PATCH, field values)
    SCHEDULED = "scheduled"  # every `schedule_minutes`, over the documents that match


class Source(enum.StrEnum):
    """A document's way in (documents.source)."""

    UPLOAD = "upload"
    INBOX = "inbox"
    CLI = "cli"
    FEED = "news"
    MAIL = "mail"


class Match(enum.StrEnum):
    ALL = "all"
    ANY = "any"


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    NO_CHANGE = "no_change"
    ERROR = "error"


class FieldOp(enum.StrEnum):
    EQ = "="
    NE = "!="
    GT = ">"
    LT = "<"
    EMPTY = "empty"
    NOT_EMPTY = "not_empty"


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- conditions -----------------------------------------------------------------------------------


class KindIs(_Base):
    type: Literal["kind"] = "kind"
    kinds: list[str] = Field(min_length=1, description="Document kinds, e.g. pdf, image, text.")


class MediaTypeIs(_Base):
    type: Literal["media_type"] = "media_type"
    media_types: list[str] = Field(min_length=1, description='Media types; "image/*" matches a family.')


class SourceIs(_Base):
    type: Literal["source"] = "source"
    sources: list[Source] = Field(min_length=1)


class NameGlob(_Base):
    type: Literal["name_glob"] = "name_glob"
    pattern: str = Field(min_length=1, max_length=MAX_PATTERN, description='A file name glob such as "*.pdf".')


class TextContains(_Base):
    type: Literal["text_contains"] = "text_contains"
    text: str = Field(min_length=1, max_length=MAX_PATTERN, description="Words the text contains (any case).")


class TextRegex(_Base):
    type: Literal["text_regex"] = "text_regex"
    pattern: str = Field(min_length=1, max_length=MAX_PATTERN, description="A regular expression (any case).")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        import regex  # noqa: PLC0415 (the api imports types; regex is only needed to check a pattern)

        try:
            regex.compile(v)
        except regex.error as exc:
            raise ValueError(f"{v!r} is not a regular expression: {exc}") from None
        return v


class CategoryIs(_Base):
    type: Literal["category"] = "category"
    path: str = Field(min_length=1, max_length=MAX_PATTERN)
    prefix: bool = Field(default=False, description="Also match the categories below the path.")
    none: bool = Field(default=False, description="Match documents without a category instead (path ignored).")


class TagIs(_Base):
    type: Literal["tag"] = "tag"
    tag: str = Field(min_length=1, max_length=200)
    absent: bool = Field(default=False, description="Match documents that do not have the tag.")


class FieldValueIs(_Base):
    type: Literal["field"] = "field"
    field: str = Field(min_length=1, max_length=40, description="The field's slug.")
    op: FieldOp
    value: Any = Field(default=None, description="Compared after parsing by the field's type.")

    @model_validator(mode="after")
    def _value_given(self) -> FieldValueIs:
        if self.op not in (FieldOp.EMPTY, FieldOp.NOT_EMPTY) and self.value is None:
            raise ValueError(f"a field condition with {self.op.value} needs a value")
        return self


class OwnerIs(_Base):
    type: Literal["owner"] = "owner"
    usernames: list[str] = Field(min_length=1)


Condition = Annotated[
    KindIs | MediaTypeIs | SourceIs | NameGlob | TextContains | TextRegex | CategoryIs | TagIs | FieldValueIs | OwnerIs,
    Field(discriminator="type"),
]


# ---- actions --------------------------------------------------------------------------------------


class SetCategory(_Base):
    """File the document under a library path (created when missing): the placement is decided."""

    type: Literal["set_category"] = "set_category"
    path: str = Field(min_length=1, max_length=MAX_PATTERN)


class AddTags(_Base):
    type: Literal["add_tags"] = "add_tags"
    tags: list[str] = Field(min_length=1)


class RemoveTags(_Base):
    type: Literal["remove_tags"] = "remove_tags"
    tags: list[str] = Field(min_length=1)


class SetFields(_Base):
    type: Literal["set_fields"] = "set_fields"
    values: dict[str, Any] = Field(min_length=1, description="{slug: value}; null clears the field.")


class SetOwner(_Base):
    type: Literal["set_owner"] = "set_owner"
    username: str = Field(min_length=1)


class Share(_Base):
    type: Literal["share"] = "share"
    username: str | None = None
    group: str | None = None
    permission: Literal["view", "edit"] = "view"

    @model_validator(mode="after")
    def _one_target(self) -> Share:
        if (self.username is None) == (self.group is None):
            raise ValueError("a share action names either a username or a group")
        return self


class AcceptPlacement(_Base):
    """Accept the document's pending library placement suggestion as it is."""

    type: Literal["accept_placement"] = "accept_placement"


class ApplySuggestions(_Base):
    """Apply the document's pending extracted field values (all, or these fields)."""

    type: Literal["apply_suggestions"] = "apply_suggestions"
    fields: list[str] | None = None


class Webhook(_Base):
    """POST the document's JSON to a URL, signed; delivered later by the webhook runner."""

    type: Literal["webhook"] = "webhook"
    url: HttpUrl


Action = Annotated[
    SetCategory | AddTags | RemoveTags | SetFields | SetOwner | Share | AcceptPlacement | ApplySuggestions | Webhook,
    Field(discriminator="type"),
]


class RuleSpec(_Base):
    """A rule as an admin writes it."""

    name: str = Field(min_length=1, max_length=200)
    enabled: bool = True
    trigger: Trigger
    sources: list[Source] = Field(default_factory=list, description="For the added trigger; none: every source.")
    schedule_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 31, description="For scheduled rules.")
    match: Match = Match.ALL
    conditions: list[Condition] = Field(default_factory=list, max_length=MAX_CONDITIONS)
    actions: list[Action] = Field(min_length=1, max_length=MAX_ACTIONS)

    @model_validator(mode="after")
    def _consistent(self) -> RuleSpec:
        if self.trigger is Trigger.SCHEDULED and self.schedule_minutes is None:
            raise ValueError("a scheduled rule needs schedule_minutes (how often it runs)")
        if self.trigger is not Trigger.SCHEDULED and self.schedule_minutes is not None:
            raise ValueError("schedule_minutes is only for the scheduled trigger")
        if self.sources and self.trigger is not Trigger.ADDED:
            raise ValueError("sources are only for the added trigger; use a source condition otherwise")
        if not self.name.strip():
            raise ValueError("a rule needs a name")
        return self


def glob_matches(pattern: str, name: str) -> bool:
    return fnmatch.fnmatchcase(name.casefold(), pattern.casefold())


@dataclass(frozen=True)
class Change:
    """One thing a rule changed on a document (what history shows)."""

    action: str
    summary: str  # "set category Home/Bills"
    detail: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"action": self.action, "summary": self.summary, "detail": self.detail}
