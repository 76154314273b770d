import pytest

from tests.conftest import PERSONA_PASSWORD

pytestmark = pytest.mark.django_db


class TestToken:
    url = "/api/auth/token/"

    def test_a_valid_login_gets_a_token_that_authenticates(self, api, wujiang_clerk):
        response = api.post(
            self.url, {"username": "wujiang.window", "password": PERSONA_PASSWORD}, format="json"
        )
        assert response.status_code == 200
        token = response.json()["token"]
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api.get("/api/courts/").status_code == 200

    def test_a_wrong_password_is_400_with_the_error_shape(self, api, wujiang_clerk):
        response = api.post(self.url, {"username": "wujiang.window", "password": "nope"}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"

    def test_a_bogus_token_is_401(self, api, db):
        api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
        response = api.get("/api/courts/")
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"

    def test_repeated_failures_are_throttled_even_with_the_right_password(self, api, wujiang_clerk, settings):
        settings.LOGIN_FAILURE_LIMIT = 3
        for _ in range(3):
            assert (
                api.post(
                    self.url, {"username": "wujiang.window", "password": "bad"}, format="json"
                ).status_code
                == 400
            )
        response = api.post(
            self.url, {"username": "wujiang.window", "password": PERSONA_PASSWORD}, format="json"
        )
        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert "Retry-After" in response.headers

    def test_throttling_one_username_leaves_others_alone(self, api, wujiang_clerk, qingpu_clerk, settings):
        settings.LOGIN_FAILURE_LIMIT = 2
        for _ in range(2):
            api.post(self.url, {"username": "wujiang.window", "password": "bad"}, format="json")
        response = api.post(
            self.url, {"username": "qingpu.filing", "password": PERSONA_PASSWORD}, format="json"
        )
        assert response.status_code == 200

    def test_a_disabled_account_gets_no_token(self, api, wujiang_clerk):
        wujiang_clerk.is_active = False
        wujiang_clerk.save()
        response = api.post(
            self.url, {"username": "wujiang.window", "password": PERSONA_PASSWORD}, format="json"
        )
        assert response.status_code == 400


class TestPageLogin:
    def test_login_page_is_in_chinese(self, client):
        page = client.get("/accounts/login/").content.decode()
        assert "登录" in page
        assert 'lang="zh-hans"' in page

    def test_a_clerk_logs_in_and_sees_their_court(self, client, wujiang_clerk):
        response = client.post(
            "/accounts/login/", {"username": "wujiang.window", "password": PERSONA_PASSWORD}, follow=True
        )
        page = response.content.decode()
        assert "江苏省苏州市吴江区人民法院" in page
        assert 'data-testid="acting-court"' in page

    def test_the_home_page_needs_a_login(self, client):
        response = client.get("/")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")

    def test_an_outsider_sees_no_court(self, client, outsider):
        client.force_login(outsider)
        page = client.get("/").content.decode()
        assert "不属于任何法院" in page or "No court" in page

    def test_logout(self, client, wujiang_clerk):
        client.force_login(wujiang_clerk)
        client.post("/accounts/logout/")
        assert client.get("/").status_code == 302

    def test_page_login_is_throttled_too(self, client, wujiang_clerk, settings):
        settings.LOGIN_FAILURE_LIMIT = 2
        for _ in range(2):
            client.post("/accounts/login/", {"username": "wujiang.window", "password": "bad"})
        response = client.post(
            "/accounts/login/", {"username": "wujiang.window", "password": PERSONA_PASSWORD}
        )
        assert response.status_code == 200  # the form again, not a redirect
        assert "登录失败次数过多" in response.content.decode()

    def test_english_switch(self, client, wujiang_clerk):
        client.force_login(wujiang_clerk)
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        page = client.get("/").content.decode()
        assert "Wujiang District People&#x27;s Court" in page or "Wujiang District People's Court" in page
        assert "Log out" in page
