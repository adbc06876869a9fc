from tests.mailbox import mailbox, smtp_server  # noqa: F401 (fixtures)
