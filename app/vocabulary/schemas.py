import marshmallow as ma

from app.vocabulary.models import TagKind


class TagSchema(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.Enum(TagKind, by_value=True)
    description = ma.fields.String()
    synonyms = ma.fields.Function(lambda tag: [s.name for s in tag.synonyms])


class TagBriefSchema(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.Enum(TagKind, by_value=True)


class TagListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TagSchema))


class TagQuerySchema(ma.Schema):
    kind = ma.fields.Enum(TagKind, by_value=True, load_default=None)


class SideEffectSchema(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String()


class SideEffectListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SideEffectSchema))
