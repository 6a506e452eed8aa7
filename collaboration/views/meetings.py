"""Pages for consultation meetings: what members see, and what coordinators run (/staff/...)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from peers.form_errors import add_service_errors
from peers.models import User
from peers.views import staff_required

from .. import ics, services
from ..forms import (
    ActionItemForm,
    AgendaItemForm,
    AttendanceForm,
    DecisionForm,
    GuestForm,
    MaterialForm,
    MeetingForm,
    MinutesForm,
    PublicDraftForm,
    PublishMinutesForm,
    ReplyForm,
    RoomMessageForm,
)
from ..models import (
    ActionItem,
    Material,
    Meeting,
    MeetingInvitation,
    Minutes,
    Proposal,
    Sector,
    SpeakerQueueEntry,
    VoteMajority,
    VoteQuorum,
)
from ..redaction import highlighted
from ..selectors import (
    action_item_list_to_carry,
    agenda_item_list,
    attendance_list,
    body_get_for,
    body_list_coordinated_by,
    body_list_for,
    body_member_list,
    calendar_feed_get,
    invitation_list,
    meeting_access_for,
    meeting_list_coordinated_by,
    meeting_list_for,
    meeting_list_for_calendar,
    meeting_participation,
    message_list_hidden,
    message_thread_list,
    minutes_get_published,
    minutes_redaction_proposals,
    moderation_log_list,
    participation_for,
    reply_accommodations_read,
    speaker_queue_list,
)
from .proposals import proposal_context


def _access_or_404(request: HttpRequest, pk: int, *, coordinate: bool = False):
    access = meeting_access_for(request.user, pk)
    if access is None or (coordinate and not access.can_coordinate):
        raise Http404
    return access


# Members' pages ----------------------------------------------------------------------------


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    meetings = list(meeting_list_for(request.user).order_by("starts_at")[:200])
    return render(
        request,
        "collaboration/meeting_list.html",
        {
            "upcoming": [m for m in meetings if m.ends_at >= now],
            "past": [m for m in reversed(meetings) if m.ends_at < now],
            "bodies": body_list_for(request.user)[:100],
        },
    )


@login_required
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = body_get_for(request.user, pk)
    if body is None:
        raise Http404
    return render(
        request,
        "collaboration/body_detail.html",
        {
            "body": body,
            "members": body_member_list(body),
            "meetings": meeting_list_for(request.user).filter(body=body).order_by("-starts_at")[:100],
        },
    )


def _meeting_context(access) -> dict:
    meeting = access.meeting
    return {
        "meeting": meeting,
        "access": access,
        "agenda": agenda_item_list(meeting),
        "materials": meeting.materials.order_by("uploaded_at", "id"),
        "decisions": meeting.decisions.select_related("agenda_item").order_by("id"),
        "action_items": meeting.action_items.select_related("owner", "agenda_item").order_by("due_on", "id"),
        "minutes": Minutes.objects.filter(meeting=meeting).first(),
    }


def _with_proposals(context: dict, access, user) -> dict:
    context.update(proposal_context(access, user))
    return context


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = _access_or_404(request, pk)
    context = _with_proposals(_meeting_context(access), access, request.user)
    invitation = access.invitation if access.invitation and access.invitation.pk else None
    reply = getattr(invitation, "reply", None) if invitation else None
    context.update(
        invitation=invitation,
        reply_form=ReplyForm(instance=reply) if invitation else None,
    )
    return render(request, "collaboration/meeting_detail.html", context)


@login_required
@require_POST
def meeting_reply(request: HttpRequest, pk: int) -> HttpResponse:
    access = _access_or_404(request, pk)
    invitation = MeetingInvitation.objects.filter(meeting=access.meeting, user=request.user).first()
    if invitation is None:
        raise Http404
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.reply_save(
                invitation=invitation, user=request.user, response=form.cleaned_data["response"],
                accommodation_request=form.cleaned_data["accommodation_request"],
                accommodation_consent=form.cleaned_data["accommodation_consent"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you, your reply has been saved. You can change it on this page."))
            return redirect("collaboration:meeting_detail", pk=pk)
    context = _with_proposals(_meeting_context(access), access, request.user)
    context.update(invitation=invitation, reply_form=form)
    return render(request, "collaboration/meeting_detail.html", context, status=400)


@login_required
def material_download(request: HttpRequest, pk: int, material_pk: int) -> HttpResponse:
    access = _access_or_404(request, pk)
    material = get_object_or_404(Material, pk=material_pk, meeting=access.meeting)
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=material.file.name.rsplit("/", 1)[-1])


def material_public(request: HttpRequest, material_pk: int) -> HttpResponse:
    """A published material, for anyone (unpublished ones: invitees only, above)."""
    material = get_object_or_404(Material, pk=material_pk, is_published=True)
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=material.file.name.rsplit("/", 1)[-1])


@login_required
def meeting_room(request: HttpRequest, pk: int) -> HttpResponse:
    """The live room. The whole history is in the page, so it works without websockets too."""
    access = _access_or_404(request, pk)
    history = message_thread_list(access.meeting)
    replying = _replying_to(history, request.GET.get("reply_to", ""))
    participation = participation_for(access)
    invitation = access.invitation if access.invitation and access.invitation.pk else None
    checked_in = invitation is not None and access.meeting.attendances.filter(user=request.user, present=True).exists()
    return render(
        request,
        "collaboration/meeting_room.html",
        _with_proposals({
            "meeting": access.meeting,
            "access": access,
            "history": history,
            "replying": replying,
            "last_seq": access.meeting.last_seq,
            "agenda": agenda_item_list(access.meeting),
            "queue": speaker_queue_list(access.meeting),
            "form": RoomMessageForm(meeting=access.meeting),
            "strings": _room_strings(),
            "participation": participation,
            "can_check_in": invitation is not None and not access.meeting.is_closed,
            "checked_in": checked_in,
            # The server closes the socket on a bigger frame (config/serve.py): the script checks first.
            "max_frame_bytes": settings.KAKEHASHI_ROOM_MAX_FRAME_BYTES,
        }, access, request.user),
    )


def _replying_to(history, number: str):
    """The message a person answers from the page without the script (`?reply_to=<seq>`), if it
    is one of this room's and can be answered; its thread is shown open."""
    if not (number.isdecimal() and len(number) < 19):
        return None
    seq = int(number)
    for root in history:
        for message in (root, *root.thread_messages):
            if message.seq == seq:
                root.thread_open = True
                return message if message.is_visible else None
    return None


