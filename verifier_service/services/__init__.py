"""Service logic: plain Python over SQLAlchemy sessions (no FastAPI), one module per concern."""
