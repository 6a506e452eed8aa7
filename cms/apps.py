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
        from wagtail.models import PageViewRestriction

        for signal in (post_save, post_delete):
            signal.connect(_restriction_changed, sender=PageViewRestriction,
                           dispatch_uid=f"cms-cache-restriction-{id(signal)}")


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
