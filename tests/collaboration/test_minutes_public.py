"""The public version of minutes is its own draft: proposals highlighted with their reasons,
accepted or rejected one by one, edited and previewed, and published only once the coordinator
confirms the exact text they read. The public page and the API show only that confirmed text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from collaboration import services
from collaboration.models import Minutes
from collaboration.selectors import meeting_access_for, minutes_redaction_proposals
from peers.models import AuditEvent

pytestmark = pytest.mark.django_db

MINUTES = (Path(__file__).parent / "data" / "minutes_kyogi.txt").read_text("utf-8")


@pytest.fixture
def approved(meeting, coordinator):
    access = meeting_access_for(coordinator, meeting.pk)
    services.minutes_save(access=access, user=coordinator, text=MINUTES)
    services.minutes_approve(access=access, user=coordinator)
    return access


def _field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _public(meeting):
    """The public page as an anonymous visitor sees it."""
    return Client().get(f"/meetings/{meeting.pk}/minutes/")


def test_coordinator_reviews_rejects_edits_confirms_and_the_public_page_shows_the_edited_text(
        mfa_client, meeting, coordinator, approved):
    c = mfa_client(coordinator)
    page = f"/staff/meetings/{meeting.pk}/minutes/public/"
    html = c.get(page).content.decode()
    # Each proposal is marked with its reason as text (not colour alone), in Japanese.
    assert html.count('<mark class="redaction">') == 16
    assert "山田花子<span class=\"redaction-reason\"> [人名（形態素解析で検出） → [氏名]]</span></mark>" in html
    assert "ピア 陽子<span class=\"redaction-reason\"> [構成員・招待者の登録名 → [ピア（当事者）]]</span>" in html
    assert "[電話番号 → [電話番号削除]]" in html and "[メールアドレス → [メールアドレス削除]]" in html
    assert "ピアスタッフ" in html and "2026-12-08 14:00" in html  # shown as written, not marked
    keys = re.findall(r'name="accept" value="([0-9-]+)"', html)
    assert len(keys) == 16
    suzuki = MINUTES.index("鈴木")
    rejected = f"{suzuki}-{suzuki + 2}"
    assert rejected in keys and "11行目：「鈴木」を「[氏名]」に置き換える" in html
    c.post(page, {"step": "prepare", "accept": [k for k in keys if k != rejected], "text_digest": _field(html, "text_digest")})
    minutes = Minutes.objects.get()
    assert "利用者の[氏名]さん" in minutes.public_draft and "鈴木さん" in minutes.public_draft
    assert minutes.public_text == "" and _public(meeting).status_code == 404

    preview = c.get(page).content.decode()
    assert "まだ個人情報らしい箇所が1件あります" in preview
    edited = minutes.public_draft.replace("鈴木さんが取りまとめる", "事務局が取りまとめる") + "（公開用に一部を編集）\n"
    c.post(page, {"step": "save", "text": edited})
    assert Minutes.objects.get().public_draft == edited
    assert "まだ個人情報らしい箇所" not in c.get(page).content.decode()
    assert _public(meeting).status_code == 404  # saved, still not published

    confirm_page = f"/staff/meetings/{meeting.pk}/minutes/publish/"
    digest = _field(c.get(confirm_page).content.decode(), "digest")
    c.post(confirm_page, {"digest": digest})  # the box not ticked
    assert Minutes.objects.get().status == Minutes.Status.APPROVED
    c.post(confirm_page, {"confirm": "on", "digest": digest})
    assert Minutes.objects.get().status == Minutes.Status.PUBLISHED
    public = _public(meeting).content.decode()
    for kept in ("事務局が取りまとめる", "（公開用に一部を編集）", "ピアスタッフの配置", "2026-12-08 14:00〜16:00",
                 "医療と福祉の連携", "退院後の住まい", "[ピア（当事者）]さんが当事者の立場から"):
        assert kept in public, kept
    for gone in ("山田花子", "佐藤次郎", "鈴木", "陽子", "一郎", "さくら", "03-1234-5678", "chiiki-shien", "ｓｏｕｄａｎ"):
        assert gone not in public, gone


def test_publishing_needs_approval_a_public_draft_a_confirmation_and_the_text_that_was_read(meeting, coordinator):
    translation.activate("en")
    access = meeting_access_for(coordinator, meeting.pk)
    minutes = services.minutes_save(access=access, user=coordinator, text=MINUTES)
    with pytest.raises(ValidationError, match="Approve"):
        services.minutes_publish(access=access, user=coordinator, confirmed=True, digest="")
    services.minutes_approve(access=access, user=coordinator)
    with pytest.raises(ValidationError, match="Prepare the public version"):
        services.minutes_publish(access=access, user=coordinator, confirmed=True, digest="")
    proposals = minutes_redaction_proposals(access, minutes.text)
    minutes = services.minutes_public_draft_prepare(
        access=access, user=coordinator, accepted=[p.key for p in proposals], text_digest_read=services.text_digest(MINUTES))
    digest = services.public_draft_digest(minutes)
    with pytest.raises(ValidationError, match="Confirm that you have read"):
        services.minutes_publish(access=access, user=coordinator, confirmed=False, digest=digest)
    services.minutes_public_draft_save(access=access, user=coordinator, text=minutes.public_draft + "追記\n")
    with pytest.raises(ValidationError, match="changed after you read it"):
        services.minutes_publish(access=access, user=coordinator, confirmed=True, digest=digest)
    assert Minutes.objects.get().public_text == ""
    minutes = services.minutes_publish(access=access, user=coordinator, confirmed=True,
                                       digest=services.public_draft_digest(Minutes.objects.get()))
    assert minutes.public_text.endswith("追記\n") and minutes.published_by == coordinator
    # The audit says how many of each kind were accepted and what is still proposed, never a name.
    prepared = AuditEvent.objects.get(action="minutes.public_draft_prepare")
    assert prepared.data == {"accepted": {"member": 6, "person_name": 3, "phone": 5, "email": 2}, "rejected": {}}
    published = AuditEvent.objects.get(action="minutes.publish")
    assert published.data["still_proposed"] == {} and len(published.data["digest"]) == 64
    assert "山田" not in str(prepared.data) + str(published.data)


def test_a_changed_public_draft_is_not_public_until_confirmed_again(meeting, coordinator, approved, client):
    access = approved
    services.minutes_public_draft_prepare(access=access, user=coordinator, accepted=[],
                                          text_digest_read=services.text_digest(MINUTES))
    services.minutes_public_draft_save(access=access, user=coordinator, text="第3回 協議の場\n公開版\n")
    services.minutes_publish(access=access, user=coordinator, confirmed=True,
                             digest=services.public_draft_digest(Minutes.objects.get()))
    services.minutes_public_draft_save(access=access, user=coordinator, text="第3回 協議の場\n利用者の山田花子さん\n")
    html = client.get(f"/meetings/{meeting.pk}/minutes/").content.decode()
    assert "公開版" in html and "山田花子" not in html


def test_changing_the_internal_minutes_unpublishes_them_and_keeps_the_public_draft(meeting, coordinator, approved, client):
    services.minutes_public_draft_save(access=approved, user=coordinator, text="公開版の下書き\n")
    services.minutes_publish(access=approved, user=coordinator, confirmed=True,
                             digest=services.public_draft_digest(Minutes.objects.get()))
    services.minutes_save(access=approved, user=coordinator, text=MINUTES + "追加の発言\n")
    minutes = Minutes.objects.get()
    assert (minutes.status, minutes.public_text, minutes.public_draft) == ("draft", "", "公開版の下書き\n")
    assert client.get(f"/meetings/{meeting.pk}/minutes/").status_code == 404


def test_proposals_read_on_an_older_text_are_refused(meeting, coordinator, approved):
    translation.activate("en")
    keys = [p.key for p in minutes_redaction_proposals(approved, MINUTES)]
    old = services.text_digest(MINUTES)
    services.minutes_save(access=approved, user=coordinator, text="追加\n" + MINUTES)
    with pytest.raises(ValidationError, match="changed after you read them"):
        services.minutes_public_draft_prepare(access=approved, user=coordinator, accepted=keys, text_digest_read=old)
    assert Minutes.objects.get().public_draft == ""


def test_only_the_bodys_coordinators_reach_the_review_and_confirm_pages(
        mfa_client, client, meeting, coordinator, other_coordinator, peer, approved):
    other = mfa_client(other_coordinator)
    member = Client()
    member.force_login(peer)
    for path in (f"/en/staff/meetings/{meeting.pk}/minutes/public/", f"/en/staff/meetings/{meeting.pk}/minutes/publish/"):
        assert other.get(path).status_code == 404
        assert other.post(path, {"step": "save", "text": "x", "confirm": "on", "digest": "0"}).status_code == 404
        assert member.get(path).status_code in (302, 403, 404)
        assert member.post(path, {"step": "save", "text": "x", "confirm": "on", "digest": "0"}).status_code in (302, 403, 404)
    assert Minutes.objects.get().public_draft == "" and Minutes.objects.get().status == "approved"


def test_bad_input_on_the_review_pages_answers_with_a_message_not_a_500(mfa_client, meeting, coordinator, approved):
    c = mfa_client(coordinator)
    page = f"/en/staff/meetings/{meeting.pk}/minutes/public/"
    for data in ({"step": "save", "text": "a\x00b"}, {"step": "save", "text": "x" * 100_001},
                 {"step": "prepare", "accept": ["\x00", "9999-1", "²"], "text_digest": "\x00"},
                 {"step": "nope"}, {}):
        response = c.post(page, data)
        assert response.status_code == 200, data
    assert "Null characters are not allowed." in c.post(page, {"step": "save", "text": "a\x00b"}).content.decode()
    confirm = f"/en/staff/meetings/{meeting.pk}/minutes/publish/"
    for data in ({"confirm": "on", "digest": "\x00"}, {"confirm": "²", "digest": "z" * 500}, {}):
        assert c.post(confirm, data).status_code == 200, data
    assert Minutes.objects.get().status == "approved" and Minutes.objects.get().public_draft == ""


def test_api_shows_only_the_confirmed_public_text_and_cannot_publish(meeting, coordinator, approved):
    api = APIClient()
    api.force_authenticate(coordinator)
    url = f"/api/v1/meetings/{meeting.pk}/minutes/"
    services.minutes_public_draft_save(access=approved, user=coordinator, text="下書き 山田花子\n")
    data = api.get(url).json()
    assert data["public_text"] == "" and "public_draft" not in data and data["status"] == "approved"
    api.put(url, {"text": MINUTES, "public_text": "利用者の山田花子さん", "status": "published"}, format="json")
    minutes = Minutes.objects.get()
    # Changing the internal text sends the minutes back to draft (approved again), as before.
    assert (minutes.public_text, minutes.status) == ("", "draft")
