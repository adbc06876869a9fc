import marshmallow as ma


class ReactionSummarySchema(ma.Schema):
    me_too = ma.fields.Integer(metadata={"description": "How many members said me too"})
    thanks = ma.fields.Integer(metadata={"description": "How many members said thank you"})
    support = ma.fields.Integer(metadata={"description": "How many members are sending support"})
    mine = ma.fields.List(ma.fields.String(), metadata={"description": "The caller's own reactions"})
