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
    fragment: str = ""  # a part of the page ("people-heading"), without the "#"


_LINKS: dict[str, list[Link]] = {}


def register_link(slot: str, *, label, url_name: str, label_for: Callable[[Any], Any] | None = None,
                  condition: Callable[[Any], bool] | None = None,
                  args: Callable[[Any], tuple] | None = None, current: Callable[[Any], bool] | None = None,
                  order: int = 100, fragment: str = "") -> Link:
    """Add a link to a slot; registering the same slot and address again replaces it (so a
    reloaded app does not double its links)."""
    link = Link(slot=slot, label=label, url_name=url_name, label_for=label_for, condition=condition, args=args,
                current=current, order=order, fragment=fragment)
    links = [existing for existing in _LINKS.get(slot, [])
             if (existing.url_name, existing.fragment) != (url_name, fragment)]
    links.append(link)
    links.sort(key=lambda existing: existing.order)
    _LINKS[slot] = links
    return link


def homes_in(context) -> dict:
    """Which homes the page's person has (`peer_home`, `professional_home`), from the roles the
    layout already read (`my_roles`, peers.context_processors): the menu of a person's own pages
    follows it, and no query is made."""
    from .selectors import home_parts_for

    return home_parts_for(context.get("my_roles") or [])


def for_peers(context) -> bool:
    return homes_in(context)["peer_home"]


def for_professionals(context) -> bool:
    return homes_in(context)["professional_home"]


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
            "href": reverse(link.url_name, args=link.args(context) if link.args else ())
            + (f"#{link.fragment}" if link.fragment else ""),
            "label": label,
            "current": bool(link.current and link.current(context)),
        })
    return shown


@dataclass(frozen=True)
class Panel:
    """A part of a peers page drawn by an upper app: its template and the values it needs,
    computed from the page's context (like an inclusion tag)."""

    slot: str
    name: str
    template: str
    values: Callable[[Any], dict]
    order: int = 100


_PANELS: dict[str, list[Panel]] = {}


def register_panel(slot: str, *, name: str, template: str, values: Callable[[Any], dict], order: int = 100) -> Panel:
    """Add a panel to a slot; the same slot and name again replaces it."""
    panel = Panel(slot=slot, name=name, template=template, values=values, order=order)
    panels = [existing for existing in _PANELS.get(slot, []) if existing.name != name]
    panels.append(panel)
    panels.sort(key=lambda existing: existing.order)
    _PANELS[slot] = panels
    return panel


def registered_panels(slot: str) -> list[Panel]:
    return list(_PANELS.get(slot, []))
