"""Alembic environment. Migrations are applied programmatically (verifier_service.registry.migrate):
the caller passes an open connection in ``config.attributes["connection"]``. Importing this
module outside an alembic run does nothing."""

from __future__ import annotations

from alembic import context

from verifier_service.registry.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "zkaid migrations run through `zkaid init` or the service itself, not the alembic CLI"
        )
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite" and not config.attributes.get("no_batch"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if hasattr(context, "config"):  # inside an alembic run
    if context.is_offline_mode():
        raise RuntimeError("offline (SQL script) migrations are not supported")
    run_migrations_online()
