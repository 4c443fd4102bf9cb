"""Settings for the test suite: the real settings, with a throwaway data folder."""

import os
import tempfile

os.environ.setdefault("VERBIND_DATA_DIR", tempfile.mkdtemp(prefix="verbind-test-"))

from verbind.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Request threads of the live server must not keep connections open past the tests,
# or PostgreSQL refuses to drop the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# On SQLite the test database is a file, so worker processes started by a test can use it.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405

# The tests' own CalDAV and feed servers run on 127.0.0.1; one test turns this off again.
CALENDAR_PRIVATE_ADDRESSES = True
