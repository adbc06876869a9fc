"""Every model, imported in one place so Alembic and create_all see them all."""
from app.members.models import ApiToken, Member  # noqa: F401
from app.vocabulary.models import SideEffect, Tag, TagSynonym  # noqa: F401
from app.forum.models import Post, PostRevision, Thread, thread_tags  # noqa: F401
from app.polls.models import Ballot, BallotChoice, Poll, PollOption  # noqa: F401
