from django.urls import path

from . import views

app_name = "peers"

urlpatterns = [
    path("me/", views.home, name="home"),
    path("account/security/two-step/", views.mfa_required, name="mfa_required"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/invitations/", views.invitation_list, name="invitation_list"),
    path("staff/invitations/new/", views.invitation_new, name="invitation_new"),
    path("invite/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
