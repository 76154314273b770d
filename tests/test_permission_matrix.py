"""The permission matrix, generated (issue 11, item 3).

Every URL pattern the project serves (the API, the pages, the admin) is walked from the resolver, so a new
endpoint is in the matrix the day it is added: a pattern this file does not know how to fill fails
`test_every_url_pattern_is_filled`, and the matrix cannot rot. For each filled URL, against the scene of
`tests/matrix/scene.py` (a record of every kind, built through the services), every persona there (a
member of staff of every court and role, the zone's viewer, an outsider, an anonymous visitor):

- what is not theirs answers 401, 403 or 404, by GET and by POST (a page sends the anonymous visitor to the
  login page): not a 200 that leaks, not a 400 or 409 that tells a record exists, nor a 302 that did it;
- what is theirs opens (no 5xx), read only: the matrix never posts what a persona may do;
- no response anywhere carries a seeded unmasked ID number, phone or account number, except a reveal
  posted by a role that needs it (and then exactly that party's), or a preservation's account shown to the
  officers who freeze it and the staff who asked: those are written out below from DOMAIN.md, not asked of
  the permissions module;
- no list names a record the persona cannot open.

The scene is built once for the module in a transaction rolled back at its end; each URL's test runs in a
savepoint of its own.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from cases.models import PreservationRequest, ServiceRequest
from cases.views.filings import ACTION_FORMS as FILING_PAGE_ACTIONS
from cases.views.requests import PAGE_ACTIONS as REQUEST_PAGE_ACTIONS
from courts.models import Court, Role, User
from mediation.views.confirmations import PAGE_ACTIONS as CONFIRMATION_PAGE_ACTIONS
from mediation.views.mediations import PAGE_ACTIONS as MEDIATION_PAGE_ACTIONS
from mediation.views.sessions import SESSION_ACTIONS
from tests.matrix.scene import ACCOUNT, BY_KEY, PERSONAS, Persona, Scene, build_scene
from tests.report import write_counts


def _readable(pattern: str) -> str:
    """A resolver's pattern as people write it: DRF's `^filings/(?P<pk>[^/.]+)/$` reads `filings/<pk>/`."""
    pattern = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", pattern)
    return pattern.replace("^", "").replace("$", "")


def url_patterns(resolver=None, prefix: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield _readable(prefix + str(entry.pattern))


PATTERNS = sorted(set(url_patterns()))


# --- How each pattern is filled -----------------------------------------------------------------------


@dataclass(frozen=True)
class Fill:
    """One URL of a pattern: its arguments (scene keys, or literal text after `=`), the scene record whose
    visibility decides who may open it (None: a list or a form anyone of staff may open), and what kind."""

    arguments: dict[str, str] = field(default_factory=dict)
    record: str | None = None
    public: bool = False  # open to anonymous visitors (the status page, the schema, a signed feed)
    reveal: str | None = None  # a reveal: the (record, role) of the party it shows

    def url(self, pattern: str, scene: Scene) -> str:
        path = pattern
        for name, value in self.arguments.items():
            path = re.sub(rf"<(?:\w+:)?{name}>", _argument(scene, value), path)
        assert "<" not in path, f"{pattern}: an argument is left unfilled in {path}"
        return "/" + path


def _argument(scene: Scene, value: str) -> str:
    """`=text` as written; `@feed` the fenhu judge's signed feed key; `@app.model` that model's first row (the
    admin's pages); `M1:plaintiff` a party of a record; else a scene record's key."""
    if value.startswith("="):
        return value[1:]
    if value == "@feed":
        return scene.feed_token
    if value == "@courts.user":
        return str(scene.users["qingpu.filing"].pk)
    if value == "@content_type":
        return str(ContentType.objects.get_for_model(Court).pk)
    if value.startswith("@"):
        model = ContentType.objects.get_by_natural_key(*value[1:].split(".")).model_class()
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"the scene has no {value[1:]} for the admin's pages"
        return str(row.pk)
    if ":" in value:
        record, role = value.split(":")
        return str(scene.parties[(record, role)])
    return str(scene.ids[value])


def listing() -> list[Fill]:
    return [Fill()]


def public(**arguments) -> list[Fill]:
    return [Fill(arguments, public=True)]


def of(record: str, **arguments) -> Fill:
    return Fill(arguments, record=record)


def actions(record: str, names, **arguments) -> list[Fill]:
    return [Fill({**arguments, "action": f"={name}"}, record=record) for name in sorted(names)]


# The records of each API collection: `api/<collection>/<pk>/...` with no other argument is filled with each.
COLLECTIONS = {
    "filings": ["F1", "F2"],
    "cases": ["C1", "C2"],
    "service-requests": ["SR"],
    "preservation-requests": ["PR"],
    "mediations": ["M1", "M2", "M3"],
    "mediation-sessions": ["S1"],
    "confirmations": ["CF1"],
}

FILLS: dict[str, list[Fill]] = {
    "healthz": public(),
    # For the operators' addresses (the test client's is loopback) and token only: tests/cases/test_metrics.
    "metrics": public(),
    "i18n/setlang/": public(),
    "accounts/login/": public(),
    "accounts/logout/": public(),
    "admin/login/": public(),
    "admin/logout/": public(),
    "api/auth/token/": public(),
    "api/schema/": [Fill()],  # staff and the courts' systems only (issue 12)
    "api/docs/": [Fill()],  # staff and the courts' systems only (issue 12)
    "api/redoc/": [Fill()],  # staff and the courts' systems only (issue 12)
    "status/": public(),
    "kiosk/": public(),
    "api/public/status/": public(),
    "calendar/": public(),
    "calendar/<int:year>/": public(year="=2026"),
    # Anyone may check a printed document's code; one never issued is a 404 like any other.
    "verify/": public(),
    "api/public/verify/<str:code>/": public(code="=7KQM-3XRT-9HWC-P2ND"),
    "api/calendar/deadline/": listing(),
    "api/courts/": listing(),
    "": listing(),
    "notifications/read/": listing(),
    "notifications/<int:notification_id>/open/": [of("N1", notification_id="N1")],
    "notifications/<int:notification_id>/read/": [of("N1", notification_id="N1")],
    # Filings and cases (the API's lists and record URLs are filled from COLLECTIONS).
    "api/filings/<pk>/attachments/<attachment_id>/": [of("F1", pk="F1", attachment_id="F1.scan")],
    "api/parties/<pk>/reveal/": [
        Fill({"pk": "C1:defendant"}, record="C1", reveal="C1:defendant"),
        Fill({"pk": "C2:plaintiff"}, record="C2", reveal="C2:plaintiff"),
        Fill({"pk": "F2:plaintiff"}, record="F2", reveal="F2:plaintiff"),
    ],
    "filings/": listing(),
    "filings/new/": listing(),
    "filings/<int:filing_id>/": [of("F1", filing_id="F1"), of("F2", filing_id="F2")],
    "filings/<int:filing_id>/receipt/": [of("F1", filing_id="F1")],
    "filings/<int:filing_id>/reissue-code/": [of("F1", filing_id="F1")],
    "filings/<int:filing_id>/lift-lock/": [of("F1", filing_id="F1")],
    "filings/<int:filing_id>/attachments/": [of("F1", filing_id="F1")],
    "filings/<int:filing_id>/<slug:action>/": actions(
        "F2", [name.replace("_", "-") for name in FILING_PAGE_ACTIONS], filing_id="F2"
    ),
    "parties/<int:party_id>/reveal/": [
        Fill({"party_id": "C1:defendant"}, record="C1", reveal="C1:defendant"),
        Fill({"party_id": "F2:plaintiff"}, record="F2", reveal="F2:plaintiff"),
    ],
    "cases/": listing(),
    "cases/<int:case_id>/": [of("C1", case_id="C1"), of("C2", case_id="C2")],
    "cases/<int:case_id>/service-requests/new/": [of("C1", case_id="C1")],
    "cases/<int:case_id>/preservation-requests/new/": [of("C1", case_id="C1")],
    # Requests to another court.
    "api/service-requests/<pk>/attachments/<attachment_id>/": [of("SR", pk="SR", attachment_id="SR.scan")],
    "api/preservation-requests/<pk>/attachments/<attachment_id>/": [
        of("PR", pk="PR", attachment_id="PR.scan")
    ],
    "requests/": listing(),
    "requests/<kind:kind>/<int:request_id>/": [
        of("SR", kind="=service", request_id="SR"),
        of("PR", kind="=preservation", request_id="PR"),
    ],
    "requests/<kind:kind>/<int:request_id>/attachments/": [
        of("SR", kind="=service", request_id="SR"),
        of("PR", kind="=preservation", request_id="PR"),
    ],
    "requests/<kind:kind>/<int:request_id>/attachments/<int:attachment_id>/": [
        of("SR", kind="=service", request_id="SR", attachment_id="SR.scan"),
        of("PR", kind="=preservation", request_id="PR", attachment_id="PR.scan"),
    ],
    "requests/<kind:kind>/<int:request_id>/reveal/": [
        Fill({"kind": "=service", "request_id": "SR"}, record="SR", reveal="C1:defendant"),
        Fill({"kind": "=preservation", "request_id": "PR"}, record="PR", reveal="C1:defendant"),
    ],
    "requests/<kind:kind>/<int:request_id>/<slug:action>/": [
        *actions("SR", REQUEST_PAGE_ACTIONS[ServiceRequest], kind="=service", request_id="SR"),
        *actions("PR", REQUEST_PAGE_ACTIONS[PreservationRequest], kind="=preservation", request_id="PR"),
    ],
    # Mediation and confirmation.
    "api/mediations/<pk>/parties/<party_id>/reveal/": [
        Fill({"pk": "M3", "party_id": "M3:plaintiff"}, record="M3", reveal="M3:plaintiff"),
        Fill({"pk": "M1", "party_id": "M1:plaintiff"}, record="M1", reveal="M1:plaintiff"),
    ],
    "mediations/": listing(),
    "mediations/new/": listing(),
    "mediations/invitations/": listing(),
    "mediations/calendar/": listing(),
    # A tribunal's week: any member of staff may look at when a tribunal's rooms are taken.
    "mediations/calendar/<slug:tribunal>/": [Fill({"tribunal": "=fenhu"}), Fill({"tribunal": "=xitang"})],
    "mediations/feed/": listing(),
    "mediations/feed/<str:token>.ics": [Fill({"token": "@feed"}, public=True)],
    "mediations/<int:mediation_id>/": [
        of("M1", mediation_id="M1"),
        of("M2", mediation_id="M2"),
        of("M3", mediation_id="M3"),
    ],
    "mediations/<int:mediation_id>/parties/<int:party_id>/reveal/": [
        Fill({"mediation_id": "M3", "party_id": "M3:plaintiff"}, record="M3", reveal="M3:plaintiff"),
        Fill({"mediation_id": "M1", "party_id": "M1:plaintiff"}, record="M1", reveal="M1:plaintiff"),
    ],
    "mediations/<int:mediation_id>/<slug:action>/": actions("M3", MEDIATION_PAGE_ACTIONS, mediation_id="M3"),
    "mediation-sessions/<int:session_id>/<slug:action>/": actions("S1", SESSION_ACTIONS, session_id="S1"),
    "confirmations/": listing(),
    "confirmations/<int:confirmation_id>/": [of("CF1", confirmation_id="CF1")],
    "confirmations/<int:confirmation_id>/<slug:action>/": actions(
        "CF1", CONFIRMATION_PAGE_ACTIONS, confirmation_id="CF1"
    ),
    # Printed documents: each record's PDFs, to the staff of its courts (the list is filled from COLLECTIONS).
    "api/filings/<str:pk>/documents/<slug:kind>.pdf": [of("F1", pk="F1", kind="=receipt")],
    "api/service-requests/<str:pk>/documents/<slug:kind>.pdf": [
        of("SR", pk="SR", kind="=service_letter"),
        of("SR", pk="SR", kind="=service_receipt"),
    ],
    "api/preservation-requests/<str:pk>/documents/<slug:kind>.pdf": [
        of("PR", pk="PR", kind="=preservation_notice")
    ],
    "api/mediations/<str:pk>/documents/<slug:kind>.pdf": [of("M1", pk="M1", kind="=mediation_agreement")],
    "api/confirmations/<str:pk>/documents/<slug:kind>.pdf": [
        of("CF1", pk="CF1", kind="=confirmation_ruling")
    ],
}

# The admin's own pages, by their arguments: a row of the model the pattern names.
ADMIN_ARGUMENTS = {
    "object_id": None,  # the model's first row, from the pattern
    "id": "@courts.user",
    "app_label": "=courts",
    "content_type_id": "@content_type",
    "url": "=no-such-page/",
}


def fills_for(pattern: str) -> list[Fill] | None:
    """How to fill `pattern`, or None when this file does not know (and the pattern's test fails)."""
    if pattern in FILLS:
        return FILLS[pattern]
    api = re.fullmatch(r"api/([\w-]+)/(?:<pk>/(?:[\w-]+/)?)?", pattern)
    if api and api[1] in COLLECTIONS:
        if "<pk>" not in pattern:
            return listing()
        return [of(record, pk=record) for record in COLLECTIONS[api[1]]]
    if pattern.startswith("admin/"):
        names = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
        if not set(names) <= set(ADMIN_ARGUMENTS):
            return None
        model = re.match(r"admin/(\w+)/(\w+)/", pattern)
        arguments = {}
        for name in names:
            if name == "object_id" and pattern.startswith("admin/r/"):
                arguments[name] = "@courts.court"
            elif name == "object_id":
                arguments[name] = f"@{model[1]}.{model[2]}"
            else:
                arguments[name] = ADMIN_ARGUMENTS[name]
        return [Fill(arguments)]
    return None


# --- Who may see what, from DOMAIN.md ----------------------------------------------------------------

# A party's unmasked ID number and phone, revealed on request (each reveal logged): while a filing is open,
# its window and its deciders; on a case, its court's filing clerks, judges and officers, and the officers of
# a court asked to serve or freeze that party; in a mediation, its named mediators while it is open.
REVEALERS = {
    "C1:defendant": {"qingpu.filing", "zhujiajiao.judge", "qingpu.officer", "jiashan.officer"},
    "C2:plaintiff": {"wujiang.filing", "wujiang.judge", "fenhu.judge", "wujiang.officer"},
    # F2 is in Qingpu's own inbox: its window acts for the litigant there.
    "F2:plaintiff": {"qingpu.window", "qingpu.filing"},
    "M3:plaintiff": {"xitang.judge"},
    "M1:plaintiff": set(),  # agreed: its mediators no longer call the parties in
}
# A preservation's full account numbers: the officers who freeze them and the staff who asked.
ACCOUNT_SEERS = {"jiashan.officer", "qingpu.window", "qingpu.filing", "zhujiajiao.judge"}
# Where a list may name a record its reader cannot open: a case names the filing it came from (F1 on C1,
# which Jiashan sees as the court asked to serve), a failed mediation the filing it became (F2 on M2, which
# Yaozhuang's court took part in), a confirmation the confirming court's 民特 case (C2 on CF1).
NAMED_TO = {"F1": {"jiashan"}, "F2": {"jiashan"}, "C2": {"jiashan"}}
# A reload of a notice's action URL goes home (courts.page_actions): it shows nothing of the notice.
HOME = ("/", "/#notices")


# --- The run ------------------------------------------------------------------------------------------

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
CELLS = {"patterns": 0, "urls": 0, "cells": 0}


class SceneHolder(TestCase):
    """The scene, seeded once in a transaction that ends rolled back (a TestCase's class data)."""

    databases = {"default"}
    scene: Scene

    @classmethod
    def setUpTestData(cls):
        cls.scene = build_scene()
        for user in cls.scene.users.values():
            Token.objects.create(user=user)
        Group.objects.create(name="matrix")  # a row for the admin's group pages


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker, tmp_path_factory):
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))), django_db_blocker.unblock():
        SceneHolder.setUpClass()
        try:
            yield SceneHolder.scene
        finally:
            SceneHolder.tearDownClass()
            SceneHolder.doClassCleanups()
    write_counts("permission-matrix", CELLS)


