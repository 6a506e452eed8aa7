from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class TranslatedSitemap(Sitemap):
    """Every live public page of the site in every language: Wagtail's own sitemap lists only the
    tree under the site's root page, which holds the Japanese pages alone."""

    def items(self):
        roots = self.get_wagtail_site().root_page.get_translations(inclusive=True)
        under_a_root = Q()
        for root in roots:
            under_a_root |= Q(path__startswith=root.path)
        return (
            Page.objects.live().public().filter(under_a_root)
            .order_by("path").defer_streamfields().specific()
        )
