"""Polls as one viewer sees them: small read models, so results never ride on the stored rows.

A `PollView` reads like its poll (question, kind, thread_id, ... come from the
row) and adds what is computed for this viewer: whether it is closed, their
own vote, whether results may be shown, and the counts when they may. An
experience poll never has counts: it carries the treatment's published
statistics instead (app/polls/statistics.py).
"""
from dataclasses import dataclass, field

from app.polls.models import Poll, PollOption
from app.polls.statistics import ExperienceStatistics


@dataclass
class OptionView:
    option: PollOption
    votes: int | None = None  # None while results are hidden from this viewer

    def __getattr__(self, name):
        return getattr(self.option, name)


@dataclass
class PollView:
    poll: Poll
    closed: bool = False
    my_vote: list[int] = field(default_factory=list)
    votes_needed: int | None = 0        # None for experience polls: no count-down to read a vote from
    results_visible: bool = False
    total_voters: int | None = None
    options: list[OptionView] = field(default_factory=list)
    statistics: ExperienceStatistics | None = None   # experience polls only

    def __getattr__(self, name):
        # Only reached for what the dataclass does not hold: the poll's own columns and relations.
        return getattr(self.poll, name)