def _room_strings() -> dict:
    """Every word the room's script shows, translated here (the script has no catalogue)."""
    return {
        "connected": _("Connected: new messages appear here as they are sent."),
        "offline": _("Offline: trying to reconnect. Nothing you saw is lost; reload to see new messages."),
        "refused": _("You cannot join this room's live updates."),
        "too_large": _("The message is too long."),
        "too_many": _("This room is open in too many windows or tabs. Close one and reload this page for live updates."),
        "closed": _("The meeting has closed; the room is read-only."),
        "content_note": _("Content note: open to read"),
        "deleted": _("This message was deleted by its author."),
        "hidden": _("Hidden by a coordinator:"),
        "edited": _("edited"),
        "reply": _("Reply"),
        "reply_to": _("reply to"),
        "replying": _("Replying to"),
        "cancel_reply": _("Cancel the reply"),
        # ngettext's two forms, for the count of replies under a message (Japanese has one).
        "replies_one": ngettext("%(n)s reply", "%(n)s replies", 1),
        "replies_other": ngettext("%(n)s reply", "%(n)s replies", 2),
        "edit": _("Edit"),
        "edit_label": _("The message, changed"),
        "save": _("Save"),
        "delete": _("Delete"),
        "confirm_delete": _("Delete this message?"),
        "hide": _("Hide"),
        "hide_reason": _("Why hide this message? (the reason is shown and logged)"),
        "unhide": _("Restore"),
        "unhide_reason": _("Why restore this message? (the reason is logged)"),
        "call": _("Give the floor"),
        "first_on_item": _("first time on this item"),
        "mentioned": _("%(name)s mentioned you in a message."),
        "seconds": _("%(m)s min %(s)s s"),
        "nobody_waiting": _("Everyone here has spoken on this item."),
        "speaking_now": _("Speaking now:"),
        "no_item": _("Not tied to an agenda item"),
        "over_time": _("over the time allotted"),
        "checked_in": _("You are checked in. Your attendance is recorded."),
        "proposal": {
            "agree": _("Agree"), "disagree": _("Disagree"), "abstain": _("Abstain"), "vote": _("Vote"),
            "your_vote": _("Your vote"), "voted": _("You have voted."),
            "open_vote": _("Open the vote"), "close_vote": _("Close the vote and record the outcome"),
            "opened": _("Voting is open on: %(text)s"),
            "voting": _("Voting is open: %(voted)s of %(members)s members have voted."),
            "not_opened": _("Voting has not opened yet."), "waiting": _("Waiting for the chair to record the outcome."),
            "withdrawn": _("Withdrawn."), "adopted": _("Adopted"), "rejected": _("Not adopted"),
            "no_quorum": _("Not decided: too few members took part"),
            "counts": _("agree %(agree)s, disagree %(disagree)s, abstain %(abstain)s"),
            "by_consensus": _("by consensus"), "secret": _("secret ballot"), "open": _("open ballot"),
            "methods": {k: str(v) for k, v in Proposal.Method.choices},
            "rule": _("To be adopted: %(majority)s. Quorum: %(quorum)s."),
            "majorities": {k: str(v) for k, v in VoteMajority.choices},
            "quorums": {k: str(v) for k, v in VoteQuorum.choices},
            "statuses": {k: str(v) for k, v in Proposal.Status.choices},
        },
        "sectors": {k: str(v) for k, v in Sector.choices},
        "statuses": {k: str(v) for k, v in SpeakerQueueEntry.Status.choices},
    }


