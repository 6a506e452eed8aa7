"""Administrators manage the vocabularies and privacy settings in the editor (Wagtail snippets).

Wagtail's own permissions decide access: superusers, or groups given the models' permissions.
A vocabulary term added or changed here is saved by the same service as the API's
(`vocabulary_term_save`: its permission check, validation and audit event), and Wagtail still
logs the action in its own history.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CreateView,
    EditView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from .models import (
    Activity,
    OrganisationKind,
    ProfessionalRole,
    RetentionRule,
    RetentionRun,
    WelfareService,
)
from .services.workforce import VOCABULARY_FIELDS, vocabulary_term_save


def _term_values(form) -> dict:
    return {field: form.cleaned_data[field] for field in VOCABULARY_FIELDS if field in form.cleaned_data}


class VocabularyCreateView(CreateView):
    def save_instance(self):
        term = vocabulary_term_save(actor=self.request.user, model=self.model, **_term_values(self.form))
        log(instance=term, action="wagtail.create", user=self.request.user)
        return term


class VocabularyEditView(EditView):
    def save_instance(self):
        term = vocabulary_term_save(actor=self.request.user, model=self.model, term=self.object,
                                    **_term_values(self.form))
        log(instance=term, action="wagtail.edit", user=self.request.user)
        return term



class _VocabularyViewSet(SnippetViewSet):
    add_view_class = VocabularyCreateView
    edit_view_class = VocabularyEditView
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


class WelfareServiceViewSet(_VocabularyViewSet):
    model = WelfareService
    icon = "tag"


class RetentionRuleViewSet(SnippetViewSet):
    """How long each kind of record is kept; the daily task carries the rules out."""

    model = RetentionRule
    icon = "lock"
    list_display = ["kind", "period", "unit", "anchor", "active", "updated_at"]
    list_filter = ["active"]


class RetentionRunViewSet(SnippetViewSet):
    """The log of the daily task: one row per rule per run, with how many records it removed."""

    model = RetentionRun
    icon = "history"
    list_display = ["ran_at", "kind", "cutoff", "removed", "error"]
    list_filter = ["kind"]
    ordering = ["-ran_at", "-id"]


class WorkforceViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Workforce")
    menu_icon = "group"
    items = (OrganisationKindViewSet, ProfessionalRoleViewSet, ActivityViewSet, WelfareServiceViewSet,
             RetentionRuleViewSet,
             RetentionRunViewSet)


register_snippet(WorkforceViewSetGroup)
