"""Checking a credential as any verifier would, offline: its form, its issuer, its Data Integrity
proof against the key in the platform's DID document, its dates, and its two status entries
against the signed status lists. The answer is the same for the verification page and the API."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.errors import both_languages

from ..models import BadgeCredential
from .contexts import CREDENTIALS_V2, FILES, OPEN_BADGES_V3
from .keys import NoSigningKey, base_url, did_url_to_key_id, issuer_did, public_key_for
from .proofs import ProofError, verify
from .status import PURPOSES, bit_at, decode_bits, status_list_get

MAX_BYTES = 256 * 1024


@dataclass
class Check:
    check: str
    ok: bool
    message: object  # a lazy message
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message in the active language."""
        return str(self.message) % self.params if self.params else str(self.message)

    def as_dict(self) -> dict:
        return {"check": self.check, "ok": self.ok, "message": both_languages(self.message, **self.params)}


@dataclass
class CredentialVerification:
    checks: list[Check]
    status: str  # "active", "suspended", "revoked", "expired"; "" when it could not be read
    document: dict | None = None
    issuer_name: str = ""
    valid_from: datetime.datetime | None = None
    valid_until: datetime.datetime | None = None

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks) and self.status == "active"

    @property
    def readable(self) -> bool:
        """Whether it was read as an Open Badges credential at all (its format check held)."""
        return bool(self.checks) and self.checks[0].check == "format" and self.checks[0].ok

    def as_dict(self) -> dict:
        return {"verified": self.verified, "checks": [check.as_dict() for check in self.checks],
                "status": self.status or None}


def parse_credential(text: str | bytes) -> dict | None:
    """The credential as a JSON object, or None (too large, not JSON, not an object)."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            return None
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
    if len(text) > MAX_BYTES:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _moment(value) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    try:  # a date at the edge of the calendar cannot be shown in the platform's time zone
        moment.astimezone(datetime.UTC)
        timezone.localtime(moment)
    except OverflowError:
        return None
    return moment


def _list_number(url: str, purpose: str) -> int | None:
    """The number of one of our status lists named by `url`, or None if it is not ours."""
    base = urlsplit(base_url())
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.view_name != "badges:status_list" or match.kwargs.get("purpose") != purpose:
        return None
    return match.kwargs["list_id"]


def _status_bit(entry: dict, purpose: str) -> bool | None:
    """Whether the entry's bit is set in our signed list, None if the entry cannot be checked."""
    number = _list_number(entry.get("statusListCredential"), purpose)
    try:
        index = int(entry.get("statusListIndex"))
    except (TypeError, ValueError):
        return None
    if number is None or not BadgeCredential.objects.filter(status_list=number).exists():
        return None  # not a list this platform serves (none is signed for it)
    try:
        status_list = status_list_get(purpose, number)
    except NoSigningKey:
        return None
    key_id = did_url_to_key_id(status_list["proof"]["verificationMethod"])
    public_key = public_key_for(key_id) if key_id else None
    if public_key is None:
        return None
    try:
        verify(status_list, public_key=public_key)
        return bit_at(decode_bits(status_list["credentialSubject"]["encodedList"]), index)
    except (ProofError, ValueError, OSError, KeyError):
        return None


def _signature_check(document: dict) -> Check:
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    key_id = did_url_to_key_id(method) if isinstance(method, str) else None
    public_key = public_key_for(key_id) if key_id else None
    if public_key is None:
        return Check("signature", False, _("The signature names a key this platform does not have."))
    try:
        verify(document, public_key=public_key)
    except ProofError:
        return Check("signature", False,
                     _("The signature does not hold: the credential has been changed, or was not signed by this platform."))
    return Check("signature", True, _("The signature holds: nothing has been changed since it was issued."))


