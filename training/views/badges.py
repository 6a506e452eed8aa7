"""Digital credentials: the issuer's DID document and status lists (public, for any verifier),
the holder's downloads, and checking a credential on the verification page."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from ..badges.baking import badge_png, unbake
from ..badges.documents import credential_filename, credential_signed
from ..badges.keys import NoSigningKey, did_document
from ..badges.status import PURPOSES, status_list_get
from ..badges.verify import MAX_BYTES, credential_verify, parse_credential
from ..forms import CredentialVerifyForm
from ..models import BadgeCredential
from ..ratelimit import allow
from ..selectors import certification_get_visible, completion_get_visible
from ..services import badge_credential_for_certification, badge_credential_for_completion

CREDENTIAL_TYPE = "application/vc+ld+json"


@require_GET
@cache_control(public=True, max_age=300)
def did_json(request: HttpRequest) -> JsonResponse:
    """did:web resolution: /.well-known/did.json, every key the platform has signed with."""
    return JsonResponse(did_document(), content_type="application/did+ld+json",
                        json_dumps_params={"ensure_ascii": False})


@require_GET
@cache_control(public=True, max_age=60)
def status_list(request: HttpRequest, purpose: str, list_id: int) -> JsonResponse:
    """A signed BitstringStatusListCredential (revocation or suspension)."""
    if purpose not in PURPOSES or not BadgeCredential.objects.filter(status_list=list_id).exists():
        raise Http404
    return JsonResponse(status_list_get(purpose, list_id), content_type=CREDENTIAL_TYPE)


def _holder_credential(request: HttpRequest, kind: str, pk: int) -> tuple[BadgeCredential, dict]:
    """Only the holder downloads their own credential from the site (staff use the API)."""
    if kind == "certification":
        record = certification_get_visible(request.user, pk)
        if record.holder_id != request.user.pk:
            raise Http404
        credential = badge_credential_for_certification(certification=record, actor=request.user)
    else:
        record = completion_get_visible(request.user, pk)
        if record.person_id != request.user.pk:
            raise Http404
        credential = badge_credential_for_completion(completion=record, actor=request.user)
    return credential, credential_signed(credential)


def _refused(request, error) -> HttpResponse:
    # NoSigningKey's own text is for the operator (it names the command): the holder is told plainly
    messages = error.messages if isinstance(error, ValidationError) else [error.lazy_message]
    return render(request, "training/credential_refused.html", {"messages": messages},
                  status=getattr(error, "http_status", 410))


@login_required
def credential_download(request: HttpRequest, pk: int, fmt: str, kind: str) -> HttpResponse:
    if fmt not in ("json", "png"):
        raise Http404
    try:
        credential, document = _holder_credential(request, kind, pk)
    except (ValidationError, NoSigningKey) as error:
        return _refused(request, error)
    filename = credential_filename(credential)
    if fmt == "png":
        record = credential.certification or credential.completion
        title = record.credential_type.name if kind == "certification" else record.course.title
        response = HttpResponse(badge_png(document, title=title, body=str(record.body)), content_type="image/png")
    else:
        response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2), content_type=CREDENTIAL_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


def credential_check(request: HttpRequest) -> HttpResponse:
    """The verification page's second form: a credential file (JSON or baked PNG) or pasted
    JSON, checked offline and said in plain words."""
    result, status = None, 200
    form = CredentialVerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not allow(request, scope="verify", limit=30, period=600):
            return render(request, "training/verify_limited.html", {"limited": True, "retry_after": 600}, status=429)
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            if upload is not None:
                data = upload.read(MAX_BYTES + 1)
                document = unbake(data) if data[:8] == b"\x89PNG\r\n\x1a\n" else parse_credential(data)
            else:
                document = parse_credential(form.cleaned_data["text"])
            result = credential_verify(document)
        else:
            status = 400
    response = render(request, "training/credential_check.html", {"form": form, "result": result}, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
