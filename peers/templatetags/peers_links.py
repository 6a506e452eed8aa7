"""`{% slot_links "slot" as links %}` and `{% slot_panels "slot" %}`: the links and panels other
apps registered for a slot (peers.links)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from peers.links import homes_in, registered_panels
from peers.links import slot_links as _slot_links

register = template.Library()


@register.simple_tag(takes_context=True)
def slot_links(context, slot: str) -> list[dict]:
    return _slot_links(slot, context)


@register.simple_tag(takes_context=True)
def me_homes(context) -> dict:
    """`{% me_homes as homes %}`: `homes.peer_home`, `homes.professional_home` (peers.links)."""
    return homes_in(context)


@register.simple_tag(takes_context=True)
def slot_panels(context, slot: str) -> str:
    """Render the panels other apps registered for a slot, each in its own context the way an
    inclusion tag renders (no context processors run again)."""
    parts = []
    for panel in registered_panels(slot):
        template = context.template.engine.get_template(panel.template)
        new_context = context.new(panel.values(context))
        csrf_token = context.get("csrf_token")
        if csrf_token is not None:
            new_context["csrf_token"] = csrf_token
        parts.append(template.render(new_context))
    return mark_safe("".join(parts))
