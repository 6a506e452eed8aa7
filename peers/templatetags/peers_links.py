"""`{% slot_links "slot" as links %}`: the links other apps registered for a slot (peers.links)."""

from __future__ import annotations

from django import template

from peers.links import slot_links as _slot_links

register = template.Library()


@register.simple_tag(takes_context=True)
def slot_links(context, slot: str) -> list[dict]:
    return _slot_links(slot, context)
