"""Moderators check in privately with a member: a conversation the member and every moderator can read."""
