"""Template helpers for training pages: accessible form fields and the home-page reminders."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def field_group(field):
    """Label, widget, help and errors, tied together with aria-describedby."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_error")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    widget = field.as_widget(attrs=attrs)
    checkbox = getattr(field.field.widget, "input_type", "") == "checkbox"
    required = (
        format_html(' <span class="required">{}</span>', _("(required)"))
        if field.field.required and not checkbox else ""
    )
    label = format_html('<label for="{}">{}{}</label>', field.id_for_label, field.label, required)
    help_html = format_html('<p class="help" id="{}_help">{}</p>', field.auto_id, field.help_text) if field.help_text else ""
    errors = (
        format_html('<div class="errors" id="{}_error">{}</div>', field.auto_id, field.errors)
        if field.errors else ""
    )
    inner = format_html("{}{}", widget, label) if checkbox else format_html("{}{}", label, widget)
    css = "field field-error" if field.errors else "field"
    return format_html('<div class="{}">{}{}{}</div>', css, inner, help_html, errors)


@register.inclusion_tag("training/_reminders.html", takes_context=True)
def training_reminders(context):
    """Renewal reminders for the person's home page (current cycle only)."""
    from training.selectors import reminder_list_of

    user = context.get("user")
    reminders = list(reminder_list_of(user)) if user is not None and user.is_authenticated else []
    return {"reminders": reminders}


@register.filter
def hours(value) -> str:
    if value is None:
        return ""
    return mark_safe(f"{value.normalize():f}")


@register.filter
def in_language(value) -> str:
    """{"ja": …, "en": …} → the text in the active language (Japanese when it has no other)."""
    from django.utils.translation import get_language

    if not isinstance(value, dict):
        return value
    language = (get_language() or "ja")[:2]
    return value.get(language) or value.get("ja", "")