@dataclass
class Answer:
    status: int
    body: str
    location: str = ""


class Visitor:
    """One persona's requests: pages through a logged-in session, the API with the persona's token (a
    session would meet DRF's CSRF check first, and every POST would be a 403 for the wrong reason)."""

    def __init__(self, persona: Persona, scene: Scene):
        self.persona = persona
        self.user: User | None = scene.users.get(persona.key)
        self.pages = Client()
        self.api = Client()
        if self.user is not None:
            self.pages.force_login(self.user)
            self.api.defaults["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get(user=self.user).key}"

    def send(self, method: str, url: str) -> Answer:
        client = self.api if url.startswith("/api/") else self.pages
        response = client.get(url, follow=False) if method == "GET" else client.post(url, {})
        body = b"" if getattr(response, "streaming", False) else response.content
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content)
        return Answer(response.status_code, body.decode(errors="replace"), response.get("Location", ""))

    def get_following(self, url: str) -> Answer:
        answer = self.send("GET", url)
        for _ in range(5):
            home = answer.location in HOME
            if answer.status not in (301, 302) or home or answer.location.startswith((LOGIN, ADMIN_LOGIN)):
                break
            answer = self.send("GET", answer.location)
        return answer


def sees(scene: Scene, persona: Persona, record: str | None) -> bool:
    return record is None or (not persona.anonymous and scene.sees(persona, record))


