from django.urls import path

from .views import (
    EngagementChangeTermsAPI,
    EngagementConfirmAPI,
    EngagementDetailAPI,
    EngagementEndAPI,
    EngagementListAPI,
    MyProfileAPI,
    OrganisationDetailAPI,
    OrganisationListAPI,
    PersonDetailAPI,
    PersonListAPI,
)

app_name = "peers_api"

urlpatterns = [
    path("organisations/", OrganisationListAPI.as_view(), name="organisation_list"),
    path("organisations/<int:pk>/", OrganisationDetailAPI.as_view(), name="organisation_detail"),
    path("people/", PersonListAPI.as_view(), name="person_list"),
    path("people/me/", MyProfileAPI.as_view(), name="my_profile"),
    path("people/<int:pk>/", PersonDetailAPI.as_view(), name="person_detail"),
    path("engagements/", EngagementListAPI.as_view(), name="engagement_list"),
    path("engagements/<int:pk>/", EngagementDetailAPI.as_view(), name="engagement_detail"),
    path("engagements/<int:pk>/confirm/", EngagementConfirmAPI.as_view(), name="engagement_confirm"),
    path("engagements/<int:pk>/end/", EngagementEndAPI.as_view(), name="engagement_end"),
    path("engagements/<int:pk>/change-terms/", EngagementChangeTermsAPI.as_view(),
         name="engagement_change_terms"),
]
