"""OpenAPI: only our own API under /api/v1/ is documented (not Wagtail's internal admin API)."""


def only_public_api(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
