"""The one way a service writes: a unit of work that commits whole or not at all.

    with unit_of_work():
        ... add, change, flush ...

or, for a whole service function, `@unit_of_work()`. The outermost unit commits
when its block ends and rolls everything back if anything inside raises, so a
failure never leaves half a change behind. A unit opened inside another (one
service calling another) joins it: only the outermost commits.

Side effects that leave the process (mail, jobs) are registered with
`on_commit(callback)` and run only once the outermost unit has committed; a
rollback forgets them.

A request whose form held something the input layer refuses (app/core/input.py) opens no unit:
the unit raises InvalidInput naming those fields, which pages show as they show any refusal.
"""
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import has_request_context

from app.core.errors import InvalidInput
from app.core.input import refused_form_fields
from app.extensions import db

_DEPTH = "unit_of_work_depth"
_AFTER = "unit_of_work_after_commit"


@contextmanager
def unit_of_work() -> Iterator[None]:
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    if depth == 0 and has_request_context() and refused_form_fields():
        # A form carrying what the input layer refuses writes nothing, whichever view received it.
        raise InvalidInput(refused_form_fields())
    session.info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
            session.info.pop(_AFTER, None)
        raise
    finally:
        session.info[_DEPTH] = depth
    if depth == 0:
        for callback in session.info.pop(_AFTER, []):
            callback()


def on_commit(callback: Callable[[], None]) -> None:
    """Runs `callback` after the current unit of work commits (at once when none is open)."""
    session = db.session()
    if not session.info.get(_DEPTH):
        callback()
        return
    session.info.setdefault(_AFTER, []).append(callback)
