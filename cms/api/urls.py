from django.urls import path

from . import views as api

urlpatterns = [
    path("search/", api.Search.as_view(), name="api_search"),
]
