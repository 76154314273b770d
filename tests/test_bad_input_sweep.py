"""Bad input everywhere (issue 11, item 5): every URL the permission matrix fills that takes a POST (the
API's write operations and the pages' forms), sent each kind of broken body, as a member of staff and as
nobody. Never a 5xx; on the API always the error shape. The URLs come from the resolver through the
matrix's table, so a new endpoint is swept the day it is added.
"""

import json

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests import test_permission_matrix as matrix
from tests.matrix.scene import BY_KEY
from tests.test_permission_matrix import PATTERNS, Visitor, fills_for

scene = matrix.scene  # the matrix's scene fixture, built once for this module too
STATUSES: dict[str, dict[int, int]] = {}

SHAPE = {"code", "message", "fields"}

# Each kind of bad body: (content type, body). Sizes are measured against a limit lowered for the sweep, so
# "over the limit" is a few kilobytes here and 1 MB in production (BODY_MAX_BYTES).
LIMIT = 16384
LONG = "长" * 5000
BODIES = {
    "over the size limit": ("application/json", json.dumps({"cause": "x" * (LIMIT * 2)})),
    "a content type nothing takes": ("text/plain", "cause=买卖合同纠纷"),
    "broken UTF-8": ("application/json", b'{"cause": "\xff\xfe\xfa"}'),
    "JSON nested past the parser's limit": ("application/json", "[" * 1500 + "]" * 1500),
    "a NUL byte in a form field": ("application/x-www-form-urlencoded", "cause=a%00b&reason=a%00b"),
    "over-long strings and numbers out of range": (
        "application/json",
        json.dumps(
            {
                "cause": LONG[:1000],
                "reason": LONG[:1000],
                "claim_amount": "1e400",
                "amount": 10**30,
                "case": 10**30,
                "filing": -1,
                "items": [LONG[:200]] * 3,
            },
            ensure_ascii=False,
        ).encode(),
    ),
    "SQL and script in text": (
        "application/json",
        json.dumps({"cause": "'; DROP TABLE cases_case; --", "reason": "<script>alert(1)</script>"}),
    ),
}


SCHEMA_PAGES = {"api/schema/", "api/docs/", "api/redoc/"}


def post_urls(scene) -> list[str]:
    urls = []
    for pattern in PATTERNS:
        # The admin's pages, and the schema and its pages (they take no body and answer in their own formats,
        # YAML and HTML: they are the API's documentation, not its operations).
        if pattern.startswith("admin/") or pattern in SCHEMA_PAGES:
            continue
        for fill in fills_for(pattern) or []:
            if not fill.public:
                urls.append(fill.url(pattern, scene))
    return urls


@pytest.mark.parametrize("kind", list(BODIES))
def test_every_post_url_refuses_a_bad_body_without_crashing(kind, scene, db):
    content_type, body = BODIES[kind]
    visitors = [Visitor(BY_KEY["qingpu.filing"], scene), Visitor(BY_KEY["anonymous"], scene)]
    problems = []
    with override_settings(BODY_MAX_BYTES=LIMIT):
        for url in post_urls(scene):
            for visitor in visitors:
                cache.clear()
                client = visitor.api if url.startswith("/api/") else visitor.pages
                response = client.generic("POST", url, body, content_type=content_type)
                who = f"{visitor.persona.key} POST {url} ({kind})"
                counts = STATUSES.setdefault(kind, {})
                counts[response.status_code] = counts.get(response.status_code, 0) + 1
                if response.status_code >= 500:
                    problems.append(f"{who}: {response.status_code}")
                elif url.startswith("/api/") and response.status_code >= 400:
                    shape = (
                        set(response.json())
                        if response.get("Content-Type", "").startswith("application/json")
                        else None
                    )
                    if shape != SHAPE:
                        problems.append(f"{who}: {response.status_code} not in the error shape")
    print(kind, sorted(STATUSES[kind].items()))  # what the sweep met, with -s
    assert not problems, "\n".join(problems)
