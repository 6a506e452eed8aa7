"""Administrators keep the welfare-fee staffing rules in the editor: one version per addition
and fee revision; the check uses the version in force in the month it looks at."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import StaffingRule


class StaffingRuleViewSet(SnippetViewSet):
    model = StaffingRule
    icon = "doc-full"
    menu_label = StaffingRule._meta.verbose_name_plural
    list_display = ["addition", "label", "in_force_from", "fte_floor", "units", "transitional_until"]
    list_filter = ["addition"]
    ordering = ["addition", "-in_force_from"]


register_snippet(StaffingRuleViewSet)
