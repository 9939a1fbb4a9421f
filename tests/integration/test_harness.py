"""The test harness itself: what every other test relies on, checked so a speed-up cannot quietly
break isolation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from annotator import db, store
from annotator.models import User, metadata
from tests.support.database import database_rows

ROOT = Path(__file__).resolve().parents[2]


def test_tests_and_e2e_are_collected_together_in_one_run():
    """Modules of the same name in both folders (test_agreement.py) do not clash: they are
    packages. Collected together with their conftests, each pair in one run (collecting every
    test of both folders took 14 s of the suite)."""
    names = {path.name for path in (ROOT / "e2e").glob("test_*.py")}
    clashing = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "tests").rglob("test_*.py"))
        if path.name in names
    ]
    clashing += sorted({f"e2e/{Path(path).name}" for path in clashing})
    assert "tests/unit/test_agreement.py" in clashing
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *clashing, "--collect-only", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "tests/unit/test_agreement.py::" in done.stdout
    assert "e2e/test_agreement.py::" in done.stdout


def test_passwords_are_hashed_with_the_cheap_test_settings():
    """Argon2id still (the stored format is the real one), with tiny costs."""
    stored = store.hash_password("password-123")
    assert stored.startswith("$argon2id$") and "m=1024,t=1,p=1" in stored


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_starts_on_empty_tables_and_the_default_config(app, world, turn):
    engine = app.extensions["annotator.engine"]
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            assert connection.execute(select(func.count()).select_from(table)).scalar() == 0
    assert app.config["WTF_CSRF_ENABLED"] is False and "LEFT_BEHIND" not in app.config
    world.user(f"ann{turn}")  # what the other turn (or any earlier test) must not see
    app.config["LEFT_BEHIND"] = turn
    app.config["WTF_CSRF_ENABLED"] = True


def _users(app) -> int:
    with app.extensions["annotator.engine"].connect() as connection:
        return connection.execute(select(func.count()).select_from(User)).scalar()


def test_a_kept_world_is_reused_and_put_back_after_a_test_changed_it(kept):
    built = []

    def build(app, world):
        built.append(world.user("kept-user"))
        return app

    app = kept("world", build)
    assert kept("world", build) is app and len(built) == 1  # unchanged: reused
    with app.app_context():
        store.create_user(db.session(), "intruder", "password-123")
        db.session().commit()
    assert _users(app) == 2
    assert kept("world", build) is app
    assert len(built) == 1 and _users(app) == 1  # changed: the built rows put back, not rebuilt
    with app.app_context():
        again = store.create_user(db.session(), "after-restore", "password-123")
        db.session().commit()
    assert again.id == built[0].id + 1  # ids go on from where the build left them


def test_the_rows_read_tell_any_change_of_a_value_apart(app, world):
    """What the matrices compare to show that a refused request wrote nothing: a changed value
    of any type (text, number, time, bytes), a new row or a deleted one makes them differ."""
    engine = app.extensions["annotator.engine"]
    world.user("ann")
    before = database_rows(engine)
    assert before == database_rows(engine) and len(before["user"]) == 1
    changes = [
        "UPDATE \"user\" SET username = 'anne'",
        "UPDATE \"user\" SET created_at = created_at + INTERVAL '1 microsecond'"
        if engine.dialect.name == "postgresql"
        else "UPDATE \"user\" SET created_at = created_at || '1'",
        "UPDATE \"user\" SET password_hash = password_hash || 'x'",
        # a value with a line break: still one row (see the count below)
        "UPDATE \"user\" SET username = 'an\nne'",
        'DELETE FROM "user"',
    ]
    for change in changes:
        with engine.begin() as connection:
            connection.exec_driver_sql(change)
        after = database_rows(engine)
        assert after != before, change
        assert len(after["user"]) == (0 if change.startswith("DELETE") else 1), change
        before = after
