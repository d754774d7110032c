"""Helpers shared by the hardening tests."""

import os
from urllib.parse import quote

# What a subprocess inherits from this one: the interpreter's surroundings, nothing of the
# app's configuration nor what other tests put in os.environ (e.g. DJANGO_ALLOW_ASYNC_UNSAFE).
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH")


def app_env(**settings_env):
    """The environment of a subprocess running the app with exactly ``settings_env``."""
    env = {name: os.environ[name] for name in INHERITED if name in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update({name: str(value) for name, value in settings_env.items()})
    return env


def postgres_url(connection, *, user=None, name=None, query=""):
    """A DATABASE_URL for the server ``connection`` talks to (by default its database and
    user), for an app started in a subprocess."""
    db = connection.settings_dict
    user = quote(user or db["USER"], safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    where = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{user}{password}@{where}/{name or db['NAME']}{query}"
