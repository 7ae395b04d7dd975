"""Screens: one module (logic-free glue) and one .kv file (layout) each.

Importing this package registers the screen and widget classes with Kivy's Factory; the
kv files are loaded by :func:`wallet_app.main.load_kv` when the app is built.
"""

from wallet_app.screens import (  # noqa: F401 - imported for their Factory registration
    change_pin,
    consent,
    help,
    history,
    home,
    language,
    pin_setup,
    present,
    receive,
    recovery_check,
    recovery_show,
    referral,
    remove_card,
    restore,
    restore_scan,
    scan,
    settings,
    unlock,
    welcome,
    widgets,
)