@login_required
@require_POST
def meeting_room_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Posting without JavaScript: the same service as the websocket."""
    access = _access_or_404(request, pk)
    form = RoomMessageForm(request.POST, meeting=access.meeting)
    if form.is_valid():
        try:
            services.message_post(
                access=access, author=request.user, body=form.cleaned_data["body"],
                reply_to_seq=form.cleaned_data["reply_to"],
                agenda_item_id=getattr(form.cleaned_data["agenda_item"], "pk", None),
                content_note=form.cleaned_data["content_note"],
            )
        except services.RoomError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("The message could not be sent. Please check it."))
    return redirect(reverse("collaboration:meeting_room", args=[pk]) + "#composer")


@login_required
@require_POST
def meeting_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Self check-in from the room (the same service as the socket's check_in frame)."""
    access = _access_or_404(request, pk)
    try:
        _row, changed = services.attendance_check_in(
            access=access, user=request.user, code=request.POST.get("code", "")[:20])
    except services.RoomError as error:
        messages.error(request, error.message)
    else:
        if changed:
            messages.success(request, _("You are checked in: your attendance is recorded. You can take part in "
                                        "the room now."))
        else:
            messages.info(request, _("You were already checked in. Nothing has changed."))
    return redirect("collaboration:meeting_room", pk=pk)


