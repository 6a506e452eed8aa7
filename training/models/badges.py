"""Open Badges 3.0 credentials issued for certifications (one per cycle) and completions."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .applications import Completion
from .certifications import Certification

# Each status list has this many entries (the Bitstring Status List's minimum for privacy: an
# index, drawn at random, says nothing about whom it belongs to).
STATUS_LIST_SIZE = 131_072


def _salt() -> str:
    return secrets.token_hex(16)


class BadgeCredential(models.Model):
    """The stable parts of one verifiable credential: its id, its status index and the salt of
    the holder's email hash. The signed document is built from these and the record each time
    it is asked for, so it always names the holder only as they currently allow.

    A credential whose record is deleted (retention) is revoked in the status list."""

    class Kind(models.TextChoices):
        CERTIFICATION = "certification", _("Certification")
        COMPLETION = "completion", _("Completion")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    certification = models.ForeignKey(
        Certification, on_delete=models.SET_NULL, null=True, blank=True, related_name="badge_credentials",
        verbose_name=_("certification"),
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), null=True, blank=True)
    completion = models.OneToOneField(
        Completion, on_delete=models.SET_NULL, null=True, blank=True, related_name="badge_credential",
        verbose_name=_("completion"),
    )
    status_list = models.PositiveIntegerField(_("status list"), default=1)
    status_index = models.PositiveIntegerField(_("status list index"))
    salt = models.CharField(max_length=32, default=_salt, editable=False)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        verbose_name = _("digital credential")
        verbose_name_plural = _("digital credentials")
        constraints = [
            models.UniqueConstraint(fields=["status_list", "status_index"], name="badge_status_index_unique"),
            models.UniqueConstraint(fields=["certification", "cycle"], condition=Q(certification__isnull=False),
                                    name="badge_certification_cycle_unique"),
            models.CheckConstraint(name="badge_status_index_range",
                                   condition=Q(status_index__lt=STATUS_LIST_SIZE)),
            models.CheckConstraint(name="badge_one_record", condition=~(
                Q(certification__isnull=False) & Q(completion__isnull=False))),
        ]

    def __str__(self) -> str:
        return f"urn:uuid:{self.uuid}"
