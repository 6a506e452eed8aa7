"""Bitstring Status Lists (W3C Bitstring Status List v1.0): one list for revocation and one for
suspension, each a signed BitstringStatusListCredential served from the platform.

The bits are read from the register, not kept apart from it: a credential's revocation bit is
set while its certification is revoked (or its record is gone), its suspension bit while the
certification is suspended. The signed list is cached for KAKEHASHI_STATUS_LIST_CACHE_SECONDS
and dropped the moment a service changes a status (status_list_changed), so the next request
signs the list afresh. A cache that fails is skipped: the list is then signed for each request."""

from __future__ import annotations

import base64
import datetime
import gzip
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from ..models import STATUS_LIST_SIZE, BadgeCredential, Certification
from .contexts import CREDENTIALS_V2
from .keys import base_url, issuer_did, signing_key, verification_method_id
from .proofs import sign

logger = logging.getLogger(__name__)

PURPOSES = ("revocation", "suspension")


def encode_bits(indices, size: int = STATUS_LIST_SIZE) -> str:
    """encodedList: the bitstring (index 0 the left-most bit of the first byte), GZIP-compressed,
    base64url without padding, with the multibase prefix 'u'."""
    raw = bytearray(size // 8)
    for index in indices:
        raw[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(raw), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_bits(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit_at(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise ValueError("index outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_url(purpose: str, number: int) -> str:
    return base_url() + reverse("badges:status_list", args=[purpose, number])


def set_indices(purpose: str, number: int) -> list[int]:
    """The indices whose bit is set in one list, read from the register."""
    credentials = BadgeCredential.objects.filter(status_list=number)
    if purpose == "revocation":
        # revoked, or its record deleted (a credential never comes back to life)
        credentials = credentials.filter(
            Q(certification__status=Certification.Status.REVOKED)
            | Q(certification__isnull=True, completion__isnull=True)
        )
    else:
        credentials = credentials.filter(certification__status=Certification.Status.SUSPENDED)
    return list(credentials.values_list("status_index", flat=True))


def status_list_build(purpose: str, number: int) -> dict:
    """The signed BitstringStatusListCredential of one list, as it stands now."""
    url = status_list_url(purpose, number)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    document = {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": now.isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_bits(set_indices(purpose, number)),
        },
    }
    key = signing_key()
    return sign(document, private_key=key.private_key, verification_method=verification_method_id(key.key_id))


def _cache_key(purpose: str, number: int) -> str:
    return f"badges:status-list:{purpose}:{number}"


def status_list_get(purpose: str, number: int) -> dict:
    """The signed list, from the cache when it holds a fresh one."""
    key = _cache_key(purpose, number)
    try:
        cached = cache.get(key)
    except Exception:  # a cache that fails degrades to signing each time, never breaks
        logger.warning("status list cache unavailable", exc_info=True)
        cached = None
    if cached is not None:
        return cached
    document = status_list_build(purpose, number)
    try:
        cache.set(key, document, getattr(settings, "KAKEHASHI_STATUS_LIST_CACHE_SECONDS", 300))
    except Exception:
        logger.warning("status list cache unavailable", exc_info=True)
    return document


def status_list_changed(numbers) -> None:
    """Drop the cached lists that hold these credentials, once the change is committed."""
    keys = [_cache_key(purpose, number) for number in set(numbers) for purpose in PURPOSES]

    def drop():
        try:
            cache.delete_many(keys)
        except Exception:
            logger.warning("status list cache unavailable: lists stay cached until they expire", exc_info=True)

    transaction.on_commit(drop)


def status_entries(credential: BadgeCredential) -> list[dict]:
    """credentialStatus of a credential: one BitstringStatusListEntry per purpose, both at the
    credential's index."""
    entries = []
    for purpose in PURPOSES:
        url = status_list_url(purpose, credential.status_list)
        entries.append({
            "id": f"{url}#{credential.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(credential.status_index),
            "statusListCredential": url,
        })
    return entries
