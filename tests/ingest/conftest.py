"""The permission tests' people and app, for the trash tests."""

from tests.permissions.conftest import app, client, people  # noqa: F401
