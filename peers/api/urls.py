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

# Issue 14: the rest of the person's record and the vocabularies (one module per resource).
from .consents import MyConsentListAPI, MyConsentWithdrawAPI, MyLivedExperienceAPI  # noqa: E402
from .display import MyDisplayAPI  # noqa: E402
from .erasure import ErasureCarryOutAPI, ErasureRequestListAPI, MyErasureRequestListAPI  # noqa: E402
from .invitations import InvitationListAPI, MyRoleListAPI  # noqa: E402
from .my_data import MyDataAPI  # noqa: E402
from .reference import RegionListAPI, RetentionRuleListAPI  # noqa: E402
from .vocabularies import VOCABULARIES, VocabularyAPI  # noqa: E402

urlpatterns += [
    path("me/consents/", MyConsentListAPI.as_view(), name="my_consents"),
    path("me/consents/withdraw/", MyConsentWithdrawAPI.as_view(), name="my_consent_withdraw"),
    path("me/lived-experience/", MyLivedExperienceAPI.as_view(), name="my_lived_experience"),
    path("me/roles/", MyRoleListAPI.as_view(), name="my_roles"),
    path("invitations/", InvitationListAPI.as_view(), name="invitation_list"),
    path("regions/", RegionListAPI.as_view(), name="region_list"),
    path("retention-rules/", RetentionRuleListAPI.as_view(), name="retention_rule_list"),
    path("me/data/", MyDataAPI.as_view(), name="my_data"),
    path("me/display/", MyDisplayAPI.as_view(), name="my_display"),
    path("me/erasure-requests/", MyErasureRequestListAPI.as_view(), name="my_erasure_requests"),
    path("erasure/", ErasureRequestListAPI.as_view(), name="erasure_list"),
    path("erasure/<int:pk>/carry-out/", ErasureCarryOutAPI.as_view(), name="erasure_carry_out"),
    *(path(f"vocabularies/{key}/", VocabularyAPI.as_view(vocabulary=key), name=f"vocabulary_{key}")
      for key in VOCABULARIES),
]

# Issue 18: honorarium payments (第二群 謝金).
from .honoraria import (  # noqa: E402
    HonorariumCancelAPI,
    HonorariumConfirmAPI,
    HonorariumDetailAPI,
    HonorariumListAPI,
    HonorariumPaidAPI,
    MyHonorariaAPI,
    MyHonorariumTotalsAPI,
    MyStatementAPI,
    OrganisationHonorariumTotalsAPI,
)

urlpatterns += [
    path("honoraria/", HonorariumListAPI.as_view(), name="honorarium_list"),
    path("honoraria/<int:pk>/", HonorariumDetailAPI.as_view(), name="honorarium_detail"),
    path("honoraria/<int:pk>/confirm/", HonorariumConfirmAPI.as_view(), name="honorarium_confirm"),
    path("honoraria/<int:pk>/paid/", HonorariumPaidAPI.as_view(), name="honorarium_paid"),
    path("honoraria/<int:pk>/cancel/", HonorariumCancelAPI.as_view(), name="honorarium_cancel"),
    path("organisations/<int:pk>/honoraria/totals/", OrganisationHonorariumTotalsAPI.as_view(),
         name="organisation_honorarium_totals"),
    path("me/honoraria/", MyHonorariaAPI.as_view(), name="my_honoraria"),
    path("me/honoraria/totals/", MyHonorariumTotalsAPI.as_view(), name="my_honorarium_totals"),
    path("me/honoraria/statement/", MyStatementAPI.as_view(), name="my_honorarium_statement"),
]

# Issue 18: leave and the accommodations agreed at work (第三群).
from .employment import AccommodationDetailAPI, AccommodationListAPI, LeaveDetailAPI, LeaveListAPI  # noqa: E402

urlpatterns += [
    path("engagements/<int:pk>/leave/", LeaveListAPI.as_view(), name="engagement_leave_list"),
    path("engagements/<int:pk>/accommodations/", AccommodationListAPI.as_view(), name="engagement_accommodation_list"),
    path("leave/<int:pk>/", LeaveDetailAPI.as_view(), name="leave_detail"),
    path("accommodations/<int:pk>/", AccommodationDetailAPI.as_view(), name="accommodation_detail"),
]
