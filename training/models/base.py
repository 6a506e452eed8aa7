"""What the training models share: append-only history rows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyModel(models.Model):
    """A history row: written once, never edited or deleted (the status history is evidence)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("History is append-only and cannot be edited."))
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("History is append-only and cannot be deleted."))
