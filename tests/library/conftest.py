"""The api test fixtures (app, client, account, api) for the library and categories API tests."""

from tests.api.conftest import account, api, app, client  # noqa: F401
