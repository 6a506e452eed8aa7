"""Every JSON-LD context a credential of ours names, loaded from this folder: the document
loader refuses any other address, so signing and verifying never touch the network."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pyld import jsonld

HERE = Path(__file__).resolve().parent / "jsonld"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
STATUS_LIST_V1 = "https://www.w3.org/ns/credentials/status/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

FILES = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OPEN_BADGES_V3: "ob-v3p0-context-3.0.3.jsonld",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    STATUS_LIST_V1: "credentials-status-v1.jsonld",
    DID_V1: "did-v1.jsonld",
}


class ContextNotShipped(jsonld.JsonLdError):
    """A document named a context this project does not ship (it is never fetched)."""

    def __init__(self, url: str):
        super().__init__(f"Context not shipped with the project: {url}", "jsonld.LoadDocumentError",
                         {"url": url}, code="loading document failed")
        self.url = url


@cache
def _context(url: str) -> dict:
    return json.loads((HERE / FILES[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options: dict | None = None) -> dict:
    """pyld's document loader: the shipped copy of a known context, or ContextNotShipped."""
    if url not in FILES:
        raise ContextNotShipped(url)
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}
