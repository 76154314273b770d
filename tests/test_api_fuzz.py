"""API fuzzing (issue 11, item 2): schemathesis generates requests from the OpenAPI schema the API itself
serves and sends them in process (WSGI, no server) to every operation, as each persona and anonymously.
Every answer must be no 5xx, a documented status, and a body (and content type) matching the schema.

The scene is seeded once for the module, in a transaction rolled back at its end (as a TestCase's class
data): a filing from Wujiang's window received at Qingpu, a Qingpu case with a service and a preservation
request received at Jiashan, a mediation led by Fenhu with Xitang accepted and a session scheduled, and an
agreed one whose parties applied to Jiashan for confirmation. Path ids are drawn either by schemathesis or
from the scene's records of that kind, so the fuzzing reaches real records and not only 404s. Each test
starts from the scene again (its own transaction, rolled back).

The fast group (a handful of examples per operation and persona) runs in `make test`; the slow group
(`make test-slow`, marker `slow`) runs at least 50 per operation, with schemathesis's coverage phase too.
Generation is deterministic (a fixed seed, derandomized), with no example database and no shrinking: each
example writes to the database, so a replay would not meet the same state.
"""

import json
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import TestCase
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.report import write_counts

SEED = 20261201
FAST_EXAMPLES = 5
SLOW_EXAMPLES = 60
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]

PERSONAS = ["anonymous", "wujiang.window", "qingpu.filing", "xitang.judge", "jiashan.off"]


def fuzz_config(examples: int, *, coverage: bool) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": examples,
                "deterministic": True,
                "database": "none",
                "no-shrink": True,
                "with-security-parameters": False,
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": coverage},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
        }
    )


def served_schema(examples: int, coverage: bool):
    """The schema `/api/schema/` serves, asked of its view in this process by a member of staff who is never
    saved (it is served to signed-in users only, and no user exists at import), with the calls sent to the
    app through WSGI as `from_wsgi` would."""
    from drf_spectacular.views import SpectacularAPIView
    from rest_framework.test import APIRequestFactory, force_authenticate

    from courts.models import User

    request = APIRequestFactory().get("/api/schema/", HTTP_ACCEPT="application/json")
    force_authenticate(request, user=User(username="fuzz.schema.reader"))
    response = SpectacularAPIView.as_view()(request)
    response.render()
    assert response.status_code == 200, response.content
    schema = schemathesis.openapi.from_dict(
        json.loads(response.content), config=fuzz_config(examples, coverage=coverage)
    )
    schema.app = application
    return schema


# Loaded at import (pytest 9 breaks schemathesis's `from_fixture`): the schema needs no database.
fast_schema = served_schema(FAST_EXAMPLES, coverage=False)
slow_schema = served_schema(SLOW_EXAMPLES, coverage=True)

# The scene's ids by what a path parameter names, filled by the `scene` fixture before any example is drawn.
SCENE: dict[str, list[int]] = {}
TOKENS: dict[str, str] = {}

# The collection a path's `{id}` names, by the path's first segment after /api/.
ID_KINDS = {
    "filings": "filing",
    "cases": "case",
    "parties": "party",
    "service-requests": "service_request",
    "preservation-requests": "preservation_request",
    "mediations": "mediation",
    "mediation-sessions": "session",
    "confirmations": "confirmation",
}
OTHER_PARAMETERS = {"party_id": "mediation_party", "attachment_id": "attachment"}


def path_parameters_from_scene(context, path_parameters):
    """Half the time, a real record's id of the kind the path names (schemathesis's own value otherwise)."""
    if not path_parameters:
        return st.just(path_parameters)
    collection = context.operation.path.split("/")[2]
    kinds = {"id": ID_KINDS.get(collection), **OTHER_PARAMETERS}
    choices = {}
    for name, value in path_parameters.items():
        known = SCENE.get(kinds.get(name) or "", [])
        choices[name] = st.sampled_from([value, *known]) if known else st.just(value)
    return st.fixed_dictionaries(choices)


for _schema in (fast_schema, slow_schema):
    _schema.hook("flatmap_path_parameters")(path_parameters_from_scene)


class Scene(TestCase):
    """The module's records, seeded once in a transaction that ends rolled back (TestCase's class data)."""

    databases = {"default"}

    @classmethod
    def setUpTestData(cls):
        seed_scene()


