"""`flask stats release`: publish a statistics release, by hand or from a schedule."""
import re
import time
from datetime import timedelta

import click
from flask.cli import AppGroup

from app.core.db import utcnow
from app.core.errors import Conflict, DomainError
from app.stats import services

stats_cli = AppGroup("stats", help="Anonymized statistics releases.")

UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Age(click.ParamType):
    """An age such as 30m, 12h, 7d or 2w."""
    name = "age"

    def convert(self, value, param, ctx):
        if isinstance(value, timedelta):
            return value
        match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", str(value).lower())
        if not match:
            self.fail(f"{value!r} is not an age such as 30m, 12h, 7d or 2w.", param, ctx)
        return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} hours"


@stats_cli.command("release")
@click.option("--epsilon", type=float, default=None,
              help="Privacy budget this release spends per member; default STATS_EPSILON. It must fit "
                   "STATS_EPSILON_BUDGET with the releases of the last 365 days.")
@click.option("--if-older-than", "older_than", type=Age(), default=None, metavar="AGE",
              help="Publish only when the latest release is older than AGE (30m, 12h, 7d, 2w), so a frequent "
                   "timer can publish weekly.")
def release_command(epsilon, older_than):
    """Compute and store a new statistics release."""
    latest = services.latest_release()
    if older_than is not None and latest is not None and utcnow() - latest.created_at < older_than:
        click.echo(f"Release {latest.id} is {_age(utcnow() - latest.created_at)} old, younger than "
                   f"{_age(older_than)}: no new release.")
        return
    started = time.perf_counter()

    def step(name: str) -> None:
        click.echo(f"  {time.perf_counter() - started:6.2f} s  {name}", err=True)

    try:
        release = services.publish_release(None, epsilon, progress=step)
    except Conflict as error:
        click.echo(f"No release: {error.detail}", err=True)
        raise SystemExit(1)
    except DomainError as error:
        for field, messages in (error.errors or {"error": [error.detail]}).items():
            click.echo(f"{field}: {' '.join(messages)}", err=True)
        raise SystemExit(2)
    click.echo(f"Release {release.id}: {release.treatments_published} treatments published, "
               f"{release.treatments_suppressed} suppressed, ε={release.epsilon:g} "
               f"(at most {release.max_treatments_per_member} treatments per member), "
               f"{time.perf_counter() - started:.2f} s")


@stats_cli.command("budget")
def budget_command():
    """Show the privacy budget of the last 365 days and when the next release becomes possible."""
    summary = services.budget_summary()
    when = summary["next_release_possible_at"]
    click.echo(f"Budget ε={summary['budget']:g} per {summary['window_days']} days: {summary['spent']:g} spent, "
               f"{summary['remaining']:g} left. A release at ε={summary['epsilon']:g} is possible "
               + ("now." if when is not None and when <= utcnow() else
                  f"from {when:%Y-%m-%d %H:%M} UTC." if when is not None else "never: it exceeds the budget."))
