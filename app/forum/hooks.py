"""What features above the forum add to it, registered at start-up.

The forum must not import the features built on it (polls, moderation, notifications), yet its
pages show a thread's polls, a moderator's edit through the plain post and
thread routes is an audited moderator action, and a deleted post's words stay
while moderators still review it. Those features register a `ForumHooks` here
(from their `init_app`); the forum calls it, and without one it shows no polls
and lets nobody edit another member's post.
"""
from flask import Flask, current_app

from app.core.errors import NotAllowed
from app.vocabulary.models import Tag
from app.vocabulary.services import tag_by_slug

EXTENSION = "thaw.forum_hooks"


class ForumHooks:
    """The forum on its own: no polls, no moderator actions."""

    def polls_of_thread(self, thread, viewer) -> list:
        """The polls under a thread's opening post, as the viewer may see them."""
        return []

    def tag_with_polls(self, slug: str) -> tuple[Tag | None, bool]:
        """A tag by slug, and whether any poll asks about it (so pages without one spend no query)."""
        return tag_by_slug(slug), False

    def tag_polls(self, tag, viewer, limit: int) -> list:
        """A treatment's experience polls, newest first, for the head of its tag page."""
        return []

    def moderator_edit(self, moderator, post_id: int, body: str, reason: str):
        """A moderator's audited edit of someone else's post."""
        raise NotAllowed("Only the author can edit this post.")

    def moderator_remove(self, moderator, post_id: int, reason: str) -> None:
        """A moderator's audited removal of someone else's post."""
        raise NotAllowed("Only the author can delete this post.")

    def moderator_update_thread(self, moderator, thread_id: int, title, tag_refs, reason: str):
        """A moderator's audited retitle or retag of someone else's thread."""
        raise NotAllowed("Only the author can change this thread.")

    def post_published(self, post) -> None:
        """A post became readable (written published, or approved later), inside the unit of work that did it:
        notifications decide after commit who must hear about it."""

    def annotate_posts(self, posts: list, viewer) -> None:
        """Sets what features above show on each post of a list (reactions), in one query for the list."""

    def keeps_words(self, post) -> bool:
        """Whether a post its author deletes must keep its words for now (a flag or queue item on it
        is open); otherwise they are erased at once."""
        return False


def add_hooks(app: Flask, **hooks) -> None:
    """Adds or replaces hooks by name: `add_hooks(app, polls_of_thread=fn, ...)`."""
    current = app.extensions.setdefault(EXTENSION, ForumHooks())
    for name, function in hooks.items():
        if not hasattr(ForumHooks, name):
            raise AttributeError(f"the forum has no hook named {name}")
        setattr(current, name, function)


def forum_hooks() -> ForumHooks:
    return current_app.extensions.get(EXTENSION) or _ALONE


_ALONE = ForumHooks()
