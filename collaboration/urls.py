from django.urls import path

from . import views, views_bodies

app_name = "collaboration"

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/bodies/<int:pk>/", views.body_detail, name="body_detail"),
    path("meetings/calendar/", views.calendar_settings, name="calendar_settings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/reply/", views.meeting_reply, name="meeting_reply"),
    path("meetings/<int:pk>/room/", views.meeting_room, name="meeting_room"),
    path("meetings/<int:pk>/room/post/", views.meeting_room_post, name="meeting_room_post"),
    path("meetings/<int:pk>/meeting.ics", views.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/materials/<int:material_pk>/", views.material_download, name="material_download"),
    path("meetings/<int:pk>/minutes/", views.minutes_public, name="minutes_public"),
    path("materials/<int:material_pk>/", views.material_public, name="material_public"),
    path("staff/meetings/", views.staff_meeting_list, name="staff_meeting_list"),
    path("staff/meetings/bodies/", views_bodies.body_list, name="staff_bodies"),
    path("staff/meetings/bodies/<int:pk>/", views_bodies.body_members, name="staff_body"),
    path("staff/meetings/<int:pk>/", views.staff_meeting, name="staff_meeting"),
    path("staff/meetings/<int:pk>/minutes/public/", views.staff_minutes_public, name="staff_minutes_public"),
    path("staff/meetings/<int:pk>/minutes/publish/", views.staff_minutes_publish, name="staff_minutes_publish"),
    path("staff/meetings/<int:pk>/<slug:action>/", views.staff_meeting_action, name="staff_meeting_action"),
]