def allowed_secrets(scene: Scene, persona: Persona, fill: Fill, method: str) -> set[str]:
    allowed = set()
    if fill.record == "PR" and persona.key in ACCOUNT_SEERS:
        allowed.add(ACCOUNT)
    if fill.reveal and method == "POST" and persona.key in REVEALERS[fill.reveal]:
        allowed |= scene.seeded[_party_key(fill.reveal)].secrets()
    return allowed


def _party_key(key: str) -> tuple[str, str]:
    record, role = key.split(":")
    return record, role


def leaks(scene: Scene, body: str, allowed: set[str]) -> list[str]:
    return [what for secret, what in scene.secrets().items() if secret in body and secret not in allowed]


def unseen_markers(scene: Scene, persona: Persona, body: str) -> list[str]:
    named = []
    for record, marker in scene.markers.items():
        readers = scene.seen_by[record] | NAMED_TO.get(record, set())
        if persona.court not in readers and persona.key not in readers and marker in body:
            named.append(f"{record} ({marker})")
    return named


def refused(answer: Answer, persona: Persona, *, method: str, admin: bool) -> bool:
    """Not theirs: 401, 403 or 404 (405 for a method the URL never takes, which tells nothing); an anonymous
    visitor to a page, or anyone but an administrator to the admin, is sent to log in; a GET of a notice's
    action goes home."""
    if answer.status in (401, 403, 404, 405):
        return True
    if method == "GET" and answer.status == 302 and answer.location in HOME:
        return True
    login = ADMIN_LOGIN if admin else LOGIN
    return answer.status == 302 and answer.location.startswith(login) and (persona.anonymous or admin)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_url_answers_only_its_own(pattern, scene, db):
    fills = fills_for(pattern)
    if fills is None:
        pytest.fail(
            f"The matrix does not know how to fill {pattern!r}: add it to FILLS in {Path(__file__).name} "
            "with the scene's record it belongs to."
        )
    CELLS["patterns"] += 1
    admin = pattern.startswith("admin/")
    problems = []
    visitors = {persona.key: Visitor(persona, scene) for persona in PERSONAS}
    for fill in fills:
        url = fill.url(pattern, scene)
        CELLS["urls"] += 1
        opened_by = []
        for persona in PERSONAS:
            cache.clear()  # throttles count per test, not across the matrix
            visitor = visitors[persona.key]
            staff_admin = visitor.user is not None and visitor.user.is_staff
            theirs = sees(scene, persona, fill.record) and (fill.public or not persona.anonymous)
            if admin and not fill.public:
                theirs = staff_admin
            who = f"{persona.key} GET {url}"
            answer = visitor.get_following(url)
            CELLS["cells"] += 1
            if answer.status >= 500:
                problems.append(f"{who}: {answer.status}")
            if not theirs and not refused(answer, persona, method="GET", admin=admin):
                problems.append(f"{who}: {answer.status} {answer.location} (not theirs: 401, 403 or 404)")
            if theirs and answer.status not in (401, 403, 404):
                opened_by.append(persona.key)  # a 405: a POST-only URL, which its flow's tests open
            for leak in leaks(scene, answer.body, allowed_secrets(scene, persona, fill, "GET")):
                problems.append(f"{who}: shows {leak}")
            if fill.record is None and not admin and not fill.public:
                for named in unseen_markers(scene, persona, answer.body):
                    problems.append(f"{who}: lists {named}, which is not theirs")
            if fill.public or (theirs and not fill.reveal):
                continue  # the matrix never posts what a persona may do (nor to the public forms)
            who = f"{persona.key} POST {url}"
            answer = visitor.send("POST", url)
            CELLS["cells"] += 1
            if answer.status >= 500:
                problems.append(f"{who}: {answer.status}")
            if not theirs and not refused(answer, persona, method="POST", admin=admin):
                problems.append(f"{who}: {answer.status} {answer.location} (not theirs: 401, 403 or 404)")
            if fill.reveal and theirs:
                revealer = persona.key in REVEALERS[fill.reveal]
                seeded = scene.seeded[_party_key(fill.reveal)]
                if revealer and (answer.status != 200 or seeded.id_number not in answer.body):
                    problems.append(f"{who}: {answer.status}, not the party's ID number (the role needs it)")
                if not revealer and answer.status not in (403, 404):
                    problems.append(f"{who}: {answer.status} (the role sees masked data only: 403)")
            for leak in leaks(scene, answer.body, allowed_secrets(scene, persona, fill, "POST")):
                problems.append(f"{who}: shows {leak}")
        if fill.record is not None and not opened_by:
            problems.append(f"{url}: no persona opened it: the matrix would pass on a site that refuses all")
    assert not problems, "\n".join(problems)


