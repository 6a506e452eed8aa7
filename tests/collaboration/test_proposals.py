"""Proposals on agenda items (issue 18): decided by consensus or by a vote of the body's members
(agree / disagree / abstain, once each, open or secret as the body's rules say); the outcome goes
to the decisions list and the minutes. Services, pages without the script, the room's socket and
the API, on the real database and channel layer."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.db import IntegrityError, transaction
from django.urls import reverse

from collaboration import services
from collaboration.models import (
    AgendaItem,
    BodyMember,
    Decision,
    MeetingInvitation,
    Minutes,
    Proposal,
    Sector,
    Vote,
    VoteMajority,
    VoteQuorum,
)
from collaboration.selectors import meeting_access_for, proposal_payload
from peers.models import AuditEvent

from .conftest import drain, receive_until


@pytest.fixture
def item(meeting) -> AgendaItem:
    return AgendaItem.objects.create(meeting=meeting, order=1, title="ピアサポーターの参画")


@pytest.fixture
def family(make_user, body, meeting):
    """A third member of the body, invited."""
    user = make_user(display_name="家族 花子")
    BodyMember.objects.create(body=body, user=user, sector=Sector.FAMILY)
    MeetingInvitation.objects.create(meeting=meeting, user=user, sector=Sector.FAMILY)
    return user


@pytest.fixture
def guest(make_user, meeting):
    """Invited to the meeting, but no member of the body."""
    user = make_user(display_name="来賓 太郎")
    MeetingInvitation.objects.create(meeting=meeting, user=user, sector=Sector.OTHER, is_guest=True)
    return user


def _access(user, meeting):
    return meeting_access_for(user, meeting.pk)


def _propose(coordinator, meeting, item, method="vote", text="委員にピアサポーター2名を加える。"):
    proposal, _result = services.proposal_create(
        access=_access(coordinator, meeting), user=coordinator, agenda_item_id=item.pk, text=text, method=method)
    return proposal


def _vote(user, meeting, proposal, choice):
    return services.proposal_vote(access=_access(user, meeting), user=user, proposal_id=proposal.pk, choice=choice)[0]


def _code(call) -> str:
    with pytest.raises(services.ProposalError) as caught:
        call()
    return caught.value.code


@pytest.mark.django_db
def test_an_open_vote_counts_each_member_once_and_its_outcome_becomes_a_decision_and_a_minutes_line(
        meeting, item, coordinator, peer, doctor, family, guest):
    proposal = _propose(coordinator, meeting, item)
    assert proposal.secret is False
    chair = _access(coordinator, meeting)
    # Nobody votes before the chair opens the vote.
    assert _code(lambda: _vote(peer, meeting, proposal, "agree")) == "voting_not_open"
    services.proposal_voting_open(access=chair, user=coordinator, proposal_id=proposal.pk)
    _vote(peer, meeting, proposal, "agree")
    _vote(doctor, meeting, proposal, "agree")
    _vote(family, meeting, proposal, "abstain")
    assert _code(lambda: _vote(peer, meeting, proposal, "disagree")) == "already_voted"
    # Only members of the body vote: not a guest, not the coordinator who has the role alone.
    assert _code(lambda: _vote(guest, meeting, proposal, "agree")) == "not_a_member"
    assert _code(lambda: _vote(coordinator, meeting, proposal, "agree")) == "not_a_member"
    assert _code(lambda: _vote(doctor, meeting, proposal, "maybe")) == "bad_choice"
    # While voting is open, nobody sees the totals, only how many voted.
    live = proposal_payload(Proposal.objects.select_related("agenda_item__meeting").get(pk=proposal.pk))
    assert live["voting"] is True and live["voted"] == 3 and live["members"] == 3
    assert live["counts"] is None and live["votes"] is None
    # Only the chair closes it.
    assert _code(lambda: services.proposal_voting_close(
        access=_access(peer, meeting), user=peer, proposal_id=proposal.pk)) == "forbidden"
    # The proposer's account may be gone by then (erased): the vote still closes.
    Proposal.objects.filter(pk=proposal.pk).update(created_by=None)
    proposal, _ = services.proposal_voting_close(access=chair, user=coordinator, proposal_id=proposal.pk)
    assert (proposal.status, proposal.outcome) == ("decided", "adopted")
    assert (proposal.agree_count, proposal.disagree_count, proposal.abstain_count) == (2, 0, 1)
    assert dict(Vote.objects.filter(proposal=proposal).values_list("member__user__display_name", "choice")) == {
        "ピア 陽子": "agree", "医師 一郎": "agree", "家族 花子": "abstain"}
    decision = Decision.objects.get(meeting=meeting)
    assert proposal.decision == decision and decision.agenda_item == item
    assert decision.text == ("「委員にピアサポーター2名を加える。」採決により可決（賛成 2、反対 0、棄権 1）"
                             "。可決の要件：賛成が反対より多いこと（棄権はどちらにも数えません）")
    minutes = Minutes.objects.get(meeting=meeting)
    assert "1. ピアサポーターの参画\n  - 決定事項: " + decision.text in minutes.text
    after = proposal_payload(Proposal.objects.select_related("agenda_item__meeting").get(pk=proposal.pk))
    assert after["counts"] == {"agree": 2, "disagree": 0, "abstain": 1}
    assert sorted(v["choice"] for v in after["votes"]) == ["abstain", "agree", "agree"]
    # A decided vote cannot be voted on, reopened, or withdrawn.
    for call in (lambda: _vote(family, meeting, proposal, "agree"),
                 lambda: services.proposal_voting_open(access=chair, user=coordinator, proposal_id=proposal.pk),
                 lambda: services.proposal_withdraw(access=chair, user=coordinator, proposal_id=proposal.pk)):
        assert _code(call) in ("voting_not_open", "not_open")


@pytest.mark.django_db
def test_a_secret_ballot_keeps_who_voted_and_the_totals_but_nothing_that_links_a_member_to_a_choice(
        meeting, body, item, coordinator, peer, doctor, family):
    body.secret_ballot = True
    body.save(update_fields=["secret_ballot"])
    proposal = _propose(coordinator, meeting, item)
    assert proposal.secret is True
    chair = _access(coordinator, meeting)
    services.proposal_voting_open(access=chair, user=coordinator, proposal_id=proposal.pk)
    _vote(peer, meeting, proposal, "disagree")
    _vote(doctor, meeting, proposal, "agree")
    _vote(family, meeting, proposal, "disagree")
    assert _code(lambda: _vote(family, meeting, proposal, "agree")) == "already_voted"
    # Who voted is kept; what they chose is not, anywhere: not the vote rows, not the audit log.
    rows = list(Vote.objects.filter(proposal=proposal).values_list("member__user__display_name", "choice"))
    assert sorted(rows) == [("ピア 陽子", ""), ("医師 一郎", ""), ("家族 花子", "")]
    events = AuditEvent.objects.filter(action="meeting.proposal_vote", target_id=str(proposal.pk))
    assert events.count() == 3 and all("choice" not in e.data for e in events)
    proposal, _ = services.proposal_voting_close(access=chair, user=coordinator, proposal_id=proposal.pk)
    assert (proposal.outcome, proposal.agree_count, proposal.disagree_count, proposal.abstain_count) == (
        "rejected", 1, 2, 0)
    payload = proposal_payload(Proposal.objects.select_related("agenda_item__meeting").get(pk=proposal.pk))
    assert payload["counts"] == {"agree": 1, "disagree": 2, "abstain": 0} and payload["votes"] is None
    assert proposal.decision.text.endswith("採決により否決（賛成 1、反対 2、棄権 0）、無記名投票" "。可決の要件：賛成が反対より多いこと（棄権はどちらにも数えません）")
    # A proposal keeps the rule it was made under.
    body.secret_ballot = False
    body.save(update_fields=["secret_ballot"])
    assert Proposal.objects.get(pk=proposal.pk).secret is True


@pytest.mark.django_db
def test_the_database_holds_one_vote_per_member_and_no_votes_on_a_consensus_proposal(meeting, item, coordinator, peer):
    proposal = _propose(coordinator, meeting, item)
    member = BodyMember.objects.get(user=peer)
    Vote.objects.create(proposal=proposal, member=member, choice="agree")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(proposal=proposal, member=member, choice="disagree")
    consensus = _propose(coordinator, meeting, item, method="consensus")
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=consensus.pk).update(agree_count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=consensus.pk).update(status="decided")  # decided without an outcome


@pytest.mark.django_db
def test_consensus_is_recorded_by_the_chair_into_the_decisions_and_under_its_item_in_the_minutes(
        meeting, item, coordinator, peer):
    second = AgendaItem.objects.create(meeting=meeting, order=2, title="次回の日程")
    chair = _access(coordinator, meeting)
    services.minutes_save(access=chair, user=coordinator, text="第3回\n\n1. ピアサポーターの参画\n  報告があった。\n\n2. 次回の日程\n")
    proposal = _propose(coordinator, meeting, item, method="consensus", text="研修を年2回にする。")
    other = _propose(coordinator, meeting, second, method="consensus", text="次回は6月。")
    assert _code(lambda: services.proposal_voting_open(access=chair, user=coordinator, proposal_id=proposal.pk)) == "not_by_vote"
    assert _code(lambda: services.proposal_consensus(
        access=_access(peer, meeting), user=peer, proposal_id=proposal.pk, reached=True)) == "forbidden"
    services.proposal_consensus(access=chair, user=coordinator, proposal_id=proposal.pk, reached=True)
    services.proposal_consensus(access=chair, user=coordinator, proposal_id=other.pk, reached=False)
    assert list(Decision.objects.filter(meeting=meeting).values_list("text", flat=True)) == [
        "「研修を年2回にする。」合意により採択", "「次回は6月。」合意に至らず、採択せず"]
    assert Minutes.objects.get(meeting=meeting).text == (
        "第3回\n\n1. ピアサポーターの参画\n  報告があった。\n  - 決定事項: 「研修を年2回にする。」合意により採択\n\n"
        "2. 次回の日程\n  - 決定事項: 「次回は6月。」合意に至らず、採択せず\n")
    assert _code(lambda: services.proposal_consensus(
        access=chair, user=coordinator, proposal_id=proposal.pk, reached=False)) == "not_open"


@pytest.mark.django_db
def test_proposals_of_another_meeting_and_ids_that_are_not_numbers_are_refused(meeting, item, body, coordinator, peer):
    from collaboration.models import Meeting

    elsewhere = Meeting.objects.create(body=body, title="別", starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                                       status=Meeting.Status.OPEN, created_by=coordinator)
    other_item = AgendaItem.objects.create(meeting=elsewhere, order=1, title="別の議題")
    foreign = _propose(coordinator, elsewhere, other_item)
    chair = _access(coordinator, meeting)
    for pid in (foreign.pk, 10**12, str(foreign.pk), True, 1.5, None, -1, 2**64):
        assert _code(lambda pid=pid: services.proposal_voting_open(access=chair, user=coordinator, proposal_id=pid)) == "bad_proposal"
    assert _code(lambda: _propose(coordinator, meeting, other_item)) == "bad_agenda_item"
    assert _code(lambda: _propose(coordinator, meeting, item, method="lottery")) == "bad_method"
    assert _code(lambda: _propose(coordinator, meeting, item, text="  ")) == "empty"
    assert _code(lambda: _propose(peer, meeting, item)) == "forbidden"
    assert Proposal.objects.filter(agenda_item__meeting=meeting).count() == 0


# The room ------------------------------------------------------------------------------------


async def _until(room, *kinds) -> dict:
    """The frames of these kinds, the first of each, whatever order they come in (the sender's
    `proposal_saved` may come before or after the broadcast `proposal`)."""
    found: dict = {}
    while set(kinds) - set(found):
        frame = await room.receive_json_from(timeout=5)
        if frame.get("type") in kinds and frame["type"] not in found:
            found[frame["type"]] = frame
    return found



@pytest.mark.django_db(transaction=True)
async def test_the_chair_opens_and_closes_a_vote_live_and_every_member_sees_it(connect, meeting, item, coordinator, peer, doctor):
    proposal = await sync_to_async(_propose)(coordinator, meeting, item)
    chair = await connect(coordinator, meeting.pk)
    alice = await connect(peer, meeting.pk)
    bob = await connect(doctor, meeting.pk)
    for room in (chair, alice, bob):
        await receive_until(room, "history")
    await alice.send_json_to({"type": "proposal_voting", "proposal": proposal.pk, "action": "open", "ref": "x"})
    assert (await receive_until(alice, "error"))["code"] == "forbidden"
    await chair.send_json_to({"type": "proposal_voting", "proposal": proposal.pk, "action": "open", "ref": "o"})
    opened = await _until(chair, "proposal_saved", "proposal")
    assert opened["proposal_saved"]["ref"] == "o"
    for frame in (opened["proposal"], await receive_until(alice, "proposal"), await receive_until(bob, "proposal")):
        assert frame["id"] == proposal.pk and frame["voting"] is True and frame["voted"] == 0
    await alice.send_json_to({"type": "vote", "proposal": proposal.pk, "choice": "agree", "ref": "v"})
    saved = (await _until(alice, "proposal_saved", "proposal"))["proposal_saved"]
    assert saved == {"type": "proposal_saved", "proposal": proposal.pk, "vote": True, "delivered": True, "ref": "v"}
    frame = await receive_until(bob, "proposal")
    assert frame["voted"] == 1 and frame["counts"] is None
    # Refused votes: each a typed error to the sender, nothing changes, nobody else hears of it.
    for bad, code in (({"choice": "agree"}, "already_voted"), ({"choice": "yes"}, "bad_choice"),
                      ({"proposal": str(proposal.pk)}, "bad_proposal"), ({"proposal": 999999}, "bad_proposal")):
        frame = {"type": "vote", "proposal": proposal.pk, "choice": "agree", "ref": "b", **bad}
        await alice.send_json_to(frame)
        error = await receive_until(alice, "error")
        assert error["code"] == code and error["message"] and error["ref"] == "b", bad
    await chair.send_json_to({"type": "vote", "proposal": proposal.pk, "choice": "agree"})
    assert (await receive_until(chair, "error"))["code"] == "not_a_member"
    await chair.send_json_to({"type": "proposal_voting", "proposal": proposal.pk, "action": "pause"})
    assert (await receive_until(chair, "error"))["code"] == "bad_frame"
    assert [f for f in await drain(bob) if f["type"] == "proposal"] == []
    await bob.send_json_to({"type": "vote", "proposal": proposal.pk, "choice": "disagree"})
    await receive_until(bob, "proposal_saved")
    await chair.send_json_to({"type": "proposal_voting", "proposal": proposal.pk, "action": "close"})
    for room in (chair, alice, bob):
        frame = await receive_until(room, "proposal")
        while frame["status"] != "decided":
            frame = await receive_until(room, "proposal")
        assert frame["outcome"] == "rejected" and frame["counts"] == {"agree": 1, "disagree": 1, "abstain": 0}
        assert frame["decision"] is not None
    stored = await sync_to_async(Proposal.objects.get)(pk=proposal.pk)
    assert (stored.agree_count, stored.disagree_count, stored.status) == (1, 1, "decided")


# Pages without the script --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_meeting_page_runs_a_vote_without_the_script(client, meeting, item, coordinator, peer, doctor, guest):
    from tests.conftest import login_two_step

    login_two_step(client, coordinator)
    detail = reverse("collaboration:meeting_detail", args=[meeting.pk])
    response = client.post(reverse("collaboration:proposal_add", args=[meeting.pk]),
                           {"agenda_item": item.pk, "text": "相談窓口にピアを置く。", "method": "vote"})
    assert response.status_code == 302
    proposal = Proposal.objects.get(agenda_item=item)
    action = lambda name: reverse("collaboration:proposal_action", args=[meeting.pk, proposal.pk, name])  # noqa: E731
    assert "相談窓口にピアを置く。" in client.get(detail).content.decode()
    client.post(action("open"))
    client.force_login(peer)
    page = client.get(detail).content.decode()
    assert 'name="choice" value="agree"' in page and "相談窓口にピアを置く。" in page
    assert client.post(action("vote"), {"choice": "agree"}).status_code == 302
    page = client.get(detail).content.decode()
    assert 'name="choice" value="agree"' not in page  # voted: no form again
    client.post(action("vote"), {"choice": "disagree"})
    assert Vote.objects.get(proposal=proposal, member__user=peer).choice == "agree"
    # Someone who is not a member is told, and nothing is counted; a member cannot close it.
    client.force_login(guest)
    response = client.post(action("vote"), {"choice": "agree"}, follow=True)
    assert Vote.objects.filter(proposal=proposal).count() == 1
    assert "構成員" in response.content.decode() or "members of the body" in response.content.decode()
    client.force_login(doctor)
    client.post(action("vote"), {"choice": "disagree"})
    client.post(action("close"))
    assert Proposal.objects.get(pk=proposal.pk).status == "open"
    login_two_step(client, coordinator)
    client.post(action("close"))
    proposal.refresh_from_db()
    assert proposal.status == "decided" and proposal.outcome == "rejected"
    page = client.get(detail).content.decode()
    assert proposal.decision.text in page  # in the decisions list
    assert client.post(reverse("collaboration:proposal_action", args=[meeting.pk, proposal.pk, "nonsense"])).status_code == 404


# The API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_puts_a_proposal_takes_votes_and_shows_the_outcome(client, meeting, item, coordinator, peer, doctor, outsider):
    from tests.conftest import login_two_step

    client.force_login(peer)
    url = reverse("api_proposals", args=[meeting.pk])
    body = {"agenda_item": item.pk, "text": "API の提案", "method": "vote"}
    assert client.post(url, body, content_type="application/json").status_code == 403
    login_two_step(client, coordinator)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    pid = response.json()["id"]
    assert response.json()["voting"] is False and response.json()["has_voted"] is False
    voting = reverse("api_proposal_voting", args=[pid])
    assert client.post(voting, {"action": "open"}, content_type="application/json").json()["voting"] is True
    votes = reverse("api_proposal_votes", args=[pid])
    client.force_login(peer)
    response = client.post(votes, {"choice": "agree"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["has_voted"] is True and response.json()["voted"] == 1
    again = client.post(votes, {"choice": "agree"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "already_voted"
    assert client.post(votes, {"choice": "yes"}, content_type="application/json").status_code == 400
    listed = client.get(votes).json()["results"]
    assert [(v["name"], v["choice"]) for v in listed] == [("ピア 陽子", "")]  # choices once decided
    login_two_step(client, coordinator)
    decided = client.post(voting, {"action": "close"}, content_type="application/json").json()
    assert decided["outcome"] == "adopted" and decided["counts"] == {"agree": 1, "disagree": 0, "abstain": 0}
    assert client.get(votes).json()["results"][0]["choice"] == "agree"
    assert [p["id"] for p in client.get(url).json()["results"]] == [pid]
    assert client.get(reverse("api_proposal", args=[pid])).json()["status"] == "decided"
    decisions = client.get(reverse("api_decisions", args=[meeting.pk])).json()["results"]
    assert decisions[0]["text"].startswith("「API の提案」採決により可決")
    # Someone who cannot see the meeting cannot see its proposals.
    client.force_login(outsider)
    assert client.get(reverse("api_proposal", args=[pid])).status_code == 404
    assert client.post(votes, {"choice": "agree"}, content_type="application/json").status_code == 404


@pytest.mark.django_db
def test_the_bodys_coordinator_sets_open_or_secret_ballot_and_new_proposals_follow_it(
        client, meeting, body, item, coordinator, other_coordinator, peer):
    from tests.conftest import login_two_step

    earlier = _propose(coordinator, meeting, item)
    url = reverse("collaboration:staff_body_voting", args=[body.pk])
    login_two_step(client, other_coordinator)  # another prefecture's coordinator
    assert client.post(url, {"secret_ballot": "on"}).status_code == 404
    client.force_login(peer)  # a member, not a coordinator
    client.post(url, {"secret_ballot": "on"})
    body.refresh_from_db()
    assert body.secret_ballot is False
    login_two_step(client, coordinator)
    page = client.get(reverse("collaboration:staff_body", args=[body.pk])).content.decode()
    assert 'name="secret_ballot"' in page
    assert client.post(url, {"secret_ballot": "on"}).status_code == 302
    body.refresh_from_db()
    assert body.secret_ballot is True
    assert _propose(coordinator, meeting, item).secret is True
    assert Proposal.objects.get(pk=earlier.pk).secret is False
    assert client.get(reverse("api_body", args=[body.pk])).json()["secret_ballot"] is True
    client.post(url, {})
    body.refresh_from_db()
    assert body.secret_ballot is False


@pytest.mark.parametrize("majority, quorum, votes, members, outcome", [
    # More agree than disagree: abstentions count for neither side; a tie is not adopted.
    (VoteMajority.MORE_AGREE, VoteQuorum.NONE, (2, 1, 5), 8, "adopted"),
    (VoteMajority.MORE_AGREE, VoteQuorum.NONE, (1, 1, 0), 8, "rejected"),
    (VoteMajority.MORE_AGREE, VoteQuorum.NONE, (0, 0, 0), 8, "rejected"),
    # More than half of the votes cast: the same 2–1–5 is not adopted (2 of 8 cast).
    (VoteMajority.HALF_OF_VOTES, VoteQuorum.NONE, (2, 1, 5), 8, "rejected"),
    (VoteMajority.HALF_OF_VOTES, VoteQuorum.NONE, (3, 2, 0), 8, "adopted"),
    (VoteMajority.HALF_OF_VOTES, VoteQuorum.NONE, (2, 2, 0), 8, "rejected"),
    # Two thirds of the votes cast, exactly two thirds included.
    (VoteMajority.TWO_THIRDS, VoteQuorum.NONE, (4, 2, 0), 8, "adopted"),
    (VoteMajority.TWO_THIRDS, VoteQuorum.NONE, (3, 1, 1), 8, "rejected"),
    # Quorum: more than half of the members must take part (abstaining takes part).
    (VoteMajority.MORE_AGREE, VoteQuorum.HALF, (3, 0, 0), 6, "no_quorum"),
    (VoteMajority.MORE_AGREE, VoteQuorum.HALF, (3, 0, 1), 6, "adopted"),
    (VoteMajority.MORE_AGREE, VoteQuorum.TWO_THIRDS, (3, 0, 0), 6, "no_quorum"),
    (VoteMajority.MORE_AGREE, VoteQuorum.TWO_THIRDS, (3, 0, 1), 6, "adopted"),
])
def test_the_outcome_follows_the_majority_and_quorum_the_proposal_was_made_with(
        majority, quorum, votes, members, outcome):
    agree, disagree, abstain = votes
    proposal = Proposal(method="vote", majority=majority, quorum=quorum, agree_count=agree,
                        disagree_count=disagree, abstain_count=abstain)
    assert proposal.vote_outcome(members) == outcome


@pytest.mark.django_db
def test_a_vote_short_of_the_bodys_quorum_is_recorded_as_not_decided_with_who_took_part(
        meeting, body, item, coordinator, peer, doctor, family):
    body.vote_majority, body.vote_quorum = VoteMajority.TWO_THIRDS, VoteQuorum.HALF
    body.save(update_fields=["vote_majority", "vote_quorum"])
    proposal = _propose(coordinator, meeting, item)
    assert (proposal.majority, proposal.quorum) == ("two_thirds", "half")
    # The body's rules change after the proposal is made: it keeps the rules it was made under.
    body.vote_quorum = VoteQuorum.NONE
    body.save(update_fields=["vote_quorum"])
    chair = _access(coordinator, meeting)
    services.proposal_voting_open(access=chair, user=coordinator, proposal_id=proposal.pk)
    _vote(peer, meeting, proposal, "agree")  # 1 of 3 members: fewer than half
    proposal, _ = services.proposal_voting_close(access=chair, user=coordinator, proposal_id=proposal.pk)
    assert (proposal.status, proposal.outcome, proposal.members_at_close) == ("decided", "no_quorum", 3)
    assert proposal.decision.text == (
        "「委員にピアサポーター2名を加える。」不成立（構成員3人のうち1人が投票し、定足数に達しませんでした）"
        "。可決の要件：投票の3分の2以上が賛成であること。定足数：構成員の過半数")
    assert proposal.decision.text in Minutes.objects.get(meeting=meeting).text
    payload = proposal_payload(Proposal.objects.select_related("agenda_item__meeting").get(pk=proposal.pk))
    assert (payload["outcome"], payload["majority"], payload["quorum"]) == ("no_quorum", "two_thirds", "half")


@pytest.mark.django_db
def test_the_bodys_coordinator_sets_the_majority_and_quorum_and_a_wrong_value_changes_nothing(
        client, meeting, body, item, coordinator):
    from tests.conftest import login_two_step

    url = reverse("collaboration:staff_body_voting", args=[body.pk])
    login_two_step(client, coordinator)
    page = client.get(reverse("collaboration:staff_body", args=[body.pk])).content.decode()
    assert 'name="vote_majority"' in page and 'name="vote_quorum"' in page and "定足数" in page
    response = client.post(url, {"vote_majority": "half_of_votes", "vote_quorum": "two_thirds"}, follow=True)
    body.refresh_from_db()
    assert (body.vote_majority, body.vote_quorum) == ("half_of_votes", "two_thirds")
    assert "投票の決まりを保存しました" in response.content.decode()
    response = client.post(url, {"vote_majority": "everyone", "vote_quorum": "none", "secret_ballot": "on"}, follow=True)
    body.refresh_from_db()
    assert (body.vote_majority, body.vote_quorum, body.secret_ballot) == ("half_of_votes", "two_thirds", False)
    assert "示された可決の要件から選んでください。" in response.content.decode()
    api = client.get(reverse("api_body", args=[body.pk])).json()
    assert (api["vote_majority"], api["vote_quorum"]) == ("half_of_votes", "two_thirds")
    proposal = _propose(coordinator, meeting, item)
    assert (proposal.majority, proposal.quorum) == ("half_of_votes", "two_thirds")
    page = client.get(reverse("collaboration:meeting_detail", args=[meeting.pk])).content.decode()
    assert "可決の要件：投票の過半数が賛成であること（棄権は賛成に数えません）。定足数：構成員の3分の2以上。" in page
