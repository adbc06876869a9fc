from flask import Blueprint

bp = Blueprint("moderation_words", __name__)
