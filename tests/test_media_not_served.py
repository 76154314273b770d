"""Uploaded scans are reached only through the views that check who may see them, in every mode: no URL
serves the media folder, not even in development mode (it once caught every unmatched path)."""

import importlib

import pytest
from django.urls import Resolver404, clear_url_caches, resolve

import config.urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_scan_on_disk(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "filings" / "2026" / "12"
    folder.mkdir(parents=True)
    (folder / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n secret")
    return "filings/2026/12/scan.png"


@pytest.fixture
def urls_built_in_debug(settings, a_scan_on_disk):
    """config.urls as a development server builds it (it reads DEBUG and MEDIA_ROOT when imported)."""
    settings.DEBUG = True
    clear_url_caches()
    importlib.reload(config.urls)
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_no_url_resolves_to_the_media_folder_in_development_mode(
    urls_built_in_debug, a_scan_on_disk, settings
):
    for path in (f"/{a_scan_on_disk}", f"{settings.MEDIA_URL}{a_scan_on_disk}", "/anything/at/all.png"):
        with pytest.raises(Resolver404):
            resolve(path)


def test_a_scan_path_is_not_found_for_anyone(
    client, urls_built_in_debug, a_scan_on_disk, settings, wujiang_clerk
):
    for logged_in in (False, True):
        if logged_in:
            client.force_login(wujiang_clerk)
        for path in (f"/{a_scan_on_disk}", f"{settings.MEDIA_URL}{a_scan_on_disk}"):
            response = client.get(path)
            assert response.status_code == 404
            assert b"secret" not in b"".join(response)
