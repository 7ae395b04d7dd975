"""Android entry point of the field app (buildozer runs main.py): the app opens on its setup
screen; data stays in the app's private folder (Kivy's user_data_dir)."""

import os
import sys

os.environ.setdefault("KIVY_NO_ARGS", "1")

from field_app.cli import main

sys.exit(main(["run"]))
