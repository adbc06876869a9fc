import marshmallow as ma
from marshmallow import validate

from app.core.pagination import PageArgs
from app.forum.schemas import PostSchema, ThreadSummarySchema
from app.search.query import MAX_QUERY_CHARS
from app.search.services import KINDS, SORTS
from app.vocabulary.schemas import TagBriefSchema


class SearchArgs(PageArgs):
    # Its length is checked by the search itself, which says what to change (422 naming `q`).
    q = ma.fields.String(load_default="", metadata={
        "description": f"Words and \"quoted phrases\", at most {MAX_QUERY_CHARS} characters; brand and everyday "
                       "names of symptoms and treatments find their tag's names too. Never stored or logged"})
    tag = ma.fields.List(ma.fields.String(), load_default=list,
                         metadata={"description": "Repeat for several; results in threads carrying all of them"})
    kind = ma.fields.String(load_default=None, validate=validate.OneOf(KINDS),
                            metadata={"description": "threads (titles, tags, opening posts) or posts (replies); both when left out"})
    sort = ma.fields.String(load_default="relevance", validate=validate.OneOf(SORTS))
    since = ma.fields.Date(load_default=None, metadata={"description": "Written on or after this day (UTC)"})
    until = ma.fields.Date(load_default=None, metadata={"description": "Written on or before this day (UTC)"})

    @ma.validates_schema
    def dates_in_order(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ma.ValidationError("Choose an end date on or after the start date.", "until")


class SearchHitSchema(ma.Schema):
    thread = ma.fields.Nested(ThreadSummarySchema)
    post = ma.fields.Nested(PostSchema, allow_none=True,
                            metadata={"description": "The reply found; null when the thread itself matched"})
    excerpt_html = ma.fields.String(metadata={"description": "Escaped text with the matching words in <mark>"})
    score = ma.fields.Float()


class SearchResultsSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SearchHitSchema))
    next_cursor = ma.fields.String(allow_none=True)
    suggestions = ma.fields.List(ma.fields.String(), metadata={"description": "\"Did you mean\" searches"})
    tags = ma.fields.List(ma.fields.Nested(TagBriefSchema), metadata={
        "description": "Vocabulary tags the search named (their tag pages and statistics)"})
