from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms.sitemaps import TranslatedSitemap
from collaboration.views.meetings import calendar_feed
from peers.api.not_found import NoSuchAddress
from peers.views import set_language

from . import views
from .csp import csp_report

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("csp-report/", csp_report, name="csp_report"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": TranslatedSitemap}}, name="sitemap"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("", include("training.badges.urls")),
]

# The JSON API, outside the language prefixes; its OpenAPI document describes all of it.
api_v1 = [
    path("api/v1/", include("peers.api.urls")),
    path("api/v1/", include("training.api.urls")),
    path("api/v1/", include("collaboration.api.urls")),
    path("api/v1/activity/", include("collaboration.activity.api.urls")),
    path("api/v1/", include("cms.api.urls")),
    path("api/v1/reports/", include("comparisons.api.urls")),
]
urlpatterns += [
    path("api/v1/openapi.json", SpectacularJSONAPIView.as_view(urlconf=api_v1), name="openapi"),
    *api_v1,
    # Any other address under /api/v1/ is a 404 in the API's one error shape.
    re_path(r"^api/v1/", NoSuchAddress.as_view(), name="api_no_such_address"),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("", include("peers.urls")),
    path("", include("training.urls")),
    path("", include("collaboration.urls")),
    path("", include("collaboration.activity.urls")),
    path("", include("comparisons.urls")),
    path("", include("cms.urls")),
    # Wagtail's page tree last: it answers every address not taken above.
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    # Development only: public media (Wagtail's images and documents). Evidence lives in a private
    # storage outside MEDIA_ROOT; its old folder here is refused too, whatever is left in it.
    import posixpath

    from django.conf.urls.static import static
    from django.http import Http404
    from django.views.static import serve

    def _public_media(request, path, document_root=None, show_indexes=False):
        if posixpath.normpath(path).lstrip("/").startswith("training/"):
            raise Http404
        return serve(request, path, document_root=document_root, show_indexes=show_indexes)

    urlpatterns = static(settings.MEDIA_URL, _public_media, document_root=settings.MEDIA_ROOT) + urlpatterns
