"""A believable demo community, so a fresh Thaw has something to show."""
from collections.abc import Callable

from app.members import services as members
from app.members.models import Role

DEMO_PASSWORD = "thaw-demo-2026"
MODERATOR = ("mod_maria", "maria@demo.thaw.invalid", Role.moderator)
ADMIN = ("admin_ada", "ada@demo.thaw.invalid", Role.admin)
MEMBERS = [
    "StiffLegsSam", "clonus_carla", "rollator_rob", "aqua_anna", "night_spasms_nia",
    "tizzy_tom", "coolvest_cat", "claw_hand_kai", "pumplife_priya", "stretchy_sue",
    "newbie_noor", "carer_colin",
]


def demo_accounts() -> list[tuple[str, str, Role]]:
    return [MODERATOR, ADMIN] + [(h, f"{h.lower()}@demo.thaw.invalid", Role.member) for h in MEMBERS]


def build_demo_members(progress: Callable[[str], None]) -> int:
    """Creates the demo accounts that are missing; returns how many it added."""
    added = 0
    for handle, email, role in demo_accounts():
        if members.member_by_handle(handle) is None:
            members.create_member(handle, email, DEMO_PASSWORD, role)
            added += 1
        progress(handle)
    return added
