"""Settings come from ANNOTATOR_* variables; a malformed one stops the app with a clear message."""

import pytest

from annotator import create_app
from annotator.config import load_settings
from annotator.errors import ConfigError


def test_defaults_apply_when_nothing_is_set():
    settings = load_settings({})
    assert settings["DATABASE_URL"] is None  # the app then uses instance/annotator.db
    assert settings["MAX_UPLOAD_MB"] == 50 and settings["SECURE_COOKIES"] is False
    assert settings["LOG_REQUESTS"] is True  # production servers log unless told not to
    assert settings["RATELIMIT_STORAGE"] == "memory://" and settings["TRUSTED_PROXIES"] == 0


def test_zero_proxies_and_a_redis_storage_are_accepted():
    settings = load_settings(
        {"ANNOTATOR_TRUSTED_PROXIES": "0", "ANNOTATOR_RATELIMIT_STORAGE": "redis://cache:6379/2"}
    )
    assert settings["TRUSTED_PROXIES"] == 0
    assert settings["RATELIMIT_STORAGE"] == "redis://cache:6379/2"


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        (
            "ANNOTATOR_MAX_UPLOAD_MB",
            "lots",
            "ANNOTATOR_MAX_UPLOAD_MB='lots': expected a whole number",
        ),
        ("ANNOTATOR_MAX_UPLOAD_MB", "0", "must be greater than 0"),
        ("ANNOTATOR_SECURE_COOKIES", "perhaps", "expected one of true/false"),
        ("ANNOTATOR_LOG_REQUESTS", "loud", "ANNOTATOR_LOG_REQUESTS='loud': expected one of"),
        ("ANNOTATOR_TRUSTED_PROXIES", "-1", "ANNOTATOR_TRUSTED_PROXIES='-1': must be at least 0"),
        (
            "ANNOTATOR_RATELIMIT_STORAGE",
            "memcached://cache:11211",
            "expected memory:// or redis://host:port/db",
        ),
        (
            "ANNOTATOR_DATABASE_URL",
            "postgresql://x@y/z",
            "name the driver, e.g. postgresql+psycopg",
        ),
        (
            "ANNOTATOR_DATABASE_URL",
            "mysql://x@y/z",
            "expected sqlite:///path or postgresql+psycopg",
        ),
    ],
)
def test_malformed_setting_names_the_variable_and_the_reason(variable, value, words):
    with pytest.raises(ConfigError) as problem:
        load_settings({variable: value})
    assert words in str(problem.value)


def test_the_app_refuses_to_start_with_a_malformed_setting(monkeypatch):
    monkeypatch.setenv("ANNOTATOR_MAX_DOCUMENT_CHARS", "-5")
    with pytest.raises(ConfigError, match="ANNOTATOR_MAX_DOCUMENT_CHARS"):
        create_app()


def test_cli_reports_a_malformed_setting_without_a_traceback(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = os.environ | {
        "ANNOTATOR_SECURE_COOKIES": "maybe",
        "ANNOTATOR_INSTANCE_PATH": str(tmp_path),
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "annotator"), "init-db"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "ANNOTATOR_SECURE_COOKIES='maybe'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_readme_lists_every_setting_and_only_those():
    """The configuration table is the users' reference: a setting missing from it is unknown."""
    import re
    from pathlib import Path

    from annotator.config import PREFIX, SETTINGS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(ANNOTATOR_[A-Z_]+)` \|", table, flags=re.M))
    known = {PREFIX + setting.name for setting in SETTINGS} | {"ANNOTATOR_INSTANCE_PATH"}
    assert listed == known


def test_the_command_shows_annotators_commands_and_settings_not_flasks():
    import subprocess
    import sys
    from pathlib import Path

    annotator = str(Path(sys.executable).parent / "annotator")
    shown = subprocess.run([annotator, "--help"], capture_output=True, text=True, check=True)
    for command in ("init-db", "create-user", "import", "export", "agreement", "demo"):
        assert f"  {command} " in shown.stdout
    for flask_only in ("--app", "--env-file", "--debug", "limiter", "  run ", "  shell "):
        assert flask_only not in shown.stdout
    assert "ANNOTATOR_*" in shown.stdout
    version = subprocess.run([annotator, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("annotator 0.")
