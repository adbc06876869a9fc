"""Per member and kind: off, in Thaw only, email at once, daily or weekly digest.

The defaults (README, "Notifications"): nothing emails at once by default but a moderator's message.
Replies and mentions come in a daily digest: an email for every reply pressures people who read Thaw
on their own schedule (fatigue is an MS symptom), and an inbox shared with family would announce each
one. Followed threads and reactions stay in Thaw; new threads in a followed tag come weekly.
"""
import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.core.errors import InvalidInput, NotFound
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.members.models import Member
from app.notifications.models import Delivery, NotificationKind, NotificationPreference, NotificationSettings

K = NotificationKind
DEFAULTS: dict[NotificationKind, Delivery] = {
    K.reply: Delivery.daily,
    K.mention: Delivery.daily,
    K.followed_thread: Delivery.app,
    K.followed_tag: Delivery.weekly,
    K.reaction: Delivery.app,
    K.post_approved: Delivery.app,
    K.moderator_message: Delivery.email,
}
CONFIGURABLE = tuple(DEFAULTS)

LABELS = {
    K.reply: "Replies to my posts",
    K.mention: "Mentions of my @handle",
    K.followed_thread: "New replies in threads I follow",
    K.followed_tag: "New threads in tags I follow",
    K.reaction: "\"Me too\", \"thank you\" and \"sending support\" on my posts",
    K.post_approved: "My held posts approved",
    K.moderator_message: "Messages from the moderators",
}
DELIVERY_LABELS = {
    Delivery.off: "Not at all",
    Delivery.app: "In Thaw only",
    Delivery.email: "By email at once",
    Delivery.daily: "Daily email digest",
    Delivery.weekly: "Weekly email digest",
}


def delivery_for(member_id: int, kind: NotificationKind) -> Delivery:
    if kind not in DEFAULTS:
        return Delivery.app  # what moderators did to one's own post or account is always told, in Thaw
    chosen = db.session.scalar(sa.select(NotificationPreference.delivery).where(
        NotificationPreference.member_id == member_id, NotificationPreference.kind == kind.value))
    return chosen or DEFAULTS[kind]


def preference_column(kind: NotificationKind, member_id_column):
    """A SQL expression: the member's delivery for `kind` (their choice, else the default), for joins in bulk."""
    chosen = (sa.select(NotificationPreference.delivery)
              .where(NotificationPreference.member_id == member_id_column,
                     NotificationPreference.kind == kind.value)
              .scalar_subquery())
    return sa.func.coalesce(chosen, DEFAULTS[kind].value)


def auto_follow(member_id: int) -> bool:
    value = db.session.scalar(sa.select(NotificationSettings.auto_follow)
                              .where(NotificationSettings.member_id == member_id))
    return True if value is None else value


def preferences_of(member: Member) -> dict:
    chosen = dict(db.session.execute(sa.select(NotificationPreference.kind, NotificationPreference.delivery)
                                     .where(NotificationPreference.member_id == member.id)).all())
    return {"notifications": {kind.value: Delivery(chosen.get(kind.value, default)).value
                              for kind, default in DEFAULTS.items()},
            "auto_follow": auto_follow(member.id)}


@unit_of_work()
def set_preferences(member: Member, notifications: dict[str, str], auto_follow_threads: bool | None = None) -> dict:
    errors = {}
    wanted = {}
    for name, delivery in notifications.items():
        try:
            kind = NotificationKind(name)
        except ValueError:
            kind = None
        if kind not in DEFAULTS:
            errors[f"notifications.{name}"] = [f"Choose among: {', '.join(k.value for k in CONFIGURABLE)}."]
            continue
        try:
            wanted[kind] = Delivery(delivery)
        except ValueError:
            errors[f"notifications.{name}"] = [f"Choose among: {', '.join(d.value for d in Delivery)}."]
    if errors:
        raise InvalidInput(errors)
    for kind, delivery in wanted.items():
        row = db.session.get(NotificationPreference, (member.id, kind.value))
        if row is None:
            db.session.add(NotificationPreference(member_id=member.id, kind=kind.value, delivery=delivery))
        else:
            row.delivery = delivery
    if auto_follow_threads is not None:
        settings = db.session.get(NotificationSettings, member.id)
        if settings is None:
            db.session.add(NotificationSettings(member_id=member.id, auto_follow=auto_follow_threads))
        else:
            settings.auto_follow = auto_follow_threads
    db.session.flush()
    return preferences_of(member)


# --- one-click unsubscribe (RFC 8058) --------------------------------------------------------------------

def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="thaw.notifications.unsubscribe")


def unsubscribe_token(member_id: int, kind: NotificationKind | None) -> str:
    """Signed: the member and the kind (None: every email notification). It cannot be changed to another member."""
    return _signer().dumps([member_id, kind.value if kind else None])


def read_unsubscribe_token(token: str) -> tuple[Member, NotificationKind | None]:
    try:
        member_id, kind = _signer().loads(token)
        member = db.session.get(Member, int(member_id))
        kind = NotificationKind(kind) if kind is not None else None
    except (BadSignature, ValueError, TypeError):
        member = None
    if member is None or member.is_deleted or (kind is not None and kind not in DEFAULTS):
        raise NotFound("This unsubscribe link is not valid. Sign in to change your notification emails.")
    return member, kind


def unsubscribe(token: str) -> tuple[Member, NotificationKind | None]:
    """No more email for the kind (or any kind): those notifications stay in Thaw only."""
    member, kind = read_unsubscribe_token(token)
    kinds = [kind] if kind else list(CONFIGURABLE)
    current = preferences_of(member)["notifications"]
    set_preferences(member, {k.value: Delivery.app.value for k in kinds
                             if current[k.value] in (Delivery.email, Delivery.daily, Delivery.weekly)})
    return member, kind
