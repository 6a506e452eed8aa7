from django.urls import path

from . import views

app_name = "comparisons"

urlpatterns = [
    path("staff/comparisons/", views.compare, name="compare"),
    path("staff/comparisons/export.<str:fmt>", views.compare_export, name="compare_export"),
]
