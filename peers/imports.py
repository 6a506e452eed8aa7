"""Import and export organisations and people-with-engagements as CSV or Excel.

A run checks every row with the same services the pages use, inside one transaction; the
transaction is rolled back for a dry run or when any row has an error, so nothing is saved
unless every row is valid. Each row's outcome and errors (row, column, message in Japanese and
English) are reported.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .errors import both_languages, field_errors
from .models import (
    Activity,
    Engagement,
    Organisation,
    OrganisationKind,
    Prefecture,
    Role,
    RoleAssignment,
    User,
)
from .selectors import organisation_list_managed_by, user_is_admin
from .selectors.workforce import engagement_list_for
from .services import person_create
from .services.workforce import engagement_start, organisation_create, organisation_update
from .spreadsheets import read_date, read_table

MAX_ROWS = 5000
# Rows checked between two progress reports on the import page.
CHUNK_ROWS = 250

ORGANISATION_COLUMNS = [
    "name", "kind", "prefecture", "municipality", "corporation", "contact_email", "contact_phone",
]
PEOPLE_COLUMNS = [
    "email", "display_name", "name_kana", "role", "organisation", "organisation_prefecture",
    "kind", "job_title", "activities", "start_date", "end_date", "honorarium_rate",
    "honorarium_unit", "weekly_hours", "full_time_weekly_hours", "on_leave",
]
REQUIRED = {
    "organisations": ["name", "prefecture"],
    "people": ["email", "display_name", "organisation", "organisation_prefecture", "kind", "start_date"],
}


class RowError(Exception):
    def __init__(self, column: str | None, message):
        self.column = column
        self.message = message


# --- Reading files --------------------------------------------------------------------------


def read_rows(upload) -> tuple[list[str], list[list]]:
    """Header and rows from a CSV (UTF-8, or Shift_JIS as Excel saves it) or .xlsx file."""
    return read_table(getattr(upload, "name", "") or "", upload.read(), max_rows=MAX_ROWS)


# --- Parsing values -------------------------------------------------------------------------


def _date(record, column, required=False):
    value = record.get(column, "")
    if isinstance(value, datetime.date):
        return value
    if not value:
        if required:
            raise RowError(column, _("This column is required."))
        return None
    try:
        return read_date(value)
    except ValidationError as error:
        raise RowError(column, error) from error


def _number(record, column, parse, refused: type[Exception], message):
    """The column's value read by `parse` (None when blank); a value it refuses is `message`."""
    value = record.get(column, "")
    if value == "":
        return None
    try:
        return parse(str(value))
    except refused as error:
        raise RowError(column, message) from error


def _decimal(record, column):
    return _number(record, column, Decimal, InvalidOperation, _("Write a number."))


def _int(record, column):
    return _number(record, column, int, ValueError, _("Write a whole number."))


class Lookups:
    """What rows of one file look up again and again (prefectures, vocabularies, the actor's
    organisations), read once per import instead of once per row."""

    def __init__(self, actor: User):
        self.actor = actor
        self.prefectures = {p.code: p for p in Prefecture.objects.all()}
        self.activities = {a.code: a for a in Activity.objects.all()}
        self.kinds = {k.code: k for k in OrganisationKind.objects.all()}
        self._organisations: dict[tuple[str, str], list[Organisation]] = {}
        self._managed: set[int] | None = None

    def organisations(self, name: str, prefecture: Prefecture) -> list[Organisation]:
        key = (name, prefecture.code)
        if key not in self._organisations:
            self._organisations[key] = list(
                Organisation.objects.filter(name=name, prefecture=prefecture)[:2]
            )
        return self._organisations[key]

    def manages(self, organisation: Organisation) -> bool:
        if self._managed is None:
            self._managed = set(organisation_list_managed_by(self.actor).values_list("pk", flat=True))
        return organisation.pk in self._managed


def _prefecture(record, column, lookups: Lookups):
    code = str(record.get(column, "")).zfill(2)
    prefecture = lookups.prefectures.get(code)
    if prefecture is None:
        raise RowError(column, _("Unknown prefecture code (use the JIS code, 01 to 47)."))
    return prefecture


