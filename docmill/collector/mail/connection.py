"""A safe IMAP connection: the collector's address rules, TLS or STARTTLS, a custom CA, clear errors.

The host is resolved and every address it resolves to is checked against the collector's policy (private,
loopback and link-local addresses are refused unless DOCMILL_COLLECTOR_ALLOW_PRIVATE or
DOCMILL_COLLECTOR_ALLOW_NETWORKS allow them) before any connection; the socket then goes to the address
that was checked, while the certificate is verified against the host name. Each failure becomes one
MailConnectionError whose kind names the step: dns, refused, timeout, tls, auth, folder_missing,
blocked, protocol.
"""

from __future__ import annotations

import imaplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient import imap4 as imapclient_imap4
from imapclient import tls as imapclient_tls
from imapclient.exceptions import LoginError

from docmill.collector.fetch import AddressPolicy, BlockedAddressError, Resolver, system_resolver
from docmill.collector.mail.types import (
    InvalidMailSettings,
    MailConnectionError,
    MailErrorKind,
    Security,
)
from docmill.config import Settings


@dataclass(frozen=True)
class ConnectionSpec:
    name: str  # the account's name, for messages
    host: str
    port: int
    security: Security
    username: str
    password: str
    ca_cert: str | None = None


def ssl_context(ca_cert: str | None) -> ssl.SSLContext:
    """The system's trust store, plus the account's own CA (or self-signed certificate) when it has one."""
    context = ssl.create_default_context(purpose=ssl.Purpose.SERVER_AUTH)
    if ca_cert and ca_cert.strip():
        try:
            context.load_verify_locations(cadata=ca_cert)
        except (ssl.SSLError, ValueError) as exc:
            raise InvalidMailSettings(
                f"the custom CA certificate is not a readable PEM certificate ({exc})",
                "paste the CA's certificate (or the server's self-signed one) in PEM form, "
                "from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----",
                code="mail_invalid_ca",
            ) from None
    return context


