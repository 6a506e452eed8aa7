from django.urls import path

from .views import CompareAPI, RecordTableAPI

urlpatterns = [
    path("compare/", CompareAPI.as_view(), name="api_reports_compare"),
    path("tables/<str:name>/", RecordTableAPI.as_view(), name="api_reports_table"),
]