def _kind(record, lookups: Lookups, column="kind"):
    code = record.get(column, "")
    if not code:
        return None
    kind = lookups.kinds.get(code)
    if kind is None:
        raise RowError(column, _("Unknown organisation kind code."))
    return kind


# --- Rows -----------------------------------------------------------------------------------


def _organisation_row(actor, record, lookups: Lookups) -> tuple[str, str]:
    prefecture = _prefecture(record, "prefecture", lookups)
    values = {
        "name": record["name"], "kind": _kind(record, lookups), "prefecture": prefecture,
        **{k: record.get(k, "") for k in ("municipality", "corporation", "contact_email", "contact_phone")},
    }
    existing = Organisation.objects.filter(name=record["name"], prefecture=prefecture).first()
    if existing:
        organisation_update(actor=actor, organisation=existing, **values)
        return "update", existing.name
    if not user_is_admin(actor):
        raise PermissionDenied(_("Only an administrator can add organisations."))
    created = organisation_create(actor=actor, **values)
    return "create", created.name


def _person(actor, record) -> tuple[User, bool]:
    email = record["email"].strip().lower()
    person = User.objects.filter(email__iexact=email).first()
    if person is not None:
        return person, False
    role = record.get("role") or Role.PEER
    if role not in (Role.PEER, Role.PROFESSIONAL):
        raise RowError("role", _("Role must be peer or professional."))
    person = person_create(actor=actor, email=email, display_name=record["display_name"],
                           name_kana=record.get("name_kana", ""), role=role, via="people import")
    return person, True


def _people_row(actor, record, lookups: Lookups) -> tuple[str, str]:
    prefecture = _prefecture(record, "organisation_prefecture", lookups)
    organisations = lookups.organisations(record["organisation"], prefecture)
    if len(organisations) != 1:
        raise RowError("organisation", _("No single organisation has this name in this prefecture."))
    organisation = organisations[0]
    if not lookups.manages(organisation):
        raise RowError("organisation", _("You can only import people into your own organisations."))
    kind = record["kind"]
    if kind not in Engagement.Kind.values:
        raise RowError("kind", _("Kind must be volunteer, honorarium or employed."))
    codes = [c.strip() for c in str(record.get("activities", "")).split(";") if c.strip()]
    activities = [lookups.activities[c] for c in dict.fromkeys(codes) if c in lookups.activities]
    if len(activities) != len(set(codes)):
        raise RowError("activities", _("Unknown activity code."))
    start_date = _date(record, "start_date", required=True)
    person, created = _person(actor, record)
    if Engagement.objects.filter(person=person, organisation=organisation, kind=kind,
                                 start_date=start_date).exists():
        return "unchanged", f"{person.email} · {organisation.name}"
    engagement_start(
        actor=actor, person=person, organisation=organisation, kind=kind, start_date=start_date,
        end_date=_date(record, "end_date"), job_title=record.get("job_title", ""),
        activities=activities, honorarium_rate=_int(record, "honorarium_rate"),
        honorarium_unit=record.get("honorarium_unit", ""), weekly_hours=_decimal(record, "weekly_hours"),
        full_time_weekly_hours=_decimal(record, "full_time_weekly_hours"),
        on_leave=str(record.get("on_leave", "")).lower() in ("1", "true", "yes", "はい"),
    )
    return "create", f"{person.email} · {organisation.name}"


ROW_HANDLERS = {"organisations": _organisation_row, "people": _people_row}
COLUMNS = {"organisations": ORGANISATION_COLUMNS, "people": PEOPLE_COLUMNS}
# Model field names that a column of another name stands for.
FIELD_COLUMNS = {"person": "email", "prefecture": "prefecture"}


def _error(row: int, column: str | None, message) -> dict:
    return {"row": row, "column": column or "", **both_languages(message)}


