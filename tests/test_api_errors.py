"""Every 4xx has one shape: {"code", "message", "fields"}; bad input never gets a 500."""

import pytest

from tests.conftest import PERSONA_PASSWORD

pytestmark = pytest.mark.django_db

SHAPE = {"code", "message", "fields"}


def test_malformed_json_is_400(api):
    response = api.post("/api/auth/token/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == SHAPE
    assert response.json()["code"] == "parse_error"


def test_missing_fields_are_named(api):
    response = api.post("/api/auth/token/", {}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert set(body["fields"]) == {"username", "password"}


def test_wrong_types_are_400(api):
    response = api.post("/api/auth/token/", {"username": ["a"], "password": {"b": 1}}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "password"}


def test_over_long_strings_are_400(api):
    response = api.post("/api/auth/token/", {"username": "x" * 5000, "password": "y"}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()["fields"]


def test_messages_are_translated(api):
    chinese = api.post("/api/auth/token/", {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = api.post("/api/auth/token/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert chinese["fields"]["username"] == ["该字段是必填项。"]
    assert english["fields"]["username"] == ["This field is required."]
    assert chinese["message"] != english["message"]


def test_unknown_api_paths_are_404_in_the_same_shape(api, wujiang_clerk):
    api.force_authenticate(wujiang_clerk)
    response = api.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert set(response.json()) == SHAPE


def test_wrong_method_is_405(api, wujiang_clerk):
    api.force_authenticate(wujiang_clerk)
    response = api.delete("/api/courts/")
    assert response.status_code == 405
    assert set(response.json()) == SHAPE


def test_unauthenticated_is_401_not_403(api):
    response = api.get("/api/courts/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Token")


def test_session_login_works_for_the_api_too(client, wujiang_clerk):
    client.post("/accounts/login/", {"username": "wujiang.window", "password": PERSONA_PASSWORD})
    assert client.get("/api/courts/").status_code == 200


class TestSchema:
    def test_openapi_schema_lists_every_endpoint(self, api, wujiang_clerk):
        assert api.get("/api/schema/", HTTP_ACCEPT="application/json").status_code == 401  # staff only
        api.force_authenticate(wujiang_clerk)
        response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        paths = response.json()["paths"]
        for path in [
            "/api/auth/token/",
            "/api/courts/",
            "/api/calendar/deadline/",
            "/api/filings/",
            "/api/filings/{id}/",
            "/api/filings/{id}/register/",
            "/api/filings/{id}/request-correction/",
            "/api/filings/{id}/resubmit/",
            "/api/filings/{id}/divert-to-mediation/",
            "/api/filings/{id}/refuse/",
            "/api/filings/{id}/withdraw/",
            "/api/filings/{id}/attachments/",
            "/api/cases/",
            "/api/cases/{id}/",
            "/api/parties/{id}/reveal/",
            "/api/service-requests/",
            "/api/service-requests/{id}/",
            "/api/service-requests/{id}/accept/",
            "/api/service-requests/{id}/report-attempt/",
            "/api/service-requests/{id}/return/",
            "/api/service-requests/{id}/cancel/",
            "/api/service-requests/{id}/acknowledge/",
            "/api/service-requests/{id}/report/",
            "/api/service-requests/{id}/attachments/",
            "/api/service-requests/{id}/attachments/{attachment_id}/",
            "/api/preservation-requests/",
            "/api/preservation-requests/{id}/",
            "/api/preservation-requests/{id}/accept/",
            "/api/preservation-requests/{id}/return/",
            "/api/preservation-requests/{id}/cancel/",
            "/api/preservation-requests/{id}/acknowledge/",
            "/api/preservation-requests/{id}/report/",
            "/api/preservation-requests/{id}/attachments/",
            "/api/preservation-requests/{id}/attachments/{attachment_id}/",
        ]:
            assert path in paths

    def test_swagger_ui_is_served_without_a_cdn(self, api, wujiang_clerk):
        assert api.get("/api/docs/").status_code == 401
        api.force_authenticate(wujiang_clerk)
        page = api.get("/api/docs/").content.decode()
        assert "swagger-ui" in page
        assert "cdn" not in page.lower()
        assert "/static/drf_spectacular_sidecar/" in page

    def test_the_schema_is_valid_openapi_without_warnings(self, tmp_path):
        from django.core.management import call_command

        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
        assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")
