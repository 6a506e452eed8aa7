"""The issuer's Ed25519 keys and its did:web identity.

Private keys live outside the database: PEM files (PKCS#8, mode 0600) in the folder
KAKEHASHI_CREDENTIAL_KEYS_DIR, one per key, named `<key id>.pem`; key ids sort by the time they
were made (`key-YYYYMMDDHHMMSS`), and the newest signs. Or, instead, one key given in the
environment: KAKEHASHI_CREDENTIAL_SIGNING_KEY (the PEM text) with its id in
KAKEHASHI_CREDENTIAL_SIGNING_KEY_ID. A retired key keeps its public half as `<key id>.pub`
(PEM), so the DID document goes on listing it and what it signed still verifies.

`manage.py credential_keys create|rotate|list|retire` manages the folder."""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .contexts import DID_V1, MULTIKEY_V1
from .proofs import base58btc_decode, base58btc_encode

ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub, as unsigned varint
KEY_ID_RE = re.compile(r"^key-\d{14}$")


class NoSigningKey(RuntimeError):
    """No private key is configured: credentials cannot be issued until one is made. The
    exception's text is for the operator; `lazy_message` is what a person is told (the page,
    and the API's problem answer, a 503)."""

    http_status = 503
    code = "no_signing_key"
    lazy_message = _("Digital credentials cannot be issued just now (the platform has no signing key yet). "
                     "Your certificate and its number are not affected; please try again later.")


@dataclass(frozen=True)
class IssuerKey:
    key_id: str  # the fragment of the verification method: did:web:host#<key_id>
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = None

    @property
    def multibase(self) -> str:
        return public_key_multibase(self.public_key)


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """Multikey form: 'z' + base58btc(0xed01 + the 32 raw bytes)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58btc_encode(ED25519_PUB + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ValueError("not base58btc multibase")
    data = base58btc_decode(value[1:])
    if len(data) != 34 or data[:2] != ED25519_PUB:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(data[2:])


# ---------------------------------------------------------------- identity
def base_url() -> str:
    """The platform's public address the credentials name (never the request's Host)."""
    return getattr(settings, "KAKEHASHI_CREDENTIAL_BASE_URL", settings.WAGTAILADMIN_BASE_URL).rstrip("/")


def issuer_did() -> str:
    """did:web of the platform's host (a port is percent-encoded, as did:web says)."""
    return "did:web:" + quote(urlsplit(base_url()).netloc, safe="")


def verification_method_id(key_id: str) -> str:
    return f"{issuer_did()}#{key_id}"


def did_url_to_key_id(verification_method: str) -> str | None:
    """The key id, if the verification method is one of this platform's DID."""
    did, _, fragment = verification_method.partition("#")
    return fragment if did == issuer_did() and KEY_ID_RE.match(fragment) else None


def did_document() -> dict:
    """The DID document served at /.well-known/did.json: every key, current and retired, as a
    Multikey usable for assertionMethod (the current one first)."""
    did = issuer_did()
    methods = [
        {"id": f"{did}#{key.key_id}", "type": "Multikey", "controller": did,
         "publicKeyMultibase": key.multibase}
        for key in keyring()
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


# ---------------------------------------------------------------- the keyring
def keys_dir() -> Path:
    return Path(settings.KAKEHASHI_CREDENTIAL_KEYS_DIR)


def _load_private(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the credential signing key must be Ed25519")
    return key


def keyring() -> list[IssuerKey]:
    """Every key known, newest first; each private key loaded where it is still held."""
    found: dict[str, IssuerKey] = {}
    pem = getattr(settings, "KAKEHASHI_CREDENTIAL_SIGNING_KEY", "")
    if pem:
        key_id = getattr(settings, "KAKEHASHI_CREDENTIAL_SIGNING_KEY_ID", "") or "key-00000000000000"
        private = _load_private(pem.encode())
        found[key_id] = IssuerKey(key_id, private.public_key(), private)
    folder = keys_dir()
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            key_id = path.stem
            if not KEY_ID_RE.match(key_id) or key_id in found:
                continue
            if path.suffix == ".pem":
                private = _load_private(path.read_bytes())
                found[key_id] = IssuerKey(key_id, private.public_key(), private)
            elif path.suffix == ".pub" and not (folder / f"{key_id}.pem").exists():
                public = serialization.load_pem_public_key(path.read_bytes())
                found[key_id] = IssuerKey(key_id, public)
    return sorted(found.values(), key=lambda key: key.key_id, reverse=True)


def signing_key() -> IssuerKey:
    """The newest key whose private half is held (made now where the setting
    KAKEHASHI_CREDENTIAL_KEY_AUTOCREATE allows: development, the demo and tests)."""
    for key in keyring():
        if key.private_key is not None:
            return key
    if getattr(settings, "KAKEHASHI_CREDENTIAL_KEY_AUTOCREATE", False):
        return key_create()
    raise NoSigningKey("No credential signing key: run `manage.py credential_keys create`.")


def public_key_for(key_id: str) -> Ed25519PublicKey | None:
    for key in keyring():
        if key.key_id == key_id:
            return key.public_key
    return None


def key_create(*, now: datetime.datetime | None = None) -> IssuerKey:
    """A new key in the folder; it signs from now on, and the older ones stay listed."""
    folder = keys_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = now or datetime.datetime.now(datetime.UTC)
    key_id = f"key-{now:%Y%m%d%H%M%S}"
    while (folder / f"{key_id}.pem").exists() or (folder / f"{key_id}.pub").exists():
        now += datetime.timedelta(seconds=1)
        key_id = f"key-{now:%Y%m%d%H%M%S}"
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    path = folder / f"{key_id}.pem"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    _write_public(folder, key_id, private.public_key())
    return IssuerKey(key_id, private.public_key(), private)


def _write_public(folder: Path, key_id: str, public: Ed25519PublicKey) -> None:
    (folder / f"{key_id}.pub").write_bytes(
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def key_retire(key_id: str) -> None:
    """Delete a key's private half, keeping its public half listed (for what it signed)."""
    folder = keys_dir()
    path = folder / f"{key_id}.pem"
    if not KEY_ID_RE.match(key_id) or not path.exists():
        raise FileNotFoundError(key_id)
    private = _load_private(path.read_bytes())
    _write_public(folder, key_id, private.public_key())
    path.unlink()

