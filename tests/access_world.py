"""The fixture world of the access matrix (tests/test_access_matrix.py).

Two sides. Side A ("ours", Tokyo) holds every role that signs in, and a few people inside those
roles' scope. Side B ("theirs", Kanagawa) is another organisation, training body, consultation
body, region and set of people; every path parameter of the matrix is filled with one of B's
records. Records carry greppable marker strings; each marker names the roles (signed in with
two-step) that may legitimately see it. Built through the services (and the same raw creates the
demo loaders and test fixtures use where no service exists).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from collaboration.activity import services as activity_services
from collaboration.activity.models import ActivityEntry, ActivityVerifier, SupervisionSession
from collaboration.models import (
    ActionItem,
    AgendaItem,
    BodyMember,
    ConsultationBody,
    Decision,
    Material,
    Meeting,
    MeetingInvitation,
    Message,
    Minutes,
    Proposal,
    Sector,
    Vote,
)
from collaboration.selectors import meeting_access_for
from collaboration.services import meetings as meeting_services
from collaboration.services import minutes as minutes_services
from collaboration.services import room as room_services
from peers.models import (
    Activity,
    Consent,
    Engagement,
    EngagementLeave,
    HonorariumPayment,
    Invitation,
    Organisation,
    OrganisationKind,
    Prefecture,
    Profile,
    Region,
    Role,
    User,
    WorkAccommodation,
)
from peers.services import invitation_create, role_grant
from peers.services.privacy import consent_give, erasure_request, lived_experience_declare
from peers.services.workforce import engagement_start, profile_update
from training.models import (
    Application,
    CECategory,
    Certification,
    Cohort,
    Course,
    CourseKind,
    CredentialType,
    Instructor,
    PeerSupportDeliveryCount,
    StaffingFiling,
    TrainingBody,
)
from training.services import (
    application_submit,
    ce_category_save,
    ce_record_add,
    certification_issue,
    cohort_day_add,
    completion_issue,
    instructor_add,
    training_body_create,
)

PASSWORD = "a-long-test-password-42"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# Who may see a marker, as role names of the matrix (always signed in with two-step; a staff
# role without two-step sees none of them, nor does anyone not named).
ADMIN, MANAGER, TRAINER, COORDINATOR = "admin", "manager", "trainer", "coordinator"
SUPERVISOR, EDITOR, PEER, PROFESSIONAL = "supervisor", "editor", "peer", "professional"
NOBODY: frozenset[str] = frozenset()
B_RECORD = frozenset({ADMIN})  # another side's ordinary records: only an administrator


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    # marker text -> roles that may see it
    markers: dict[str, frozenset[str]] = field(default_factory=dict)
    # marker text -> URL names where anyone may see it (public by design, e.g. verification)
    public_on: dict[str, frozenset[str]] = field(default_factory=dict)
    # path parameter values: see test_access_matrix.FILL
    ids: dict[str, object] = field(default_factory=dict)
    # the same keys, filled with records inside side A's scopes (colleague, holder, meeting A)
    ids_a: dict[str, object] = field(default_factory=dict)
    # for side A's records: who may have their files
    file_roles_a: dict[str, frozenset[str]] = field(default_factory=dict)
    media_root: str = ""

    def mark(self, text: str, roles: frozenset[str] = B_RECORD, *, public_on=()) -> str:
        assert text not in self.markers, text
        self.markers[text] = frozenset(roles)
        if public_on:
            self.public_on[text] = frozenset(public_on)
        return text


def _acting_for_world(user: User) -> User:
    """The builder acts for the platform: once staff scopes need a two-step mark on the user
    object (peers.access), the objects used here carry it. Requests never use these objects."""
    try:
        from peers.access import acting_for_system
    except ImportError:
        return user
    return acting_for_system(user)


def _user(world: World, key: str, *, name: str, email: str, roles=(), mfa: bool, staff: bool = False,
          superuser: bool = False, marker: frozenset[str] | None = None) -> User:
    user = User.objects.create_user(
        email=email, password=PASSWORD, display_name=name, is_staff=staff or superuser,
        is_superuser=superuser,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    for role, scope in roles:
        role_grant(user=user, role=role, **scope)
    if mfa:
        TOTP.activate(user, TOTP_SECRET)
    _acting_for_world(user)
    if marker is not None:
        world.mark(name, marker)
        world.mark(email, marker)
    world.users[key] = user
    return user


def _training_side(world: World, *, tag: str, prefecture: Prefecture, staff: User, holder: User,
                   applicant: User, marks: frozenset[str], organisation: Organisation) -> dict:
    body = training_body_create(organisation=organisation, number_prefix=f"M{tag}", actor=None)
    general = CECategory.objects.create(body=body, name=f"一般{tag}")
    initial = Course.objects.create(body=body, kind=CourseKind.INITIAL, title=f"養成研修{tag}", ce_category=general)
    ctype = CredentialType.objects.create(
        body=body, name=f"ピアサポート専門員{tag}", initial_course=initial, expires=True,
        validity_months=24, renewal_window_days=120, grace_days=90, late_renewal_limit_months=6,
        ce_hours_required=Decimal("20"), reminder_offsets=[120, 60, 30, 7, -30],
    )
    now = timezone.now()
    cohort = Cohort.objects.create(
        course=initial, name=f"2026年度 {tag}", year=2026, prefecture=prefecture, place="会場",
        capacity=10, applications_open=now - datetime.timedelta(days=1),
        applications_close=now + datetime.timedelta(days=20),
    )
    day = cohort_day_add(cohort=cohort, date=datetime.date(2026, 12, 20), starts_at=datetime.time(10),
                         ends_at=datetime.time(16), actor=staff)
    application = application_submit(
        cohort=cohort, applicant=applicant, consent=True,
        accommodation_request=world.mark(f"機密配慮申出{tag}", marks), accommodation_consent=True,
    )
    completion = completion_issue(person=holder, course=initial, completed_on=datetime.date(2025, 3, 1),
                                  actor=staff, notify=False)
    certification = certification_issue(credential_type=ctype, holder=holder, actor=staff,
                                        issued_on=datetime.date(2025, 4, 1), basis=completion, notify=False)
    evidence = ContentFile(
        b"%PDF-1.4\n% " + f"EVIDENCE-{tag}-機密証拠".encode() + b"\n%%EOF\n", name="evidence.pdf"
    )
    world.mark(f"EVIDENCE-{tag}-機密証拠", marks)
    ce = ce_record_add(person=holder, body=body, date=datetime.date(2026, 6, 1), provider="研究会",
                       hours=Decimal("3"), category=general, title=world.mark(f"機密研修記録{tag}", marks),
                       evidence=evidence)
    return {"body": body, "course": initial, "ctype": ctype, "cohort": cohort, "day": day,
            "application": application, "completion": completion, "certification": certification,
            "ce": ce}


def build(media_root: str) -> World:
    world = World(media_root=media_root)
    tokyo = Prefecture.objects.get(code="13")
    kanagawa = Prefecture.objects.get(code="14")
    region_a = Region.objects.create(prefecture=tokyo, name_ja="行列圏域A", name_en="Matrix region A")
    region_b = Region.objects.create(prefecture=kanagawa, name_ja="行列圏域B", name_en="Matrix region B")
    kind = OrganisationKind.objects.get(code="continued-work-b")
    # Both verify volunteer hours (issue 18: off by default), so the world's entries wait.
    org_a = Organisation.objects.create(name="行列事業所A", prefecture=tokyo, kind=kind,
                                        volunteer_hours_need_verification=True)
    org_b = Organisation.objects.create(name="行列事業所B", prefecture=kanagawa, kind=kind,
                                        contact_email="org-b@example.test", volunteer_hours_need_verification=True)
    body_org_a = Organisation.objects.create(name="行列研修機構A", prefecture=tokyo)
    body_org_b = Organisation.objects.create(name="行列研修機構B", prefecture=kanagawa)
    u = world.users

    # --- side A: the roles that sign in (two-step enrolled), and their twins without it ------
    _user(world, "peer", name="ピア A", email="peer-a@example.test", roles=[(Role.PEER, {})], mfa=False)
    _user(world, "professional", name="専門 A", email="pro-a@example.test",
          roles=[(Role.PROFESSIONAL, {})], mfa=False)
    for suffix, mfa in (("", True), ("-no2fa", False)):
        _user(world, f"manager{suffix}", name=f"管理 A{suffix}", email=f"manager-a{suffix}@example.test",
              roles=[(Role.MANAGER, {"organisation": org_a})], mfa=mfa)
        _user(world, f"trainer{suffix}", name=f"研修 A{suffix}", email=f"trainer-a{suffix}@example.test",
              roles=[(Role.TRAINER, {"organisation": body_org_a})], mfa=mfa)
        _user(world, f"coordinator{suffix}", name=f"調整 A{suffix}", email=f"coordinator-a{suffix}@example.test",
              roles=[(Role.COORDINATOR, {"prefecture": tokyo})], mfa=mfa)
        _user(world, f"admin{suffix}", name=f"管理者 A{suffix}", email=f"admin-a{suffix}@example.test",
              roles=[(Role.ADMIN, {})], mfa=mfa, superuser=True)
        _user(world, f"supervisor{suffix}", name=f"指導 A{suffix}", email=f"supervisor-a{suffix}@example.test",
              roles=[(Role.PROFESSIONAL, {})], mfa=mfa)
        editor = _user(world, f"editor{suffix}", name=f"編集 A{suffix}", email=f"editor-a{suffix}@example.test",
                       mfa=mfa, staff=True)
        editors = Group.objects.filter(name="Editors").first()
        if editors is not None:
            editor.groups.add(editors)
        activity_services.activity_verifier_name(actor=u["manager"], organisation=org_a,
                                                 user=u[f"supervisor{suffix}"])

    # People inside side A's scopes (not signed in): each marker names who may see it.
    org_scope = frozenset({MANAGER, SUPERVISOR, ADMIN})
    colleague = _user(world, "colleague_a", name="同僚かおる", email="colleague-a-secret@example.test",
                      roles=[(Role.PEER, {})], mfa=False, marker=org_scope)
    body_scope = frozenset({TRAINER, ADMIN})
    holder_a = _user(world, "holder_a", name="受講者ひかる", email="holder-a-secret@example.test",
                     roles=[(Role.PEER, {})], mfa=False, marker=body_scope)

    # --- side B: another organisation, training body, consultation body, region, people -----
    b = B_RECORD
    peer_b = _user(world, "peer_b", name="機密花子", email="peer-b-secret@example.test",
                   roles=[(Role.PEER, {})], mfa=False, marker=b)
    pro_b = _user(world, "pro_b", name="公開次郎", email="pro-b-secret@example.test",
                  roles=[(Role.PROFESSIONAL, {})], mfa=False)
    world.mark("公開次郎", b, public_on={"peers:directory", "wagtail_serve"})
    world.mark("pro-b-secret@example.test", b)
    manager_b = _user(world, "manager_b", name="機密管理者", email="manager-b-secret@example.test",
                      roles=[(Role.MANAGER, {"organisation": org_b})], mfa=True, marker=b)
    trainer_b = _user(world, "trainer_b", name="機密研修員", email="trainer-b-secret@example.test",
                      roles=[(Role.TRAINER, {"organisation": body_org_b})], mfa=True, marker=b)
    coordinator_b = _user(world, "coordinator_b", name="機密調整員", email="coordinator-b-secret@example.test",
                          roles=[(Role.COORDINATOR, {"region": region_b})], mfa=True, marker=b)
    supervisor_b = _user(world, "supervisor_b", name="機密指導員", email="supervisor-b-secret@example.test",
                         roles=[(Role.PROFESSIONAL, {})], mfa=True, marker=b)
    verifier_b = activity_services.activity_verifier_name(actor=manager_b, organisation=org_b, user=supervisor_b)

    # Profiles: B's peer keeps accommodations (sensitive: nobody else on side A may read them)
    # and lived experience; B's professional is listed in the directory with only their name.
    consent_give(person=peer_b, purpose=Consent.Purpose.ACCOMMODATIONS)
    profile_update(actor=peer_b, person=peer_b, accommodations=world.mark("機密配慮B", NOBODY),
                   languages=world.mark("機密言語B", b))
    consent_give(person=peer_b, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    lived_experience_declare(person=peer_b, relation="personal", visibility="managers")
    Profile.objects.update_or_create(user=pro_b, defaults={"directory_opt_in": True,
                                                           "languages": world.mark("非公開言語B", b)})
    consent_give(person=colleague, purpose=Consent.Purpose.ACCOMMODATIONS)
    profile_update(actor=colleague, person=colleague, accommodations=world.mark("配慮同僚A", frozenset({MANAGER})))

    # Engagements.
    listening = Activity.objects.get(code="listening")
    eng_b = engagement_start(actor=manager_b, person=peer_b, organisation=org_b, kind=Engagement.Kind.VOLUNTEER,
                             job_title=world.mark("機密職名B", b), start_date=datetime.date(2024, 4, 1),
                             activities=[listening])
    engagement_start(actor=pro_b, person=pro_b, organisation=org_b, kind=Engagement.Kind.VOLUNTEER,
                     job_title=world.mark("未確認職名B", b), start_date=datetime.date(2024, 4, 1))
    eng_colleague = engagement_start(
        actor=u["manager"], person=colleague, organisation=org_a, kind=Engagement.Kind.VOLUNTEER,
        job_title=world.mark("職名同僚A", frozenset({MANAGER, ADMIN})), start_date=datetime.date(2024, 4, 1),
        activities=[listening])
    eng_peer_a = engagement_start(actor=u["manager"], person=u["peer"], organisation=org_a,
                                  kind=Engagement.Kind.VOLUNTEER, job_title="ピアサポーター",
                                  start_date=datetime.date(2024, 4, 1), activities=[listening])

    # Employed work (issue 18): leave and the accommodations agreed at work are seen only by the
    # person and the manager of the organisation (not administrators): on B, nobody in the matrix.
    from peers.services.employment import accommodation_record, leave_record

    job_b = engagement_start(actor=manager_b, person=peer_b, organisation=org_b, kind=Engagement.Kind.EMPLOYED,
                             job_title="ピアスタッフ", start_date=datetime.date(2024, 4, 1),
                             weekly_hours=Decimal("20"), full_time_weekly_hours=Decimal("40"))
    leave_b = leave_record(actor=_acting_for_world(manager_b), engagement=job_b, kind="health",
                           start_date=datetime.date(2025, 4, 1), actual_return=datetime.date(2025, 5, 1))
    consent_give(person=peer_b, purpose=Consent.Purpose.ACCOMMODATIONS)
    accommodation_b = accommodation_record(actor=_acting_for_world(manager_b), engagement=job_b,
                                           text=world.mark("機密合意配慮B", NOBODY), agreed_on=datetime.date(2025, 5, 1))
    job_a = engagement_start(actor=u["manager"], person=colleague, organisation=org_a, kind=Engagement.Kind.EMPLOYED,
                             job_title="ピアスタッフA", start_date=datetime.date(2024, 4, 1),
                             weekly_hours=Decimal("20"), full_time_weekly_hours=Decimal("40"))
    leave_a = leave_record(actor=u["manager"], engagement=job_a, kind="childcare", start_date=datetime.date(2025, 4, 1))
    accommodation_a = accommodation_record(actor=u["manager"], engagement=job_a,
                                           text=world.mark("合意配慮同僚A", frozenset({MANAGER})),
                                           agreed_on=datetime.date(2025, 5, 1))

    # Activity entries: shared reflections are read by those who verify; unshared, by nobody else.
    today = timezone.localdate()
    entry_kwargs = {"duration_minutes": 60, "activity": listening, "stage": "community", "setting": kind}
    entry_b = activity_services.activity_entry_create(
        author=peer_b, engagement=eng_b, date=today - datetime.timedelta(days=3),
        reflection=world.mark("機密振り返り共有B", b), reflection_shared=True, **entry_kwargs)
    entry_b_private = activity_services.activity_entry_create(
        author=peer_b, engagement=eng_b, date=today - datetime.timedelta(days=4),
        reflection=world.mark("機密振り返り非共有B", NOBODY), reflection_shared=False, **entry_kwargs)
    entry_b_declined = activity_services.activity_entry_create(
        author=peer_b, engagement=eng_b, date=today - datetime.timedelta(days=5), **entry_kwargs)
    activity_services.activity_entry_decline(actor=manager_b, entry=entry_b_declined,
                                             reason=world.mark("機密差戻しB", b))
    activity_services.activity_entry_create(
        author=colleague, engagement=eng_colleague, date=today - datetime.timedelta(days=3),
        reflection=world.mark("振り返り共有A", org_scope), reflection_shared=True, **entry_kwargs)
    activity_services.activity_entry_create(
        author=colleague, engagement=eng_colleague, date=today - datetime.timedelta(days=4),
        reflection=world.mark("振り返り非共有A", NOBODY), reflection_shared=False, **entry_kwargs)
    activity_services.activity_entry_create(author=u["peer"], engagement=eng_peer_a,
                                            date=today - datetime.timedelta(days=2), **entry_kwargs)
    supervision_b = activity_services.supervision_record(
        actor=supervisor_b, supervisor=supervisor_b, peer=peer_b, date=today - datetime.timedelta(days=7),
        minutes=60, topics=world.mark("機密スーパービジョンB", b), notify=False)
    activity_services.supervision_record(actor=u["supervisor"], supervisor=u["supervisor"], peer=u["peer"],
                                         date=today - datetime.timedelta(days=7), minutes=60, topics="境界線",
                                         notify=False)

    # Training: B's body with B's people; A's body with A's holder (trainer A's scope).
    side_b = _training_side(world, tag="B", prefecture=kanagawa, staff=trainer_b, holder=peer_b,
                            applicant=peer_b, marks=b, organisation=body_org_b)
    side_a = _training_side(world, tag="A", prefecture=tokyo, staff=u["trainer"], holder=holder_a,
                            applicant=holder_a, marks=body_scope, organisation=body_org_a)
    # A body's own category and a cohort's instructor (the body's staff read them on the API).
    ce_category_save(body=side_b["body"], actor=_acting_for_world(trainer_b), name=world.mark("機密区分B", b))
    instructor_add(cohort=side_b["cohort"], actor=_acting_for_world(trainer_b), name=world.mark("機密講師B", b))
    cert_b: Certification = side_b["certification"]
    # The certificate number is public on the verification pages (the holder's name is not: they
    # did not choose to show it).
    world.mark(cert_b.number, b, public_on={"training:verify", "training_api:verify", "wagtail_serve"})
    world.mark(side_b["completion"].number, b)
    world.mark(side_a["certification"].number, body_scope,
               public_on={"training:verify", "training_api:verify", "wagtail_serve"})

    # Consultation bodies and meetings.
    cbody_a = ConsultationBody.objects.create(name="行列協議の場A", level=ConsultationBody.Level.PREFECTURE,
                                              prefecture=tokyo)
    cbody_b = ConsultationBody.objects.create(name="行列協議の場B", level=ConsultationBody.Level.REGION,
                                              prefecture=kanagawa, region=region_b)
    for person, sector in ((u["peer"], Sector.PEER), (u["professional"], Sector.MEDICAL)):
        BodyMember.objects.create(body=cbody_a, user=person, sector=sector)
    for person, sector in ((peer_b, Sector.PEER), (pro_b, Sector.MEDICAL)):
        BodyMember.objects.create(body=cbody_b, user=person, sector=sector)
    BodyMember.objects.create(body=cbody_b, user=coordinator_b, sector=Sector.ADMINISTRATION, is_coordinator=True,
                              affiliation=world.mark("機密所属B", b))
    now = timezone.now().replace(second=0, microsecond=0)
    meeting_roles = frozenset({COORDINATOR, ADMIN, PEER, PROFESSIONAL})

    def meeting(cbody, coordinator, tag, *, status, start, invitees, marks):
        m = meeting_services.meeting_create(user=coordinator, body=cbody, title=f"行列会議{tag}",
                                            starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                                            place="会議室")
        if status != Meeting.Status.SCHEDULED:
            Meeting.objects.filter(pk=m.pk).update(status=status)
            m.refresh_from_db()
        access = meeting_access_for(coordinator, m.pk)
        meeting_services.meeting_invite(access=access, user=coordinator, invitees=invitees)
        return m, access

    meeting_b, access_b = meeting(cbody_b, coordinator_b, "B", status=Meeting.Status.OPEN,
                                  start=now - datetime.timedelta(minutes=30), invitees=[peer_b, pro_b], marks=b)
    item_b = AgendaItem.objects.create(meeting=meeting_b, order=1, title=world.mark("機密議題B", b), minutes_allotted=30)
    # A proposal whose vote is open (issue 18): B's members may vote, nobody else may see or vote.
    proposal_b = Proposal.objects.create(agenda_item=item_b, text=world.mark("機密提案B", b), method=Proposal.Method.VOTE,
                                         created_by=coordinator_b, voting_opened_at=now)
    room_services.message_post(access=meeting_access_for(peer_b, meeting_b.pk), author=peer_b,
                               body=world.mark("機密発言B", b))
    message_b = Message.objects.get(meeting=meeting_b)
    invitation_b = MeetingInvitation.objects.get(meeting=meeting_b, user=peer_b)
    meeting_services.reply_save(invitation=invitation_b, user=peer_b, response="attending",
                                accommodation_request=world.mark("機密返信配慮B", b), accommodation_consent=True)
    minutes_services.minutes_save(access=access_b, user=coordinator_b, text=world.mark("機密議事メモB", b))
    material_b = meeting_services.material_add(
        access=access_b, user=coordinator_b, title=world.mark("機密資料題B", b),
        file=ContentFile(b"%PDF-1.4\n% " + "機密資料B".encode() + b"\n%%EOF\n", name="material.pdf"))
    world.mark("機密資料B", b)
    decision_b = Decision.objects.create(meeting=meeting_b, text=world.mark("機密決定B", b))
    action_b = ActionItem.objects.create(meeting=meeting_b, description=world.mark("機密宿題B", b),
                                         owner=pro_b, decision=decision_b, due_on=today)
    # A past B meeting whose minutes are published: the public text is public, the draft is not.
    past_b, _ = meeting(cbody_b, coordinator_b, "B過去", status=Meeting.Status.CLOSED,
                        start=now - datetime.timedelta(days=20), invitees=[peer_b], marks=b)
    Minutes.objects.create(
        meeting=past_b, text=world.mark("機密議事過去B", b), public_text="公開された議事録です。",
        status=Minutes.Status.PUBLISHED, drafted_by=coordinator_b, approved_by=coordinator_b,
        approved_at=now, published_at=now)
    public_material = meeting_services.material_add(
        access=meeting_access_for(coordinator_b, past_b.pk), user=coordinator_b, title="公開資料",
        file=ContentFile(b"%PDF-1.4\n% public\n%%EOF\n", name="public.pdf"))
    meeting_services.material_publish(access=meeting_access_for(coordinator_b, past_b.pk), user=coordinator_b,
                                      material=public_material)

    meeting_a, access_a = meeting(cbody_a, u["coordinator"], "A", status=Meeting.Status.OPEN,
                                  start=now - datetime.timedelta(minutes=30),
                                  invitees=[u["peer"], u["professional"]], marks=meeting_roles)
    room_services.message_post(access=meeting_access_for(u["professional"], meeting_a.pk),
                               author=u["professional"], body=world.mark("発言A", meeting_roles))
    minutes_services.minutes_save(access=access_a, user=u["coordinator"],
                                  text=world.mark("議事メモA", meeting_roles))

    material_a = meeting_services.material_add(
        access=access_a, user=u["coordinator"], title="資料A",
        file=ContentFile(b"%PDF-1.4\n% " + "資料本文A".encode() + b"\n%%EOF\n", name="material.pdf"))
    world.mark("資料本文A", meeting_roles)
    action_a = ActionItem.objects.create(meeting=meeting_a, description="宿題A", owner=u["professional"],
                                         due_on=today)
    item_a = AgendaItem.objects.create(meeting=meeting_a, order=1, title="議題A")
    proposal_a = Proposal.objects.create(agenda_item=item_a, text="提案A", method=Proposal.Method.VOTE,
                                         created_by=u["coordinator"], voting_opened_at=now)
    entries_a = list(ActivityEntry.objects.filter(author=colleague).order_by("date"))
    supervision_a = activity_services.supervision_record(
        actor=u["supervisor"], supervisor=u["supervisor"], peer=colleague, date=today - datetime.timedelta(days=6),
        minutes=30, topics=world.mark("スーパービジョン同僚A", frozenset({SUPERVISOR, MANAGER, ADMIN})),
        notify=False)
    verifier_a = ActivityVerifier.objects.get(user=u["supervisor-no2fa"], removed_at__isnull=True)
    invitation_a = invitation_create(invited_by=u["manager"], email="invitee-a@example.test", role=Role.PEER,
                                     organisation=org_a)
    erasure_a = erasure_request(person=colleague, note=world.mark("削除依頼同僚A", frozenset({ADMIN})))
    cert_a = side_a["certification"]
    world.ids["messages_a"] = list(Message.objects.filter(meeting=meeting_a).values_list("pk", flat=True))
    world.ids_a.update({
        "organisation": org_a.pk, "person": colleague.pk, "engagement": eng_colleague.pk,
        "training_body": side_a["body"].pk, "course": side_a["course"].pk,
        "credential_type": side_a["ctype"].pk, "cohort": side_a["cohort"].pk, "cohort_day": side_a["day"].pk,
        "application": side_a["application"].pk, "completion": side_a["completion"].pk,
        "certification": cert_a.pk, "certificate_number": cert_a.number, "ce": side_a["ce"].pk,
        "consultation_body": cbody_a.pk, "meeting": meeting_a.pk, "past_meeting": meeting_a.pk,
        "material": material_a.pk, "public_material": material_a.pk, "action_item": action_a.pk,
        "proposal": proposal_a.pk,
        "activity_entry": entries_a[1].pk, "private_entry": entries_a[0].pk, "supervision": supervision_a.pk,
        "verifier": verifier_a.pk, "erasure": erasure_a.pk, "invitation_token": invitation_a.token,
        "calendar_token": meeting_services.calendar_feed_for(colleague).token,
        "authenticator": Authenticator.objects.filter(user=u["manager"]).first().pk,
        "region": region_a.pk, "prefecture": tokyo.pk,
        "job": job_a.pk, "leave": leave_a.pk, "accommodation": accommodation_a.pk,
    })
    world.file_roles_a.update({
        "ce": body_scope, "certification": body_scope, "completion": body_scope,
        "material": meeting_roles, "public_material": meeting_roles, "engagement": frozenset({MANAGER, ADMIN}),
    })

    # Invitations, erasure requests, calendar feeds, second factors of B's people.
    invitation = invitation_create(invited_by=manager_b, email=world.mark(
        "invitee-b-secret@example.test", b, public_on={"peers:invitation_accept"}),
        role=Role.PEER, organisation=org_b)
    erasure = erasure_request(person=peer_b, note=world.mark("機密削除依頼B", b))
    feed_b = meeting_services.calendar_feed_for(peer_b)
    authenticator_b = Authenticator.objects.filter(user=manager_b).first()
    # API tokens: their names are the owner's alone (the revoke page of someone else's is a 404).
    from peers.models import ApiToken
    from tests.api_token_support import bearer_for

    token_b = ApiToken.objects.get(prefix=bearer_for(peer_b, name=world.mark("機密トークン名B", NOBODY)).split("_")[1])
    token_a = ApiToken.objects.get(prefix=bearer_for(colleague, name=world.mark("トークン名同僚A", NOBODY)).split("_")[1])
    world.ids_a["api_token"] = token_a.pk

    # Honorarium payments (第二群 謝金): B's from a B body's meeting (its coordinators' reach), A's
    # colleague's recorded for organisation A (its manager's).
    from peers.services.payments import honorarium_payment_from_source

    payment_b, _ = honorarium_payment_from_source(
        actor=None, person=peer_b, organisation=org_b, occasion_date=today, amount=8000,
        description=world.mark("機密謝金B", b), source_reference=f"collaboration.meeting:{meeting_b.pk}",
        source_group=f"collaboration.body:{cbody_b.pk}")
    payment_a, _ = honorarium_payment_from_source(
        actor=None, person=colleague, organisation=org_a, occasion_date=today, amount=5000,
        description=world.mark("謝金同僚A", frozenset({MANAGER, ADMIN})), source_reference="matrix:a")
    world.ids_a["honorarium_payment"] = payment_a.pk

    world.ids.update({
        "organisation": org_b.pk, "person": peer_b.pk, "engagement": eng_b.pk,
        "training_body": side_b["body"].pk, "course": side_b["course"].pk,
        "credential_type": side_b["ctype"].pk, "cohort": side_b["cohort"].pk, "cohort_day": side_b["day"].pk,
        "application": side_b["application"].pk, "completion": side_b["completion"].pk,
        "certification": cert_b.pk, "certificate_number": cert_b.number, "ce": side_b["ce"].pk,
        "consultation_body": cbody_b.pk, "meeting": meeting_b.pk, "past_meeting": past_b.pk,
        "material": material_b.pk, "public_material": public_material.pk, "action_item": action_b.pk,
        "message": message_b.pk, "proposal": proposal_b.pk,
        "activity_entry": entry_b.pk, "private_entry": entry_b_private.pk, "supervision": supervision_b.pk,
        "verifier": verifier_b.pk, "erasure": erasure.pk, "invitation_token": invitation.token,
        "calendar_token": feed_b.token, "authenticator": authenticator_b.pk, "region": region_b.pk,
        "prefecture": kanagawa.pk, "org_a": org_a.pk, "meeting_a": meeting_a.pk, "api_token": token_b.pk,
        "honorarium_payment": payment_b.pk,
        "job": job_b.pk, "leave": leave_b.pk, "accommodation": accommodation_b.pk,
    })
    return world


# Which rows must not change, by who may change them (roles signed in with two-step).
def protected_state(world: World) -> dict[str, tuple[frozenset[str], list]]:
    """A snapshot of other people's records, grouped by the roles that may legitimately change
    them. Compared before and after each request that could write."""
    u = world.users
    b_people = [u[k].pk for k in ("peer_b", "pro_b", "manager_b", "trainer_b", "coordinator_b", "supervisor_b")]
    b_bodies = list(TrainingBody.objects.filter(organisation__prefecture_id="14").values_list("pk", flat=True))
    meetings_b = [world.ids["meeting"], world.ids["past_meeting"]]
    org_b = world.ids["organisation"]

    def rows(qs, *fields):
        return sorted(qs.values_list(*fields))

    return {
        "B certifications": (B_RECORD, rows(Certification.objects.filter(body_id__in=b_bodies),
                                            "pk", "status", "valid_until", "show_name_publicly")),
        "B applications": (B_RECORD, rows(Application.objects.filter(cohort__course__body_id__in=b_bodies),
                                          "pk", "state", "accommodation_request")),
        "B courses/cohorts": (B_RECORD, rows(Cohort.objects.filter(course__body_id__in=b_bodies),
                                             "pk", "name", "capacity", "published")
                              + rows(Course.objects.filter(body_id__in=b_bodies), "pk", "title")
                              + rows(CredentialType.objects.filter(body_id__in=b_bodies), "pk", "name")
                              + rows(TrainingBody.objects.filter(pk__in=b_bodies), "pk", "number_prefix")),
        "B engagements": (B_RECORD, rows(Engagement.objects.filter(person_id__in=b_people),
                                         "pk", "job_title", "end_date", "confirmed_at", "kind")),
        "B organisation": (B_RECORD, rows(Organisation.objects.filter(pk=org_b), "pk", "name", "contact_email")),
        "B people": (B_RECORD, rows(User.objects.filter(pk__in=b_people), "pk", "display_name", "email",
                                    "is_active")
                     + rows(Profile.objects.filter(user_id__in=b_people), "pk", "accommodations", "directory_opt_in")),
        "B activity": (B_RECORD, rows(ActivityEntry.objects.filter(author_id__in=b_people),
                                      "pk", "status", "reflection", "reflection_shared")
                       + rows(SupervisionSession.objects.filter(peer_id__in=b_people),
                              "pk", "confirmed_at", "topics")),
        "B meetings": (B_RECORD, rows(Meeting.objects.filter(pk__in=meetings_b), "pk", "status", "title")
                       + rows(Message.objects.filter(meeting_id__in=meetings_b), "pk", "body", "hidden_at",
                              "deleted_at")
                       + rows(Minutes.objects.filter(meeting_id__in=meetings_b), "pk", "text", "status")
                       + rows(Material.objects.filter(meeting_id__in=meetings_b), "pk", "is_published")
                       + rows(MeetingInvitation.objects.filter(meeting_id__in=meetings_b), "pk", "user_id")
                       + rows(AgendaItem.objects.filter(meeting_id__in=meetings_b), "pk", "title")
                       + rows(ActionItem.objects.filter(meeting_id__in=meetings_b), "pk", "status")
                       + rows(Decision.objects.filter(meeting_id__in=meetings_b), "pk", "text")
                       + rows(Proposal.objects.filter(agenda_item__meeting_id__in=meetings_b), "pk", "status",
                              "voting_opened_at", "agree_count", "disagree_count", "abstain_count")
                       + rows(Vote.objects.filter(proposal__agenda_item__meeting_id__in=meetings_b), "pk")),
        "B invitations": (B_RECORD, rows(Invitation.objects.filter(organisation_id=org_b), "pk", "email", "role",
                                         "accepted_at")),
        "B body members": (B_RECORD, rows(BodyMember.objects.filter(body_id=world.ids["consultation_body"]),
                                          "pk", "user_id", "sector", "affiliation", "is_coordinator")),
        "B named supervisors": (B_RECORD, rows(ActivityVerifier.objects.filter(organisation_id=org_b),
                                               "pk", "user_id", "removed_at")),
        "B body settings": (B_RECORD, rows(TrainingBody.objects.filter(pk__in=b_bodies), "pk", "sequence_digits",
                                           "recertification_keeps_number", "evidence_due_days")
                            + rows(CECategory.objects.filter(body_id__in=b_bodies), "pk", "name")
                            + rows(Instructor.objects.filter(cohort__course__body_id__in=b_bodies), "pk", "name")),
        "B staffing records": (B_RECORD, rows(PeerSupportDeliveryCount.objects.filter(organisation_id=org_b),
                                              "pk", "month", "service_users")
                               + rows(StaffingFiling.objects.filter(organisation_id=org_b), "pk")),
        # An administrator changes them only by carrying out the person's erasure request (which
        # erases them); reading them stays the person's and the manager's (the markers).
        "B leave and accommodations": (frozenset({ADMIN}), rows(
            EngagementLeave.objects.filter(engagement__person_id__in=b_people), "pk", "kind", "actual_return")
            + rows(WorkAccommodation.objects.filter(engagement__person_id__in=b_people), "pk", "text", "review_on")),
        "A colleague's leave and accommodations": (frozenset({MANAGER}), rows(
            EngagementLeave.objects.filter(engagement__person=u["colleague_a"]), "pk", "kind", "actual_return")
            + rows(WorkAccommodation.objects.filter(engagement__person=u["colleague_a"]), "pk", "text", "review_on")),
        "A colleague's records": (frozenset({MANAGER, ADMIN}), rows(
            Engagement.objects.filter(person=u["colleague_a"]), "pk", "job_title", "end_date", "confirmed_at")
            + rows(HonorariumPayment.objects.filter(person=u["colleague_a"]), "pk", "status", "amount",
                   "paid_on")),
        "B honoraria": (B_RECORD, rows(HonorariumPayment.objects.filter(person_id__in=b_people),
                                       "pk", "status", "amount", "description", "paid_on")
                        + rows(ConsultationBody.objects.filter(pk=world.ids["consultation_body"]),
                               "pk", "honorarium_per_meeting", "honorarium_payer_id")),
        "A colleague's activity": (frozenset({MANAGER, SUPERVISOR, ADMIN}), rows(
            ActivityEntry.objects.filter(author=u["colleague_a"]), "pk", "status")),
        "A body's register": (frozenset({TRAINER, ADMIN}), rows(
            Certification.objects.filter(holder=u["holder_a"]), "pk", "status", "valid_until")
            + rows(Application.objects.filter(applicant=u["holder_a"]), "pk", "state")),
        "A meeting": (frozenset({COORDINATOR, ADMIN}), rows(
            Meeting.objects.filter(pk=world.ids["meeting_a"]), "pk", "status", "title")
            # the messages already there: an invitee adding their own is no change to another's
            + rows(Message.objects.filter(pk__in=world.ids["messages_a"]), "pk", "body", "hidden_at")
            + rows(Minutes.objects.filter(meeting_id=world.ids["meeting_a"]), "pk", "text", "status")),
    }
