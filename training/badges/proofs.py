"""Data Integrity proofs with the cryptosuite eddsa-rdfc-2022 (W3C Data Integrity EdDSA
Cryptosuites v1.0, section 3.2), and the encodings they use.

Signing (3.2.1–3.2.6): the proof options are the proof without `proofValue`, carrying the
document's `@context`; both the document without its proof and the proof options are
canonicalized with RDFC-1.0 (pyld's URDNA2015, the same algorithm); the signed bytes are
SHA-256(canonical proof options) followed by SHA-256(canonical document); the Ed25519 signature
is the `proofValue`, multibase base58btc ('z…')."""

from __future__ import annotations

import copy
import datetime
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

from .contexts import document_loader

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}


def base58btc_encode(data: bytes) -> str:
    """Bitcoin's base58 (the 'z' multibase without its prefix)."""
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_ALPHABET[rest])
    leading = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading + "".join(reversed(out))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError("not base58btc")
        number = number * 58 + _INDEX[char]
    leading = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading + body


class ProofError(ValueError):
    """The proof is missing, malformed or does not hold (the message says which)."""


def canonize(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, contexts from the shipped files only."""
    return jsonld.normalize(document, {
        "algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader,
    })


_UNDEFINED = "urn:kakehashi:undefined-term:"


def undefined_terms(document: dict) -> list[str]:
    """The properties and types of the document that no shipped context defines. JSON-LD
    drops such a term silently, so it would stand outside the proof: nothing is signed with
    one (the 'safe mode' the VC 2.0 specification asks of issuers)."""
    contexts = document["@context"] if isinstance(document["@context"], list) else [document["@context"]]
    probe = {**document, "@context": [*contexts, {"@vocab": _UNDEFINED}]}
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key.startswith(_UNDEFINED):
                    found.add(key.removeprefix(_UNDEFINED))
                if key == "@type":
                    found.update(t.removeprefix(_UNDEFINED) for t in value if t.startswith(_UNDEFINED))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(jsonld.expand(probe, {"documentLoader": document_loader}))
    return sorted(found)


def _hash_data(document: dict, proof_options: dict) -> bytes:
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    options = {key: value for key, value in proof_options.items() if key != "proofValue"}
    options["@context"] = document["@context"]
    proof_hash = hashlib.sha256(canonize(options).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonize(unsecured).encode("utf-8")).digest()
    return proof_hash + document_hash


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sign(document: dict, *, private_key: Ed25519PrivateKey, verification_method: str,
         created: str | None = None, proof_purpose: str = "assertionMethod") -> dict:
    """The document with an embedded DataIntegrityProof (eddsa-rdfc-2022) added; the input is
    not changed. A document with a term no context defines is refused (ValueError)."""
    undefined = undefined_terms({key: value for key, value in document.items() if key != "proof"})
    if undefined:
        raise ValueError(f"terms not defined by the contexts: {', '.join(undefined)}")
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created or _now(),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = private_key.sign(_hash_data(document, proof))
    secured = copy.deepcopy({key: value for key, value in document.items() if key != "proof"})
    secured["proof"] = {**proof, "proofValue": "z" + base58btc_encode(signature)}
    return secured


def proof_of(document: dict) -> dict:
    """The document's one proof, checked for form (type, cryptosuite, purpose, value)."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("no single proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("not an eddsa-rdfc-2022 DataIntegrityProof")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("proof purpose is not assertionMethod")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("proofValue is not multibase base58btc")
    if not isinstance(proof.get("verificationMethod"), str):
        raise ProofError("no verification method")
    created = proof.get("created")
    if created is not None:
        try:
            datetime.datetime.fromisoformat(str(created).replace("Z", "+00:00"))
        except ValueError as error:
            raise ProofError("created is not a date and time") from error
    return proof


def verify(document: dict, *, public_key: Ed25519PublicKey) -> None:
    """Raise ProofError unless the document's proof was made over exactly this document by the
    private half of `public_key`."""
    proof = proof_of(document)
    try:
        signature = base58btc_decode(proof["proofValue"][1:])
    except ValueError as error:
        raise ProofError("proofValue is not base58btc") from error
    if len(signature) != 64:
        raise ProofError("the signature is not 64 bytes")
    if "@context" not in document:
        raise ProofError("no @context")
    try:
        data = _hash_data(document, proof)
    except (jsonld.JsonLdError, TypeError, ValueError, KeyError, AttributeError, RecursionError) as error:
        raise ProofError(f"the document cannot be read as JSON-LD: {error}") from error
    try:
        public_key.verify(signature, data)
    except InvalidSignature as error:
        raise ProofError("the signature does not match") from error
