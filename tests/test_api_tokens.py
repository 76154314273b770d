"""API tokens expire after API_TOKEN_SECONDS and can be revoked by their owner and by a court admin
(issue 12, courts.api_tokens)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from courts.models import Event, User
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def obtain(username: str) -> str:
    response = APIClient().post("/api/auth/token/", {"username": username, "password": "pw-" + username})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def calls_with(key: str):
    return APIClient().get("/api/courts/", headers={"authorization": f"Token {key}"})


@pytest.fixture
def clerk(courts):
    user = make_staff("wujiang.window", "wujiang", ["window_clerk"])
    user.set_password("pw-wujiang.window")
    user.save()
    return user


def test_a_token_expires_and_a_new_one_is_issued(clerk, settings):
    settings.API_TOKEN_SECONDS = 3600
    key = obtain(clerk.username)
    assert calls_with(key).status_code == 200
    assert obtain(clerk.username) == key  # still valid: the same token
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(seconds=3601))
    response = calls_with(key)
    assert response.status_code == 401 and "过期" in response.json()["message"]
    new_key = obtain(clerk.username)
    assert new_key != key and calls_with(new_key).status_code == 200


def test_the_owner_revokes_their_token(clerk):
    key = obtain(clerk.username)
    response = APIClient().delete("/api/auth/token/", headers={"authorization": f"Token {key}"})
    assert response.status_code == 204
    assert calls_with(key).status_code == 401
    event = Event.objects.for_subject(clerk).get(action="staff.revoke_api_token")
    assert event.actor == clerk and event.payload["by_owner"] is True


def test_revoking_needs_credentials(db):
    response = APIClient().delete("/api/auth/token/")
    assert response.status_code == 401 and response.json()["code"]


def test_a_court_admin_revokes_their_courts_staff_tokens_only(client, clerk):
    admin = make_staff("wujiang.admin", "wujiang", ["court_admin"])
    User.objects.filter(pk=admin.pk).update(is_staff=True)
    other = make_staff("qingpu.window", "qingpu", ["window_clerk"])
    ours, theirs = Token.objects.create(user=clerk), Token.objects.create(user=other)
    client.force_login(admin)
    response = client.post(
        "/admin/courts/user/",
        {"action": "revoke_api_tokens", "_selected_action": [clerk.pk, other.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not Token.objects.filter(key=ours.key).exists()
    assert Token.objects.filter(key=theirs.key).exists()  # another court's staff: not this admin's to revoke
    event = Event.objects.for_subject(clerk).get(action="staff.revoke_api_token")
    assert event.actor == admin and event.payload["by_owner"] is False
