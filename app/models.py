"""Every model, imported in one place so Alembic and create_all see them all."""
from app.core.mail import OutboxMessage  # noqa: F401
from app.members.models import ApiToken, EmailLink, IdempotencyKey, Member  # noqa: F401
from app.vocabulary.models import SideEffect, Tag, TagSynonym  # noqa: F401
from app.forum.models import Post, PostRevision, Thread, thread_tags  # noqa: F401
from app.polls.models import Ballot, BallotChoice, Poll, PollOption  # noqa: F401
from app.experiences.models import (  # noqa: F401
    ExperienceReport, ExperienceRevision, ExperienceSideEffect, experience_symptoms)
from app.stats.models import StatsRelease, TreatmentStats  # noqa: F401
from app.moderation.models import AuditEntry, Flag, QueueItem, WatchedWord  # noqa: F401
from app.moderation.conversations.models import Conversation, ConversationMessage  # noqa: F401
from app.notifications.models import (  # noqa: F401
    Notification, NotificationPreference, NotificationSettings, PostDelivery, Reaction, TagFollow, ThreadFollow)
from app.search.models import SearchDocument  # noqa: F401
