from flask import Blueprint

bp = Blueprint("experiences", __name__)
