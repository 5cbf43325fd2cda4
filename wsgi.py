"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

from negotiation import create_app

app = create_app()
