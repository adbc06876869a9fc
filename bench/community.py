"""A large, believable synthetic community, produced as plain rows for bulk inserts.

Nothing here touches the database: `bench.forum` inserts what these functions
return. Ids are assigned here, in creation order, because a post's `path` is
made of its ancestors' ids and must be known before the row is written.
"""
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from app.forum.models import PostStatus, path_segment
from app.members.models import MemberStatus, Role

# Threads rarely nest deeper than this in real forums; beyond it a reply goes to the opening post.
DEEPEST_REPLY = 30

SENTENCES = [
    "My legs lock up every morning until I have been moving for about twenty minutes.",
    "The spasms are worst at night, usually just as I am falling asleep.",
    "I started on a low dose and went up slowly, which made the drowsiness bearable.",
    "My neurologist suggested stretching twice a day before trying anything stronger.",
    "Hot weather makes my stiffness much worse, so I keep a cooling vest in the car.",
    "Has anyone else noticed that a full bladder sets off the clonus?",
    "Physio showed me a calf stretch against the wall that really helps.",
    "I was worried about the side effects, but the first weeks were easier than I expected.",
    "Tizanidine made me too sleepy to work, so we switched to taking it only at night.",
    "The botox injections in my calf wear off after about ten weeks for me.",
    "Aquatic exercise is the only time my legs feel loose and light.",
    "I keep a diary of my spasms now, which made the appointment much more useful.",
    "Cold mornings are the hardest; a warm shower first thing loosens me up.",
    "My husband helps with the stretches in the evening and it has become our routine.",
    "I had the pump fitted last spring and the difference in my walking is huge.",
    "Stress definitely makes my spasms worse, so I try the breathing exercises.",
    "I find that drinking enough water during the day helps with the cramps at night.",
    "My hands cramp when I write for long, so I switched to voice typing.",
    "Splints at night stopped my toes from curling, though they took getting used to.",
    "Please ask your team before changing the dose; stopping suddenly is risky.",
    "Yoga was too much at first, but a chair-based class worked well for me.",
    "I get extensor spasms when I stand up too fast, so I count to five first.",
    "Some days the fatigue is worse than the stiffness itself.",
    "My occupational therapist found me a reacher and a sock aid, which saved my back.",
    "I have had MS for twelve years and the spasticity only started last year.",
    "Gabapentin helped the nerve pain more than the stiffness in my case.",
    "Thank you for sharing this, it is good to know I am not the only one.",
    "Tight jeans were a trigger I never suspected until someone here mentioned it.",
    "Infections always make everything worse, even a small cold.",
    "I sleep on my side with a pillow between my knees and the spasms are calmer.",
    "Walking with the rollator let me go further without my legs giving out.",
    "My GP had not heard of clonus, so I brought a printout to the appointment.",
    "The first week on baclofen I felt weak, then it settled.",
    "Massage helps for an hour or two, which is sometimes enough to get things done.",
    "I would love to hear how others manage the heat during the summer.",
    "It took three tries to find a physio who understood MS, but it was worth it.",
]

TITLES = {
    "symptom": ["{name} every night, anyone else?", "How do you cope with {lower}?",
                "{name} getting worse since the summer", "New to {lower}: what should I ask my team?",
                "{name} at work"],
    "treatment": ["Has anyone tried {lower}?", "Six months on {lower}: my notes", "{name}: side effects?",
                  "Starting {lower} next week", "Is {lower} worth it?"],
    "trigger": ["Does {lower} set off your spasms?", "{name} and stiffness", "Spasms after {lower}",
                "Managing {lower} as a trigger"],
    "topic": ["Questions about {lower}", "{name}: what helped you", "Sharing my experience: {lower}",
              "{name}, where do I start?"],
}

HANDLE_WORDS = ["stiff", "thaw", "calm", "spring", "stretch", "river", "slow", "steady", "warm", "brave",
                "legs", "walker", "knees", "spasm", "fern", "cedar", "tide", "hill", "morning", "quiet"]


@dataclass(frozen=True)
class Sizes:
    threads: int
    posts: int
    big_thread_posts: int
    members: int

    def problem(self) -> str | None:
        if min(self.threads, self.members, self.big_thread_posts) < 1:
            return "threads, members and big-thread posts must be at least 1"
        if self.posts < self.big_thread_posts + self.threads - 1:
            return "posts must cover the big thread plus one opening post per other thread"
        return None


@dataclass
class ThreadPlan:
    id: int
    post_count: int
    created_at: datetime
    last_activity_at: datetime
    cast: list[int]  # members who write in this thread; the first opened it


def member_rows(count: int, password_hash: str, now: datetime, rng: random.Random) -> list[dict]:
    rows = []
    for member_id in range(1, count + 1):
        handle = f"{rng.choice(HANDLE_WORDS)}_{rng.choice(HANDLE_WORDS)}{member_id}"
        role = Role.admin if member_id == 1 else Role.moderator if member_id <= 4 else Role.member
        rows.append({
            "id": member_id, "handle": handle, "handle_key": handle.casefold(),
            "email": f"{handle.casefold()}@bench.thaw.invalid", "password_hash": password_hash,
            "role": role, "status": MemberStatus.active,
            # Everyone joined before the year the posts cover.
            "joined_at": now - timedelta(days=rng.uniform(370, 1500)),
        })
    return rows


