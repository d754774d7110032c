"""The core's URL modules: ``pages`` (home, login, Preferences, and ``hosts``/``groups``
under it) and ``kiosk`` (the kiosk, its Preferences actions and the Visits page)."""