def test_every_persona_of_the_scene_is_in_the_matrix():
    """Every court's every role, and the tribunals' judges, have a persona (a role added to Role fails)."""
    covered = {(persona.court, role) for persona in PERSONAS for role in persona.roles}
    courts = {persona.court for persona in PERSONAS if persona.court}
    court_roles = set(Role.values) - {Role.ZONE_VIEWER}
    missing = {(court, role) for court in courts for role in court_roles} - covered
    assert not missing, missing
    assert BY_KEY["anonymous"].anonymous


OUT_OF_RANGE = ("99999999999999999999", "-1", "0")


def record_arguments(pattern: str) -> set[str]:
    """The arguments of a pattern's URLs that name a record of the scene (not literal text)."""
    return {
        name
        for fill in fills_for(pattern) or []
        for name, value in fill.arguments.items()
        if not value.startswith(("=", "@"))
    }


WITH_RECORDS = [p for p in PATTERNS if not p.startswith("admin/") and record_arguments(p)]


@pytest.mark.parametrize("pattern", WITH_RECORDS)
def test_ids_out_of_range_are_not_found_never_a_crash(pattern, scene, db):
    """Every record argument of every URL, as 99999999999999999999, -1 and 0 (issue 11, item 5): a 4xx (or a
    redirect home or to log in), never a 5xx, for a member of staff and for nobody."""
    problems = []
    visitors = [Visitor(BY_KEY["qingpu.filing"], scene), Visitor(BY_KEY["anonymous"], scene)]
    for fill in fills_for(pattern) or []:
        for name in record_arguments(pattern) & set(fill.arguments):
            for value in OUT_OF_RANGE:
                url = Fill({**fill.arguments, name: f"={value}"}).url(pattern, scene)
                for visitor in visitors:
                    cache.clear()
                    for method in ("GET", "POST"):
                        answer = visitor.send(method, url)
                        CELLS["cells"] += 1
                        if answer.status >= 500:
                            problems.append(f"{visitor.persona.key} {method} {url}: {answer.status}")
    assert not problems, "\n".join(problems)
