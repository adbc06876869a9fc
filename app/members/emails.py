"""The account emails. Each says why it was sent; none carries anything about health or posts."""
from flask import current_app
from markupsafe import escape

from app.core import mail


def _link(path: str, token: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}{path}?token={token}"


def _send(to: str, subject: str, paragraphs: list[str], reason: str, link: str | None = None,
          link_label: str = "", how_to_stop: str | None = None) -> None:
    site = current_app.config["PUBLIC_URL"].rstrip("/")
    paragraphs = paragraphs + [how_to_stop or "Emails about your account stop when you change its address or "
                                              f"delete the account, on your account page: {site}/account"]
    text = "\n\n".join(paragraphs + ([link] if link else []))
    html = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    if link:
        html += f'<p><a href="{escape(link)}">{escape(link_label)}</a></p><p>{escape(link)}</p>'
    mail.send(to, subject, text, html, reason)


def verify_address(to: str, handle: str, token: str, hours: int, change: bool) -> None:
    what = "use this address for your Thaw account" if change else "finish setting up your Thaw account"
    _send(to, "Confirm your email address for Thaw",
          [f"Hello {handle},", f"To {what}, open the link below within {hours} hours.",
           "If you did not ask for this, ignore this email: nothing changes."],
          "this address was given for a Thaw account", _link("/verify-email", token), "Confirm this address")


def someone_used_your_address(to: str) -> None:
    _send(to, "Someone tried to use your email address on Thaw",
          ["Someone just tried to register a Thaw account, or move one, to this address, which already "
           "belongs to your Thaw account. Nothing was changed.",
           "If it was you: sign in with your handle or this address, or reset your password "
           f"at {current_app.config['PUBLIC_URL'].rstrip('/')}/reset-password.",
           "If it was not you, you need do nothing."],
          "this address belongs to a Thaw account")


def reset_password(to: str, handle: str, token: str, minutes: int) -> None:
    _send(to, "Reset your Thaw password",
          [f"Hello {handle},", f"To choose a new password, open the link below within {minutes} minutes. "
           "It works once. Choosing a new password signs you out everywhere.",
           "If you did not ask for this, ignore this email: your password stays as it is."],
          "someone asked to reset the password of the Thaw account with this address",
          _link("/reset-password/confirm", token), "Choose a new password")


def password_changed(to: str, handle: str) -> None:
    _send(to, "Your Thaw password was changed",
          [f"Hello {handle},", "Your Thaw password was just changed, and every other session was signed out.",
           f"If this was not you, reset your password now at "
           f"{current_app.config['PUBLIC_URL'].rstrip('/')}/reset-password."],
          "it is the address of a Thaw account whose password changed")


def email_change_requested(to: str, handle: str, new_address: str) -> None:
    _send(to, "Your Thaw email address is being changed",
          [f"Hello {handle},", f"Someone signed in to your account asked to use {new_address} instead of this "
           "address. It takes effect once that address is confirmed.",
           "If this was not you, reset your password now and sign out everywhere from your account page."],
          "it is the address of a Thaw account")


def account_deleted(to: str, handle: str) -> None:
    _send(to, "Your Thaw account was deleted",
          [f"Goodbye {handle},", "Your Thaw account was deleted as you asked, and this address was erased "
           "from it. This is the last email Thaw sends you."],
          "it was the address of the Thaw account that was deleted", how_to_stop="Thaw has no address of yours now")
