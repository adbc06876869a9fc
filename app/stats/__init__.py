"""Anonymized treatment-experience statistics, published as differentially private releases."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Experience polls show the latest release's numbers instead of live counts."""
    from app.polls.statistics import register_statistics
    from app.stats.poll_statistics import experience_statistics

    register_statistics(app, experience_statistics)
