"""Minutes, decisions and action items: the meeting's record and its follow-up."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.services import audit_record

from ..models import (
    ActionItem,
    AgendaItem,
    BodyMember,
    Decision,
    Meeting,
    MeetingInvitation,
    Minutes,
    Sector,
)
from ..selectors import MeetingAccess, action_item_list_to_carry, agenda_item_list

FOLLOW_UP_MINUTES = 5


def _require(access: MeetingAccess) -> None:
    if not access.can_coordinate:
        raise PermissionDenied(_("Only the body's coordinators can do this."))


def minutes_template(access: MeetingAccess) -> str:
    """A first draft built from the agenda: one heading per item, with its decisions."""
    meeting = access.meeting
    lines = [meeting.title, timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"), ""]
    for item in agenda_item_list(meeting).prefetch_related("decisions"):
        lines.append(f"{item.order}. {item.title}")
        for decision in item.decisions.all():
            lines.append(f"  - {_('Decision')}: {decision.text}")
        lines.append("")
    return "\n".join(lines).strip() + "\n"


@transaction.atomic
def minutes_save(*, access: MeetingAccess, user, text: str | None = None) -> Minutes:
    """Create the draft (from the agenda when no text is given) or change it. Approved or
    published minutes go back to draft when changed, so they are approved again."""
    _require(access)
    minutes = Minutes.objects.select_for_update().filter(meeting=access.meeting).first()
    if minutes is None:
        minutes = Minutes(meeting=access.meeting, drafted_by=user)
    minutes.text = text if text is not None else (minutes.text or minutes_template(access))
    if minutes.pk and minutes.status != Minutes.Status.DRAFT and text is not None:
        minutes.status = Minutes.Status.DRAFT
        minutes.approved_at = minutes.approved_by = minutes.published_at = None
        minutes.public_text = ""
    minutes.updated_at = timezone.now()
    minutes.full_clean()
    minutes.save()
    audit_record(actor=user, action="minutes.save", target=minutes)
    return minutes


@transaction.atomic
def minutes_approve(*, access: MeetingAccess, user) -> Minutes:
    _require(access)
    minutes = Minutes.objects.select_for_update().get(meeting=access.meeting)
    if minutes.status == Minutes.Status.DRAFT:
        minutes.status = Minutes.Status.APPROVED
        minutes.approved_by = user
        minutes.approved_at = timezone.now()
        minutes.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(actor=user, action="minutes.approve", target=minutes)
    return minutes


EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE_RE = re.compile(r"(\+?\d[\d\-\s()]{8,}\d)")


def remove_personal_data(text: str, people: dict[str, str]) -> str:
    """Replace each named person by their sector in brackets, and drop email addresses and
    telephone numbers. `people` maps a name (display name or kana) to its replacement."""
    for name in sorted(people, key=len, reverse=True):
        if len(name.strip()) >= 2:
            text = text.replace(name, people[name])
    text = EMAIL_RE.sub(str(_("[email removed]")), text)
    text = PHONE_RE.sub(str(_("[phone number removed]")), text)
    return text


def _people_of(access: MeetingAccess) -> dict[str, str]:
    meeting = access.meeting
    labels = dict(Sector.choices)
    people: dict[str, str] = {}
    rows = [
        (m.user, m.sector) for m in BodyMember.objects.filter(body_id=meeting.body_id).select_related("user")
    ] + [(i.user, i.sector) for i in MeetingInvitation.objects.filter(meeting=meeting).select_related("user")]
    for user, sector in rows:
        label = f"[{labels.get(sector, sector)}]"
        for name in (user.display_name, user.name_kana, user.email):
            if name:
                people[name] = label
                # Japanese names are often written with or without the space between the parts.
                people[name.replace(" ", "").replace("\u3000", "")] = label
                for part in re.split(r"[\s\u3000]+", name):
                    if len(part) >= 2 and "@" not in name:
                        people.setdefault(part, label)
    for item in AgendaItem.objects.filter(meeting=meeting).exclude(presenter_name=""):
        people.setdefault(item.presenter_name, str(_("[presenter]")))
    return people


@transaction.atomic
def minutes_publish(*, access: MeetingAccess, user) -> Minutes:
    """Publish approved minutes to the public site, with personal data removed."""
    _require(access)
    minutes = Minutes.objects.select_for_update().get(meeting=access.meeting)
    if minutes.status == Minutes.Status.DRAFT:
        raise ValidationError(_("Approve the minutes before publishing them."))
    minutes.public_text = remove_personal_data(minutes.text, _people_of(access))
    minutes.status = Minutes.Status.PUBLISHED
    minutes.published_at = timezone.now()
    minutes.save(update_fields=["public_text", "status", "published_at"])
    audit_record(actor=user, action="minutes.publish", target=minutes)
    return minutes


def _agenda_item_of(access: MeetingAccess, agenda_item) -> AgendaItem | None:
    if agenda_item is None:
        return None
    if agenda_item.meeting_id != access.meeting.pk:
        raise ValidationError({"agenda_item": _("That agenda item is not part of this meeting.")})
    return agenda_item


@transaction.atomic
def decision_record(*, access: MeetingAccess, user, text: str, agenda_item=None) -> Decision:
    _require(access)
    decision = Decision(meeting=access.meeting, agenda_item=_agenda_item_of(access, agenda_item), text=text.strip())
    decision.full_clean()
    decision.save()
    audit_record(actor=user, action="meeting.decision", target=decision)
    return decision


@transaction.atomic
def action_item_create(*, access: MeetingAccess, user, description: str, owner=None, due_on=None,
                       agenda_item=None, decision=None) -> ActionItem:
    _require(access)
    if decision is not None and decision.meeting_id != access.meeting.pk:
        raise ValidationError({"decision": _("That decision is not part of this meeting.")})
    item = ActionItem(
        meeting=access.meeting, agenda_item=_agenda_item_of(access, agenda_item), decision=decision,
        description=description.strip(), owner=owner, due_on=due_on,
    )
    item.full_clean()
    item.save()
    audit_record(actor=user, action="meeting.action_item", target=item)
    return item


@transaction.atomic
def action_item_set_status(*, access: MeetingAccess, user, item: ActionItem, status: str) -> ActionItem:
    """Coordinators, and the item's owner, move an action item along."""
    if not (access.can_coordinate or item.owner_id == user.pk):
        raise PermissionDenied(_("Only the body's coordinators or the owner can do this."))
    if item.meeting.body_id != access.meeting.body_id:
        raise PermissionDenied(_("Only the body's coordinators or the owner can do this."))
    item.status = status
    item.updated_at = timezone.now()
    item.full_clean()
    item.save(update_fields=["status", "updated_at"])
    audit_record(actor=user, action="meeting.action_item_status", target=item, data={"status": status})
    return item


