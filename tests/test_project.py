"""The two-command promise: demo data loads twice without change; deployment files are sound."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from peers.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from peers.models import Organisation, RoleAssignment, User

ROOT = Path(__file__).resolve().parent.parent


def _snapshot():
    from allauth.mfa.models import Authenticator
    from wagtail.models import Page

    return (
        sorted(User.objects.values_list("email", "password")),
        sorted(RoleAssignment.objects.values_list("user__email", "role", "organisation__name", "prefecture_id")),
        Organisation.objects.count(),
        Authenticator.objects.count(),
        sorted(Page.objects.values_list("title", "locale__language_code")),
    )


@pytest.mark.django_db
def test_demo_data_loads_and_a_second_run_changes_nothing():
    call_command("load_demo", "--quiet-summary")
    first = _snapshot()
    call_command("load_demo", "--quiet-summary")
    assert _snapshot() == first
    for email, *_rest in DEMO_ACCOUNTS:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_demo_data_is_refused_where_not_allowed(settings):
    settings.KAKEHASHI_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="Demo data is not allowed here"):
        call_command("load_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_staff_sign_in_with_the_printed_totp_secret(client):
    import pyotp

    from peers.demo import DEMO_TOTP_SECRET

    call_command("load_demo", "--quiet-summary")
    response = client.post("/accounts/login/", {"login": "trainer@example.org", "password": DEMO_PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_docker_compose_has_the_services_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "ws", "worker", "scheduler", "nginx"} <= set(services)
    assert "run_scheduler" in " ".join(services["scheduler"]["command"])
    for name in ("postgres", "redis", "web", "ws", "worker", "scheduler", "nginx"):
        assert "healthcheck" in services[name], name
    assert "run_worker" in " ".join(services["worker"]["command"])
    assert "config.serve" in " ".join(services["ws"]["command"])
    assert "config/gunicorn.conf.py" in " ".join(services["web"]["command"])
    for name in ("web", "ws", "worker"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    assert {"postgres-data", "media"} <= set(compose["volumes"])


def test_every_dependency_is_pinned_in_the_lock_file():
    lines = [
        line.strip()
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines
    for line in lines:
        assert "==" in line, line
    names = {line.split("==")[0].lower() for line in lines}
    assert {"django", "wagtail", "django-allauth", "channels", "channels-redis", "pytest-django"} <= names


def test_no_python_package_named_site():
    assert not (ROOT / "site" / "__init__.py").exists()
    assert not list((ROOT / "site").rglob("*.py"))


@pytest.mark.django_db
def test_scheduler_queues_every_job_once():
    from io import StringIO

    call_command("load_demo", "--quiet-summary")
    out, err = StringIO(), StringIO()
    call_command("run_scheduler", "--once", stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert "reminders queued" in out.getvalue()


@pytest.mark.django_db
def test_openapi_document_describes_every_app_api(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = set(document["paths"])
    assert "/api/v1/organisations/" in paths
    assert any(path.startswith("/api/v1/training/") for path in paths)
    assert "/api/v1/meetings/" in paths
    assert not any(path.startswith("/cms-admin/") for path in paths)


def test_the_openapi_document_is_generated_without_a_warning():
    """The deployment check (.ci/run, `check --deploy --fail-level WARNING`) fails on any schema
    warning: an unresolved field type, two components of one name, an enum named twice. Caught
    here first, in the suite."""
    from drf_spectacular.checks import schema_check
    from drf_spectacular.drainage import reset_generator_stats

    reset_generator_stats()
    assert [message.msg for message in schema_check(None)] == []
