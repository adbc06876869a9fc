"""`flask search reindex`: rebuild the search index from the posts, with a progress bar."""
import sys
import time

import click
from flask.cli import AppGroup

from app.search import services

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
def reindex_command():
    """Rebuild every search document and the engine's index from the posts (one transaction)."""
    started = time.perf_counter()
    with click.progressbar(length=1, label="Indexing posts", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        summary = services.reindex(progress)
    size = f", index {summary['bytes'] / 1e6:.1f} MB" if summary["bytes"] else ""
    click.echo(f"Indexed {summary['documents']:,} posts ({summary['engine']}){size} in "
               f"{time.perf_counter() - started:.2f} s.")
