"""Demo consultation bodies and meetings (never in production). Idempotent.

Two bodies (Tokyo, and a region of Tokyo); a past meeting with minutes, decisions and action
items; an upcoming meeting the demo accounts are invited to; and a meeting open now, so the live
room can be tried at once. Needs peers.demo.load() first (the demo accounts).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from peers.access import acting_for_system  # the demo loader acts for the platform
from peers.models import Organisation, Region, User

from .models import (
    ActionItem,
    AgendaItem,
    BodyMember,
    ConsultationBody,
    Decision,
    Meeting,
    MeetingInvitation,
    Message,
    Minutes,
    Proposal,
    Sector,
    SpeakerQueueEntry,
    Vote,
)
from .selectors import meeting_access_for
from .services import attendance_record, body_honorarium_set, carry_over_open_action_items

TOKYO_BODY = "東京都 精神障害にも対応した地域包括ケアシステム 協議の場"
REGION_BODY = "北多摩北部圏域 協議の場"

# email → sector on the bodies
MEMBERS = {
    "coordinator@example.org": Sector.ADMINISTRATION,
    "peer@example.org": Sector.PEER,
    "pro@example.org": Sector.MEDICAL,
    "manager@example.org": Sector.WELFARE,
}


def _meeting(body, title, starts_at, hours, status, **extra) -> Meeting:
    meeting = Meeting.objects.filter(body=body, title=title).first()
    if meeting is None:
        meeting = Meeting.objects.create(
            body=body, title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
            status=status, **extra,
        )
    else:
        # Keep the demo's timing relative to today (the open meeting is always open now).
        meeting.starts_at, meeting.ends_at, meeting.status = starts_at, starts_at + timedelta(hours=hours), status
        meeting.save(update_fields=["starts_at", "ends_at", "status"])
    return meeting


def _agenda(meeting, items) -> list[AgendaItem]:
    rows = []
    for order, (title, minutes, presenter) in enumerate(items, start=1):
        row, _ = AgendaItem.objects.get_or_create(
            meeting=meeting, order=order,
            defaults={"title": title, "minutes_allotted": minutes, "presenter": presenter},
        )
        rows.append(row)
    return rows


@transaction.atomic
def load() -> dict:
    people = {u.email: acting_for_system(u) for u in User.objects.filter(email__in=MEMBERS)}
    if len(people) < len(MEMBERS):
        return {"meetings": 0}
    coordinator = people["coordinator@example.org"]
    tokyo_body, _ = ConsultationBody.objects.get_or_create(
        name=TOKYO_BODY,
        defaults={"level": ConsultationBody.Level.PREFECTURE, "prefecture_id": "13",
                  "description": "保健・医療・福祉関係者、当事者・家族が地域の課題を話し合う場です。"},
    )
    region = Region.objects.filter(prefecture_id="13", name_ja="北多摩北部").first()
    bodies = [tokyo_body]
    if region is not None:
        region_body, _ = ConsultationBody.objects.get_or_create(
            name=REGION_BODY,
            defaults={"level": ConsultationBody.Level.REGION, "prefecture_id": "13", "region": region},
        )
        bodies.append(region_body)
    for body in bodies:
        for email, sector in MEMBERS.items():
            BodyMember.objects.get_or_create(
                body=body, user=people[email],
                defaults={"sector": sector, "is_coordinator": email == "coordinator@example.org"},
            )

    now = timezone.now().replace(second=0, microsecond=0)
    past = _meeting(tokyo_body, "第2回 協議の場（振り返り）", now - timedelta(days=30), 2, Meeting.Status.CLOSED,
                    place="東京都庁 第一本庁舎 会議室", created_by=coordinator)
    upcoming = _meeting(tokyo_body, "第3回 協議の場", now + timedelta(days=7), 2, Meeting.Status.SCHEDULED,
                        place="東京都庁 第一本庁舎 会議室", online_url="https://meet.example.org/kakehashi-3",
                        created_by=coordinator)
    live = _meeting(tokyo_body, "臨時 オンライン協議（いま開催中）", now - timedelta(minutes=15), 2, Meeting.Status.OPEN,
                    online_url="https://meet.example.org/kakehashi-live", created_by=coordinator)

    for meeting in (past, upcoming, live):
        for email, sector in MEMBERS.items():
            MeetingInvitation.objects.get_or_create(
                meeting=meeting, user=people[email], defaults={"sector": sector, "invited_by": coordinator}
            )

    peer, pro = people["peer@example.org"], people["pro@example.org"]
    past_items = _agenda(past, [("退院後の地域生活支援の現状", 30, pro), ("ピアサポーターの参画", 30, peer)])
    _agenda(upcoming, [("前回の宿題の確認", 15, coordinator), ("就労支援とピアサポート", 40, peer)])
    live_items = _agenda(live, [("意見交換", 60, coordinator)])
    # The live room's chair panel (issue 18): balanced speaker list on, the item under
    # discussion named, and two finished turns (peer 3 min, professional 2 min) to show.
    Meeting.objects.filter(pk=live.pk).update(balanced_queue=True, current_agenda_item=live_items[0])
    if not SpeakerQueueEntry.objects.filter(meeting=live).exists():
        start = now - timedelta(minutes=12)
        for user, sector, minutes in ((peer, Sector.PEER, 3), (pro, Sector.MEDICAL, 2)):
            SpeakerQueueEntry.objects.create(
                meeting=live, user=user, sector=sector, agenda_item=live_items[0],
                status=SpeakerQueueEntry.Status.DONE, raised_at=start, called_at=start,
                done_at=start + timedelta(minutes=minutes), called_by=coordinator,
            )
            start += timedelta(minutes=minutes)

    decision, _ = Decision.objects.get_or_create(
        meeting=past, text="次回から協議の場の委員にピアサポーター2名を加える。",
        defaults={"agenda_item": past_items[1]},
    )
    ActionItem.objects.get_or_create(
        meeting=past, description="ピアサポーター委員の推薦を事業所に依頼する",
        defaults={"owner": coordinator, "due_on": (now + timedelta(days=5)).date(), "decision": decision,
                  "agenda_item": past_items[1]},
    )
    ActionItem.objects.get_or_create(
        meeting=past, description="地域移行支援の事例を3件まとめる",
        defaults={"owner": pro, "due_on": (now - timedelta(days=2)).date(), "status": ActionItem.Status.IN_PROGRESS,
                  "agenda_item": past_items[0]},
    )
    # The past meeting's open action items come up on the next meeting's agenda (idempotent).
    carry_over_open_action_items(upcoming, user=coordinator)
    Minutes.objects.get_or_create(
        meeting=past,
        defaults={
            "text": "第2回 協議の場\n\n1. 退院後の地域生活支援の現状\n  医療と福祉の連携について報告があった。\n\n"
                    "2. ピアサポーターの参画\n  - 決定: 次回から委員にピアサポーター2名を加える。\n",
            "public_text": "第2回 協議の場\n\n1. 退院後の地域生活支援の現状\n  医療と福祉の連携について報告があった。\n\n"
                           "2. ピアサポーターの参画\n  - 決定: 次回から委員にピアサポーター2名を加える。\n",
            # The confirmed public version is the public draft the coordinator read.
            "public_draft": "第2回 協議の場\n\n1. 退院後の地域生活支援の現状\n  医療と福祉の連携について報告があった。\n\n"
                            "2. ピアサポーターの参画\n  - 決定: 次回から委員にピアサポーター2名を加える。\n",
            "published_by": coordinator,
            "status": Minutes.Status.PUBLISHED, "drafted_by": coordinator, "approved_by": coordinator,
            "approved_at": now - timedelta(days=25), "published_at": now - timedelta(days=25),
        },
    )
    if not Message.objects.filter(meeting=live).exists():
        for text, author in (("本日はよろしくお願いします。", coordinator), ("よろしくお願いします。ピアの立場から発言します。", peer)):
            live.last_seq += 1
            Message.objects.create(meeting=live, seq=live.last_seq, rev=live.last_seq, author=author, body=text)
        Meeting.objects.filter(pk=live.pk).update(last_seq=live.last_seq)
    _honoraria(tokyo_body, past, coordinator, people)
    _thread(live, peer, pro)
    _proposals(past_items[1], live_items[0], decision, coordinator, tokyo_body)
    return {"meetings": 3, "live_meeting": live.pk}


HONORARIUM_PAYER = "東京都立 精神保健福祉センター（デモ）"


def _honoraria(body, past, coordinator, people) -> None:
    """Peer members of the Tokyo body receive 8,000円 a meeting, paid by the mental health and
    welfare centre: the past meeting's attendance makes the peer's payment to confirm (once,
    through the same service as the attendance page)."""
    payer = Organisation.objects.filter(name=HONORARIUM_PAYER, prefecture_id=body.prefecture_id).first()
    if payer is None:
        return
    if body.honorarium_per_meeting is None:
        body_honorarium_set(user=coordinator, body=body, amount=8000, payer=payer)
    access = meeting_access_for(coordinator, past.pk)
    for email in ("peer@example.org", "pro@example.org", "coordinator@example.org"):
        attendance_record(access=access, user=coordinator, person=people[email], present=True)



def _thread(live: Meeting, peer, pro) -> None:
    """A thread in the live room (issue 18): the professional answers the peer's message, and the
    peer answers back, in the same thread."""
    first = Message.objects.filter(meeting=live, author=peer, thread__isnull=True).order_by("seq").first()
    if first is None or Message.objects.filter(thread=first).exists():
        return
    live.refresh_from_db(fields=["last_seq"])
    parent = first
    for text, author in (("ぜひ、退院後の暮らしで困ったことを聞かせてください。", pro),
                         ("はい。住まい探しで、ピアの同行が心強かった話をします。", peer)):
        live.last_seq += 1
        parent = Message.objects.create(meeting=live, seq=live.last_seq, rev=live.last_seq, author=author, body=text,
                                        reply_to=parent, thread=first)
    Meeting.objects.filter(pk=live.pk).update(last_seq=live.last_seq)


def _proposals(past_item: AgendaItem, live_item: AgendaItem, decision: Decision, coordinator, body) -> None:
    """A proposal decided by an open vote at the past meeting (the decision it became is the one
    above), and one on the live meeting's agenda whose vote the chair can open."""
    decided, made = Proposal.objects.get_or_create(
        agenda_item=past_item, text="次回から協議の場の委員にピアサポーター2名を加える。",
        defaults={"method": Proposal.Method.VOTE, "status": Proposal.Status.DECIDED,
                  "outcome": Proposal.Outcome.ADOPTED, "decision": decision, "created_by": coordinator,
                  "voting_opened_at": decision.created_at, "voting_closed_at": decision.created_at,
                  "decided_at": decision.created_at},
    )
    if made:
        choices = {"peer@example.org": Vote.Choice.AGREE, "pro@example.org": Vote.Choice.AGREE,
                   "manager@example.org": Vote.Choice.ABSTAIN, "coordinator@example.org": Vote.Choice.AGREE}
        for member in BodyMember.objects.filter(body=body, user__email__in=choices).select_related("user"):
            choice = choices[member.user.email]
            Vote.objects.create(proposal=decided, member=member, choice=choice, cast_at=decision.created_at)
            setattr(decided, f"{choice}_count", getattr(decided, f"{choice}_count") + 1)
        decided.save(update_fields=["agree_count", "disagree_count", "abstain_count"])
    Proposal.objects.get_or_create(
        agenda_item=live_item, text="ピアサポーターの活動報告を、毎回の協議の場の議題にする。",
        defaults={"method": Proposal.Method.VOTE, "created_by": coordinator},
    )
