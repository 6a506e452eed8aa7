from django import template
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils.translation import get_language
from wagtail.models import Page, Site

from cms.cache import request_site_version, site_cache_clear
from cms.models import AccessibilityStatementPage, NavigationSettings, PrivacyPolicyPage
from cms.routing import language_urls, remembered

MENU_CACHE_SECONDS = 60 * 60


def menu_cache_key(language: str, host: str = "", request=None) -> str:
    return f"cms:menus:{request_site_version(request)}:{host}:{language}"


menu_cache_clear = site_cache_clear

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """Each language's address of the page shown: on a Wagtail page, its live translation (whose
    slug may differ), also given as `next` for the language switch; elsewhere, or when not yet
    translated, the same path in that language. The translations' addresses are read once per
    page and site version (cms.routing), so no query."""
    languages = context.get("site_languages") or []
    page = context.get("page")
    if not isinstance(page, Page):
        return [{**language, "next": None} for language in languages]
    urls = language_urls(context.get("request"), page)
    links = []
    for language in languages:
        url = urls.get(language["code"])
        links.append({**language, "url": url or language["url"], "next": url})
    return links


@register.simple_tag(takes_context=True)
def site_menus(context) -> dict[str, list[dict]]:
    """The header menu and footer links in the current language: those set in the admin's
    navigation settings, else the top-level pages marked "show in menus" for the header and the
    accessibility statement and privacy policy for the footer. Cached until anything on the
    site is published, unpublished, moved or deleted, or the settings are saved, so a page view
    spends no query on them: in this process's memory, else in the shared cache, else read."""
    language = get_language()
    request = context.get("request")
    host = request.get_host() if request is not None else ""

    def shared():
        key = menu_cache_key(language, host, request)
        menus = cache.get(key)
        if menus is None:
            site = Site.find_for_request(request) if request is not None else None
            menus = _menus(language, site)
            cache.set(key, menus, MENU_CACHE_SECONDS)
        return menus

    if request is None:
        return shared()
    return remembered(request, ("menus", host, language), shared)


def _chosen_links(blocks, language: str) -> list[dict]:
    links = []
    for block in blocks:
        if block.block_type == "page":
            chosen = block.value["page"]
            if chosen is None:
                continue
            page = chosen.get_translation_or_none(_locale(language)) or chosen
            if not page.live:
                continue
            links.append({"pk": page.pk, "title": page.title, "url": page.get_url()})
        else:
            value = block.value
            label = value.get(f"label_{language}") or value.get("label_en") or value.get("label_ja")
            links.append({"pk": None, "title": label, "url": value["url"]})
    return links


def _locale(language: str):
    from wagtail.models import Locale

    return Locale.objects.filter(language_code=language).first()


def _menus(language: str, site: Site | None) -> dict[str, list[dict]]:
    menus = _default_menus(language)
    if site is not None:
        chosen = NavigationSettings.for_site(site)
        if chosen.header_links:
            menus["header"] = _chosen_links(chosen.header_links, language)
        if chosen.footer_links:
            menus["footer"] = _chosen_links(chosen.footer_links, language)
    return menus


def _default_menus(language: str) -> dict[str, list[dict]]:
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