class _PinnedTLS(imapclient_tls.IMAP4_TLS):
    """imapclient's implicit-TLS connection, opened to an address that was checked, verified as `host`."""

    def __init__(self, host: str, address: str, port: int, context: ssl.SSLContext, timeout: float | None) -> None:
        self._address = address
        super().__init__(host, port, context, timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        sock = socket.create_connection((self._address, self.port), timeout=timeout or self._timeout)
        return imapclient_tls.wrap_socket(sock, self.ssl_context, self.host)


class _PinnedPlain(imapclient_imap4.IMAP4WithTimeout):
    """imapclient's plain connection (upgraded with STARTTLS right away), to an address that was checked."""

    def __init__(self, host: str, address: str, port: int, timeout: float | None) -> None:
        self._address = address
        super().__init__(host, port, timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return socket.create_connection((self._address, self.port), timeout or self._timeout)


class PinnedIMAPClient(IMAPClient):
    """IMAPClient that connects to one given address (the host name is still used for TLS)."""

    def __init__(self, spec: ConnectionSpec, address: str, context: ssl.SSLContext, timeout: float) -> None:
        self._pinned_address = address
        self._pinned_context = context
        super().__init__(spec.host, spec.port, ssl=spec.security == Security.TLS, ssl_context=context, timeout=timeout)

    def _create_IMAP4(self) -> imaplib.IMAP4:
        connect_timeout = getattr(self._timeout, "connect", None)
        if self.ssl:
            return _PinnedTLS(self.host, self._pinned_address, self.port, self._pinned_context, connect_timeout)
        return _PinnedPlain(self.host, self._pinned_address, self.port, connect_timeout)


def _where(spec: ConnectionSpec) -> str:
    return f"{spec.host}:{spec.port}"


def _resolve(spec: ConnectionSpec, settings: Settings, resolver: Resolver) -> list[str]:
    try:
        addresses = list(resolver(spec.host, spec.port))
    except (OSError, UnicodeError) as exc:
        raise MailConnectionError(
            MailErrorKind.DNS,
            f"cannot resolve the mail host {spec.host!r} ({exc})",
            "check the host name (for example imap.example.com) and this machine's DNS",
        ) from None
    if not addresses:
        raise MailConnectionError(MailErrorKind.DNS, f"the mail host {spec.host!r} has no addresses", "check the name")
    policy = AddressPolicy.from_settings(settings)
    for address in addresses:  # every address first: none may be a forbidden one
        try:
            policy.check(spec.host, address)
        except BlockedAddressError as exc:
            raise MailConnectionError(
                MailErrorKind.BLOCKED,
                exc.message,
                "if this mail server really is on your own network, set DOCMILL_COLLECTOR_ALLOW_PRIVATE=true or "
                "add its network to DOCMILL_COLLECTOR_ALLOW_NETWORKS",
            ) from None
    return addresses


def _connect_error(spec: ConnectionSpec, exc: BaseException, timeout: float) -> MailConnectionError:
    where = _where(spec)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailConnectionError(
            MailErrorKind.TLS,
            f"the TLS certificate of {where} is not trusted ({exc.verify_message or exc.reason})",
            "if the server uses its own CA or a self-signed certificate, add it as the account's custom CA; "
            "check that the host name matches the certificate",
        )
    if isinstance(exc, ssl.SSLError):
        hint = "check the port and the security setting: TLS is usually port 993, STARTTLS port 143"
        return MailConnectionError(MailErrorKind.TLS, f"the TLS handshake with {where} failed ({exc})", hint)
    if isinstance(exc, TimeoutError | socket.timeout):
        return MailConnectionError(
            MailErrorKind.TIMEOUT,
            f"{where} did not answer within {timeout:g} s",
            "check the host and port, and that a firewall lets this machine reach it (DOCMILL_MAIL_TIMEOUT)",
        )
    if isinstance(exc, ConnectionRefusedError):
        return MailConnectionError(
            MailErrorKind.REFUSED,
            f"{where} refused the connection",
            "check the port (993 for TLS, 143 for STARTTLS) and that the IMAP server is running",
        )
    if isinstance(exc, OSError):
        return MailConnectionError(
            MailErrorKind.REFUSED, f"cannot connect to {where} ({exc.strerror or exc})", "check the host and port"
        )
    return MailConnectionError(
        MailErrorKind.PROTOCOL,
        f"{where} answered in an unexpected way ({type(exc).__name__}: {exc})",
        "check that this is an IMAP server and that the security setting matches the port",
    )


def _login_error(spec: ConnectionSpec, exc: BaseException) -> MailConnectionError:
    detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
    return MailConnectionError(
        MailErrorKind.AUTH,
        f"{_where(spec)} refused the login of {spec.username!r} ({detail})",
        "check the user name and password; providers with two-factor sign-in need an app password",
    )


def _open(spec: ConnectionSpec, address: str, context: ssl.SSLContext, timeout: float) -> IMAPClient:
    client = PinnedIMAPClient(spec, address, context, timeout)
    try:
        if spec.security == Security.STARTTLS:
            if not client.has_capability("STARTTLS"):
                raise MailConnectionError(
                    MailErrorKind.TLS,
                    f"{_where(spec)} does not offer STARTTLS; docmill never sends a password unencrypted",
                    "use TLS (usually port 993) if the server offers it",
                )
            client.starttls(context)
        client.login(spec.username, spec.password)
    except BaseException:
        client.shutdown()
        raise
    return client


def connect(spec: ConnectionSpec, settings: Settings, *, resolver: Resolver = system_resolver) -> IMAPClient:
    """A logged-in IMAPClient for the account; MailConnectionError (with its kind) when that fails."""
    context = ssl_context(spec.ca_cert)
    timeout = settings.mail_timeout
    error: MailConnectionError | None = None
    for address in _resolve(spec, settings, resolver):
        try:
            return _open(spec, address, context, timeout)
        except MailConnectionError:
            raise
        except LoginError as exc:
            raise _login_error(spec, exc) from None
        except imaplib.IMAP4.error as exc:
            if "AUTHENTICATIONFAILED" in str(exc).upper():
                raise _login_error(spec, exc) from None
            error = _connect_error(spec, exc, timeout)
        except (OSError, EOFError) as exc:
            error = _connect_error(spec, exc, timeout)
    assert error is not None
    raise error


@contextmanager
def mailbox(spec: ConnectionSpec, settings: Settings, *, resolver: Resolver = system_resolver) -> Iterator[IMAPClient]:
    """`connect`, then log out (or drop the connection) at the end."""
    client = connect(spec, settings, resolver=resolver)
    try:
        yield client
    finally:
        try:
            client.logout()
        except Exception:
            with suppress(Exception):
                client.shutdown()


def folder_missing(spec: ConnectionSpec, folder: str, existing: list[str]) -> MailConnectionError:
    shown = ", ".join(existing[:30]) + (" …" if len(existing) > 30 else "")
    return MailConnectionError(
        MailErrorKind.FOLDER_MISSING,
        f"the folder {folder!r} does not exist in {spec.username}@{spec.host}",
        f"use one of the folders the server lists ({shown}) or create it in your mail program",
    )


def protocol_error(spec: ConnectionSpec, what: str, exc: BaseException) -> MailConnectionError:
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, TimeoutError | socket.timeout):
        return MailConnectionError(
            MailErrorKind.TIMEOUT,
            f"{_where(spec)} stopped answering while {what}",
            "the next poll tries again (DOCMILL_MAIL_TIMEOUT sets the limit)",
        )
    return MailConnectionError(
        MailErrorKind.PROTOCOL, f"{_where(spec)} failed while {what} ({detail})", "the next poll tries again"
    )


def list_folder_names(client: IMAPClient) -> list[str]:
    return [str(name) for _flags, _delimiter, name in client.list_folders()]
