"""Page helpers every feature's HTML views share: who is looking, tags grouped by kind, the sort."""
from flask import request
from flask_login import current_user

# In the order members think of them: symptoms first. Keyed by TagKind's value, so core needs no vocabulary.
KIND_LABELS = {"symptom": "Symptoms", "treatment": "Treatments", "trigger": "Triggers", "topic": "Topics"}


def viewer():
    """The signed-in member as a plain object (services keep it, so not the proxy), or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def tag_groups(tags: list) -> list[tuple[str, list]]:
    """Tags grouped by kind, in the order members think of them."""
    return [(label, [t for t in tags if t.kind.value == kind]) for kind, label in KIND_LABELS.items()]


def sort_arg() -> str:
    return "new" if request.args.get("sort") == "new" else "active"
