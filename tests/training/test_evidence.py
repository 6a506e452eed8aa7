"""Continuing-education evidence (issue 11): PDF, JPEG, PNG and HEIC only, by content, within a
size limit; kept outside MEDIA_ROOT; served only through the access-checked view, as an attachment
with nosniff and the detected type."""

from __future__ import annotations

import datetime
import importlib
import io
import struct
import zlib
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import ClientHandler

from training import evidence
from training.models import ContinuingEducation
from training.services import ce_record_add, certification_issue

pytestmark = pytest.mark.django_db

URL = "/en/me/training/ce/new/"


def _png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG = _png()
HEIC = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 64
REFUSED = {
    "page.html": (b"<!doctype html><html><script>alert(document.cookie)</script></html>", "text/html"),
    "setup.exe": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00",
                  "application/x-msdownload"),
    "badge.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
    "disguised.pdf": (b"<html><body onload=alert(1)>", "application/pdf"),
}


@pytest.fixture
def holder(make_user, completed, credential_type, trainer):
    person = make_user(display_name="更新 花子")
    completed(person)
    certification_issue(credential_type=credential_type, holder=person, actor=trainer)
    return person


def _fields(body, general, **extra):
    return {"body": body.pk, "date": "2025-05-01", "provider": "協会", "hours": "2", "category": general.pk, **extra}


def _private_files() -> list[Path]:
    return [p for p in Path(django_settings.KAKEHASHI_PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.fixture(autouse=True)
def _private_in_tmp(settings, tmp_path):
    settings.KAKEHASHI_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize(("name", "content", "content_type", "extension"), [
    ("修了証.pdf", PDF, "application/pdf", "pdf"),
    ("receipt.jpeg", JPEG, "image/jpeg", "jpg"),
    ("photo.png", PNG, "image/png", "png"),
    ("IMG_0001.HEIC", HEIC, "image/heic", "heic"),
    ("renamed.pdf", PNG, "image/png", "png"),  # accepted by what it is, stored as what it is
])
def test_accepted_kinds_are_stored_privately_with_their_real_extension(client, holder, body, general, name, content,
                                                                         content_type, extension):
    client.force_login(holder)
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    assert client.post(URL, _fields(body, general, evidence=upload)).status_code == 302
    record = ContinuingEducation.objects.get()
    assert record.evidence.name.endswith(f".{extension}")
    stored = _private_files()
    assert len(stored) == 1 and stored[0].read_bytes() == content
    assert not (Path(django_settings.MEDIA_ROOT) / record.evidence.name).exists()
    with pytest.raises(ValueError, match="Private files have no public address"):
        record.evidence.url  # noqa: B018 -- no public address at all
    response = client.get(f"/me/training/ce/{record.pk}/evidence/")
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment; ")
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_other_kinds_are_refused_with_a_bilingual_message_and_nothing_stored(client, holder, body, general, name):
    content, content_type = REFUSED[name]
    client.force_login(holder)
    for url, words in ((URL, "send a PDF, JPEG, PNG or HEIC file"), ("/me/training/ce/new/", "PDF、JPEG、PNG、HEIC")):
        upload = SimpleUploadedFile(name, content, content_type=content_type)
        response = client.post(url, _fields(body, general, evidence=upload))
        assert response.status_code == 400
        assert words in response.content.decode()
    assert not ContinuingEducation.objects.exists()
    assert _private_files() == []


def test_service_refuses_the_same_for_every_caller(holder, body, general):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        ce_record_add(person=holder, body=body, date=datetime.date(2025, 5, 1), provider="協会", hours=2,
                      category=general, evidence=SimpleUploadedFile("x.svg", REFUSED["badge.svg"][0]))
    assert "evidence" in error.value.error_dict
    assert not ContinuingEducation.objects.exists()


class _Zeros(io.RawIOBase):
    """A request body produced as it is read: a multipart form whose file is `size` bytes, never
    held in memory. Counts what the server read."""

    def __init__(self, head: bytes, size: int, tail: bytes):
        self.parts = [head, None, tail]
        self.remaining_zeros = size
        self.read_total = 0

    def read(self, n=-1):
        out = b""
        n = 1 << 62 if n is None or n < 0 else n
        while len(out) < n and self.parts:
            part = self.parts[0]
            if part is None:
                take = min(n - len(out), self.remaining_zeros, 1 << 20)
                out += b"\x00" * take
                self.remaining_zeros -= take
                if self.remaining_zeros == 0:
                    self.parts.pop(0)
            else:
                take = part[: n - len(out)]
                out += take
                rest = part[len(take):]
                self.parts[0] = rest
                if not rest:
                    self.parts.pop(0)
        self.read_total += len(out)
        return out

    def readline(self, size=-1):
        return self.read(size if size and size > 0 else 65536)


def _streamed_post(client, holder, body, general, file_size: int, declared: int | None = None):
    client.force_login(holder)
    boundary = "kakehashi-boundary"
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in _fields(body, general).items()
    )
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="big.png"\r\n'
             "Content-Type: image/png\r\n\r\n")
    head_bytes = head.encode() + PNG[:16]
    tail = f"\r\n--{boundary}--\r\n".encode()
    stream = _Zeros(head_bytes, file_size - 16, tail)
    length = len(head_bytes) + file_size - 16 + len(tail)
    cookie = SimpleCookie()
    cookie[django_settings.SESSION_COOKIE_NAME] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": URL, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "testserver", "wsgi.url_scheme": "http",
        "wsgi.input": stream, "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0),
        "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(declared if declared is not None else length),
        "HTTP_COOKIE": cookie.output(header="", sep="; ").strip(),
    }
    response = ClientHandler(enforce_csrf_checks=False)(environ)
    return response, stream


