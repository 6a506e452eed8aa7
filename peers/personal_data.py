"""One registry of the parts of a person's record: what the platform holds about them, where.

Every app registers its own part in its AppConfig.ready(), so "Download my data", erasure and
retention walk the same list, and a model with a person field that no part covers fails a test
(tests/peers/test_personal_data_registry.py). peers defines the registry and knows no part
but its own; training and collaboration add theirs.

A part says
- `person_fields`: "app_label.Model.field" fields that say whose record a row is (exported,
  erased or anonymised on erasure);
- `actor_fields`: fields naming who did something to someone else's record (granted, recorded,
  confirmed, reviewed …). They stay, pointing at the anonymised account, which names nobody;
  they are the other person's history and are not exported to the actor;
- `tables`: the export, one `Table` per CSV file, each read in one query (no N+1);
- `erase(user, request=…, now=…)`: removes or anonymises the part and returns what is kept,
  with the rule and until when (`Kept`);
- `retention_kinds` and `expire(kind, rule=…, now=…)`: the kinds of record an administrator
  sets a retention rule for (RetentionRule), and carrying a rule out (the daily task).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from .models import ErasureRequest, RetentionRule, User


_NAME_FIELDS = frozenset({"name", "name_ja", "title", "display_name", "number", "code"})


@dataclass(frozen=True)
class Table:
    """One table of the export: rows of `model` read with `.values(*fields)` in one query.

    `fields` are lookups (`"cohort__name"`); the CSV header of each is the verbose name of the
    field it ends on, in the person's language, unless `labels` names it.
    """

    name: str
    model: type[models.Model]
    fields: tuple[str, ...]
    rows: Callable[[User], models.QuerySet]
    labels: dict[str, Promise | str] = field(default_factory=dict)

    def header(self, lookup: str) -> str:
        if lookup in self.labels:
            return str(self.labels[lookup])
        model = self.model
        parts = lookup.split("__")
        for name in parts[:-1]:
            model = model._meta.get_field(name).related_model
        label = str(model._meta.get_field(parts[-1]).verbose_name)
        if len(parts) == 1:
            return label
        # A related record's name is named by what it is ("course", "organisation"); any other
        # field of it by both ("meeting: starts at").
        if parts[-1] in _NAME_FIELDS:
            return str(model._meta.verbose_name)
        return f"{model._meta.verbose_name}: {label}"

    def choices(self) -> dict[str, dict]:
        """Lookup → {code: label} for fields with choices (the CSV shows labels)."""
        found = {}
        for lookup in self.fields:
            model, parts = self.model, lookup.split("__")
            for name in parts[:-1]:
                model = model._meta.get_field(name).related_model
            model_field = model._meta.get_field(parts[-1])
            if getattr(model_field, "choices", None):
                found[lookup] = dict(model_field.flatchoices)
        return found

    def read(self, user: User) -> list[dict]:
        return [dict(row) for row in self.rows(user).values(*self.fields)]


@dataclass(frozen=True)
class RetentionKind:
    """A kind of record an administrator sets a retention rule for; `anchors` are the moments
    the period may run from (the first is the default); the defaults seed the rule."""

    code: str
    label: Promise | str
    anchors: tuple[str, ...]
    default_period: int
    default_unit: str
    note_ja: str
    note_en: str


@dataclass
class Kept:
    """What erasure kept, why (the rule, in both languages) and until when (None: as the note
    says, e.g. "5 years after it ends")."""

    data: str
    label: Promise | str
    count: int
    reason_ja: str
    reason_en: str
    until: datetime.date | None = None
    kind: str = ""

    def as_json(self) -> dict:
        from django.utils import translation

        labels = {}
        for language in ("ja", "en"):
            with translation.override(language):
                labels[language] = str(self.label)
        return {
            "data": self.data, "label": labels, "count": self.count, "kind": self.kind,
            "reason": {"ja": self.reason_ja, "en": self.reason_en},
            "until": self.until.isoformat() if self.until else None,
        }


class Part:
    """A part of the person's record. Subclass and register an instance."""

    name: str = ""
    label: Promise | str = ""
    person_fields: tuple[str, ...] = ()
    actor_fields: tuple[str, ...] = ()
    retention_kinds: tuple[RetentionKind, ...] = ()

    def tables(self) -> list[Table]:
        return []

    def export(self, user: User) -> dict[str, list[dict]]:
        return {table.name: table.read(user) for table in self.tables()}

    def files(self, user: User) -> list[tuple[str, FieldFile]]:
        """Files the person uploaded, as (name inside the zip, file)."""
        return []

    def erase(self, user: User, *, request: ErasureRequest, now: datetime.datetime) -> list[Kept]:
        return []

    def consent_withdrawn(self, consent_ids: list[int]) -> int:
        """Erase what the part stored under these (withdrawn, expired) consents; return how many."""
        return 0

    def expire(self, kind: str, *, rule: RetentionRule, now: datetime.datetime) -> int:
        """Remove records of `kind` whose retention under `rule` ran out; return how many."""
        raise NotImplementedError(kind)


