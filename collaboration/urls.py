from django.urls import path

from .views import bodies, meetings, proposals

app_name = "collaboration"

urlpatterns = [
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/bodies/<int:pk>/", meetings.body_detail, name="body_detail"),
    path("meetings/calendar/", meetings.calendar_settings, name="calendar_settings"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/reply/", meetings.meeting_reply, name="meeting_reply"),
    path("meetings/<int:pk>/room/", meetings.meeting_room, name="meeting_room"),
    path("meetings/<int:pk>/room/post/", meetings.meeting_room_post, name="meeting_room_post"),
    path("meetings/<int:pk>/room/check-in/", meetings.meeting_check_in, name="meeting_check_in"),
    path("meetings/<int:pk>/proposals/", proposals.proposal_add, name="proposal_add"),
    path("meetings/<int:pk>/proposals/<int:proposal_pk>/<slug:action>/", proposals.proposal_action,
         name="proposal_action"),
    path("meetings/<int:pk>/meeting.ics", meetings.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/materials/<int:material_pk>/", meetings.material_download, name="material_download"),
    path("meetings/<int:pk>/minutes/", meetings.minutes_public, name="minutes_public"),
    path("materials/<int:material_pk>/", meetings.material_public, name="material_public"),
    path("staff/meetings/", meetings.staff_meeting_list, name="staff_meeting_list"),
    path("staff/meetings/bodies/", bodies.body_list, name="staff_bodies"),
    path("staff/meetings/bodies/<int:pk>/", bodies.body_members, name="staff_body"),
    path("staff/meetings/bodies/<int:pk>/voting/", proposals.body_voting_rule, name="staff_body_voting"),
    path("staff/meetings/<int:pk>/", meetings.staff_meeting, name="staff_meeting"),
    path("staff/meetings/<int:pk>/minutes/public/", meetings.staff_minutes_public, name="staff_minutes_public"),
    path("staff/meetings/<int:pk>/minutes/publish/", meetings.staff_minutes_publish, name="staff_minutes_publish"),
    path("staff/meetings/<int:pk>/<slug:action>/", meetings.staff_meeting_action, name="staff_meeting_action"),
]
