"""`docmill api`, `docmill token create|list|revoke` and `docmill user create|list|set-password`."""

from __future__ import annotations

import sys

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from docmill.cli.common import cli_command, console
from docmill.cli.signals import quiet_uvicorn
from docmill.config import get_settings
from docmill.db.engine import open_database
from docmill.errors import DocmillError
from docmill.models import User

token_app = typer.Typer(help="API tokens for scripts (`Authorization: Bearer <token>`).", no_args_is_help=True)
user_app = typer.Typer(help="docmill users (web UI logins).", no_args_is_help=True)


@cli_command
def api(
    host: str = typer.Option(None, "--host", help="Address to bind (default: DOCMILL_HOST, 127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port (default: DOCMILL_PORT, 8000)."),
) -> None:
    """Serve the REST API, the web UI, /health, /ready and /metrics."""
    import uvicorn

    from docmill.api.app import create_app

    settings = get_settings()
    quiet_uvicorn("api")  # uvicorn stops on SIGINT/SIGTERM by itself; one "stopping…" line, exit 0
    uvicorn.run(
        create_app(),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        proxy_headers=False,
        server_header=False,
        log_config=None,  # docmill's logging setup (one format for every process)
    )


def _pick_user(session: Session, username: str | None) -> User:
    from docmill.auth.users import get_user, list_users

    if username:
        user = get_user(session, username)
        if user is None:
            raise DocmillError(f"user {username!r} does not exist", "create it with `docmill user create NAME`")
        return user
    users = list_users(session)
    admins = [u for u in users if u.is_admin]
    if len(admins) == 1 or len(users) == 1:
        return (admins or users)[0]
    if not users:
        raise DocmillError("there are no users yet", "create one first: `docmill user create NAME`")
    raise DocmillError(
        f"there are {len(users)} users; whose token is it?",
        f"pass --user (one of: {', '.join(u.username for u in users)})",
    )


@token_app.command("create")
@cli_command
def token_create(
    name: str = typer.Option("cli", "--name", help="A label for the token."),
    user: str = typer.Option(None, "--user", help="Owner (default: the only admin)."),
    expires_days: int = typer.Option(None, "--expires-days", min=1, help="Stop working after this many days."),
) -> None:
    """Create an API token and print it (it is shown only this once)."""
    from docmill.auth.tokens import create_token

    db = open_database()
    with db.transaction() as session:
        owner = _pick_user(session, user)
        from datetime import timedelta

        expires_in = timedelta(days=expires_days) if expires_days else None
        new = create_token(session, owner, name, expires_in=expires_in)
        username = owner.username
    print(new.token)
    typer.echo(
        f"token {new.row.prefix}… created for {username}; it is shown only this once. "
        "Send it as `Authorization: Bearer <token>`.",
        err=True,
    )


@token_app.command("list")
@cli_command
def token_list(user: str = typer.Option(None, "--user", help="Only this user's tokens.")) -> None:
    """List API tokens (never the secrets)."""
    from docmill.auth.tokens import list_tokens
    from docmill.auth.users import get_user, list_users

    db = open_database()
    with db.session() as session:
        user_id = None
        if user:
            owner = get_user(session, user)
            if owner is None:
                raise DocmillError(f"user {user!r} does not exist", "see `docmill user list`")
            user_id = owner.id
        names = {u.id: u.username for u in list_users(session)}
        tokens = list_tokens(session, user_id)
    table = Table(title="API tokens")
    for column in ("id", "user", "name", "prefix", "created", "last used", "expires", "state"):
        table.add_column(column)
    for t in tokens:
        table.add_row(
            str(t.id),
            names.get(t.user_id, "?"),
            t.name,
            t.prefix + "…",
            f"{t.created_at:%Y-%m-%d %H:%M}",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never",
            f"{t.expires_at:%Y-%m-%d %H:%M}" if t.expires_at else "never",
            "revoked" if t.revoked_at else ("expired" if _expired(t.expires_at) else "active"),
        )
    console.print(table)


@token_app.command("revoke")
@cli_command
def token_revoke(token_id: int = typer.Argument(..., help="Token id (see `docmill token list`).")) -> None:
    """Revoke an API token; requests with it are refused from now on."""
    from docmill.auth.tokens import revoke_token

    db = open_database()
    with db.transaction() as session:
        row = revoke_token(session, token_id)
        if row is None:
            raise DocmillError(f"there is no API token {token_id}", "see `docmill token list`")
        prefix = row.prefix
    console.print(f"token {token_id} ({prefix}…) revoked", highlight=False)


