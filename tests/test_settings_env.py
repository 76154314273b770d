import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str


def test_bad_booleans_fail_loudly(monkeypatch):
    monkeypatch.setenv("DEBUG_X", "perhaps")
    with pytest.raises(ImproperlyConfigured):
        env_bool("DEBUG_X")


def test_good_booleans(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", True) is False


def test_bad_numbers_fail_loudly(monkeypatch):
    monkeypatch.setenv("PORTX", "eighty")
    with pytest.raises(ImproperlyConfigured):
        env_int("PORTX", 1)
    monkeypatch.setenv("PORTX", "-1")
    with pytest.raises(ImproperlyConfigured):
        env_int("PORTX", 1, minimum=0)


def test_a_required_setting_must_be_set(monkeypatch):
    monkeypatch.delenv("NOT_THERE", raising=False)
    with pytest.raises(ImproperlyConfigured):
        env_str("NOT_THERE")


def test_an_empty_list_fails_loudly(monkeypatch):
    monkeypatch.setenv("HOSTS", " , ")
    with pytest.raises(ImproperlyConfigured):
        env_list("HOSTS", ["a"])
    monkeypatch.setenv("HOSTS", "a.example, b.example")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_production_refuses_to_start_without_a_secret_key():
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "DEBUG": "0"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
            "from django.conf import settings; settings.SECRET_KEY",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_fresh_clone_with_nothing_configured_runs_in_development_mode():
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
            "from django.conf import settings; print(settings.DEBUG)",
        ],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "True", result.stderr


def test_a_server_that_names_its_database_is_not_in_debug_by_default():
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
            "from django.conf import settings; settings.DEBUG",
        ],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://x@127.0.0.1/x"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check():
    """Issue 12: `manage.py check --deploy` with no warning, with production's defaults (keys given)."""
    import subprocess
    import sys
    from pathlib import Path

    from cryptography.fernet import Fernet

    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-the-check" + "y" * 20,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_LOOKUP_KEY": "l" * 48,
        "QUERY_CODE_KEY": "q" * 48,
        "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
