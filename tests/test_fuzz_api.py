"""Fuzz the whole API (every operation of /api/v1/openapi.json) with schemathesis: no input, valid or
not, may make the server fail. Two roles: a peer, and an organisation manager who passed two-step
sign-in, each with a real session from the sign-in forms. Requests go through the project's WSGI
application (the same middleware, CSRF check included, as in production).

Bounded and reproducible: EXAMPLES cases per operation and role, drawn from a fixed seed
(derandomize), half valid by the schema and half not, and half of them aimed at records that
exist in the demo data. Every operation is checked for `not_a_server_error`; every GET operation
also for answering as the document says: a documented status code, a documented content type,
and a body that conforms to the documented schema (error bodies are only checked to be JSON
objects: their shape is the exception handler's, described in the API description).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time

import pytest
import schemathesis
from allauth.mfa.models import Authenticator
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from tests.conftest import PASSWORD, login_with_mfa, with_mfa

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("KAKEHASHI_FUZZ_EXAMPLES", "15"))
ONLY = os.environ.get("KAKEHASHI_FUZZ_ONLY", "")  # e.g. "/api/v1/organisations/", to look into one


def _demo_world() -> None:
    from collaboration import demo as collaboration_demo
    from collaboration.activity import demo as activity_demo
    from peers import demo as peers_demo
    from training import demo as training_demo

    peers_demo.load()
    training_demo.load()
    collaboration_demo.load()
    activity_demo.load()


def _signed_in(email: str) -> dict:
    """A real session for a demo person (signed in through allauth's forms, with two-step
    sign-in where they have it), as the cookies and CSRF header a browser would send."""
    from peers.models import User

    user = User.objects.get(email=email)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
        with_mfa(user)  # the shared test secret, so that login_with_mfa can answer the code
    client = Client()
    login_with_mfa(client, user)
    csrf = secrets.token_hex(16)  # a 32-character secret, sent as cookie and header alike
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
            "headers": {"X-CSRFToken": csrf}}


def _real_ids() -> dict[str, list]:
    """Ids of records that exist, by the path an operation starts with."""
    from collaboration.activity.models import ActivityEntry, SupervisionSession
    from collaboration.models import ActionItem, ConsultationBody, Meeting
    from peers.models import Engagement, Organisation, User
    from training.models import Application, Certification

    def ids(model):
        return list(model.objects.order_by("pk").values_list("pk", flat=True)[:20])

    return {
        "/api/v1/action-items/": ids(ActionItem),
        "/api/v1/activity/entries/": ids(ActivityEntry),
        "/api/v1/activity/supervision/": ids(SupervisionSession),
        "/api/v1/bodies/": ids(ConsultationBody),
        "/api/v1/engagements/": ids(Engagement),
        "/api/v1/meetings/": ids(Meeting),
        "/api/v1/organisations/": ids(Organisation),
        "/api/v1/people/": ids(User),
        "/api/v1/training/applications/": ids(Application),
        "/api/v1/training/certifications/": ids(Certification),
        "/api/v1/verify/": list(Certification.objects.values_list("number", flat=True)[:20]),
    }


def _strategy(operation):
    """Cases valid by the schema (tagged True) and cases that are not (False)."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE).map(lambda case: (case, True))]
    try:
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE).map(lambda case: (case, False)))
    except Exception:  # noqa: BLE001 - nothing to make invalid (no parameters, no body)
        pass
    return st.one_of(strategies)


def _aim_at_real_records(case, real: dict[str, list], choice) -> None:
    """Point the path parameter at an existing record (so the handlers behind the 404 run)."""
    if choice is None or not case.path_parameters:
        return
    for prefix, values in real.items():
        if case.operation.path.startswith(prefix) and values:
            key = "number" if "{number}" in case.operation.path else "id"
            if key in case.path_parameters:
                case.path_parameters[key] = values[choice % len(values)]
            if "action" in case.path_parameters and choice % 2:
                case.path_parameters["action"] = ["renew", "suspend", "reinstate", "revoke"][choice % 4]
            return


