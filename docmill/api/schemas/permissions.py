"""Users and groups (admins), and a document's shares."""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel, Field

from docmill.api.schemas.common import NO_NUL
from docmill.permissions.shares import Permission


class Role(enum.StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class UserAdminOut(BaseModel):
    id: int
    username: str
    role: Role
    has_password: bool = Field(description="false: imported without secrets; set a password before they log in.")
    created_at: datetime
    documents: int = Field(description="Documents the user owns (the trash included).")


class UserCreate(BaseModel):
    model_config = {"extra": "forbid"}

    username: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    password: str = Field(min_length=8, max_length=1024, pattern=NO_NUL)
    role: Role = Role.MEMBER


class UserUpdate(BaseModel):
    model_config = {"extra": "forbid"}

    role: Role | None = None
    password: str | None = Field(
        default=None, min_length=8, max_length=1024, pattern=NO_NUL, description="A new password (ends their sessions)."
    )
    revoke_tokens: bool = Field(default=True, description="With a new password: also revoke the user's API tokens.")


class GroupOut(BaseModel):
    id: int
    name: str
    members: list[str]


class GroupCreate(BaseModel):
    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL)
    members: list[str] = Field(default_factory=list, description="User names to add.")


class ShareOut(BaseModel):
    id: int
    permission: Permission
    user_id: int | None
    user: str | None
    group_id: int | None
    group: str | None


class ShareRequest(BaseModel):
    """Share with one user or one group; sharing again with the same one changes the permission."""

    model_config = {"extra": "forbid"}

    user: str | None = Field(default=None, max_length=64, pattern=NO_NUL, description="A user name.")
    group: str | None = Field(default=None, max_length=100, pattern=NO_NUL, description="A group name.")
    permission: Permission = Permission.VIEW


class Sharing(BaseModel):
    owner_id: int | None
    owner: str | None
    visible_to_all: bool
    shares: list[ShareOut]


class VisibilityUpdate(BaseModel):
    model_config = {"extra": "forbid"}

    visible_to_all: bool


class DirectoryEntry(BaseModel):
    id: int
    name: str


class Directory(BaseModel):
    """Who a document can be shared with."""

    users: list[DirectoryEntry]
    groups: list[DirectoryEntry]
