"""The two engines behind one interface: a match condition, a score (higher is better) and excerpts.

SQLite: FTS5 over `search_index` (porter stemming), bm25 with the title weighted above tags above body.
PostgreSQL: `search_vector @@ tsquery`, each spelling read by websearch_to_tsquery (stemming, phrases),
ranked by ts_rank with the same weights (title A, tags B, body D), excerpts by ts_headline.
Spellings are bound parameters on both: what a member typed is never SQL or engine syntax.
"""
import sqlalchemy as sa

from app.extensions import db
from app.search.models import SearchDocument
from app.search.query import Term

# Marks around matched words in an excerpt: private-use characters, taken out of the text before it is
# escaped and replaced by <mark> after (services.excerpt_html).
MARK_START, MARK_END = "\ue000", "\ue001"
EXCERPT_WORDS = 24

fts = sa.table("search_index", sa.column("rowid"))
_FTS = sa.literal_column("search_index")


class SQLiteEngine:
    name = "sqlite"

    @staticmethod
    def expression(terms: list[Term]) -> str:
        """An FTS5 query: every term, each any of its spellings; every word quoted, so nothing is an operator."""
        groups = []
        for term in terms:
            spellings = ['"' + " ".join(words) + '"' for words in term.spellings]
            groups.append("(" + " OR ".join(spellings) + ")")
        return " AND ".join(groups)

    def ranked(self, terms: list[Term], threads: sa.Select | None = None) -> sa.Subquery:
        """(post_id, score) of every document matching every term (in these threads); higher is better."""
        # bm25 is lower for better matches; column weights: title, tags, body.
        score = (-sa.func.bm25(_FTS, 4.0, 2.0, 1.0)).label("score")
        rows = (sa.select(fts.c.rowid.label("post_id"), score)
                .where(_FTS.op("MATCH")(sa.bindparam("fts_query", self.expression(terms)))))
        if threads is not None:
            # Looked up once, then each match checked against it before ranking. The unary + keeps SQLite
            # from driving the search by these rowids instead (one full-text query per post of the threads).
            rows = rows.where(sa.literal_column("+search_index.rowid").in_(
                sa.select(SearchDocument.post_id).where(SearchDocument.thread_id.in_(threads))))
        return rows.subquery("ranked")

    def excerpts(self, terms: list[Term], post_ids: list[int]) -> dict[int, str]:
        if not post_ids:
            return {}
        rows = db.session.execute(
            sa.select(fts.c.rowid, sa.func.snippet(_FTS, 2, MARK_START, MARK_END, "…", EXCERPT_WORDS))
            .where(_FTS.op("MATCH")(self.expression(terms)), fts.c.rowid.in_(post_ids)))
        return dict(rows.all())

    def reindex(self) -> None:
        db.session.execute(sa.text("INSERT INTO search_index(search_index) VALUES ('rebuild')"))

    def size_bytes(self) -> int | None:
        try:
            return db.session.execute(sa.text(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_%'")).scalar()
        except sa.exc.OperationalError:  # SQLite built without the dbstat table
            return None


class PostgresEngine:
    name = "postgresql"
    vector = sa.literal_column("search_documents.search_vector")

    @staticmethod
    def tsquery(terms: list[Term]) -> sa.ColumnElement:
        query = None
        for n, term in enumerate(terms):
            group = None
            for m, words in enumerate(term.spellings):
                text = " ".join(words)
                spelling = sa.func.websearch_to_tsquery(
                    sa.literal_column("'english'::regconfig"),
                    sa.bindparam(f"t{n}_{m}", f'"{text}"' if len(words) > 1 else text))
                group = spelling if group is None else group.op("||")(spelling)
            query = group if query is None else query.op("&&")(group)
        return query

    def ranked(self, terms: list[Term], threads: sa.Select | None = None) -> sa.Subquery:
        """(post_id, score) of every document matching every term (in these threads); higher is better."""
        query = self.tsquery(terms)
        # float8, so a score carried in a cursor compares equal to itself on the next page.
        score = sa.cast(sa.func.ts_rank(sa.literal_column("'{0.1, 0.2, 0.4, 1.0}'::float4[]"), self.vector, query),
                        sa.Double).label("score")
        rows = sa.select(SearchDocument.post_id, score).where(self.vector.op("@@")(query))
        if threads is not None:
            rows = rows.where(SearchDocument.thread_id.in_(threads))
        return rows.subquery("ranked")

    def excerpts(self, terms: list[Term], post_ids: list[int]) -> dict[int, str]:
        if not post_ids:
            return {}
        options = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={EXCERPT_WORDS}, MinWords=8, "
                   "MaxFragments=2, FragmentDelimiter=\" … \"")
        text = sa.case((SearchDocument.body == "", SearchDocument.title), else_=SearchDocument.body)
        rows = db.session.execute(
            sa.select(SearchDocument.post_id,
                      sa.func.ts_headline(sa.literal_column("'english'::regconfig"), text, self.tsquery(terms), options))
            .where(SearchDocument.post_id.in_(post_ids)))
        return dict(rows.all())

    def reindex(self) -> None:
        pass  # the stored vector is computed as each document is written

    def size_bytes(self) -> int | None:
        return db.session.execute(sa.text("SELECT pg_total_relation_size('search_documents')")).scalar()


def current_engine():
    return SQLiteEngine() if db.engine.dialect.name == "sqlite" else PostgresEngine()