def credential_verify(document: dict | None, *, now: datetime.datetime | None = None) -> CredentialVerification:
    """Every check of one credential; `verified` only if all hold and the status is active."""
    now = now or timezone.now()
    checks: list[Check] = []
    if document is None:
        checks.append(Check("format", False, _("This is not a credential file: give the JSON file you downloaded.")))
        return CredentialVerification(checks, "")
    contexts = document.get("@context")
    types = document.get("type") or []
    if (not isinstance(contexts, list) or contexts[:2] != [CREDENTIALS_V2, OPEN_BADGES_V3]
            or any(not isinstance(c, str) or c not in FILES for c in contexts)
            or not isinstance(types, list) or "OpenBadgeCredential" not in types):
        checks.append(Check("format", False, _("This is not an Open Badges 3.0 credential of this platform.")))
        return CredentialVerification(checks, "", document)
    checks.append(Check("format", True, _("An Open Badges 3.0 credential.")))

    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    issuer_name = str(issuer.get("name", "")) if isinstance(issuer, dict) else ""
    if issuer_id != issuer_did():
        checks.append(Check("issuer", False, _("It was not issued by this platform, so it cannot be checked here.")))
        return CredentialVerification(checks, "", document)
    signature = _signature_check(document)
    if signature.ok:
        checks.append(Check("issuer", True, _("Issued by %(name)s through this platform (%(did)s)."),
                            {"name": issuer_name, "did": issuer_id}))
    else:  # the name is the document's own word until the signature holds
        checks.append(Check("issuer", True, _("It names this platform (%(did)s) as its issuer."), {"did": issuer_id}))
    checks.append(signature)

    valid_from, valid_until = _moment(document.get("validFrom")), _moment(document.get("validUntil"))
    status = "active"
    if valid_from is None or ("validUntil" in document and valid_until is None):
        checks.append(Check("dates", False, _("Its dates cannot be read.")))
    elif valid_from > now:
        checks.append(Check("dates", False, _("It is not valid yet: valid from %(from)s."),
                            {"from": timezone.localtime(valid_from).date().isoformat()}))
    elif valid_until is not None and valid_until < now:
        status = "expired"
        checks.append(Check("dates", False, _("It expired on %(until)s."),
                            {"until": timezone.localtime(valid_until).date().isoformat()}))
    elif valid_until is not None:
        checks.append(Check("dates", True, _("Valid from %(from)s until %(until)s."),
                            {"from": timezone.localtime(valid_from).date().isoformat(),
                             "until": timezone.localtime(valid_until).date().isoformat()}))
    else:
        checks.append(Check("dates", True, _("Valid from %(from)s; it does not expire."),
                            {"from": timezone.localtime(valid_from).date().isoformat()}))

    if not signature.ok:  # its dates and status entries are not its issuer's word: no status is claimed
        checks.append(Check("status", False,
                            _("Its status is not looked up: without a signature that holds, its status entries cannot be trusted.")))
        return CredentialVerification(checks, "", document, "", valid_from, valid_until)

    entries = document.get("credentialStatus")
    entries = entries if isinstance(entries, list) else [entries] if isinstance(entries, dict) else []
    by_purpose = {e.get("statusPurpose"): e for e in entries
                  if isinstance(e, dict) and e.get("type") == "BitstringStatusListEntry"}
    bits = {purpose: _status_bit(by_purpose[purpose], purpose) if purpose in by_purpose else None
            for purpose in PURPOSES}
    if any(bit is None for bit in bits.values()):
        status = ""
        checks.append(Check("status", False, _("Its current status cannot be checked.")))
    elif bits["revocation"]:
        status = "revoked"
        checks.append(Check("status", False, _("It has been revoked by the training body.")))
    elif bits["suspension"]:
        status = "suspended"
        checks.append(Check("status", False, _("It is suspended by the training body.")))
    else:
        checks.append(Check("status", True, _("Not revoked and not suspended.")))
    return CredentialVerification(checks, status, document, issuer_name, valid_from, valid_until)