def plan_threads(sizes: Sizes, now: datetime, rng: random.Random) -> list[ThreadPlan]:
    """Post counts, times and casts of every thread; thread 1 is the big one."""
    counts = [sizes.big_thread_posts] + _spread(sizes.posts - sizes.big_thread_posts, sizes.threads - 1, rng)
    plans = []
    for thread_id, count in enumerate(counts, start=1):
        if thread_id == 1:
            # The big thread runs for months and is still active, as a famous thread would be.
            created = now - timedelta(days=200)
            last = now - timedelta(minutes=rng.uniform(1, 60))
        else:
            created = now - timedelta(days=rng.uniform(1 / 24, 365))
            # Squared: most conversations die down long before today.
            last = created + (now - created) * rng.random() ** 2 if count > 1 else created
        cast_size = min(sizes.members, 2 + count // 4, 60)
        plans.append(ThreadPlan(thread_id, count, created, last, rng.sample(range(1, sizes.members + 1), cast_size)))
    return plans


def _spread(total: int, threads: int, rng: random.Random) -> list[int]:
    """One opening post each, and the replies spread unevenly: a few busy threads, many quiet ones."""
    if threads == 0:
        return []
    replies = total - threads
    weights = [rng.lognormvariate(0, 1) for _ in range(threads)]
    scale = replies / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    for _ in range(total - sum(counts)):  # what rounding down left over
        counts[rng.randrange(threads)] += 1
    return counts


def thread_rows(plans: list[ThreadPlan], tags: list[tuple[int, str, str]],
                rng: random.Random) -> tuple[list[dict], list[dict]]:
    """Threads and their 1–4 tags. `tags` are (id, name, kind) in vocabulary order."""
    # Within each kind, the first tags (baclofen among treatments) are talked about most.
    rank_in_kind: dict[str, int] = {}
    weights = []
    for _, _, kind in tags:
        rank_in_kind[kind] = rank_in_kind.get(kind, 0) + 1
        weights.append(1 / rank_in_kind[kind] ** 0.7)
    threads, links = [], []
    for plan in plans:
        chosen: list[tuple[int, str, str]] = []
        wanted = rng.randint(1, 4)
        while len(chosen) < wanted:
            tag = rng.choices(tags, weights)[0]
            if tag not in chosen:
                chosen.append(tag)
        _, name, kind = chosen[0]
        title = rng.choice(TITLES.get(kind, TITLES["topic"])).format(name=name, lower=name.lower())
        threads.append({
            "id": plan.id, "title": title[:150], "author_id": plan.cast[0], "status": PostStatus.published,
            "locked": plan.id != 1 and rng.random() < 0.01, "pinned": plan.id != 1 and rng.random() < 0.005,
            "created_at": plan.created_at, "last_activity_at": plan.last_activity_at,
            "reply_count": plan.post_count - 1,  # every post is published
        })
        links.extend({"thread_id": plan.id, "tag_id": tag_id} for tag_id, _, _ in chosen)
    return threads, links


def body_pool(size: int, rng: random.Random) -> list[tuple[str, str]]:
    """(Markdown source, sanitized HTML) pairs; reused across posts, as rendering each would be slow."""
    pool = []
    for _ in range(size):
        sentences = rng.sample(SENTENCES, rng.randint(1, 4))
        paragraphs = [" ".join(sentences[:2]), " ".join(sentences[2:])] if len(sentences) > 2 else [" ".join(sentences)]
        pool.append(("\n\n".join(paragraphs), "".join(f"<p>{escape(p)}</p>" for p in paragraphs)))
    return pool


def reply_parents(count: int, rng: random.Random) -> list[int | None]:
    """For each post of a thread, the index of the post it answers (None for the opening post).

    About a third answer the opening post, half continue the latest exchange
    (back-and-forth is what builds chains ten and more deep) and the rest pick
    up an older reply.
    """
    parents: list[int | None] = [None]
    depths = [0]
    for i in range(1, count):
        roll = rng.random()
        parent = 0 if i == 1 or roll < 0.3 else i - 1 if roll < 0.8 else rng.randrange(1, i)
        if depths[parent] >= DEEPEST_REPLY:
            parent = 0
        parents.append(parent)
        depths.append(depths[parent] + 1)
    return parents


def post_rows(plan: ThreadPlan, first_post_id: int, bodies: list[tuple[str, str]],
              rng: random.Random) -> Iterator[tuple[dict, dict]]:
    """The thread's posts in creation order, each with its first revision."""
    span = (plan.last_activity_at - plan.created_at).total_seconds()
    offsets = sorted(rng.uniform(0, span) for _ in range(plan.post_count - 2))
    times = [plan.created_at] + [plan.created_at + timedelta(seconds=s) for s in offsets]
    if plan.post_count > 1:
        times.append(plan.last_activity_at)
    written: list[dict] = []
    for index, parent_index in enumerate(reply_parents(plan.post_count, rng)):
        post_id = first_post_id + index
        parent = written[parent_index] if parent_index is not None else None
        author = plan.cast[0] if parent is None else rng.choice(plan.cast)
        source, html = rng.choice(bodies)
        post = {
            "id": post_id, "thread_id": plan.id, "parent_id": parent["id"] if parent else None,
            "author_id": author, "depth": parent["depth"] + 1 if parent else 0,
            "path": (parent["path"] if parent else "") + path_segment(post_id),
            "body_source": source, "body_html": html, "status": PostStatus.published,
            "created_at": times[index], "edited_at": None,
        }
        written.append(post)
        yield post, {"id": post_id, "post_id": post_id, "editor_id": author, "body_source": source,
                     "body_html": html, "created_at": times[index]}
