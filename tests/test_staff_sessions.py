"""A staff session ends after a working day and after an idle hour; whatever a signed-in user is shown is
sent `no-store` (issue 12, courts.staff_sessions)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from courts.staff_sessions import SEEN_AT

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    assert client.get("/").status_code == 200  # the working day starts at the first page
    return client


def test_an_idle_hour_ends_the_session_with_a_message(client, wujiang_clerk, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    signed_in(client, wujiang_clerk)
    time_machine.shift(dt.timedelta(minutes=59))
    assert client.get("/").status_code == 200  # 59 minutes idle: still signed in
    time_machine.shift(dt.timedelta(minutes=60))
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "60 分钟" in response.content.decode()  # why, in the clerk's language
    assert "_auth_user_id" not in client.session


def test_a_working_day_ends_the_session_however_busy(client, wujiang_clerk, time_machine, settings):
    time_machine.move_to(timezone.now(), tick=False)
    signed_in(client, wujiang_clerk)
    for _half_hour in range(19):  # 9.5 hours of work, a page every half hour
        time_machine.shift(dt.timedelta(minutes=30))
        assert client.get("/").status_code == 200
    time_machine.shift(dt.timedelta(minutes=31))
    assert client.get("/").status_code == 302
    assert client.get("/api/filings/").status_code == 401  # the session's API calls end with it


def test_the_idle_clock_is_written_at_most_once_a_minute(client, wujiang_clerk, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    signed_in(client, wujiang_clerk)
    seen = client.session[SEEN_AT]
    time_machine.shift(dt.timedelta(seconds=30))
    client.get("/")
    assert client.session[SEEN_AT] == seen
    time_machine.shift(dt.timedelta(seconds=31))
    client.get("/")
    assert client.session[SEEN_AT] == seen + 61


def test_what_a_signed_in_user_is_shown_is_never_stored(client, wujiang_clerk):
    signed_in(client, wujiang_clerk)
    for path in ("/", "/filings/", "/api/filings/"):
        cache_control = client.get(path)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, path


def test_an_api_answer_to_a_token_is_never_stored(client, wujiang_clerk):
    token = Token.objects.create(user=wujiang_clerk)
    response = client.get("/api/filings/", headers={"authorization": f"Token {token.key}"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_a_visitor_is_not_given_a_session(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200 and "sessionid" not in response.cookies
