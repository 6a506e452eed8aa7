"""Links to other apps' pages, filled by those apps so that `peers`, the ground floor, names
nothing above it. An upper app registers its links in its `AppConfig.ready()`:

    register_link("me_nav", label=_("Meetings"), url_name="collaboration:meeting_list")

and a peers template renders a slot with `{% slot_links "me_nav" as links %}` (`peers_links`
tags), each link a dict of `href`, `label` and `current`. A link's `condition`, `label_for`,
`args` and `current` receive the template context, so a link shows for the same people the page
already decided (its view's context), never from a role re-typed in the template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class Link:
    slot: str
    label: Any  # a (lazy) string
    url_name: str
    label_for: Callable[[Any], Any] | None = None  # when the wording depends on the context
    condition: Callable[[Any], bool] | None = None
    args: Callable[[Any], tuple] | None = None
    current: Callable[[Any], bool] | None = None
    order: int = 100


_LINKS: dict[str, list[Link]] = {}


def register_link(slot: str, *, label, url_name: str, label_for: Callable[[Any], Any] | None = None,
                  condition: Callable[[Any], bool] | None = None,
                  args: Callable[[Any], tuple] | None = None, current: Callable[[Any], bool] | None = None,
                  order: int = 100) -> Link:
    """Add a link to a slot; registering the same slot and address again replaces it (so a
    reloaded app does not double its links)."""
    link = Link(slot=slot, label=label, url_name=url_name, label_for=label_for, condition=condition, args=args,
                current=current, order=order)
    links = [existing for existing in _LINKS.get(slot, []) if existing.url_name != url_name]
    links.append(link)
    links.sort(key=lambda existing: existing.order)
    _LINKS[slot] = links
    return link


def registered_links(slot: str) -> list[Link]:
    return list(_LINKS.get(slot, []))


def slot_links(slot: str, context) -> list[dict]:
    """The slot's links that apply in this context, in order, ready to render."""
    shown = []
    for link in _LINKS.get(slot, []):
        if link.condition is not None and not link.condition(context):
            continue
        label = link.label_for(context) if link.label_for else link.label
        shown.append({
            "href": reverse(link.url_name, args=link.args(context) if link.args else ()),
            "label": label,
            "current": bool(link.current and link.current(context)),
        })
    return shown
