"""Settings for the test run: the app's settings with development switched on explicitly.

The app's own defaults are production-safe (DEBUG off, no SECRET_KEY, which refuses to
start); tests run the development configuration, as `make run` does, and say so here.
Subprocesses started by tests build their own environment (tests/hardening/helpers.py).
"""

import os

os.environ["DEBUG"] = "true"
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 40)

from config.settings import *  # noqa: E402,F403
