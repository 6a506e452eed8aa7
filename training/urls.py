from django.urls import path

from .views import public, staff, staffing

app_name = "training"

urlpatterns = [
    path("verify/", public.verify_form, name="verify_form"),
    path("verify/<str:number>/", public.verify, name="verify"),
    path("training/cohorts/", public.cohort_list, name="cohorts"),
    path("training/cohorts/<int:pk>/apply/", public.cohort_apply, name="cohort_apply"),
    path("me/training/", public.me, name="me"),
    path("me/training/ce/new/", public.ce_add, name="ce_add"),
    path("me/training/ce/<int:pk>/evidence/", public.ce_evidence, name="ce_evidence"),
    path("me/training/applications/<int:pk>/withdraw/", public.application_withdraw, name="application_withdraw"),
    path("me/training/certifications/<int:pk>/public-name/", public.public_name, name="public_name"),
    path("me/training/certifications/<int:pk>/certificate.pdf", public.certificate_pdf, name="certificate_pdf"),
    path("me/training/completions/<int:pk>/public-name/", public.completion_public_name, name="completion_public_name"),
    path("me/training/completions/<int:pk>/certificate.pdf", public.completion_certificate_pdf, name="completion_pdf"),
    path("staff/training/", staff.home, name="staff_home"),
    path("staff/staffing/<int:pk>/", staffing.staffing, name="staffing"),
    path("staff/training/<int:body_id>/", staff.body_home, name="staff_body"),
    path("staff/training/<int:body_id>/settings/", staff.body_settings, name="staff_body_settings"),
    path("staff/training/<int:body_id>/courses/", staff.course_list, name="staff_courses"),
    path("staff/training/<int:body_id>/courses/new/", staff.course_edit, name="staff_course_new"),
    path("staff/training/<int:body_id>/courses/<int:pk>/", staff.course_edit, name="staff_course_edit"),
    path("staff/training/<int:body_id>/credential-types/new/", staff.credential_type_edit, name="staff_credential_type_new"),
    path("staff/training/<int:body_id>/credential-types/<int:pk>/", staff.credential_type_edit, name="staff_credential_type_edit"),
    path("staff/training/<int:body_id>/cohorts/", staff.cohort_list, name="staff_cohorts"),
    path("staff/training/<int:body_id>/cohorts/new/", staff.cohort_edit, name="staff_cohort_new"),
    path("staff/training/<int:body_id>/cohorts/<int:pk>/", staff.cohort_detail, name="staff_cohort"),
    path("staff/training/<int:body_id>/cohorts/<int:pk>/edit/", staff.cohort_edit, name="staff_cohort_edit"),
    path("staff/training/<int:body_id>/cohorts/<int:pk>/complete/", staff.cohort_finish, name="staff_cohort_complete"),
    path("staff/training/<int:body_id>/cohorts/<int:pk>/days/<int:day_id>/attendance/", staff.attendance, name="staff_attendance"),
    path("staff/training/<int:body_id>/applications/<int:pk>/action/", staff.application_action, name="staff_application_action"),
    path("staff/training/<int:body_id>/completions/", staff.completion_list, name="staff_completions"),
    path("staff/training/<int:body_id>/certifications/", staff.certification_list, name="staff_certifications"),
    path("staff/training/<int:body_id>/certifications/<int:pk>/", staff.certification_detail, name="staff_certification"),
    path("staff/training/<int:body_id>/ce/", staff.ce_list, name="staff_ce"),
    path("staff/training/<int:body_id>/reports/register/", staff.report_register, name="staff_report_register"),
    path("staff/training/<int:body_id>/reports/yearly/", staff.report_yearly, name="staff_report_yearly"),
    path("staff/training/<int:body_id>/import/", staff.register_upload, name="staff_import"),
]
