from flask import Blueprint

bp = Blueprint("moderation_actions", __name__)
