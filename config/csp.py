"""Content-Security-Policy (django-csp 4), chosen per request, and the endpoint browsers report
violations to.

Our pages: settings.CONTENT_SECURITY_POLICY, strict. Scripts and styles only from our own origin
or carrying this response's nonce (every response gets one, used or not); no inline `style=`;
the websocket of the room on this host only; nothing may frame us.

Wagtail's admin (/cms-admin/): settings.KAKEHASHI_CSP_ADMIN_DIRECTIVES. Its page editor writes
inline scripts (in the page, and from its vendor.js) and injects <style> elements, so scripts and
styles there may be inline (listing no nonce, which would switch 'unsafe-inline' off); everything
else stays as strict as on our pages, and only the same origin may frame it (the preview panel).
Django's admin (/django-admin/) runs under the strict policy of our pages.

A page kept by the page cache (cms/cache.py) must not depend on a nonce: the cache refuses any
response whose body carries this request's nonce.
"""

from __future__ import annotations

import json
import logging

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("kakehashi.csp")

REPORT_MAX_BYTES = 16 * 1024
REPORTS_PER_MINUTE = 30
_LOGGED_FIELDS = ("document-uri", "violated-directive", "effective-directive", "blocked-uri", "source-file",
                  "line-number", "column-number", "disposition", "status-code", "documentURL", "blockedURL",
                  "effectiveDirective", "sourceFile", "lineNumber", "columnNumber")


def is_admin_path(path: str) -> bool:
    return path.startswith(tuple(settings.KAKEHASHI_CSP_ADMIN_PREFIXES))


class KakehashiCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if parts.config is None and is_admin_path(request.path_info):
            # It lists no nonce where it allows 'unsafe-inline' (a nonce would switch that off).
            parts.config = default_config(settings.KAKEHASHI_CSP_ADMIN_DIRECTIVES)
        parts.nonce = self._make_nonce(request)
        try:
            host = request.get_host()
        except DisallowedHost:
            host = None
        if host:
            sockets = [f"wss://{host}"] if request.is_secure() else [f"ws://{host}", f"wss://{host}"]
            parts.update = {**(parts.update or {}), "connect-src": sockets}
        return parts


def _summary(body: bytes) -> list[dict]:
    """The fields worth logging from a report (CSP 2 `csp-report` or Reporting API list)."""
    data = json.loads(body)
    items = data if isinstance(data, list) else [data]
    out = []
    for item in items[:10]:
        if not isinstance(item, dict):
            continue
        report = item.get("csp-report", item.get("body", item))
        if isinstance(report, dict):
            out.append({k: str(report[k])[:300] for k in _LOGGED_FIELDS if k in report})
    return out


@csrf_exempt
@require_POST
@never_cache
def csp_report(request):
    """Browsers post violations here. Always 204 (nothing to tell them); a report is logged
    only if it is small, well formed, and this address has not sent too many this minute."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = REPORT_MAX_BYTES + 1
    if 0 < length <= REPORT_MAX_BYTES:
        try:
            allowed = _allow(request)
        except Exception:  # noqa: BLE001 - the cache being down must not stop a browser
            allowed = True
        if allowed:
            try:
                summary = _summary(request.read(REPORT_MAX_BYTES))
            except (ValueError, UnicodeDecodeError, RecursionError):
                summary = []
            for report in summary:
                logger.warning("CSP violation: %s", json.dumps(report, ensure_ascii=False, sort_keys=True))
    return HttpResponse(status=204)


def _allow(request) -> bool:
    from training.ratelimit import allow

    return allow(request, scope="csp-report", limit=REPORTS_PER_MINUTE, period=60)
