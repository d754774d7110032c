"""Helpers shared by the hardening tests."""

import os

# What a subprocess inherits from this one: the interpreter's surroundings, nothing of the
# app's configuration nor what other tests put in os.environ (e.g. DJANGO_ALLOW_ASYNC_UNSAFE).
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH")


def app_env(**settings_env):
    """The environment of a subprocess running the app with exactly ``settings_env``."""
    env = {name: os.environ[name] for name in INHERITED if name in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "visitor_mgmt.settings"
    env.update({name: str(value) for name, value in settings_env.items()})
    return env
