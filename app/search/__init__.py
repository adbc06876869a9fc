"""Search: threads and posts in members' own words, within every visibility rule, never recording a query."""
from flask import Flask


def init_app(app: Flask) -> None:
    from app.search.cli import search_cli
    app.cli.add_command(search_cli)
