"""cms' part of the person's record (registered in CmsConfig.ready): the search index.

The index (cms.SearchEntry) holds copies of the text of room messages and activity entries.
Erasure rewrites those records in bulk (collaboration.parts), which sends no signals, so the
copies are removed here: nobody may find an erased person's words through the search."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peers.personal_data import Part


class SearchIndexPart(Part):
    name = "search_index"
    label = _("Search index")

    def erase(self, user, *, request, now):
        from collaboration.models import Message

        from .models import SearchEntry

        # Before the meetings part runs the messages are still the person's; after it they have
        # no author and were deleted at `now` (the parts run in the order their apps load).
        messages = Message.objects.filter(Q(author=user) | Q(author__isnull=True, deleted_at=now))
        SearchEntry.objects.filter(kind=SearchEntry.Kind.MESSAGE, object_id__in=messages.values("pk")).delete()
        SearchEntry.objects.filter(kind=SearchEntry.Kind.ACTIVITY, owner_id=user.pk).delete()
        SearchEntry.objects.filter(kind=SearchEntry.Kind.PERSON, object_id=user.pk).delete()
        return []


def register_parts() -> None:
    from peers.personal_data import register

    register(SearchIndexPart())
