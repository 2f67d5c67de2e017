"""A real IMAP server for the tests: Debian's Dovecot, configured in a temp dir, on loopback ports.

- a CA made by the tests signs the server's certificate (for 127.0.0.1 and localhost); a second CA that
  signed nothing the server uses stands for "someone else's CA";
- one listener with implicit TLS (the 993 role) and one plain listener offering STARTTLS (the 143 role);
- it runs as a non-root user (the `dovecot` system user when the tests run as root) with every path in the
  temp dir; users live in a passwd-file that `add_user` appends to, so each test has its own mailbox.
"""

from __future__ import annotations

import datetime as dt
import grp
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DH_PARAMS = Path("/usr/share/dovecot/dh.pem")

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
ssl = yes
ssl_cert = <{root}/server.pem
ssl_key = <{root}/server.key
{ssl_dh}
auth_mechanisms = plain login
auth_failure_delay = 0
disable_plaintext_auth = yes
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {starttls_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {user}
  }}
  unix_listener stats-writer {{
    user = {user}
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_server_cert(
    ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("docmill test IMAP"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


@dataclass
class MailUser:
    username: str
    password: str


class DovecotServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="docmill-test-imap-", dir="/tmp"))
        self.tls_port = free_port()
        self.starttls_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        ca_key, ca_cert = make_ca("docmill test CA")
        self.ca_pem = pem(ca_cert)
        self.other_ca_pem = pem(make_ca("someone else's CA")[1])
        server_key, server_cert = make_server_cert(ca_key, ca_cert)
        (self.root / "server.pem").write_text(pem(server_cert) + self.ca_pem)
        (self.root / "server.key").write_bytes(
            server_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        self.password = uuid.uuid4().hex  # every user's (a static passdb: a new user name is a new mailbox)
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir()

    def _identity(self) -> tuple[str, str, int | None, int | None]:
        """(user, group, uid, gid) to run as: the dovecot system user under root, else whoever we are."""
        if os.geteuid() == 0:
            entry = pwd.getpwnam("dovecot")
            return "dovecot", "dovecot", entry.pw_uid, entry.pw_gid
        entry = pwd.getpwuid(os.geteuid())
        return entry.pw_name, grp.getgrgid(os.getegid()).gr_name, None, None

    def start(self) -> None:
        if not Path(DOVECOT).exists():
            raise RuntimeError(
                "Dovecot is not installed (the mail tests need a real IMAP server): "
                "apt-get install dovecot-imapd, as scripts/setup.sh --dev does from scripts/apt-test.txt"
            )
        user, group, uid, gid = self._identity()
        config = CONFIG.format(
            root=self.root,
            user=user,
            group=group,
            tls_port=self.tls_port,
            starttls_port=self.starttls_port,
            ssl_dh=f"ssl_dh = <{DH_PARAMS}" if DH_PARAMS.exists() else "",
            password=self.password,
        )
        (self.root / "dovecot.conf").write_text(config)
        if uid is not None:
            for path in [self.root, *self.root.rglob("*")]:
                os.chown(path, uid, gid if gid is not None else -1)
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=open(self.root / "stdout.log", "wb"),  # noqa: SIM115 (kept open for the server's life)
            stderr=subprocess.STDOUT,
            user=uid,
            group=gid,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited at start: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.tls_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not listen within 20 s: {self.log()}")

    def log(self) -> str:
        parts = []
        for name in ("stdout.log", "dovecot.log"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)

    def add_user(self) -> MailUser:
        """A new, empty mailbox."""
        return MailUser(f"u{uuid.uuid4().hex[:10]}", self.password)

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self.ca_pem)

    def client(self, user: MailUser) -> IMAPClient:
        """A direct IMAPClient (over TLS) for filling and inspecting a mailbox."""
        client = IMAPClient("127.0.0.1", self.tls_port, ssl=True, ssl_context=self.context(), timeout=20)
        client.login(user.username, user.password)
        return client
