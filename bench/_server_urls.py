"""The project's addresses plus the minimal Django view measured as the baseline."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urls


def minimal_view(request):
    return HttpResponse("ok")


urlpatterns = [path("bench-minimal/", minimal_view), *project_urls]
