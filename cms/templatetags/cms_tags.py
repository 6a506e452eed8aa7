from django import template
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils.translation import get_language
from wagtail.models import Page

from cms.models import AccessibilityStatementPage, PrivacyPolicyPage

MENU_CACHE_SECONDS = 60 * 60


def menu_cache_key(language: str) -> str:
    return f"cms:menus:{language}"


def menu_cache_clear(**kwargs) -> None:
    from django.conf import settings

    cache.delete_many([menu_cache_key(code) for code, _name in settings.LANGUAGES])

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """Each language's address of the page shown: on a Wagtail page, its live translation (whose
    slug may differ), also given as `next` for the language switch; elsewhere, or when not yet
    translated, the same path in that language. One query on a Wagtail page, none elsewhere."""
    languages = context.get("site_languages") or []
    page = context.get("page")
    if not isinstance(page, Page):
        return [{**language, "next": None} for language in languages]
    request = context.get("request")
    translations = {
        translation.locale.language_code: translation
        for translation in page.get_translations(inclusive=False).live().select_related("locale")
    }
    links = []
    for language in languages:
        translation = translations.get(language["code"])
        url = translation.get_url(request=request) if translation is not None else None
        links.append({**language, "url": url or language["url"], "next": url})
    return links


@register.simple_tag
def site_menus() -> dict[str, list[dict]]:
    """The top-level pages in the current language: those marked "show in menus" for the header,
    the accessibility statement and privacy policy for the footer. Cached until a page is
    published, unpublished, moved or deleted, so a page view spends no query on them."""
    language = get_language()
    key = menu_cache_key(language)
    menus = cache.get(key)
    if menus is None:
        menus = _menus(language)
        cache.set(key, menus, MENU_CACHE_SECONDS)
    return menus


def _menus(language: str) -> dict[str, list[dict]]:
    pages = (
        Page.objects.live().public()
        .filter(depth=3, locale__language_code=language)
        .select_related("locale")
        .order_by("path")
    )
    footer_types = {
        ContentType.objects.get_for_model(model).pk
        for model in (AccessibilityStatementPage, PrivacyPolicyPage)
    }
    menus: dict[str, list[dict]] = {"header": [], "footer": []}
    for page in pages:
        item = {"pk": page.pk, "title": page.title, "url": page.get_url()}
        if page.show_in_menus:
            menus["header"].append(item)
        if page.content_type_id in footer_types:
            menus["footer"].append(item)
    return menus
