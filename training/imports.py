"""Import a body's existing register (people, completions, certifications with their dates)
from CSV or Excel: a dry run first, errors per row and column in Japanese and English, and
all-or-nothing: one bad row and nothing is written.

Columns (first row; English names): email, display_name, name_kana, course, completed_on,
completion_number, credential_type, certification_number, issued_on, valid_until.
A certification number without a check code (PSS-2025-0153) is given one; the register
then shows the full number to print on new certificates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peers.errors import both_languages, field_errors
from peers.models import User
from peers.services import audit_record, person_create
from peers.spreadsheets import read_date, read_table

from .models import Completion, Course, CredentialType, TrainingBody
from .services import certification_issue, completion_issue

COLUMNS = [
    "email", "display_name", "name_kana", "course", "completed_on", "completion_number",
    "credential_type", "certification_number", "issued_on", "valid_until",
]
REQUIRED = ["email", "display_name"]


@dataclass
class ImportResult:
    dry_run: bool
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    created_people: int = 0
    completions: int = 0
    certifications: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _read(filename: str, content: bytes) -> list[dict]:
    header, rows = read_table(filename, content)
    return [{header[i]: v for i, v in enumerate(row) if i < len(header)} for row in rows]


def register_import(*, body: TrainingBody, actor: User, filename: str, content: bytes, dry_run: bool) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    try:
        rows = _read(filename, content)
    except ValidationError as error:  # unreadable, empty or too long: the reader says which
        first = error.error_list[0]
        result.errors.append({"row": 0, "column": "", "message": both_languages(first)})
        return result
    if rows:
        missing = [c for c in REQUIRED if c not in rows[0]]
        if missing:
            result.errors.append({"row": 1, "column": ", ".join(missing),
                                  "message": both_languages(_("These columns are missing: %(columns)s"), columns=", ".join(missing))})
            return result
    courses = {c.title: c for c in Course.objects.filter(body=body)}
    ctypes = {c.name: c for c in CredentialType.objects.filter(body=body)}
    with transaction.atomic():
        for index, row in enumerate(rows, start=2):
            result.rows += 1
            _import_row(body, actor, row, index, courses, ctypes, result)
        if result.ok and not dry_run:
            audit_record(actor=actor, action="register.import", target=body,
                         data={"rows": result.rows, "certifications": len(result.certifications)})
        else:
            transaction.set_rollback(True)
    return result


def _import_row(body, actor, row, index, courses, ctypes, result: ImportResult) -> None:
    def error(column, message, **params):
        result.errors.append({"row": index, "column": column, "message": both_languages(message, **params)})

    def cell(name) -> str:
        return str(row.get(name, "") or "").strip()

    email = cell("email").lower()
    try:
        validate_email(email)
    except ValidationError:
        error("email", _("Enter a valid email address."))
        return
    if not cell("display_name"):
        error("display_name", _("The name is required."))
    dates = {}
    for column in ("completed_on", "issued_on", "valid_until"):
        try:
            dates[column] = read_date(row.get(column))
        except ValidationError as refused:
            error(column, refused)
            return
    course = None
    if cell("course"):
        course = courses.get(cell("course"))
        if course is None:
            error("course", _("No course of this body is called “%(name)s”."), name=cell("course"))
        elif dates["completed_on"] is None:
            error("completed_on", _("A completion needs its date."))
    ctype = None
    if cell("credential_type"):
        ctype = ctypes.get(cell("credential_type"))
        if ctype is None:
            error("credential_type", _("No credential type of this body is called “%(name)s”."), name=cell("credential_type"))
        if not cell("certification_number"):
            error("certification_number", _("A certification needs its number."))
        if dates["issued_on"] is None:
            error("issued_on", _("A certification needs its issue date."))
        if ctype is not None and ctype.expires and dates["valid_until"] is None:
            error("valid_until", _("This credential expires: give its valid-until date."))
    if any(e["row"] == index for e in result.errors):
        return

    person = User.objects.filter(email__iexact=email).first()
    if person is None:
        person, errors = _attempt(person_create, actor=actor, email=email, display_name=cell("display_name"),
                                  name_kana=cell("name_kana"), via="training register import")
        if errors:
            _add_service_errors(result, index, errors, column_for={})
            return
        result.created_people += 1
    if course is not None:
        number = cell("completion_number")
        if number and Completion.objects.filter(body=body, number=number).exists():
            error("completion_number", _("This completion number is already in the register."))
            return
        _done, errors = _attempt(completion_issue, person=person, course=course,
                                 completed_on=dates["completed_on"], actor=actor, number=number, notify=False)
        if errors:
            _add_service_errors(result, index, errors, column_for={"number": "completion_number"})
            return
        result.completions += 1
    if ctype is not None:
        certification, errors = _attempt(
            certification_issue, credential_type=ctype, holder=person, actor=actor,
            issued_on=dates["issued_on"], imported_number=cell("certification_number"),
            valid_until=dates["valid_until"], notify=False,
        )
        if errors:
            _add_service_errors(result, index, errors, column_for={"number": "certification_number"})
            return
        result.certifications.append(certification.number)


def _attempt(service, **kwargs):
    """Run a service in a savepoint: (result, None), or (None, its refusal in both languages)."""
    try:
        with transaction.atomic():
            return service(**kwargs), None
    except ValidationError as refusal:
        return None, field_errors(refusal)


def _add_service_errors(result, index, errors, *, column_for) -> None:
    for field_name, messages in errors.items():
        column = column_for.get(field_name, "" if field_name is None else field_name)
        for message in messages:
            result.errors.append({"row": index, "column": column, "message": message})


def template_csv() -> str:
    return ",".join(COLUMNS) + "\n"


