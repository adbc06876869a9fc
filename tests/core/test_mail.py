"""The mail service: files without a server, the background sender, what every message carries."""
import time

import pytest

from app.core import mail
from app.core.unit_of_work import unit_of_work
from tests.mailbox import mailbox, smtp_server  # noqa: F401 (fixtures)


def test_without_a_server_each_message_is_an_eml_file_and_the_log_says_where(app, tmp_path, caplog):
    app.config["MAIL_BACKEND"] = "app.core.mail.FileEmailBackend"
    app.instance_path = str(tmp_path)
    try:
        with unit_of_work():
            mail.send("carla@example.org", "Hello", "Plain words.", "<p>Plain words.</p>", "a test sent it")
    finally:
        from app import ROOT
        app.instance_path = str(ROOT / "instance")
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1 and str(files[0]) in caplog.text
    content = files[0].read_text()
    assert "To: carla@example.org" in content and "text/html" in content and "text/plain" in content
    assert "You receive this email because a test sent it." in content
    assert mail.pending_count() == 0


@pytest.mark.concurrent
def test_in_production_a_request_does_not_wait_for_the_mail_server(app, client, mailbox):
    """Own app (the concurrent marker): the background sender works on a database other threads can share."""
    import socket
    app.config["MAIL_SEND_IN_BACKGROUND"] = True
    with socket.socket() as silent:  # accepts connections and never says a word, like a stuck server
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        port, app.config["MAIL_PORT"], app.config["MAIL_TIMEOUT"] = app.config["MAIL_PORT"], silent.getsockname()[1], 2
        started = time.monotonic()
        response = client.post("/api/v1/members", json={"handle": "Stuck_Sue", "email": "sue@example.org",
                                                        "password": "a long enough password"})
        assert response.status_code == 201 and time.monotonic() - started < 1.5
        time.sleep(2.5)
    app.config["MAIL_PORT"] = port
    with app.app_context():
        assert mail.pending_count() == 1  # kept for a retry
    response = client.post("/api/v1/members", json={"handle": "Spasm_Sam", "email": "sam@example.org",
                                                    "password": "a long enough password"})
    assert response.status_code == 201
    for _ in range(50):
        if mailbox.to("sam@example.org"):
            break
        time.sleep(0.1)
    assert "Confirm your email address" in mailbox.last_to("sam@example.org")["Subject"]
    assert mailbox.to("sue@example.org") == []  # its retry is due in a minute, not now
