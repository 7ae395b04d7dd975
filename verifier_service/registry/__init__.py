"""Storage: models, engine and transactions, migrations, and a throw-away PostgreSQL for tests."""