def import_steps(*, actor: User, shape: str, upload, apply: bool, chunk: int | None = None):
    """The import as it goes: yields `(rows checked, total rows)` before the first row and after
    every `chunk` rows, then the result dict (see `import_file`) as the last item. The file and
    columns are checked on the first step, so a bad file raises before any progress is shown.
    Stopping early (a closed connection) rolls everything back."""
    if shape not in ROW_HANDLERS:
        raise ValidationError(_("Unknown file shape."))
    if not (user_is_admin(actor) or organisation_list_managed_by(actor).exists()):
        raise PermissionDenied(_("You cannot import records."))
    header, rows = read_rows(upload)
    missing = [c for c in REQUIRED[shape] if c not in header]
    if missing:
        raise ValidationError(
            _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)}
        )
    chunk = chunk or CHUNK_ROWS
    total = len(rows)
    yield (0, total)
    handler = ROW_HANDLERS[shape]
    lookups = Lookups(actor)
    results = []
    with transaction.atomic():
        for number, row in enumerate(rows, start=2):  # row 1 is the header
            record = {h: (row[i] if i < len(row) else "") for i, h in enumerate(header)}
            errors = []
            for column in REQUIRED[shape]:
                if record.get(column) in ("", None):
                    errors.append(_error(number, column, _("This column is required.")))
            outcome, summary = "error", ""
            if not errors:
                try:
                    with transaction.atomic():
                        outcome, summary = handler(actor, record, lookups)
                except RowError as error:
                    errors.append(_error(number, error.column, error.message))
                except PermissionDenied as error:
                    errors.append(_error(number, "organisation", error.args[0] if error.args else ""))
                except ValidationError as error:
                    for field, messages in field_errors(error).items():
                        column = FIELD_COLUMNS.get(field, field) if field else None
                        for message in messages:
                            errors.append({"row": number, "column": column or "", **message})
            results.append({"row": number, "outcome": "error" if errors else outcome,
                            "summary": summary, "errors": errors})
            if len(results) % chunk == 0 and len(results) < total:
                yield (len(results), total)
        valid = all(not r["errors"] for r in results)
        applied = apply and valid
        if not applied:
            transaction.set_rollback(True)
    yield (total, total)
    counts: dict[str, int] = {}
    for r in results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    yield {"shape": shape, "rows": results, "valid": valid, "applied": applied, "counts": counts}


def import_file(*, actor: User, shape: str, upload, apply: bool) -> dict:
    """Check (and with apply=True, save) every row. Returns each row's outcome and errors."""
    *_progress, result = import_steps(actor=actor, shape=shape, upload=upload, apply=apply)
    return result


# --- Export ---------------------------------------------------------------------------------


def export_rows(*, actor: User, shape: str) -> list[list]:
    """The same shapes the import reads: organisations the actor manages, or their people."""
    organisations = organisation_list_managed_by(actor).select_related("kind", "prefecture")
    if shape == "organisations":
        rows = [ORGANISATION_COLUMNS]
        for o in organisations.order_by("name", "id").iterator(chunk_size=500):
            rows.append([o.name, o.kind.code if o.kind else "", o.prefecture_id, o.municipality,
                         o.corporation, o.contact_email, o.contact_phone])
        return rows
    rows = [PEOPLE_COLUMNS]
    engagements = engagement_list_for(actor).filter(organisation__in=organisations).order_by("id")
    professionals = set(
        RoleAssignment.objects.filter(
            role=Role.PROFESSIONAL, user__engagements__in=engagements
        ).values_list("user_id", flat=True)
    )
    for e in engagements:
        role = Role.PROFESSIONAL if e.person_id in professionals else Role.PEER
        rows.append([
            e.person.email, e.person.display_name, e.person.name_kana, role.value,
            e.organisation.name, e.organisation.prefecture_id, e.kind, e.job_title,
            ";".join(a.code for a in e.activities.all()), e.start_date.isoformat(),
            e.end_date.isoformat() if e.end_date else "", e.honorarium_rate or "",
            e.honorarium_unit, e.weekly_hours if e.weekly_hours is not None else "",
            e.full_time_weekly_hours if e.full_time_weekly_hours is not None else "",
            "yes" if e.on_leave else "",
        ])
    return rows
