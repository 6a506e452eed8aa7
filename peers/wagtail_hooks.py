"""Administrators manage the vocabularies and privacy settings in the editor (Wagtail snippets).

Wagtail's own permissions decide access: superusers, or groups given the models' permissions.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Activity, OrganisationKind, PrivacySettings, ProfessionalRole


class _VocabularyViewSet(SnippetViewSet):
    list_display = ["code", "name_ja", "name_en", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_ja", "name_en"]
    ordering = ["sort_order", "code"]


class OrganisationKindViewSet(_VocabularyViewSet):
    model = OrganisationKind
    icon = "home"


class ProfessionalRoleViewSet(_VocabularyViewSet):
    model = ProfessionalRole
    icon = "user"


class ActivityViewSet(_VocabularyViewSet):
    model = Activity
    icon = "list-ul"


class PrivacySettingsViewSet(SnippetViewSet):
    model = PrivacySettings
    icon = "lock"
    list_display = ["withdrawn_data_retention_days"]


class WorkforceViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Workforce")
    menu_icon = "group"
    items = (OrganisationKindViewSet, ProfessionalRoleViewSet, ActivityViewSet, PrivacySettingsViewSet)


register_snippet(WorkforceViewSetGroup)
