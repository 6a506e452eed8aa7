from django.urls import path

from . import views

app_name = "comparisons"

urlpatterns = [
    path("staff/comparisons/", views.compare, name="compare"),
    path("staff/comparisons/export.<str:fmt>", views.compare_export, name="compare_export"),
    path("staff/comparisons/bodies/", views.body_list, name="body_list"),
    path("staff/comparisons/bodies/<int:pk>/", views.body_detail, name="body_detail"),
    path("staff/comparisons/bodies/<int:pk>/report.pdf", views.body_report_pdf, name="body_report_pdf"),
    path("staff/comparisons/bodies/<int:pk>/report.xlsx", views.body_report_xlsx, name="body_report_xlsx"),
]
