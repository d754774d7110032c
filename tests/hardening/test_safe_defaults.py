"""Settings default to production: DEBUG off, and no start without a SECRET_KEY.

Each case runs the app's real settings module in a subprocess with exactly the given
environment (nothing inherited from the test run, which uses tests/settings.py).
"""

import subprocess
import sys

from django.conf import settings

from tests.hardening.helpers import app_env

SHOW_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.SECRET_KEY == 'k' * 60)"
)


def run_python(code, **env):
    return subprocess.run(
        [sys.executable, "-c", code],
        env=app_env(**env),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_secret_key_the_app_refuses_to_start():
    proc = run_python(SHOW_SETTINGS)
    assert proc.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in proc.stderr


def test_debug_on_does_not_bring_back_a_built_in_key():
    proc = run_python(SHOW_SETTINGS, DEBUG="true")
    assert proc.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in proc.stderr


def test_debug_is_off_unless_switched_on():
    proc = run_python(SHOW_SETTINGS, SECRET_KEY="k" * 60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True", "True"]


def test_manage_py_refuses_to_start_without_a_secret_key():
    proc = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=app_env(),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "SECRET_KEY must be set" in proc.stderr


def test_environment_values_are_read_as_before():
    # Lists ignore spaces and empty items; numbers and switches keep their meaning.
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.AXES_FAILURE_LIMIT, "
        "s.SECURE_SSL_REDIRECT, s.EMAIL_USE_TLS, s.SECURE_HSTS_SECONDS)"
    )
    proc = run_python(
        code,
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS=" a.example , b.example ,, ",
        CSRF_TRUSTED_ORIGINS="https://a.example",
        LOGIN_FAILURE_LIMIT="3",
        SECURE_SSL_REDIRECT="off",
        EMAIL_USE_TLS="Yes",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (
        "['a.example', 'b.example'] ['https://a.example'] 3 False True 31536000"
    )


def test_a_secret_key_beginning_with_a_dollar_is_taken_as_written():
    # django-environ would read "$abc…" as the name of another variable; a secret must not.
    key = "$" + "k" * 59
    proc = run_python(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECRET_KEY == '$' + 'k' * 59, s.EMAIL_HOST_PASSWORD)",
        SECRET_KEY=key,
        EMAIL_HOST_PASSWORD="$HOME",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "$HOME"]
