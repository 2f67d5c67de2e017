"""Login sessions, the current user, API tokens and password changes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from docmill.api.schemas.common import NO_NUL


class LoginRequest(BaseModel):
    model_config = {"extra": "forbid"}

    username: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=1024, pattern=NO_NUL)


UiLanguage = Literal["en", "ko"]


class UserOut(BaseModel):
    id: int
    username: str
    is_admin: bool
    language: UiLanguage | None = Field(
        default=None, description="The web UI's language the user chose; null: the browser's."
    )


class LanguageChange(BaseModel):
    model_config = {"extra": "forbid"}

    language: UiLanguage | None = Field(description="The web UI's language; null: follow the browser.")


class SessionInfo(BaseModel):
    user: UserOut
    method: Literal["session", "token"] = Field(description="How this request was authenticated.")
    csrf_token: str | None = Field(
        description="For cookie sessions: send it as the X-CSRF-Token header on POST, PUT, PATCH and DELETE."
    )
    expires_at: datetime | None = Field(default=None, description="When the login session ends (cookie sessions).")


class TokenCreate(BaseModel):
    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL, description='A label, e.g. "backup script".')
    expires_days: int | None = Field(default=None, ge=1, le=3650, description="Stop working after this many days.")


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None = Field(default=None, description="When it stops working; null: never.")


class TokenCreated(BaseModel):
    token: str = Field(description="The secret: shown only now. Send it as `Authorization: Bearer <token>`.")
    info: TokenOut


class PasswordChange(BaseModel):
    model_config = {"extra": "forbid"}

    current_password: str = Field(min_length=1, max_length=1024, pattern=NO_NUL)
    new_password: str = Field(min_length=8, max_length=1024, pattern=NO_NUL)
    revoke_tokens: bool = Field(default=True, description="Also revoke your API tokens (scripts must get new ones).")