def _follow_up_title(item: ActionItem) -> str:
    lines = item.description.strip().splitlines()
    return (lines[0].strip() if lines else "")[:200] or "—"


def carry_over_open_action_items(meeting: Meeting, *, user=None) -> list[AgendaItem]:
    """Put each open action item of the body's earlier meetings on this meeting's agenda, as a
    follow-up item linked to it (its owner presents). Idempotent: an item already on the agenda
    is not added again, and closed items (done, dropped) are never carried. Called when a meeting
    is created, and by the coordinator's button for items added or reopened since."""
    with transaction.atomic():
        # One carry-over at a time per meeting (the unique constraint is the backstop).
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        pending = list(action_item_list_to_carry(meeting))
        if not pending:
            return []
        last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0
        rows = [
            AgendaItem(
                meeting=meeting, order=last + n, title=_follow_up_title(item),
                minutes_allotted=FOLLOW_UP_MINUTES, presenter_id=item.owner_id, action_item=item,
            )
            for n, item in enumerate(pending, start=1)
        ]
        AgendaItem.objects.bulk_create(rows)
        audit_record(actor=user, action="meeting.carry_over", target=meeting,
                     data={"action_items": [item.pk for item in pending]})
        return rows


def action_items_carry_over(*, access: MeetingAccess, user) -> list[AgendaItem]:
    """The coordinator's button: carry the open action items not yet on this agenda."""
    _require(access)
    if access.meeting.is_closed:
        raise ValidationError(_("The meeting has closed; its agenda no longer changes."))
    return carry_over_open_action_items(access.meeting, user=user)
