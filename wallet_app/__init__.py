"""zkaid wallet: the beneficiary's Kivy app.

Kivy-free logic lives in :mod:`wallet_app.service` (the wallet), :mod:`wallet_app.storage`
(the encrypted vault), :mod:`wallet_app.words` (plain-words descriptions) and
:mod:`wallet_app.i18n` (translations); :mod:`wallet_app.main`, ``screens/`` and
``platform/`` are the only modules that import Kivy. See docs/wallet.md.
"""