_parts: dict[str, Part] = {}


def register(part: Part) -> Part:
    if not part.name:
        raise ValueError("A personal-data part needs a name.")
    if part.name in _parts and type(_parts[part.name]) is not type(part):
        raise ValueError(f"Two personal-data parts are named {part.name!r}.")
    _parts[part.name] = part
    return part


def parts() -> list[Part]:
    return list(_parts.values())


def retention_kinds() -> dict[str, tuple[Part, RetentionKind]]:
    return {kind.code: (part, kind) for part in parts() for kind in part.retention_kinds}


def retention_kind_choices() -> list[tuple[str, str]]:
    """Choices of RetentionRule.kind (a callable, so the registry stays the one source)."""
    return [(code, kind.label) for code, (_part, kind) in retention_kinds().items()]


# --- Helpers for parts -------------------------------------------------------------------------


def add_period(start: datetime.date, amount: int, unit: str) -> datetime.date:
    """`start` plus a period in days, months or years (29 February → 28 February)."""
    if isinstance(start, datetime.datetime):
        start = timezone.localdate(start) if timezone.is_aware(start) else start.date()
    if unit == "days":
        return start + datetime.timedelta(days=amount)
    months = amount * 12 if unit == "years" else amount
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return start.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(start)


def subtract_period(end: datetime.date, amount: int, unit: str) -> datetime.date:
    """The latest anchor date whose period has run out by `end` (inverse of add_period)."""
    if unit == "days":
        return end - datetime.timedelta(days=amount)
    return add_period(end, -amount, unit)


def plain(value: Any) -> Any:
    """A value as JSON holds it."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Promise):
        return str(value)
    return value


def kept_for(*, data: str, label, count: int, rule: RetentionRule | None, until=None,
             reason_ja: str = "", reason_en: str = "") -> Kept:
    """A Kept line under `rule` (its note is the reason), or under a fixed reason."""
    return Kept(
        data=data, label=label, count=count, kind=rule.kind if rule else "",
        reason_ja=rule.note_ja if rule else reason_ja,
        reason_en=(rule.note_en or rule.note_ja) if rule else reason_en, until=until,
    )


# Fields pointing at a person that no part covers, each with the reason. Everything else that
# points at the user model must be in a part (tests/peers/test_personal_data_registry.py).
EXCLUDED_FIELDS: dict[str, str] = {
    # Wagtail's editor: pages, revisions, logs and comments are the website's editorial record,
    # written by editors (staff). They stay attributed to the anonymised account, which names
    # nobody after an erasure; an editor's personal data is their account.
    "wagtailcore.Page.owner": "editorial record; attributed to the anonymised account",
    "wagtailcore.Page.locked_by": "editorial state; attributed to the anonymised account",
    "wagtailcore.Revision.user": "editorial record; attributed to the anonymised account",
    "wagtailcore.PageLogEntry.user": "editorial log; attributed to the anonymised account",
    "wagtailcore.ModelLogEntry.user": "editorial log; attributed to the anonymised account",
    "wagtailcore.Comment.user": "editors' comments on drafts; attributed to the anonymised account",
    "wagtailcore.Comment.resolved_by": "editorial state; attributed to the anonymised account",
    "wagtailcore.CommentReply.user": "editors' comments on drafts; attributed to the anonymised account",
    "wagtailcore.WorkflowState.requested_by": "editorial workflow; attributed to the anonymised account",
    "wagtailcore.TaskState.finished_by": "editorial workflow; attributed to the anonymised account",
    "wagtaildocs.Document.uploaded_by_user": "website documents belong to the site, not the uploader",
    "wagtailimages.Image.uploaded_by_user": "website images belong to the site, not the uploader",
    "wagtailcore.UploadedFile.uploaded_by_user": "a temporary upload of the editor, attached to site media",
    # Django's admin log: what administrators did, the platform's accountability record.
    "admin.LogEntry.user": "administrators' action log; attributed to the anonymised account",
}
