"""The moderation API: each room's blueprint, registered together by the feature."""
from app.moderation.actions.api import blp as actions
from app.moderation.audit.api import blp as audit
from app.moderation.conversations.api import blp as conversations
from app.moderation.queue.api import blp as queue
from app.moderation.words.api import blp as words

blueprints = (queue, actions, words, audit, conversations)
