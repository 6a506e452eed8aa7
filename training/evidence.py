"""Continuing-education evidence files (issue 11).

- Accepted: PDF, JPEG, PNG and HEIC, recognised by their first bytes (never by the name or the
  type the browser sends), up to settings.KAKEHASHI_EVIDENCE_MAX_BYTES (10 MiB by default). A file
  is stored with the extension of what it is (a PNG named `.pdf` is stored as `.png`).
- Kept in a private storage (settings.KAKEHASHI_PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT): no
  `/media/` address reaches them. They are served only by training:ce_evidence, which checks who
  asks, as an attachment with the detected type and `X-Content-Type-Options: nosniff`.
- A request whose declared length is already over the limit is refused before its body is read;
  an upload that grows past the limit while it streams is dropped chunk by chunk (never held).
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# The form's other fields and the multipart boundaries never need more than this.
FORM_OVERHEAD_BYTES = 64 * 1024
HEAD_BYTES = 512  # enough for every signature below (filetype reads 261)

# detected content type → the extension the file is stored with
ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/heic": "heic"}
_HEIC_BRANDS = {"heic", "heix", "heim", "heis"}
_HEIF_GENERIC = {"mif1", "msf1"}

WRONG_TYPE = _("This file cannot be used as evidence: send a PDF, JPEG, PNG or HEIC file. Nothing was saved.")
TOO_LARGE = _("The evidence file is too large: at most %(megabytes)s MB. Nothing was saved.")


def max_bytes() -> int:
    return int(getattr(settings, "KAKEHASHI_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def too_large_error() -> ValidationError:
    return ValidationError(TOO_LARGE, code="too_large", params={"megabytes": f"{max_bytes() / 1024 / 1024:g}"})


def _heic(head: bytes) -> bool:
    """HEIC by its ISO-BMFF `ftyp` box: a HEIC major brand, or the generic HEIF one listing HEIC."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    size = int.from_bytes(head[0:4], "big")
    major = head[8:12].decode("ascii", "replace")
    compatible = {head[i:i + 4].decode("ascii", "replace") for i in range(16, min(size, len(head)) - 3, 4)}
    return major in _HEIC_BRANDS or (major in _HEIF_GENERIC and bool(compatible & _HEIC_BRANDS))


def detect(head: bytes) -> str | None:
    """The content type of an accepted kind of file from its first bytes, else None."""
    if _heic(head):
        return "image/heic"
    kind = filetype.guess(head)
    return kind.mime if kind is not None and kind.mime in ALLOWED else None


def _read_head(file) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def stored_name(original: str, content_type: str) -> str:
    """The person's own name for the file (Japanese kept), with the extension of what it is."""
    stem = PurePosixPath(original.replace("\\", "/")).name.rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFC", stem)[:80]
    try:
        stem = get_valid_filename(stem)
    except SuspiciousFileOperation:
        stem = ""
    return f"{stem or 'evidence'}.{ALLOWED[content_type]}"


def evidence_check(upload) -> str:
    """Raise a ValidationError (bilingual through the callers) unless the upload is an accepted
    kind within the limit; return its content type and rename it to what it is."""
    if upload.size is not None and upload.size > max_bytes():
        raise too_large_error()
    content_type = detect(_read_head(upload))
    if content_type is None:
        raise ValidationError(WRONG_TYPE, code="wrong_type")
    upload.name = stored_name(upload.name or "", content_type)
    upload.content_type = content_type
    return content_type


class PrivateStorage(FileSystemStorage):
    """Files under settings.KAKEHASHI_PRIVATE_MEDIA_ROOT (read when used, so tests may move it).
    They have no public address: `url()` refuses."""

    @property
    def base_location(self):
        return str(settings.KAKEHASHI_PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public address; serve them through a view that checks access.")


_private = PrivateStorage()


def evidence_storage() -> PrivateStorage:
    """The storage of ContinuingEducation.evidence (a callable, so migrations keep no path)."""
    return _private


def content_disposition(filename: str) -> str:
    """RFC 6266 attachment: an ASCII fallback `filename` and the real name in `filename*`."""
    name = unicodedata.normalize("NFC", PurePosixPath(filename.replace("\\", "/")).name) or "evidence"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ascii_stem = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in stem).strip("._")
    ascii_ext = "".join(c for c in ext if c.isascii() and c.isalnum())
    fallback = (ascii_stem if ascii_stem.strip("_") else "evidence") + (f".{ascii_ext}" if ascii_ext else "")
    value = f'attachment; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def evidence_response(field_file) -> FileResponse:
    """Serve a stored evidence file: attachment, detected type, nosniff, never cached. A file of a
    kind not accepted (stored before the check existed) goes out as application/octet-stream."""
    handle = field_file.open("rb")
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    content_type = detect(head) or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, content_type=content_type)
    response["Content-Disposition"] = content_disposition(field_file.name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # If a browser ever renders it anyway: no script, no plugin, nothing loaded.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class EvidenceUploadLimit(FileUploadHandler):
    """Drops an uploaded file as soon as it passes the limit (chunks are never kept) and marks the
    request so that the view can say why."""

    def __init__(self, request=None):
        super().__init__(request)
        self.seen = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.seen = 0

    def receive_data_chunk(self, raw_data, start):
        self.seen += len(raw_data)
        if self.seen > max_bytes():
            self.request.evidence_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def declared_too_large(request) -> bool:
    """The request says it is longer than any acceptable upload: refuse without reading it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_bytes() + FORM_OVERHEAD_BYTES
