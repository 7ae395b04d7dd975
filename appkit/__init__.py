"""What the two Kivy apps share, without Kivy: durable file writes, translation, frame sources.

``wallet_app`` and ``field_app`` both import this package and never each other; it imports
``sdk`` at most and never an app or the agency service (pinned by tests/test_architecture.py).
Anything that needs Kivy would live in ``appkit.ui`` so the logic stays importable on a server.
"""
