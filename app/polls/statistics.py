"""What an experience poll shows instead of live counts: the treatment's published statistics.

Live counts of a health question give a member's answer away to anyone who reads
the poll before and after they vote. An experience poll therefore shows only the
numbers of the latest statistics release (noised, per member, within the yearly
privacy budget) and a voter's own answer. The statistics feature sits above polls,
so it registers the lookup here at start-up; without it a poll says there are no
statistics yet.
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION = "thaw.experience_statistics"


@dataclass(frozen=True)
class ExperienceStatistics:
    """A treatment's numbers in the latest release, as an experience poll shows them."""
    release_id: int | None = None       # None: nothing has been published yet
    published_at: object = None         # the release's time
    published: bool = False             # False: too few members for the release to show numbers
    members: int | None = None
    helped_share: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


# treatment ids → their statistics; one lookup however many polls a page shows.
Lookup = Callable[[list[int]], dict[int, ExperienceStatistics]]


def register_statistics(app: Flask, lookup: Lookup) -> None:
    app.extensions[EXTENSION] = lookup


def statistics_for(treatment_ids: list[int]) -> dict[int, ExperienceStatistics]:
    lookup = current_app.extensions.get(EXTENSION)
    return lookup(treatment_ids) if lookup and treatment_ids else {}
