from django.urls import path

from . import views, volunteer_views

app_name = "activity"

urlpatterns = [
    path("me/activity/", views.my_activity, name="my_activity"),
    path("me/activity/new/", views.entry_new, name="entry_new"),
    path("me/activity/week/", views.week_new, name="week_new"),
    path("me/activity/export.<str:fmt>", views.my_export, name="my_export"),
    path("me/activity/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("me/activity/<int:pk>/confirm/", views.entry_confirm, name="entry_confirm"),
    path("me/supervision/", views.supervision, name="supervision"),
    path("me/supervision/<int:pk>/confirm/", views.supervision_confirm, name="supervision_confirm"),
    path("staff/activity/", views.staff_index, name="staff_index"),
    path("staff/activity/region/", views.region, name="region"),
    path("staff/activity/region/export.<str:fmt>", views.region_export, name="region_export"),
    path("staff/activity/organisations/<int:pk>/", views.organisation_activity, name="organisation"),
    path("staff/activity/organisations/<int:pk>/queue/", views.verification_queue, name="queue"),
    path("staff/activity/organisations/<int:pk>/verify-week/", views.week_verify, name="week_verify"),
    path("staff/activity/organisations/<int:pk>/export.<str:fmt>", views.organisation_export,
         name="organisation_export"),
    path("staff/activity/organisations/<int:pk>/supervisors/", views.verifier_add, name="verifier_add"),
    path("staff/activity/organisations/<int:pk>/supervisors/<int:verifier_pk>/remove/", views.verifier_remove,
         name="verifier_remove"),
    path("staff/activity/entries/<int:pk>/verify/", views.entry_verify, name="entry_verify"),
    path("staff/activity/entries/<int:pk>/decline/", views.entry_decline, name="entry_decline"),
]

# Issue 18: volunteer work (第一群).
urlpatterns += [
    path("me/activity/volunteer/", volunteer_views.volunteer, name="volunteer"),
    path("me/activity/volunteer/check-in/", volunteer_views.check_in, name="volunteer_check_in"),
    path("me/activity/volunteer/check-in/undo/", volunteer_views.check_in_undo, name="volunteer_check_in_undo"),
    path("me/activity/volunteer/check-out/", volunteer_views.check_out, name="volunteer_check_out"),
    path("me/activity/volunteer/thanks/", volunteer_views.volunteer_thanks, name="volunteer_thanks"),
    path("me/activity/volunteer/thanks/export.<str:fmt>", volunteer_views.volunteer_thanks_export,
         name="volunteer_thanks_export"),
    path("staff/activity/organisations/<int:pk>/volunteers/", volunteer_views.organisation_volunteers,
         name="volunteer_organisation"),
    path("staff/activity/organisations/<int:pk>/volunteers/setting/", volunteer_views.organisation_volunteer_setting,
         name="volunteer_setting"),
    path("staff/activity/organisations/<int:pk>/volunteers/thanks/", volunteer_views.organisation_thanks_send,
         name="volunteer_thanks_send"),
]