@contextlib.contextmanager
def _connection_kept_open():
    """What Django's test client does around a request: the handler must not close the test's
    database connection (in its transaction) when a request starts or ends."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


AS_DOCUMENTED = [status_code_conformance, content_type_conformance, response_schema_conformance]


def _checks(operation, valid: bool) -> list:
    """No server error anywhere; GETs asked as the document says also answer as it says. (A
    path parameter that breaks the schema, such as "1.4" for an id, matches no address at all:
    Django's own 404 page answers it, outside the API.)"""
    if valid and operation.method.upper() == "GET":
        return [not_a_server_error, *AS_DOCUMENTED]
    return [not_a_server_error]


def _fuzz(operation, role: str, auth: dict, real: dict, failures: list[str]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(drawn=_strategy(operation), choice=st.one_of(st.none(), st.integers(0, 1000)))
    def run(drawn, choice):
        case, valid = drawn
        _aim_at_real_records(case, real, choice)
        # Each request in its own savepoint: a database error in one (PostgreSQL aborts the
        # transaction) must not turn every later request into a 500 as well.
        savepoint = transaction.savepoint()
        response = case.call(cookies=auth["cookies"], headers=auth["headers"])
        try:
            case.validate_response(response, checks=_checks(operation, valid))
        except BaseExceptionGroup as found:  # collected, so that every operation still runs
            transaction.savepoint_rollback(savepoint)
            failures.append(f"{role}: {operation.label}: {found.exceptions[0]}\n    {case.as_curl_command()}")
        else:
            transaction.savepoint_commit(savepoint)

    run()


# Values that once made the server fail, sent in every query parameter of every operation (the
# random cases rarely draw them): NUL, an escape character, "²" (isdigit() but not int()),
# full-width digits and a number beyond any id.
HOSTILE = ["\x00", "a\x1bb", "\u00b2", "\uff11\uff12", "9" * 30]


def _hostile(operation, role: str, auth: dict, real: dict, failures: list[str]) -> None:
    names = [parameter.name for parameter in operation.query]
    if not names:
        return
    path = {parameter.name: 1 for parameter in operation.path_parameters}
    for prefix, values in real.items():
        if operation.path.startswith(prefix) and values and path:
            path = {name: values[0] for name in path}
    for name in names:
        for value in HOSTILE:
            hostile = operation.Case(path_parameters=dict(path), query={name: value})
            savepoint = transaction.savepoint()
            response = hostile.call(cookies=auth["cookies"], headers=auth["headers"])
            if response.status_code >= 500:
                transaction.savepoint_rollback(savepoint)
                failures.append(f"{role}: {operation.label}: {response.status_code} for {name}={value!r}")
            else:
                transaction.savepoint_commit(savepoint)


def test_no_api_operation_answers_a_server_error_and_every_get_answers_as_documented():
    started, cpu = time.monotonic(), time.process_time()
    _demo_world()
    roles = {"peer": _signed_in("peer@example.org"), "manager": _signed_in("manager@example.org")}
    real = _real_ids()
    config = SchemathesisConfig.from_dict({"generation": {"with-security-parameters": False}})
    failures: list[str] = []
    with _connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=config)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 40  # the whole document, not a part of it
        if ONLY:
            operations = [operation for operation in operations if ONLY in operation.label]
        for role, auth in roles.items():
            for operation in operations:
                _fuzz(operation, role, auth, real, failures)
                _hostile(operation, role, auth, real, failures)
    print(f"fuzzed {len(operations)} operations as {len(roles)} roles in {time.monotonic() - started:.1f}s "
          f"({time.process_time() - cpu:.1f}s of CPU)")
    assert not failures, f"{len(failures)} server errors or undocumented answers:\n" + "\n".join(failures[:30])
