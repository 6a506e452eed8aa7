"""Open Badges 3.0 credentials (issue 19): signed with eddsa-rdfc-2022 by a did:web key, checked
offline, with revocation and suspension in signed Bitstring Status Lists."""

from __future__ import annotations

import copy
import datetime
import json
import socket

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from pyld import jsonld

from tests.conftest import login_as
from training.badges.baking import KEYWORD, unbake
from training.badges.contexts import FILES, ContextNotShipped, document_loader
from training.badges.documents import credential_document, credential_signed, email_hash
from training.badges.keys import (
    did_document,
    issuer_did,
    keyring,
    public_key_from_multibase,
    signing_key,
)
from training.badges.proofs import (
    ProofError,
    base58btc_decode,
    base58btc_encode,
    canonize,
    sign,
    undefined_terms,
    verify,
)
from training.badges.status import bit_at, decode_bits, encode_bits, status_list_get
from training.badges.verify import credential_verify
from training.models import STATUS_LIST_SIZE, BadgeCredential
from training.services import (
    badge_credential_for_certification,
    badge_credential_for_completion,
    certification_issue,
    certification_reinstate,
    certification_revoke,
    certification_suspend,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _key_folder(tmp_path, settings):
    """Each test signs with a temporary key of its own."""
    settings.KAKEHASHI_CREDENTIAL_KEYS_DIR = tmp_path / "keys"


@pytest.fixture
def holder(make_user):
    return make_user(display_name="山田 花子", email="Hanako@Example.test")


@pytest.fixture
def certification(holder, completed, credential_type, trainer):
    completed(holder)
    return certification_issue(credential_type=credential_type, holder=holder, actor=trainer,
                               issued_on=datetime.date.today())


@pytest.fixture
def credential(certification):
    return badge_credential_for_certification(certification=certification)


def _checks(result) -> dict:
    return {check.check: check.ok for check in result.checks}


def test_a_certification_credential_is_an_open_badge_with_the_holder_hashed(credential, certification, holder):
    document = credential_signed(credential)
    assert document["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"]["id"] == issuer_did() == "did:web:kakehashi.test"
    assert document["issuer"]["name"] == "ピアサポート専門員研修機構"
    subject = document["credentialSubject"]
    identity = subject["identifier"][0]
    assert identity["identityHash"] == email_hash("hanako@example.test", identity["salt"])
    assert identity["hashed"] is True and identity["identityType"] == "emailAddress"
    assert "name" not in subject and "hanako" not in json.dumps(document).lower()
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "Certification"
    # Plain strings, as Open Badges 3.0's schema types them: Japanese, then English.
    assert isinstance(achievement["name"], str) and isinstance(achievement["description"], str)
    japanese, english = achievement["name"].split(" / ")
    assert japanese.startswith("認定") and english.startswith("Certification: ")
    narrative_ja, narrative_en = achievement["criteria"]["narrative"].split("\n\n")
    assert "更新研修" in narrative_ja and "更新の要件" in narrative_ja and "renew" in narrative_en.lower()
    assert document["validUntil"].startswith(str(certification.valid_until - datetime.timedelta(days=1))) \
        or document["validUntil"].startswith(str(certification.valid_until))
    entries = document["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    assert all(e["type"] == "BitstringStatusListEntry" for e in entries)
    assert 0 <= int(entries[0]["statusListIndex"]) < STATUS_LIST_SIZE
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert document["proof"]["proofValue"].startswith("z")


def test_the_name_is_in_the_credential_only_when_the_holder_allows(credential, certification):
    certification.show_name_publicly = True
    certification.save(update_fields=["show_name_publicly"])
    credential.refresh_from_db()
    assert credential_document(credential)["credentialSubject"]["name"] == "山田 花子"


def test_no_field_is_dropped_by_the_contexts(credential):
    """Every term is defined by the shipped contexts, so every field is signed (JSON-LD drops
    an undefined term silently, and it would then be outside the proof); one that is not
    defined is refused at signing."""
    document = credential_document(credential)
    assert undefined_terms(document) == []
    document["credentialSubject"]["favouriteColour"] = "blue"
    assert undefined_terms(document) == ["favouriteColour"]
    with pytest.raises(ValueError):
        sign(document, private_key=Ed25519PrivateKey.generate(), verification_method="did:web:x#key-1")


def test_sign_and_verify_round_trip(credential):
    result = credential_verify(credential_signed(credential))
    assert result.verified, [c.as_dict() for c in result.checks]
    assert result.status == "active"
    assert _checks(result) == {"format": True, "issuer": True, "signature": True, "dates": True, "status": True}


@pytest.mark.parametrize("change", [
    lambda d: d["credentialSubject"]["achievement"].update({"name": "偽の認定"}),
    lambda d: d.update({"validUntil": "2099-12-31T14:59:59Z"}),
    lambda d: d["credentialSubject"]["identifier"][0].update({"identityHash": "sha256$" + "0" * 64}),
    lambda d: d["credentialStatus"][0].update({"statusListIndex": "7"}),
    lambda d: d["proof"].update({"created": "2020-01-01T00:00:00Z"}),
])
def test_a_changed_field_breaks_the_signature(credential, change):
    document = credential_signed(credential)
    change(document)
    result = credential_verify(document)
    assert not result.verified
    assert _checks(result)["signature"] is False


def test_a_wrong_key_breaks_the_signature(credential):
    key = signing_key()
    forged = sign(credential_document(credential), private_key=Ed25519PrivateKey.generate(),
                  verification_method=f"{issuer_did()}#{key.key_id}")
    result = credential_verify(forged)
    assert _checks(result)["signature"] is False and not result.verified
    with pytest.raises(ProofError):
        verify(forged, public_key=key.public_key)


def test_revoked_and_suspended_entries_fail_and_the_bit_flips_back_on_reinstate(
    credential, certification, trainer, django_capture_on_commit_callbacks,
):
    document = credential_signed(credential)
    index = credential.status_index

    def bit(purpose):
        listed = status_list_get(purpose, credential.status_list)
        return bit_at(decode_bits(listed["credentialSubject"]["encodedList"]), index)

    assert (bit("revocation"), bit("suspension")) == (False, False)  # now cached
    with django_capture_on_commit_callbacks() as callbacks:
        certification_suspend(certification=certification, actor=trainer, reason="確認中")
    assert bit("suspension") is False  # the cached list, until the change is committed
    for callback in callbacks:
        callback()
    assert bit("suspension") is True
    result = credential_verify(document)
    assert (result.verified, result.status, _checks(result)["status"]) == (False, "suspended", False)
    assert _checks(result)["signature"] is True
    with django_capture_on_commit_callbacks(execute=True):
        certification_reinstate(certification=certification, actor=trainer, reason="確認済み")
    assert bit("suspension") is False
    assert credential_verify(document).verified
    with django_capture_on_commit_callbacks(execute=True):
        certification_revoke(certification=certification, actor=trainer, reason="不正")
    assert bit("revocation") is True
    result = credential_verify(document)
    assert (result.verified, result.status) == (False, "revoked")


def test_the_status_list_is_a_signed_bitstring_status_list_credential(client, credential):
    url = credential_signed(credential)["credentialStatus"][0]["statusListCredential"]
    assert url == f"https://kakehashi.test/credentials/status/revocation/{credential.status_list}"
    response = client.get(f"/credentials/status/revocation/{credential.status_list}")
    assert response.status_code == 200
    listed = response.json()
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["credentialSubject"]["statusPurpose"] == "revocation"
    assert len(decode_bits(listed["credentialSubject"]["encodedList"])) * 8 == STATUS_LIST_SIZE
    verify(listed, public_key=signing_key().public_key)
    assert client.get("/credentials/status/other/1").status_code == 404
    assert client.get("/credentials/status/revocation/99").status_code == 404


def test_a_failing_cache_degrades_to_signing_each_time(credential, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    assert credential_verify(credential_signed(credential)).verified


def test_an_expired_credential_fails_its_dates(credential):
    document = credential_signed(credential)
    later = credential.valid_until + datetime.timedelta(days=1)
    result = credential_verify(document, now=later)
    assert (result.verified, result.status, _checks(result)["dates"]) == (False, "expired", False)
    assert _checks(result)["signature"] is True


def test_a_completion_credential_does_not_expire(make_user, completed):
    completion = completed(make_user())
    credential = badge_credential_for_completion(completion=completion)
    document = credential_signed(credential)
    assert "validUntil" not in document
    assert document["credentialSubject"]["achievement"]["achievementType"] == "CertificateOfCompletion"
    assert credential_verify(document, now=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)).verified


def test_each_cycle_has_its_own_credential_and_a_revoked_one_gets_none(credential, certification, trainer):
    assert badge_credential_for_certification(certification=certification) == credential
    certification_revoke(certification=certification, actor=trainer, reason="不正")
    certification.refresh_from_db()
    with pytest.raises(ValidationError):
        badge_credential_for_certification(certification=certification)


def test_contexts_load_with_the_network_off(credential, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    for url in FILES:
        assert document_loader(url)["document"]["@context"]
    assert canonize(credential_signed(credential))
    with pytest.raises(ContextNotShipped):
        document_loader("https://example.org/context.json")
    foreign = credential_document(credential)
    foreign["@context"] = [*foreign["@context"], "https://example.org/context.json"]
    with pytest.raises(jsonld.JsonLdError):
        canonize(foreign)


def test_the_did_document_lists_every_key_as_multikey_and_rotation_keeps_the_old(client, credential):
    signed_before = credential_signed(credential)
    before = signing_key()
    call_command("credential_keys", "rotate")
    after = signing_key()
    assert after.key_id != before.key_id
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    document = response.json()
    assert document["id"] == "did:web:kakehashi.test"
    methods = {m["id"]: m for m in document["verificationMethod"]}
    assert set(methods) == {f"did:web:kakehashi.test#{k.key_id}" for k in (before, after)}
    for method in methods.values():
        assert method["type"] == "Multikey"
        assert base58btc_decode(method["publicKeyMultibase"][1:])[:2] == b"\xed\x01"
    assert public_key_from_multibase(methods[f"did:web:kakehashi.test#{before.key_id}"]["publicKeyMultibase"])
    assert credential_verify(signed_before).verified  # signed by the old key
    assert credential_signed(credential)["proof"]["verificationMethod"].endswith(after.key_id)
    call_command("credential_keys", "retire", before.key_id)
    assert [k.private_key is None for k in keyring()] == [False, True]
    assert credential_verify(signed_before).verified
    assert len(did_document()["verificationMethod"]) == 2


def test_no_private_key_in_the_database_nor_the_did_document(credential):
    key = signing_key()
    from cryptography.hazmat.primitives import serialization

    raw = key.private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
    assert raw.hex() not in json.dumps(did_document())
    assert base58btc_encode(raw) not in json.dumps(did_document())
    row = BadgeCredential.objects.values().get(pk=credential.pk)
    assert raw.hex() not in json.dumps(row, default=str)


@override_settings(KAKEHASHI_CREDENTIAL_KEY_AUTOCREATE=False)
def test_without_a_key_the_holder_is_told_plainly(client, certification, holder):
    login_as(client, holder)
    response = client.get(f"/me/training/certifications/{certification.pk}/credential.json")
    assert response.status_code == 503
    assert "署名の鍵がまだありません" in response.content.decode()
    assert "manage.py" not in response.content.decode()  # the operator's words are not the holder's
    assert BadgeCredential.objects.count() <= 1
    response = client.get(f"/api/v1/training/certifications/{certification.pk}/credential/")
    assert response.status_code == 503
    assert response.json()["errors"][0]["code"] == "no_signing_key"
    assert response.json()["title"] == "いまは利用できません"
    assert set(response.json()["errors"][0]["message"]) == {"ja", "en"}


def test_bitstring_encoding_follows_the_spec():
    encoded = encode_bits([0, 9, STATUS_LIST_SIZE - 1])
    assert encoded.startswith("u") and "=" not in encoded
    bits = decode_bits(encoded)
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    assert [bit_at(bits, i) for i in (0, 1, 9, STATUS_LIST_SIZE - 1)] == [True, False, True, True]


# ---------------------------------------------------------------- where people meet it
def test_only_the_holder_downloads_their_credential_and_badge(client, certification, holder, trainer, make_user):
    url = f"/me/training/certifications/{certification.pk}/credential.json"
    assert client.get(url).status_code == 302  # sign in first
    login_as(client, make_user())
    assert client.get(url).status_code == 404
    login_as(client, holder)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/vc+ld+json"
    assert "attachment" in response["Content-Disposition"]
    assert credential_verify(json.loads(response.content)).verified
    badge = client.get(f"/me/training/certifications/{certification.pk}/credential.png")
    assert badge["Content-Type"] == "image/png"
    baked = unbake(badge.content)
    assert baked is not None and credential_verify(baked).verified
    assert KEYWORD.encode() in badge.content
    page = client.get("/me/training/").content.decode()
    assert url in page


def test_api_gives_the_credential_to_the_holder_and_the_bodys_staff_only(client, certification, holder, trainer,
                                                                       other_trainer, make_user):
    url = f"/api/v1/training/certifications/{certification.pk}/credential/"
    login_as(client, other_trainer)
    assert client.get(url).status_code == 404
    login_as(client, make_user())
    assert client.get(url).status_code == 404
    for user in (holder, trainer):
        login_as(client, user)
        response = client.get(url)
        assert response.status_code == 200
        assert credential_verify(response.json()).verified
    assert BadgeCredential.objects.count() == 1


def test_api_verifies_a_posted_credential(client, credential, certification, trainer,
                                          django_capture_on_commit_callbacks):
    document = credential_signed(credential)
    response = client.post("/api/v1/verify/credential/", document, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is True and body["status"] == "active"
    assert {c["check"] for c in body["checks"]} == {"format", "issuer", "signature", "dates", "status"}
    assert set(body["checks"][0]["message"]) == {"ja", "en"}
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["licenseNumber"] = "PSS-2099-0001"
    body = client.post("/api/v1/verify/credential/", {"credential": tampered}, content_type="application/json").json()
    assert body["verified"] is False
    assert [c["ok"] for c in body["checks"] if c["check"] == "signature"] == [False]
    with django_capture_on_commit_callbacks(execute=True):
        certification_revoke(certification=certification, actor=trainer, reason="不正")
    body = client.post("/api/v1/verify/credential/", document, content_type="application/json").json()
    assert (body["verified"], body["status"]) == (False, "revoked")
    response = client.post("/api/v1/verify/credential/", "not json", content_type="application/json")
    assert response.status_code == 400


def test_the_verification_page_checks_a_pasted_or_uploaded_credential(client, credential, certification, holder):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = credential_signed(credential)
    response = client.post("/verify/credential/", {"text": json.dumps(document)})
    assert response.status_code == 200
    assert 'id="credential-valid"' in response.content.decode()
    login_as(client, holder)
    png = client.get(f"/me/training/certifications/{certification.pk}/credential.png").content
    client.logout()
    response = client.post("/verify/credential/", {"file": SimpleUploadedFile("badge.png", png, "image/png")})
    assert 'id="credential-valid"' in response.content.decode()
    document["credentialSubject"]["achievement"]["achievementType"] = "Diploma"
    page = client.post("/verify/credential/", {"text": json.dumps(document)}).content.decode()
    assert 'id="credential-invalid"' in page  # read, but its signature fails: no status is claimed
    assert "署名が一致しません" in page and "状態は確認していません" in page
    response = client.post("/verify/credential/", {"text": "{oops"})
    assert response.status_code == 200 and 'id="credential-unreadable"' in response.content.decode()
    assert client.post("/verify/credential/", {}).status_code == 400


def test_the_holders_pdf_certificate_carries_a_second_qr_to_the_credential(client, certification, holder):
    from tests.training.pdftext import pdf_text

    login_as(client, holder)
    own = client.get(f"/me/training/certifications/{certification.pk}/certificate.pdf").content
    assert "デジタル認定証（本人用）" in pdf_text(own)
    assert own.count(b"/Subtype /Image") == 2


@pytest.mark.parametrize("body", [
    [], "text", {"@context": "x"}, {"@context": ["https://www.w3.org/ns/credentials/v2",
                                                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                                    "type": ["OpenBadgeCredential"], "issuer": "did:web:kakehashi.test",
                                    "proof": "z", "validFrom": 5, "credentialStatus": [{"statusListIndex": "-1"}]},
])
def test_malformed_credentials_are_answered_not_errors(client, body):
    response = client.post("/api/v1/verify/credential/", json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["verified"] is False


def test_malformed_fields_of_a_signed_credential_are_answered(credential):
    document = credential_signed(credential)
    for change in (
        lambda d: d.update({"proof": [d["proof"], d["proof"]]}),
        lambda d: d["proof"].update({"proofValue": "z0OIl"}),
        lambda d: d["credentialStatus"][0].update({"statusListIndex": str(STATUS_LIST_SIZE + 5)}),
        lambda d: d["credentialStatus"][1].update({"statusListCredential": "https://evil.example/list"}),
        lambda d: d.update({"validUntil": "soon"}),
        lambda d: d["credentialSubject"].update({"achievement": {"@id": {"nested": 1}}}),
    ):
        changed = copy.deepcopy(document)
        change(changed)
        assert credential_verify(changed).verified is False


def test_the_status_list_takes_the_same_queries_however_many_credentials(client, make_user, completed,
                                                                        django_assert_num_queries):
    first = badge_credential_for_completion(completion=completed(make_user()))
    for _ in range(5):
        badge_credential_for_completion(completion=completed(make_user()))
    with django_assert_num_queries(2):  # the list exists; the set bits
        assert client.get(f"/credentials/status/revocation/{first.status_list}").status_code == 200


# ---------------------------------------------------------------- the W3C test vector
SPEC_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
SPEC_SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"  # multicodec ed25519-priv (0x8026) + seed
SPEC_PROOF_VALUE = "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"
SPEC_EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"


def test_the_proof_is_the_w3c_eddsa_rdfc_2022_test_vector(monkeypatch):
    """W3C Data Integrity EdDSA Cryptosuites v1.0, appendix B.1: the spec's key signs the
    spec's credential into exactly the spec's proofValue, over hash(proof options) followed by
    hash(document), and our verifier accepts the spec's signed credential."""
    from training.badges import proofs

    shipped = proofs.document_loader

    def loader(url, options=None):  # the spec's example context: every term in its vocabulary
        if url == SPEC_EXAMPLES:
            return {"contextUrl": None, "documentUrl": url,
                    "document": {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}}
        return shipped(url, options)

    monkeypatch.setattr(proofs, "document_loader", loader)
    unsecured = {
        "@context": ["https://www.w3.org/ns/credentials/v2", SPEC_EXAMPLES],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "name": "Alumni Credential",
        "description": "A minimum viable example of an Alumni Credential.",
        "issuer": "https://vc.example/issuers/5678",
        "validFrom": "2023-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    }
    options = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2023-02-24T23:36:38Z",
               "verificationMethod": f"did:key:{SPEC_PUBLIC}#{SPEC_PUBLIC}", "proofPurpose": "assertionMethod"}
    hash_data = proofs._hash_data(unsecured, options)
    assert hash_data.hex() == ("bea7b7acfbad0126b135104024a5f1733e705108f42d59668b05c0c50004c6b0"
                               "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017")
    secret = base58btc_decode(SPEC_SECRET[1:])
    assert secret[:2] == b"\x80\x26"
    private = Ed25519PrivateKey.from_private_bytes(secret[2:])
    from training.badges.keys import public_key_multibase

    assert public_key_multibase(private.public_key()) == SPEC_PUBLIC
    assert "z" + base58btc_encode(private.sign(hash_data)) == SPEC_PROOF_VALUE
    verify({**unsecured, "proof": {**options, "proofValue": SPEC_PROOF_VALUE}},
           public_key=public_key_from_multibase(SPEC_PUBLIC))
    with pytest.raises(ProofError):
        verify({**unsecured, "name": "Alumni Credentia1", "proof": {**options, "proofValue": SPEC_PROOF_VALUE}},
               public_key=public_key_from_multibase(SPEC_PUBLIC))


def test_a_credential_whose_signature_fails_claims_no_status_nor_issuer_name(credential, certification, trainer,
                                                                           django_capture_on_commit_callbacks):
    """The status entries and the issuer's name of a changed credential are not the issuer's
    word: the answer says the signature fails and claims no status (not even "revoked")."""
    document = credential_signed(credential)
    document["issuer"]["name"] = "偽の研修機関"
    result = credential_verify(document)
    assert (result.verified, result.status) == (False, "")
    assert all("偽の研修機関" not in check.text for check in result.checks)
    assert _checks(result) == {"format": True, "issuer": True, "signature": False, "dates": True, "status": False}
    with django_capture_on_commit_callbacks(execute=True):
        certification_revoke(certification=certification, actor=trainer, reason="不正")
    assert credential_verify(document).status == ""
    assert credential_verify(credential_signed(credential)).status == "revoked"


def test_a_body_nested_too_deeply_is_a_bilingual_400(client):
    response = client.post("/api/v1/verify/credential/", "[" * 100_000 + "]" * 100_000,
                           content_type="application/json")
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert message["ja"] != message["en"] and "JSON" in message["ja"]
    response = client.post("/api/v1/verify/credential/", "not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "parse_error"
    response = client.post("/api/v1/verify/credential/", json.dumps({"x": "a" * 3_000_000}),
                           content_type="application/json")
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    assert set(response.json()["errors"][0]["message"]) == {"ja", "en"}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@pytest.mark.parametrize("name", ["signature only", "bad chunk", "bad crc", "text not json", "text nested deeply"])
def test_a_png_that_is_not_a_badge_is_answered_plainly(client, name):
    import struct
    import zlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    signature = b"\x89PNG\r\n\x1a\n"
    header = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    pixels = _png_chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00"))
    end = _png_chunk(b"IEND", b"")

    def baked(text: bytes) -> bytes:
        return signature + header + _png_chunk(b"iTXt", KEYWORD.encode() + b"\x00\x00\x00\x00\x00" + text) + pixels + end

    png = {
        "signature only": signature,
        "bad chunk": signature + b"garbage" * 10,
        "bad crc": signature + header[:-4] + b"AAAA" + pixels + end,
        "text not json": baked(b"not json"),
        "text nested deeply": baked(b"[" * 50_000),
    }[name]
    response = client.post("/verify/credential/", {"file": SimpleUploadedFile("badge.png", png, "image/png")})
    assert response.status_code == 200
    assert 'id="credential-unreadable"' in response.content.decode()


@pytest.mark.parametrize("data, status, marker", [
    ({"text": "{\x00}"}, 400, 'data-error-summary'),  # the form refuses a NUL, in the page's language
    ({"text": "x" * (256 * 1024 + 1)}, 400, 'data-error-summary'),
    ({"text": "[" * 100_000}, 200, 'id="credential-unreadable"'),
    ({"file": b"\x00" * 100}, 200, 'id="credential-unreadable"'),
    ({"file": b"{" * 100_000}, 200, 'id="credential-unreadable"'),
])
def test_bad_text_or_file_on_the_verification_page_is_answered_plainly(client, data, status, marker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if "file" in data:
        data = {"file": SimpleUploadedFile("credential.json", data["file"], "application/json")}
    response = client.post("/verify/credential/", data)
    assert response.status_code == status
    assert marker in response.content.decode()
