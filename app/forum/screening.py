"""How the forum asks about a post it is writing, without knowing who answers.

The forum renders a post once, asks its `PostScreen` once about the title and
the body together (a new thread's, or whichever an edit changes), stores the post,
and then lets the screen record what follows (a queue item, a notification)
in the same transaction. The moderation feature registers the real screen at
start-up (app/moderation/__init__.py); without it every post is published and
nothing is refused, which is what a forum with no moderators would do.
"""
from dataclasses import dataclass, field

from flask import Flask, current_app

from app.core.screening import Match, Screening
from app.forum.models import Post, PostStatus

EXTENSION = "thaw.post_screen"


@dataclass(frozen=True)
class Hold:
    cause: str    # for the moderator, in the queue
    reason: str   # for the author, in the notification


@dataclass
class Verdict:
    """What the screen found in a text, and what it decided about the post."""
    found: Screening = field(default_factory=Screening)
    holds: list[Hold] = field(default_factory=list)
    crisis: list[Match] = field(default_factory=list)

    @property
    def status(self) -> PostStatus:
        return PostStatus.pending_review if self.holds else PostStatus.published


class PostScreen:
    """The screen a forum without moderation has: it finds nothing and holds nothing."""

    def screen(self, writer, source: str | None, html: str | None, earlier: Post | None = None,
               moderating: bool = False, title: str | None = None, earlier_title: str | None = None) -> Verdict:
        """What the texts hold and whether the post waits.

        `source` and `html` are the body (None when only the title changes); `earlier` is the post an
        edit changes. `title` is a thread's title (None when only a body is written), `earlier_title`
        the title a retitle replaces. `moderating` marks a moderator changing someone else's words,
        which is moderation itself."""
        return Verdict()

    def record(self, post: Post, verdict: Verdict, edited: bool = False) -> str | None:
        """Side effects of the verdict, in the post's transaction; the support text to show its author, if any."""
        return None

    def support_text(self) -> str | None:
        return None


def register_screen(app: Flask, screen: PostScreen) -> None:
    app.extensions[EXTENSION] = screen


def post_screen() -> PostScreen:
    return current_app.extensions.get(EXTENSION) or _NO_SCREEN


_NO_SCREEN = PostScreen()
