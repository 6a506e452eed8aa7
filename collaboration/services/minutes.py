"""Minutes, decisions and action items: the meeting's record and its follow-up."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Collection

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.services import audit_record

from ..models import (
    ActionItem,
    AgendaItem,
    Decision,
    Meeting,
    Minutes,
)
from ..redaction import apply_proposals
from ..selectors import (
    MeetingAccess,
    action_item_list_to_carry,
    agenda_item_list,
    minutes_redaction_proposals,
)

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


def text_digest(text: str) -> str:
    """Names the exact text a coordinator read, so that what they confirm is what they saw."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def public_draft_digest(minutes: Minutes) -> str:
    return text_digest(minutes.public_draft)


def _reason_counts(proposals) -> dict[str, int]:
    return dict(Counter(str(p.reason) for p in proposals))


@transaction.atomic
def minutes_public_draft_prepare(*, access: MeetingAccess, user, accepted: Collection[str],
                                 text_digest_read: str) -> Minutes:
    """Start the public draft again from the internal minutes, with the accepted proposals
    applied (each proposal is named by its key; the others are kept as written).
    `text_digest_read` is the digest of the internal text the coordinator reviewed."""
    _require(access)
    minutes = Minutes.objects.select_for_update().get(meeting=access.meeting)
    if text_digest_read != text_digest(minutes.text):
        raise ValidationError(_("The minutes changed after you read them. Review the proposals again."))
    proposals = minutes_redaction_proposals(access, minutes.text)
    accepted = {key for key in accepted if isinstance(key, str)}
    applied = [p for p in proposals if p.key in accepted]
    minutes.public_draft = apply_proposals(minutes.text, applied)
    minutes.public_draft_updated_at = timezone.now()
    minutes.full_clean()
    minutes.save(update_fields=["public_draft", "public_draft_updated_at"])
    # The audit says how many of each kind, never the names themselves.
    audit_record(actor=user, action="minutes.public_draft_prepare", target=minutes, data={
        "accepted": _reason_counts(applied), "rejected": _reason_counts(p for p in proposals if p not in applied),
    })
    return minutes


@transaction.atomic
def minutes_public_draft_save(*, access: MeetingAccess, user, text: str) -> Minutes:
    """The coordinator's own edit of the public draft. What is published does not change."""
    _require(access)
    minutes = Minutes.objects.select_for_update().get(meeting=access.meeting)
    minutes.public_draft = text.replace("\r\n", "\n")
    minutes.public_draft_updated_at = timezone.now()
    minutes.full_clean()
    minutes.save(update_fields=["public_draft", "public_draft_updated_at"])
    audit_record(actor=user, action="minutes.public_draft_save", target=minutes)
    return minutes


@transaction.atomic
def minutes_publish(*, access: MeetingAccess, user, confirmed: bool, digest: str) -> Minutes:
    """Publish the public draft, exactly as the coordinator read it, once they confirm.
    The public site shows `public_text` only, and only this service writes it."""
    _require(access)
    minutes = Minutes.objects.select_for_update().get(meeting=access.meeting)
    if minutes.status == Minutes.Status.DRAFT:
        raise ValidationError(_("Approve the minutes before publishing them."))
    if not minutes.public_draft.strip():
        raise ValidationError(_("Prepare the public version of the minutes before publishing them."))
    if not confirmed:
        raise ValidationError(_("Confirm that you have read the public version before publishing it."))
    if not isinstance(digest, str) or digest != public_draft_digest(minutes):
        raise ValidationError(_("The public version changed after you read it. Read it again before publishing."))
    remaining = minutes_redaction_proposals(access, minutes.public_draft)
    minutes.public_text = minutes.public_draft
    minutes.status = Minutes.Status.PUBLISHED
    minutes.published_at = timezone.now()
    minutes.published_by = user if user is not None and user.pk else None
    minutes.full_clean()
    minutes.save(update_fields=["public_text", "status", "published_at", "published_by"])
    audit_record(actor=user, action="minutes.publish", target=minutes, data={
        "digest": digest, "still_proposed": _reason_counts(remaining),
    })
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
        # One by one (a handful of rows): each save tells the listeners that keep copies of the
        # agenda (the site search) as every other way of adding an item does.
        for row in rows:
            row.save()
        audit_record(actor=user, action="meeting.carry_over", target=meeting,
                     data={"action_items": [item.pk for item in pending]})
        return rows


def action_items_carry_over(*, access: MeetingAccess, user) -> list[AgendaItem]:
    """The coordinator's button: carry the open action items not yet on this agenda."""
    _require(access)
    if access.meeting.is_closed:
        raise ValidationError(_("The meeting has closed; its agenda no longer changes."))
    return carry_over_open_action_items(access.meeting, user=user)
