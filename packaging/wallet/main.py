"""Android entry point of the wallet (buildozer runs main.py): the bundled wallet.json holds
the agency's trust anchor and service address; the vault lives in the app's private folder
(ANDROID_PRIVATE/wallet) and is bound to the Android Keystore (wallet_app/platform/keystore.py)."""

import os
import sys

os.environ.setdefault("KIVY_NO_ARGS", "1")

from wallet_app.__main__ import main

main(["--config", os.path.join(os.path.dirname(os.path.abspath(__file__)), "wallet.json"), *sys.argv[1:]])
