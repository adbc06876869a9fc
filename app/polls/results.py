"""Polls as one viewer sees them: small read models, so results never ride on the stored rows.

A `PollView` reads like its poll (question, kind, thread_id, ... come from the
row) and adds what is computed for this viewer: whether it is closed, their
own vote, whether results may be shown, and the counts when they may.
"""
from dataclasses import dataclass, field

from app.polls.models import Poll, PollOption


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
    votes_needed: int = 0
    results_visible: bool = False
    total_voters: int | None = None
    options: list[OptionView] = field(default_factory=list)

    def __getattr__(self, name):
        # Only reached for what the dataclass does not hold: the poll's own columns and relations.
        return getattr(self.poll, name)
