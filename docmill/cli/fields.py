"""`docmill fields list|add|edit|remove|set|show`: custom field definitions and documents' values (the same
service as the API; the command line is the operator's, so it may define fields and set any document's)."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from docmill.audit import log as audit
from docmill.cli.common import cli_command, console
from docmill.db.engine import open_database
from docmill.errors import Invalid, NotFound
from docmill.fields import service
from docmill.fields.filters import UnknownFieldError
from docmill.fields.service import FieldDefinition
from docmill.fields.types import FieldType, accepted_forms
from docmill.models import Document

fields_app = typer.Typer(help="Custom fields: typed values (amount, due date…) on documents.", no_args_is_help=True)


def _shown(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"amount", "currency"}:
        return f"{value['amount']} {value['currency']}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@fields_app.command("list")
@cli_command
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The custom fields, in their order, with what each accepts."""
    db = open_database()
    with db.session() as session:
        rows = [
            {
                "id": f.id,
                "slug": f.slug,
                "name": f.name,
                "type": f.type,
                "options": list(f.options or []),
                "default_currency": f.default_currency,
                "extraction_hint": f.extraction_hint,
                "pattern": f.pattern,
                "accepted": accepted_forms(service.spec_of(f)),
            }
            for f in service.list_fields(session)
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("id", "slug", "name", "type", "details", "accepts")
    for r in rows:
        details = ", ".join(
            part
            for part in (
                "options: " + " | ".join(r["options"]) if r["options"] else "",
                f"currency {r['default_currency']}" if r["default_currency"] else "",
                f"hint: {r['extraction_hint']}" if r["extraction_hint"] else "",
                f"pattern {r['pattern']}" if r["pattern"] else "",
            )
            if part
        )
        table.add_row(str(r["id"]), r["slug"], r["name"], r["type"], details, r["accepted"])
    console.print(table)
    if not rows:
        console.print('no custom fields yet: `docmill fields add "Due date" date`', highlight=False)


def _options(options: str | None) -> list[str] | None:
    return None if options is None else [o for o in (p.strip() for p in options.split(",")) if o]


@fields_app.command("add")
@cli_command
def add(
    name: str = typer.Argument(..., help='The field\'s name, e.g. "Due date".'),
    type_: FieldType = typer.Argument(..., metavar="TYPE", help="text, long_text, integer, decimal, money, date, …"),
    slug: str = typer.Option(None, "--slug", help="Its short name in filters (default: from the name)."),
    options: str = typer.Option(None, "--options", help="A select field's choices, comma-separated."),
    currency: str = typer.Option(None, "--currency", help="A money field's default currency, e.g. KRW."),
    hint: str = typer.Option(None, "--hint", help='What to extract into it, e.g. "the total amount to pay".'),
    pattern: str = typer.Option(
        None, "--pattern", help=r"A regular expression text values match, e.g. '[A-Z]{2}-\d+'."
    ),
) -> None:
    """Define a custom field."""
    db = open_database()
    with db.transaction() as session:
        field = service.create_field(
            session,
            FieldDefinition(
                name=name,
                slug=slug,
                type=type_,
                options=_options(options),
                default_currency=currency,
                extraction_hint=hint,
                pattern=pattern,
            ),
        )
        audit.record(session, None, audit.AuditAction.EDIT, "field", field.id, {"created": field.slug}, username="cli")
        slug_made, type_made = field.slug, field.type
    console.print(f"field {slug_made} ({type_made}) defined", highlight=False)


@fields_app.command("edit")
@cli_command
def edit(
    field: str = typer.Argument(..., help="The field's slug or id."),
    name: str = typer.Option(None, "--name", help="A new name."),
    options: str = typer.Option(None, "--options", help="A select field's new choices, comma-separated."),
    currency: str = typer.Option(None, "--currency", help='A new default currency ("" clears it).'),
    hint: str = typer.Option(None, "--hint", help='A new extraction hint ("" clears it).'),
    pattern: str = typer.Option(None, "--pattern", help='A new pattern ("" clears it).'),
    position: int = typer.Option(None, "--position", min=0, help="Its place in the order."),
) -> None:
    """Change a field's name, options, currency, hint, pattern or position (its slug and type stay)."""
    db = open_database()
    with db.transaction() as session:
        changed = service.update_field(
            session,
            field,
            FieldDefinition(
                name=name,
                options=_options(options),
                default_currency=currency,
                extraction_hint=hint,
                pattern=pattern,
                position=position,
            ),
        )
        audit.record(session, None, audit.AuditAction.EDIT, "field", changed.id, {"changed": True}, username="cli")
        slug = changed.slug
    console.print(f"field {slug} changed", highlight=False)


@fields_app.command("remove")
@cli_command
def remove(
    field: str = typer.Argument(..., help="The field's slug or id."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask: every document's value of it goes too."),
) -> None:
    """Delete a field with every document's value of it."""
    db = open_database()
    with db.transaction() as session:
        row = service.get_field(session, field)
        slug = row.slug
        if not yes:
            typer.confirm(f"delete field {slug} and every document's value of it?", abort=True)
        service.delete_field(session, slug)
        audit.record(session, None, audit.AuditAction.DELETE, "field", row.id, {"slug": slug}, username="cli")
    console.print(f"field {slug} deleted", highlight=False)


def _raw(kind: FieldType, text: str) -> Any:
    """A value as typed on the command line: "" clears; a boolean field reads true/false, a money field a JSON
    object too ({"amount": "12", "currency": "USD"}); everything else goes to the field's parser as text."""
    if text == "":
        return None
    if kind is FieldType.BOOLEAN and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if kind is FieldType.MONEY and text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _document(session: Any, document_id: int) -> None:
    doc = session.get(Document, document_id)
    if doc is None or doc.deleted_at is not None:
        raise NotFound(f"there is no document {document_id}", "find its id with `docmill search WORDS`")


def _show(session: Any, document_id: int, as_json: bool) -> None:
    values = service.document_values(session, document_id)
    if as_json:
        typer.echo(json.dumps({v.slug: v.value for v in values}, ensure_ascii=False))
        return
    table = Table("field", "value", "set by")
    for v in values:
        table.add_row(f"{v.name} ({v.slug})", _shown(v.value), v.source)
    console.print(table)
    if not values:
        console.print(f"document {document_id} has no field values", highlight=False)


@fields_app.command("set")
@cli_command
def set_(
    document_id: int = typer.Argument(..., min=1, help="The document's id."),
    values: list[str] = typer.Argument(..., help='slug=value … (slug= clears; "125000 KRW", 2026-03-14, true).'),
    as_json: bool = typer.Option(False, "--json", help="Print the document's values as JSON."),
) -> None:
    """Set (or clear) a document's field values, all or none."""
    changes: dict[str, Any] = {}
    for pair in values:
        slug, sep, text = pair.partition("=")
        if not sep or not slug:
            raise Invalid(
                f"{pair!r} is not slug=value", "write e.g. amount='125000 KRW' due_date=2026-03-14 (slug= clears)"
            )
        changes[slug.strip()] = text
    db = open_database()
    with db.transaction() as session:
        _document(session, document_id)
        known = {s.slug: s for s in service.specs(session)}
        for slug in changes:
            if slug not in known:
                raise UnknownFieldError(slug, known)
        typed = {slug: _raw(known[slug].type, text) for slug, text in changes.items()}
        made = service.set_values(session, document_id, typed, source="user")
        if made:
            detail = {"fields": {c.slug: {"old": c.old, "new": c.new} for c in made}}
            audit.record(session, None, audit.AuditAction.EDIT, "document", document_id, detail, username="cli")
        if not as_json:
            console.print(f"{len(made)} value{'s' if len(made) != 1 else ''} changed", highlight=False)
        _show(session, document_id, as_json)


@fields_app.command("show")
@cli_command
def show(
    document_id: int = typer.Argument(..., min=1, help="The document's id."),
    as_json: bool = typer.Option(False, "--json", help="Print {slug: value} as JSON."),
) -> None:
    """A document's field values."""
    db = open_database()
    with db.session() as session:
        _document(session, document_id)
        _show(session, document_id, as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(fields_app, name="fields")
