"""Reads about consent and the person's own data (the download of everything we hold)."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import Consent, ErasureRequest, SensitiveAccess, User
from ..personal_data import Part, Table, parts, plain
from .accounts import user_is_admin


def consent_list_for(person: User) -> QuerySet[Consent]:
    return Consent.objects.filter(person=person).select_related("recorded_by")


def consent_get_own(person: User, pk) -> Consent:
    try:
        return consent_list_for(person).get(pk=pk)
    except (Consent.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing


def erasure_request_list_for(user) -> QuerySet[ErasureRequest]:
    """Open and past erasure requests: administrators see all, a person their own."""
    qs = ErasureRequest.objects.select_related("person", "completed_by")
    return qs.all() if user_is_admin(user) else qs.filter(person=user)


def erasure_request_get_for(user, pk) -> ErasureRequest:
    try:
        return erasure_request_list_for(user).get(pk=pk)
    except (ErasureRequest.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing


def erased_people() -> QuerySet[User]:
    """Accounts whose erasure was carried out (anonymised; what a rule keeps points at them)."""
    return User.objects.filter(erasure_requests__status=ErasureRequest.Status.COMPLETED)


def kept_for_display(kept: list[dict], language: str | None = None) -> list[dict]:
    """An erasure's kept list with the reason in the reader's language."""
    language = language or translation.get_language() or "ja"
    english = language.startswith("en")
    items = []
    for item in kept:
        reason = item.get("reason") or {}
        if isinstance(reason, str):  # erasures before the registry kept one English sentence
            text = reason
        else:
            text = (reason.get("en") if english else "") or reason.get("ja") or reason.get("en") or ""
        until = item.get("until")
        label = item.get("label") or item.get("data")
        if isinstance(label, dict):
            label = (label.get("en") if english else "") or label.get("ja") or label.get("en")
        items.append({
            "label": label, "count": item.get("count", 0),
            "reason": text, "until": datetime.date.fromisoformat(until) if until else None,
        })
    return items


def sensitive_access_record(*, viewer, person_ids, category: str, context: str) -> None:
    """Log, for each person, that `viewer` (someone else) read their sensitive `category`, in
    one insert. Every app's selectors that show sensitive data call this."""
    rows = [
        SensitiveAccess(person_id=person_id, accessor=viewer, category=category, context=context[:100])
        for person_id in dict.fromkeys(person_ids) if person_id != viewer.pk
    ]
    if rows:
        SensitiveAccess.objects.bulk_create(rows)


def personal_data_tables(person: User) -> list[tuple[Part, Table, list[dict]]]:
    """Every table of every registered part, read for the person: one query per table."""
    return [(part, table, table.read(person)) for part in parts() for table in part.tables()]


def personal_data_for(person: User) -> dict:
    """Everything the platform holds about the person, for them to download: table → rows,
    values as JSON holds them (codes, ISO dates)."""
    return {
        table.name: [{key: plain(value) for key, value in row.items()} for row in rows]
        for _part, table, rows in personal_data_tables(person)
    }


def personal_data_json(person: User) -> dict:
    tables = personal_data_tables(person)
    return {
        "exported_at": timezone.now().isoformat(),
        "parts": {
            part.name: {"label": str(part.label)} for part in parts()
        },
        "tables": {
            table.name: {
                "part": part.name,
                "columns": {lookup: table.header(lookup) for lookup in table.fields},
                "rows": [{key: plain(value) for key, value in row.items()} for row in rows],
            }
            for part, table, rows in tables
        },
    }


def _csv_value(value, choices: dict | None) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(choices.get(v, v) if choices else v) for v in value)
    if choices is not None and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value.isoformat()
    return str(plain(value))


def personal_data_zip(person: User) -> bytes:
    """A zip of CSV files, one per table, UTF-8 with a BOM (so Excel in Japan opens them), with
    headers in the active language, and the files the person uploaded (evidence)."""
    from ..models import DataCategory

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for _part, table, rows in personal_data_tables(person):
            choices = table.choices()
            if "data_categories" in table.fields:
                choices["data_categories"] = dict(DataCategory.choices)
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow([table.header(lookup) for lookup in table.fields])
            for row in rows:
                writer.writerow([_csv_value(row[lookup], choices.get(lookup)) for lookup in table.fields])
            archive.writestr(f"{table.name}.csv", "\ufeff" + text.getvalue())
        for part in parts():
            for arcname, fieldfile in part.files(person):
                try:
                    with fieldfile.open("rb") as handle:
                        archive.writestr(arcname, handle.read())
                except (FileNotFoundError, OSError):
                    continue  # the row is in its CSV; a file missing from storage is not fatal
    return buffer.getvalue()
