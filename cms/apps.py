from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cms"
    verbose_name = _("Website")

    def ready(self) -> None:
        from wagtail.signals import (
            page_published,
            page_slug_changed,
            page_unpublished,
            post_page_move,
        )

        from .templatetags.cms_tags import menu_cache_clear

        # The cached header and footer menus list titles and addresses of top-level pages.
        for signal in (page_published, page_unpublished, page_slug_changed, post_page_move):
            signal.connect(menu_cache_clear, dispatch_uid=f"cms-menus-{id(signal)}")
