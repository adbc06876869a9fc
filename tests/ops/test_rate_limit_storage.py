"""Rate-limit counters shared by every worker (Redis), and a Redis that stops answering degrades Thaw
instead of breaking it. Each worker is a process of its own (tests/ops/worker.py)."""
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def redis_answers() -> bool:
    try:
        import redis
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_worker(config: dict, requests: list, members=()) -> tuple[list, str]:
    spec = {"config": config, "requests": requests, "members": list(members)}
    done = subprocess.run([sys.executable, "-m", "tests.ops.worker"], input=json.dumps(spec), cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "THAW_ENV": "testing"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def statuses(answers) -> list[int]:
    return [answer["status"] for answer in answers]


def failed_sign_ins(count: int, start: int = 0, login=None) -> list:
    return [{"method": "POST", "path": "/api/v1/tokens", "address": "203.0.113.5",
             "json": {"login": login or f"guess{n}", "password": "wrong password"}} for n in range(start, start + count)]


@pytest.fixture
def worker_config(tmp_path):
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'thaw.db'}",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 30}},
            # Each test its own counters in the shared Redis.
            "RATELIMIT_KEY_PREFIX": f"thaw-test-{uuid.uuid4().hex}"}


@pytest.mark.skipif(not redis_answers(), reason=f"Redis does not answer at {REDIS}: cannot test shared counters")
def test_two_workers_share_every_counter_through_redis(worker_config):
    """One run of two workers (each start costs a second or two): sign-ins per address and per account, and
    a member's writes. With counters per worker the second would have allowed as much again: 4 workers let
    39 wrong passwords through "10 per 5 minutes" and 100 replies through "30 per minute"."""
    config = {**worker_config, "RATELIMIT_STORAGE_URI": REDIS, "SIGNIN_RATE_LIMIT": "10 per 5 minutes",
              "SIGNIN_ACCOUNT_RATE_LIMIT": "5 per 5 minutes", "WRITE_RATE_LIMIT": "3 per minute"}
    write = {"method": "POST", "path": "/api/v1/me/notifications/read", "json": {}, "token": "carla"}
    carla_guesses = [dict(r, address=f"198.51.100.{n}") for n, r in enumerate(failed_sign_ins(3, login="carla"))]

    first, _ = run_worker(config, [*failed_sign_ins(6), *carla_guesses, write, write], members=["carla"])
    assert statuses(first) == [401] * 6 + [401] * 3 + [200, 200]

    second, _ = run_worker(config, [*failed_sign_ins(5, start=6), *carla_guesses, write, write,
                                    {"path": "/healthz"}], members=["carla"])
    assert statuses(second[:5]) == [401] * 4 + [429]      # the address: 10 failures in all
    assert statuses(second[5:8]) == [401, 401, 429]       # carla's account: 5 in all
    assert statuses(second[8:10]) == [200, 429]           # carla's writes: 3 in all
    assert second[10]["body"] == {"status": "ok", "database": "ok", "redis": "ok"}


class TestRedisUnreachable:
    def test_sign_in_and_writes_go_on_with_limits_in_memory_and_health_says_degraded(self, worker_config):
        config = {**worker_config, "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{closed_port()}",
                  "SIGNIN_RATE_LIMIT": "3 per 5 minutes", "WRITE_RATE_LIMIT": "2 per minute"}
        write = {"method": "POST", "path": "/api/v1/me/notifications/read", "json": {}, "token": "carla"}
        sign_in = {"method": "POST", "path": "/api/v1/tokens", "address": "198.51.100.1",
                   "json": {"login": "carla", "password": "correct horse battery"}}
        answers, log = run_worker(config, [
            sign_in, *failed_sign_ins(4), write, write, write, {"path": "/healthz"}], members=["carla"])
        # Before: every sign-in and write answered 500 while /healthz said ok.
        assert statuses(answers[:-1]) == [201, 401, 401, 401, 429, 200, 200, 429]
        health = answers[-1]
        assert health["status"] == 200
        assert health["body"] == {"status": "ok", "database": "ok", "redis": "degraded"}
        assert "falling back to in-memory storage" in log


def test_health_says_when_limits_are_per_worker_by_configuration(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok", "redis": "not configured"}
