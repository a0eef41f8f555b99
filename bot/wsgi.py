"""gunicorn's entry point: ``gunicorn bot.wsgi:app`` (see Procfile)."""

from bot.web import create_web_app

app = create_web_app()
