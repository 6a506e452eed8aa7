from django.urls import path

from . import views
from .views import display, employment, honoraria, me, organisations, staff_records, staff_workforce

app_name = "peers"

urlpatterns = [
    path("me/", views.home, name="home"),
    path("me/profile/", me.profile_edit, name="profile"),
    path("me/engagements/", me.engagement_list, name="engagement_list"),
    path("me/engagements/new/", me.engagement_new, name="engagement_new"),
    path("me/engagements/<int:pk>/end/", me.engagement_end_view, name="engagement_end"),
    path("me/engagements/<int:pk>/terms/", me.engagement_terms_own, name="engagement_terms_own"),
    path("me/consent/", me.consent_page, name="consent"),
    path("me/access-log/", me.access_log, name="access_log"),
    path("me/data/", me.my_data, name="my_data"),
    path("me/data/download.<str:fmt>", me.data_download, name="data_download"),
    path("me/tokens/", me.api_tokens, name="api_tokens"),
    path("me/tokens/<int:pk>/revoke/", me.api_token_revoke_view, name="api_token_revoke"),
    path("directory/", organisations.directory, name="directory"),
    path("organisations/", organisations.organisation_list_view, name="organisation_list"),
    path("organisations/<int:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path("display/", display.display_settings, name="display"),
    path("display/furigana/", display.furigana_switch, name="furigana_switch"),
    path("account/preferences/", display.preferences, name="preferences"),
    path("account/security/two-step/", views.mfa_required, name="mfa_required"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/invitations/", views.invitation_list, name="invitation_list"),
    path("staff/invitations/new/", views.invitation_new, name="invitation_new"),
    path("staff/organisations/new/", staff_records.organisation_new, name="organisation_new"),
    path("staff/organisations/<int:pk>/", organisations.organisation_staff, name="organisation_staff"),
    path("staff/organisations/<int:pk>/edit/", staff_records.organisation_edit,
         name="organisation_edit"),
    path("staff/organisations/<int:pk>/engagements/new/", staff_records.engagement_record,
         name="engagement_record"),
    path("staff/engagements/<int:pk>/terms/", staff_records.engagement_terms,
         name="engagement_terms"),
    path("staff/people/<int:pk>/consent/", staff_records.paper_consent, name="paper_consent"),
    path("staff/engagements/pending/", staff_workforce.engagement_pending, name="engagement_pending"),
    path("staff/engagements/<int:pk>/confirm/", staff_workforce.engagement_confirm_view,
         name="engagement_confirm"),
    path("staff/people/<int:pk>/", staff_workforce.person_detail, name="person_detail"),
    path("staff/counts/", staff_workforce.coordinator_counts, name="coordinator_counts"),
    path("staff/import/", staff_workforce.import_view, name="import"),
    path("staff/export/<str:shape>.csv", staff_workforce.export_view, name="export"),
    path("staff/erasure/", staff_workforce.erasure_list, name="erasure_list"),
    path("staff/erasure/<int:pk>/carry-out/", staff_workforce.erasure_carry_out_view,
         name="erasure_carry_out"),
    path("invite/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]

# Honorarium payments (第二群 謝金, issue 18).
urlpatterns += [
    path("me/honoraria/", honoraria.my_honoraria, name="my_honoraria"),
    path("me/honoraria/statement.pdf", honoraria.my_statement_pdf, name="my_honorarium_statement_pdf"),
    path("me/honoraria/statement.csv", honoraria.my_statement_csv, name="my_honorarium_statement_csv"),
    path("staff/honoraria/", honoraria.honorarium_list, name="honorarium_list"),
    path("staff/honoraria/confirm/", honoraria.honorarium_confirm_many, name="honorarium_confirm_many"),
    path("staff/honoraria/<int:pk>/", honoraria.honorarium_detail, name="honorarium_detail"),
    path("staff/organisations/<int:pk>/honoraria/", honoraria.organisation_honoraria,
         name="organisation_honoraria"),
    path("staff/organisations/<int:pk>/honoraria/export.<str:fmt>", honoraria.organisation_honoraria_export,
         name="organisation_honoraria_export"),
]

# Issue 18: leave and the accommodations agreed at work (第三群).
urlpatterns += [
    path("me/engagements/<int:pk>/employment/", employment.employment_own, name="employment_own"),
    path("staff/engagements/<int:pk>/employment/", employment.employment_staff, name="employment_staff"),
]
