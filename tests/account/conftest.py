from tests.mailbox import mailbox, smtp_server  # noqa: F401 (fixtures)
from tests.stats.conftest import stats_data  # noqa: F401 (fixture)
