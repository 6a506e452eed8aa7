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
    if getattr(field.field.widget, "input_type", "") == "radio":
        # A group of choices is a fieldset named by its legend (a label names one control).
        legend = format_html("<legend>{}{}</legend>", field.label, required)
        return format_html('<fieldset class="{} choices"{}>{}{}{}{}</fieldset>', css,
                           format_html(' aria-describedby="{}"', " ".join(described)) if described else "",
                           legend, field.as_widget(), help_html, errors)
    return format_html('<div class="{}">{}{}{}</div>', css, inner, help_html, errors)


@register.inclusion_tag("training/_reminders.html", takes_context=True)
def training_reminders(context):
    """The home page's renewal card: each certification reminded of in its current cycle, with
    its renewal progress from the one selector (never the words stored when a reminder went out)."""
    from training.selectors import reminder_list_of, renewal_progress_list

    user = context.get("user")
    reminders = list(reminder_list_of(user)) if user is not None and user.is_authenticated else []
    certifications = list({r.certification_id: r.certification for r in reminders}.values())
    return {"progress": renewal_progress_list(certifications)}


@register.inclusion_tag("training/_evidence_requests.html", takes_context=True)
def training_evidence_requests(context):
    """Records of the person picked for an evidence check, for their home page (the upload
    forms are on the training page)."""
    from training.selectors import ce_evidence_request_list_of

    return {"evidence_requests": list(ce_evidence_request_list_of(context.get("user"))), "upload_form": None}


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
