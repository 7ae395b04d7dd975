"""``python -m field_app``: see :mod:`field_app.cli`."""

import sys

from field_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
