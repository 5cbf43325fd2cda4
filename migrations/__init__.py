"""Alembic migrations of the service's schema (``flask --app wsgi db-upgrade``)."""
