"""zkaid field app: the offline verifier for field staff at a distribution point.

Layout (docs/field-app.md): ``config`` (what the device is set up to ask, persisted in the
data folder), ``ledger`` (SQLite enrollments, sync cursor and conflicts), ``service``
(:class:`~field_app.service.FieldService`, a facade over ``device`` (state and setup),
``trust``, ``requests``, ``checking`` and ``sync``), ``scanning`` (camera
frames to messages), ``i18n`` (translations), ``cli`` (``python -m field_app``). These are
Kivy-free; Kivy lives only in ``main.py``, ``screens/`` and ``platform/``.

Importing this package has no side effects: no window, no files, no backend probing.
"""

__all__: list[str] = []