def test_a_30_mib_upload_is_refused_before_its_body_is_read(client, holder, body, general):
    response, stream = _streamed_post(client, holder, body, general, 30 * 1024 * 1024)
    assert response.status_code == 413
    assert "at most 10 MB" in response.content.decode()
    assert stream.read_total == 0  # not one byte of the 30 MiB was read
    assert not ContinuingEducation.objects.exists() and _private_files() == []


def test_an_upload_that_grows_past_the_limit_is_dropped_while_it_streams(client, holder, body, general, settings):
    settings.KAKEHASHI_EVIDENCE_MAX_BYTES = 1024 * 1024
    # Declared within the slack for the other fields, so only the streaming check can stop it.
    response, stream = _streamed_post(client, holder, body, general, 1024 * 1024 + 32 * 1024)
    assert response.status_code == 400
    assert "too large: at most 1 MB" in response.content.decode()
    assert not ContinuingEducation.objects.exists() and _private_files() == []


def test_download_names_follow_rfc_6266():
    assert evidence.content_disposition("receipt.pdf") == 'attachment; filename="receipt.pdf"'
    assert evidence.content_disposition("修了証.png") == (
        "attachment; filename=\"evidence.png\"; filename*=UTF-8''%E4%BF%AE%E4%BA%86%E8%A8%BC.png"
    )
    quoted = evidence.content_disposition('a"b;\r\nd.pdf')
    assert quoted == "attachment; filename=\"a_b___d.pdf\"; filename*=UTF-8''a%22b%3B%0D%0Ad.pdf"
    assert evidence.content_disposition("..\\..\\secret.pdf") == 'attachment; filename="secret.pdf"'


def test_evidence_stored_before_moves_out_of_media_and_keeps_working(client, holder, body, general, settings):
    """The migration moves files stored under MEDIA_ROOT; one of a kind no longer accepted is
    still handed out, but only as an opaque attachment."""
    legacy = {"training/ce/old-token/修了証.pdf": PDF, "training/ce/old-token2/page.html": REFUSED["page.html"][0]}
    records = []
    for name, content in legacy.items():
        assert default_storage.save(name, ContentFile(content)) == name
        records.append(ContinuingEducation.objects.create(
            person=holder, body=body, date=datetime.date(2025, 5, 1), provider="協会", hours=1, category=general,
            evidence=name))
    migration = importlib.import_module("training.migrations.0004_evidence_in_private_storage")
    migration.to_private(apps, None)
    for name in legacy:
        assert not (Path(settings.MEDIA_ROOT) / name).exists()
        assert (Path(settings.KAKEHASHI_PRIVATE_MEDIA_ROOT) / name).exists()
    client.force_login(holder)
    pdf = client.get(f"/me/training/ce/{records[0].pk}/evidence/")
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content) == PDF
    html = client.get(f"/me/training/ce/{records[1].pk}/evidence/")
    assert html["Content-Type"] == "application/octet-stream"
    assert html["Content-Disposition"] == 'attachment; filename="page.html"'
    assert html["X-Content-Type-Options"] == "nosniff"


def test_media_in_development_never_serves_the_evidence_folder(rf, settings, tmp_path):
    import config.urls

    settings.DEBUG = True
    try:
        module = importlib.reload(config.urls)
        media = next(p for p in module.urlpatterns if "media" in str(p.pattern))
        (Path(settings.MEDIA_ROOT) / "training" / "ce" / "t").mkdir(parents=True)
        (Path(settings.MEDIA_ROOT) / "training" / "ce" / "t" / "x.pdf").write_bytes(PDF)
        (Path(settings.MEDIA_ROOT) / "images").mkdir()
        (Path(settings.MEDIA_ROOT) / "images" / "a.png").write_bytes(PNG)
        from django.http import Http404

        view, kwargs = media.callback, media.default_args
        assert view(rf.get("/media/images/a.png"), path="images/a.png", **kwargs).status_code == 200
        for path in ("training/ce/t/x.pdf", "images/../training/ce/t/x.pdf", "/training/ce/t/x.pdf"):
            with pytest.raises(Http404):
                view(rf.get("/media/" + path), path=path, **kwargs)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