def seed_scene() -> None:
    from cases.models import FilingAttachment, Party, PreservationRequest, RequestAttachment, ServiceRequest
    from courts.models import Court
    from mediation.models import Confirmation, Mediation, MediationParty, MediationSession
    from mediation.services.confirmations import confirmation_apply
    from tests.cases.conftest import deliver_pending, make_case, submit
    from tests.cases.test_request_api import send
    from tests.conftest import ensure_seed_data, make_staff
    from tests.mediation.conftest import accepted, agree, next_working_morning, schedule

    ensure_seed_data()
    courts = {court.code: court for court in Court.objects.all()}
    personas = {
        "wujiang.window": make_staff("wujiang.window", "wujiang", ["window_clerk"]),
        "qingpu.filing": make_staff("qingpu.filing", "qingpu", ["filing_clerk"]),
        "xitang.judge": make_staff("xitang.judge", "jiashan", ["judge"], "xitang"),
        "jiashan.off": make_staff("jiashan.off", "jiashan", ["officer"]),
    }
    fenhu_judge = make_staff("fenhu.judge", "wujiang", ["judge"], "fenhu")
    for username, user in personas.items():
        TOKENS[username] = Token.objects.create(user=user).key

    submit(personas["wujiang.window"], courts)
    # Numbered apart from what registering the scene's filing allocates (make_case skips the counter).
    case = make_case("qingpu", sequence=9001)
    for kind_name in ("service", "preservation"):
        from tests.cases.test_request_api import PRESERVATION, SERVICE

        send(
            SERVICE if kind_name == "service" else PRESERVATION,
            personas["qingpu.filing"],
            case,
            courts["jiashan"],
        )
    deliver_pending()

    in_session = accepted(fenhu_judge, personas["xitang.judge"])
    schedule(in_session, fenhu_judge)
    agreed = accepted(fenhu_judge, personas["xitang.judge"])
    schedule(agreed, fenhu_judge, start=next_working_morning(days=3), room="第二调解室")
    agree(agreed, fenhu_judge)
    confirmation_apply(
        mediation_id=agreed.pk,
        actor=fenhu_judge,
        court=courts["jiashan"],
        applicants=list(MediationParty.objects.filter(mediation=agreed).values_list("pk", flat=True)),
    )
    deliver_pending()

    from cases.models import Filing

    SCENE.update(
        filing=list(Filing.objects.values_list("pk", flat=True)),
        case=list(case.__class__.objects.values_list("pk", flat=True)),
        party=list(Party.objects.values_list("pk", flat=True)),
        service_request=list(ServiceRequest.objects.values_list("pk", flat=True)),
        preservation_request=list(PreservationRequest.objects.values_list("pk", flat=True)),
        mediation=list(Mediation.objects.values_list("pk", flat=True)),
        mediation_party=list(MediationParty.objects.values_list("pk", flat=True)),
        session=list(MediationSession.objects.values_list("pk", flat=True)),
        confirmation=list(Confirmation.objects.values_list("pk", flat=True)),
        attachment=list(FilingAttachment.objects.values_list("pk", flat=True))
        + list(RequestAttachment.objects.values_list("pk", flat=True)),
    )


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    # As Django's test client does: the end of a request must not close the connection that holds the
    # scene's transaction (it would, seeing autocommit off).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock():
        Scene.setUpClass()
        try:
            yield SCENE
        finally:
            Scene.tearDownClass()
            Scene.doClassCleanups()
            SCENE.clear()
            TOKENS.clear()
            for group, counts in EXAMPLES.items():
                if counts:
                    write_counts(
                        f"api-fuzz-{group}",
                        {
                            "operations": len(counts),
                            "examples": sum(counts.values()),
                            "personas": len(PERSONAS),
                        },
                    )
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def headers_for(persona: str) -> dict[str, str]:
    return {"Authorization": f"Token {TOKENS[persona]}"} if persona != "anonymous" else {}


# Examples sent, by group and operation, for the CI report (tests/report.py).
EXAMPLES: dict[str, Counter] = {"fast": Counter(), "slow": Counter()}


def run(case, persona: str, group: str) -> None:
    # By the operation the case was made for: the coverage phase also sends other methods to its path (to
    # see them refused), which counted as operations of their own (592 of 79 in the CI table).
    EXAMPLES[group][case.operation.label] += 1
    case.call_and_validate(headers=headers_for(persona), checks=CHECKS)


FUZZ_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "phases": [Phase.explicit, Phase.generate],
    "suppress_health_check": list(HealthCheck),
}


@pytest.mark.parametrize("persona", PERSONAS)
@fast_schema.parametrize()
@settings(max_examples=FAST_EXAMPLES, **FUZZ_SETTINGS)
def test_every_operation_answers_as_documented(case, persona, scene, db):
    run(case, persona, "fast")


@pytest.mark.slow
@pytest.mark.parametrize("persona", PERSONAS)
@slow_schema.parametrize()
@settings(max_examples=SLOW_EXAMPLES, **FUZZ_SETTINGS)
def test_every_operation_answers_as_documented_at_length(case, persona, scene, db):
    run(case, persona, "slow")
