"""The Kivy half of appkit: what both apps' screens share and what needs Kivy or a phone.

- :mod:`appkit.ui.feedback`: vibration and sounds behind small adapters (a desktop without a
  vibration motor or a sound card gets a quiet fallback that records what it was asked);
- :mod:`appkit.ui.text`: right-to-left text (Arabic shaping and bidi reordering) and the
  font that covers Arabic, Latin and French accents alike.

Nothing here is imported by the Kivy-free parts of the apps.
"""