def _expired(at) -> bool:
    from datetime import UTC, datetime

    return at is not None and at <= datetime.now(UTC)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise DocmillError("no password on standard input", 'pipe it in: echo "$PASSWORD" | docmill user create …')
        return password
    if not sys.stdin.isatty():
        raise DocmillError("no terminal to ask for the password", "pass --password-stdin and pipe the password in")
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


@user_app.command("create")
@cli_command
def user_create(
    username: str = typer.Argument(..., help="Login name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    admin: bool = typer.Option(None, "--admin/--no-admin", help="Admin rights (default: yes for the first user)."),
) -> None:
    """Create a user (asks for the password when run in a terminal)."""
    from docmill.auth.users import count_users, create_user

    password = _read_password(password_stdin)
    db = open_database()
    with db.transaction() as session:
        is_admin = admin if admin is not None else count_users(session) == 0
        user = create_user(session, username, password, is_admin=is_admin)
        name = user.username
    console.print(f"user {name} created" + (" (admin)" if is_admin else ""), highlight=False)


@user_app.command("list")
@cli_command
def user_list() -> None:
    """List users."""
    from docmill.auth.users import list_users

    db = open_database()
    with db.session() as session:
        users = list_users(session)
    table = Table(title="users")
    for column in ("id", "user", "role", "password", "created"):
        table.add_column(column)
    for u in users:
        table.add_row(
            str(u.id),
            u.username,
            "admin" if u.is_admin else "member",
            "set" if u.password_hash else "[red]none: set one[/]",
            f"{u.created_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


@user_app.command("set-password")
@cli_command
def user_set_password(
    username: str = typer.Argument(..., help="Login name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    keep_tokens: bool = typer.Option(False, "--keep-tokens", help="Keep the user's API tokens working."),
) -> None:
    """Set a user's password, end their login sessions and (unless --keep-tokens) revoke their API tokens."""
    from docmill.auth.sessions import end_user_sessions
    from docmill.auth.tokens import revoke_user_tokens
    from docmill.auth.users import get_user, set_password

    password = _read_password(password_stdin)
    db = open_database()
    with db.transaction() as session:
        user = get_user(session, username)
        if user is None:
            raise DocmillError(f"user {username!r} does not exist", "see `docmill user list`")
        set_password(session, user, password)
        end_user_sessions(session, user.id)
        revoked = 0 if keep_tokens else revoke_user_tokens(session, user.id)
    console.print(
        f"password of {username} changed; their login sessions ended; {revoked} API token(s) revoked",
        highlight=False,
    )


@user_app.command("set-role")
@cli_command
def user_set_role(
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Argument(..., help="admin or member."),
) -> None:
    """Make a user an admin or a member (docmill keeps at least one admin)."""
    from docmill.auth.users import get_user, set_role

    if role not in ("admin", "member"):
        raise DocmillError(f"role {role!r} is not known", "use admin or member")
    db = open_database()
    with db.transaction() as session:
        user = get_user(session, username)
        if user is None:
            raise DocmillError(f"user {username!r} does not exist", "see `docmill users list`")
        set_role(session, user, is_admin=role == "admin")
    console.print(f"{username} is now {'an admin' if role == 'admin' else 'a member'}", highlight=False)


@user_app.command("delete")
@cli_command
def user_delete(
    username: str = typer.Argument(..., help="Login name."),
    heir: str = typer.Option(..., "--heir", help="User name who takes over their documents and feeds."),
) -> None:
    """Remove a user; their documents and feeds go to --heir."""
    from docmill.auth.users import delete_user, get_user

    db = open_database()
    with db.transaction() as session:
        user, taker = get_user(session, username), get_user(session, heir)
        if user is None or taker is None:
            missing = username if user is None else heir
            raise DocmillError(f"user {missing!r} does not exist", "see `docmill users list`")
        moved = delete_user(session, user, heir=taker)
    console.print(f"user {username} removed; {moved} document(s) now belong to {heir}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("api")(api)
    app.add_typer(token_app, name="token")
    app.add_typer(user_app, name="user")
    app.add_typer(user_app, name="users", help="docmill users (the same as `docmill user`).")
