from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cms"
    verbose_name = _("Website")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import (
            page_published,
            page_slug_changed,
            page_unpublished,
            post_page_move,
        )

        from .cache import site_cache_clear
        from .models import NavigationSettings

        # Cached menus and pages show titles, addresses and content of pages: any change to what
        # is live makes them stale.
        for signal in (page_published, page_unpublished, page_slug_changed, post_page_move):
            signal.connect(site_cache_clear, dispatch_uid=f"cms-cache-{id(signal)}")
        post_delete.connect(_page_deleted, dispatch_uid="cms-cache-page-deleted")
        post_save.connect(_navigation_saved, sender=NavigationSettings, dispatch_uid="cms-cache-navigation")
        # Making a page private (or public again) changes who may see it: drop cached copies.
        from wagtail.models import Locale, PageViewRestriction, Site

        for signal in (post_save, post_delete):
            signal.connect(_restriction_changed, sender=PageViewRestriction,
                           dispatch_uid=f"cms-cache-restriction-{id(signal)}")
            # Sites and locales decide which page an address leads to (cms.routing remembers it).
            for model in (Site, Locale):
                signal.connect(_site_or_locale_changed, sender=model,
                               dispatch_uid=f"cms-cache-{model.__name__}-{id(signal)}")
        _connect_search_index()
        from . import routing

        routing.install()  # Wagtail's site lookup from memory (cms/routing.py)
        from .parts import register_parts

        register_parts()


# The search index (cms.search) follows every record it holds: (model, fields whose change
# matters, how to index one row). A save naming only other fields (a login's last_login) skips it.
def _search_sources():
    from collaboration.activity.models import ActivityEntry
    from collaboration.models import AgendaItem, Material, Message, Minutes
    from peers.models import Organisation, User
    from training.models import Course

    from . import search

    return [
        (Minutes, {"status", "public_text", "meeting"}, search.index_minutes, search.Kind.MINUTES),
        (AgendaItem, {"title", "notes", "meeting"}, search.index_agenda_item, search.Kind.AGENDA),
        (Material, {"title", "is_published", "meeting"}, search.index_material, search.Kind.MATERIAL),
        (Message, {"body", "deleted_at", "hidden_at", "content_note"}, search.index_message, search.Kind.MESSAGE),
        (ActivityEntry, {"reflection", "activity", "date", "organisation", "author"}, search.index_activity_entry,
         search.Kind.ACTIVITY),
        (User, {"display_name", "name_kana", "is_active"}, search.index_person, search.Kind.PERSON),
        (Organisation, {"name", "corporation", "municipality"}, search.index_organisation, search.Kind.ORGANISATION),
        (Course, {"title", "description", "body"}, search.index_course, search.Kind.COURSE),
    ]


def _connect_search_index() -> None:
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Page
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    from collaboration.models import Meeting

    from . import search

    for model, fields, index, kind in _search_sources():
        def saved(sender, instance, created=False, raw=False, update_fields=None, _fields=fields, _index=index,
                  **kwargs):
            if raw or (update_fields and not (set(update_fields) & _fields)):
                return
            _index(instance)

        def deleted(sender, instance, _kind=kind, **kwargs):
            search.SearchEntry.objects.filter(kind=_kind, object_id=instance.pk).delete()

        post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"cms-search-save-{model.__name__}")
        post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"cms-search-delete-{model.__name__}")

    def meeting_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
        if not (raw or created or (update_fields and "title" not in update_fields)):
            search.meeting_renamed(instance)

    def meeting_deleted(sender, instance, **kwargs):
        search.meeting_removed(instance.pk)

    post_save.connect(meeting_saved, sender=Meeting, weak=False, dispatch_uid="cms-search-meeting-save")
    post_delete.connect(meeting_deleted, sender=Meeting, weak=False, dispatch_uid="cms-search-meeting-delete")

    def page_changed(sender, instance, **kwargs):
        search.index_page(instance)

    def page_moved(sender, instance, **kwargs):
        # Its address and its descendants' addresses changed.
        for page in instance.get_descendants(inclusive=True).live().specific():
            search.index_page(page)

    def page_deleted(sender, instance, **kwargs):
        if isinstance(instance, Page):
            search.SearchEntry.objects.filter(kind=search.Kind.PAGE, object_id=instance.pk).delete()

    page_published.connect(page_changed, weak=False, dispatch_uid="cms-search-page-published")
    page_unpublished.connect(page_changed, weak=False, dispatch_uid="cms-search-page-unpublished")
    page_slug_changed.connect(page_moved, weak=False, dispatch_uid="cms-search-page-slug")
    post_page_move.connect(page_moved, weak=False, dispatch_uid="cms-search-page-move")
    post_delete.connect(page_deleted, weak=False, dispatch_uid="cms-search-page-delete")


def _navigation_saved(sender, instance, created, **kwargs) -> None:
    from .cache import site_cache_clear

    if not created:  # the empty row made on first read changes no menu
        site_cache_clear()


def _page_deleted(sender, instance, **kwargs) -> None:
    from wagtail.models import Page

    from .cache import site_cache_clear

    if isinstance(instance, Page):
        site_cache_clear()


def _restriction_changed(sender, instance, **kwargs) -> None:
    from .cache import site_cache_clear

    site_cache_clear()


def _site_or_locale_changed(sender, instance, **kwargs) -> None:
    from .cache import site_cache_clear

    site_cache_clear()