@login_required
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    access = _access_or_404(request, pk)
    response = HttpResponse(ics.calendar([access.meeting]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{pk}.ics"'
    return response


@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.calendar_feed_reset(user=request.user)
        messages.success(request, _("Your calendar address has been changed; the old one no longer works."))
        return redirect("collaboration:calendar_settings")
    feed = services.calendar_feed_for(request.user)
    url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))
    return render(request, "collaboration/calendar_settings.html", {"feed_url": url})


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's meetings for their calendar program; the secret address is the key."""
    feed = calendar_feed_get(token)
    if feed is None:
        raise Http404
    body = ics.calendar(meeting_list_for_calendar(feed.user), name=_("Kakehashi meetings"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def minutes_public(request: HttpRequest, pk: int) -> HttpResponse:
    """Published minutes on the public site, with personal data removed."""
    minutes = minutes_get_published(pk)
    if minutes is None:
        raise Http404
    return render(
        request,
        "collaboration/minutes_public.html",
        {"minutes": minutes, "meeting": minutes.meeting,
         "materials": minutes.meeting.materials.filter(is_published=True)},
    )


# Coordinators' pages -----------------------------------------------------------------------


@staff_required
def staff_meeting_list(request: HttpRequest) -> HttpResponse:
    bodies = body_list_coordinated_by(request.user)
    if request.method == "POST":
        form = MeetingForm(request.POST, bodies=bodies)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_create(
                    user=request.user, body=data["body"], title=data["title"],
                    starts_at=data["starts_at"], ends_at=data["ends_at"], place=data["place"],
                    online_url=data["online_url"], description=data["description"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The meeting has been created. Send the invitations when it is ready."))
                return redirect("collaboration:staff_meeting", pk=meeting.pk)
    else:
        form = MeetingForm(bodies=bodies)
    meetings = meeting_list_coordinated_by(request.user).order_by("-starts_at")[:100]
    return render(
        request,
        "collaboration/staff/meeting_list.html",
        {"form": form, "meetings": meetings, "bodies": bodies},
    )


def _people_of_meeting(meeting: Meeting):
    return User.objects.filter(meeting_invitations__meeting=meeting).order_by("display_name")


@staff_required
def staff_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    access = _access_or_404(request, pk, coordinate=True)
    meeting = access.meeting
    people = _people_of_meeting(meeting)
    invitations = list(invitation_list(meeting))
    shown = reply_accommodations_read(access=access, viewer=request.user, invitations=invitations,
                                      context=meeting.title)
    for invitation in invitations:
        invitation.accommodation_shown = shown.get(invitation.pk, "")
    present = set(meeting.attendances.filter(present=True).values_list("user_id", flat=True))
    context = _meeting_context(access)
    context.update(
        invitations=invitations,
        attendances=attendance_list(meeting),
        queue=speaker_queue_list(meeting),
        moderation=moderation_log_list(meeting)[:100],
        hidden_messages=message_list_hidden(meeting),
        to_carry=[] if meeting.is_closed else list(action_item_list_to_carry(meeting)),
        participation=meeting_participation(meeting),
        agenda_form=AgendaItemForm(people=people),
        guest_form=GuestForm(),
        attendance_form=AttendanceForm(invitations=invitations, initial={"present": list(present)}),
        minutes_form=MinutesForm(initial={"text": context["minutes"].text if context["minutes"] else ""}),
        decision_form=DecisionForm(meeting=meeting),
        action_form=ActionItemForm(meeting=meeting, people=people),
        material_form=MaterialForm(),
        action_statuses=ActionItem.Status.choices,
    )
    return render(request, "collaboration/staff/meeting.html", context)


STAFF_ACTIONS = {}


def _staff_action(name):
    def register(func):
        STAFF_ACTIONS[name] = func
        return func

    return register


@_staff_action("status")
def _status(request, access):
    services.meeting_set_status(access=access, user=request.user, status=request.POST.get("status", ""))


@_staff_action("agenda")
def _agenda(request, access):
    form = AgendaItemForm(request.POST, people=_people_of_meeting(access.meeting))
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    services.agenda_item_add(access=access, user=request.user, **form.cleaned_data)


@_staff_action("carry_over")
def _carry_over(request, access):
    rows = services.action_items_carry_over(access=access, user=request.user)
    messages.success(request, ngettext(
        "%(count)d open action item added to the agenda.",
        "%(count)d open action items added to the agenda.", len(rows),
    ) % {"count": len(rows)})


@_staff_action("invite_members")
def _invite_members(request, access):
    created = services.meeting_invite_members(access=access, user=request.user)
    messages.success(request, _("%(count)d invitations sent.") % {"count": len(created)})


@_staff_action("invite_guest")
def _invite_guest(request, access):
    form = GuestForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    guest = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
    if guest is None:
        raise ValidationError(_("No account uses that email address. Invite the person to Kakehashi first."))
    services.meeting_invite(access=access, user=request.user, invitees=[guest],
                            sector=form.cleaned_data["sector"], is_guest=True)


@_staff_action("attendance")
def _attendance(request, access):
    invitations = list(invitation_list(access.meeting))
    form = AttendanceForm(request.POST, invitations=invitations)
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    present = set(form.cleaned_data["present"])
    for invitation in invitations:
        services.attendance_record(access=access, user=request.user, person=invitation.user,
                                   present=invitation.user_id in present)


@_staff_action("check_in_code")
def _check_in_code(request, access):
    code = services.check_in_code_issue(access=access, user=request.user)
    messages.success(request, _("The new check-in code is %(code)s. Show it at the venue: people who type it in "
                                "are recorded as present there.") % {"code": code})


@_staff_action("call_speaker")
def _call(request, access):
    services.speaker_call(access=access, user=request.user, entry_id=request.POST.get("entry"))


@_staff_action("finish_speaker")
def _finish(request, access):
    services.speaker_done(access=access, user=request.user)


@_staff_action("hide")
def _hide(request, access):
    services.message_hide(access=access, user=request.user, seq=request.POST.get("seq"),
                          reason=request.POST.get("reason", ""))


@_staff_action("unhide")
def _unhide(request, access):
    services.message_unhide(access=access, user=request.user, seq=request.POST.get("seq"),
                            reason=request.POST.get("reason", ""))


@_staff_action("minutes")
def _minutes(request, access):
    text = request.POST.get("text")
    services.minutes_save(access=access, user=request.user, text=text if text else None)


@_staff_action("minutes_approve")
def _minutes_approve(request, access):
    services.minutes_approve(access=access, user=request.user)


def _minutes_for_review(request: HttpRequest, pk: int):
    access = _access_or_404(request, pk, coordinate=True)
    minutes = Minutes.objects.filter(meeting=access.meeting).first()
    if minutes is None:
        raise Http404
    return access, minutes


def _review(text: str, proposals) -> dict:
    return {
        "segments": highlighted(text, proposals),
        "rows": [{"proposal": p, "line": text.count("\n", 0, p.start) + 1} for p in proposals],
    }


@staff_required
def staff_minutes_public(request: HttpRequest, pk: int) -> HttpResponse:
    """The public version of the minutes as its own draft: the proposed redactions of the
    internal text, highlighted with their reasons, each accepted or rejected; then the
    coordinator's own edit and a preview. Nothing here publishes (see staff_minutes_publish)."""
    access, minutes = _minutes_for_review(request, pk)
    form = PublicDraftForm(initial={"text": minutes.public_draft})
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "prepare":
                services.minutes_public_draft_prepare(
                    access=access, user=request.user, accepted=request.POST.getlist("accept"),
                    text_digest_read=request.POST.get("text_digest", ""),
                )
                messages.success(request, _("The public draft was made from the accepted proposals. Check it below."))
                return redirect(reverse("collaboration:staff_minutes_public", args=[pk]) + "#public-draft")
            if step == "save":
                form = PublicDraftForm(request.POST)
                if form.is_valid():
                    services.minutes_public_draft_save(access=access, user=request.user, text=form.cleaned_data["text"])
                    messages.success(request, _("The public draft was saved. It is not published yet."))
                    return redirect(reverse("collaboration:staff_minutes_public", args=[pk]) + "#preview")
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    internal = minutes_redaction_proposals(access, minutes.text)
    remaining = minutes_redaction_proposals(access, minutes.public_draft)
    return render(request, "collaboration/staff/minutes_public.html", {
        "meeting": access.meeting, "minutes": minutes, "form": form,
        "internal": _review(minutes.text, internal), "text_digest": services.text_digest(minutes.text),
        "draft": _review(minutes.public_draft, remaining),
        "is_published_as_drafted": minutes.status == Minutes.Status.PUBLISHED
        and minutes.public_text == minutes.public_draft,
    })


@staff_required
def staff_minutes_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirm step: the public version exactly as it will show, and a box to tick."""
    access, minutes = _minutes_for_review(request, pk)
    form = PublishMinutesForm(initial={"digest": services.public_draft_digest(minutes)})
    if request.method == "POST":
        form = PublishMinutesForm(request.POST)
        confirmed = form.is_valid()
        try:
            services.minutes_publish(
                access=access, user=request.user, confirmed=confirmed,
                digest=form.cleaned_data.get("digest", "") if confirmed else "",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            form = PublishMinutesForm(initial={"digest": services.public_draft_digest(minutes)})
        else:
            messages.success(request, _("The minutes are published on the public site. Anyone can read them there now."))
            return redirect(reverse("collaboration:staff_meeting", args=[pk]) + "#minutes")
    remaining = minutes_redaction_proposals(access, minutes.public_draft)
    return render(request, "collaboration/staff/minutes_publish.html", {
        "meeting": access.meeting, "minutes": minutes, "form": form, "draft": _review(minutes.public_draft, remaining),
    })


@_staff_action("decision")
def _decision(request, access):
    form = DecisionForm(request.POST, meeting=access.meeting)
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    services.decision_record(access=access, user=request.user, **form.cleaned_data)


@_staff_action("action_item")
def _action_item(request, access):
    form = ActionItemForm(request.POST, meeting=access.meeting, people=_people_of_meeting(access.meeting))
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    services.action_item_create(access=access, user=request.user, **form.cleaned_data)


@_staff_action("action_status")
def _action_status(request, access):
    item = get_object_or_404(ActionItem, pk=request.POST.get("item"), meeting__body_id=access.meeting.body_id)
    services.action_item_set_status(access=access, user=request.user, item=item, status=request.POST.get("status", ""))


@_staff_action("material")
def _material(request, access):
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    services.material_add(access=access, user=request.user, **form.cleaned_data)


@_staff_action("material_publish")
def _material_publish(request, access):
    material = get_object_or_404(Material, pk=request.POST.get("material"), meeting=access.meeting)
    services.material_publish(access=access, user=request.user, material=material)


@_staff_action("material_remove")
def _material_remove(request, access):
    from ..services.meetings import material_remove

    material = get_object_or_404(Material, pk=request.POST.get("material"), meeting=access.meeting)
    material_remove(access=access, user=request.user, material=material)


@staff_required
@require_POST
def staff_meeting_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    access = _access_or_404(request, pk, coordinate=True)
    handler = STAFF_ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        handler(request, access)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.RoomError as error:
        messages.error(request, error.message)
    except PermissionDenied:
        raise
    else:
        if not messages.get_messages(request):
            messages.success(request, _("Saved. The meeting's page shows the change now."))
    return redirect(reverse("collaboration:staff_meeting", args=[pk]) + f"#{action}")

