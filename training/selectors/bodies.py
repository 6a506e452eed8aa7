"""Training bodies and the staff scope: which bodies a person works for."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from peers.selectors import organisation_list_for_trainer, user_is_admin

from ..models import (
    TrainingBody,
)


def training_body_list_for(user) -> QuerySet[TrainingBody]:
    """Bodies whose records this user runs as training-body staff (every body for an admin)."""
    qs = TrainingBody.objects.select_related("organisation__prefecture")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user_is_admin(user):
        return qs.all()
    return qs.filter(organisation__in=organisation_list_for_trainer(user))


def training_body_get_for(user, pk) -> TrainingBody:
    body = training_body_list_for(user).filter(pk=pk).first()
    if body is None:
        raise Http404
    return body


def user_is_trainer_of(user, body: TrainingBody) -> bool:
    return training_body_list_for(user).filter(pk=body.pk).exists()


def _body_ids(user) -> list[int]:
    cache_attr = "_kakehashi_training_body_ids"
    ids = getattr(user, cache_attr, None)
    if ids is None:
        ids = list(training_body_list_for(user).values_list("pk", flat=True))
        if getattr(user, "is_authenticated", False):
            setattr(user, cache_attr, ids)
    return ids
