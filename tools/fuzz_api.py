"""A bounded schemathesis run against a live Thaw: `make test-schemathesis`.

Starts Thaw under gunicorn on a fresh database (SQLite in a temporary folder, or a PostgreSQL
schema of its own when FUZZ_DATABASE_URL names a PostgreSQL database), seeds the vocabulary,
creates a member, then lets schemathesis generate requests from the live OpenAPI description,
once anonymously and once with the member's token. Every response must not be a server error
and must match the description (status, content type, headers, body schema). Exit status 1
otherwise.

Settings (environment): FUZZ_MAX_EXAMPLES per operation and run (default 40), FUZZ_MAX_TIME
seconds per run (default 110), FUZZ_SEED (default 2026), FUZZ_DATABASE_URL.
"""
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_headers_conformance", "response_schema_conformance",
])
MEMBER, PASSWORD = "fuzz_member", "slow-thaw-" + secrets.token_hex(8)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database(workdir: Path) -> tuple[str, callable]:
    """The database URL the server uses, and how to drop it afterwards."""
    url = os.environ.get("FUZZ_DATABASE_URL")
    if not url:
        return f"sqlite:///{workdir / 'thaw.db'}", lambda: None
    import sqlalchemy as sa
    schema = f"fuzz_{secrets.token_hex(4)}"
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))

    def drop():
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", drop


def run(args: list[str], env: dict) -> None:
    subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"Thaw did not answer at {url}")
            time.sleep(0.3)


def member_token(base: str) -> str:
    request = urllib.request.Request(f"{base}/api/v1/tokens", method="POST",
                                     data=json.dumps({"login": MEMBER, "password": PASSWORD}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


def schemathesis(base: str, label: str, workdir: Path, extra: list[str]) -> dict:
    args = [str(BIN / "schemathesis"), "run", f"{base}/api/v1/openapi.json", "--checks", CHECKS,
            "--max-examples", os.environ.get("FUZZ_MAX_EXAMPLES", "40"),
            "--max-time", os.environ.get("FUZZ_MAX_TIME", "110"),
            "--seed", os.environ.get("FUZZ_SEED", "2026"), "--generation-database", "none",
            "--phases", "examples,coverage,fuzzing", "--request-timeout", "10", "--no-color", *extra]
    print(f"\n=== schemathesis, {label} ===", flush=True)
    started = time.monotonic()
    # Its crash cache goes to the working folder, which is removed afterwards.
    process = subprocess.Popen(args, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    for line in process.stdout:
        print(line, end="", flush=True)
        output.append(line)
    status = process.wait()
    return {"label": label, "status": status, "seconds": time.monotonic() - started, **tally("".join(output))}


def tally(output: str) -> dict:
    """Cases run and failures by kind, from schemathesis's summary ("2037 generated", "❌ ST108 …: 2")."""
    cases = sum(int(n) for n in re.findall(r"^\s+(\d+) generated", output, re.M))
    failures = {name.strip(): int(n) for name, n in re.findall(r"^\s+❌ (?:ST\d+ )?([^:\n]+): (\d+)$", output, re.M)}
    return {"cases": cases, "failures": failures}


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="thaw-fuzz-"))
    url, drop = database(workdir)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "THAW_ENV": "development", "DATABASE_URL": url, "RATELIMIT_ENABLED": "false",
           "RATELIMIT_STORAGE_URI": "memory://", "FLASK_DEBUG": "0",
           "MAIL_BACKEND": "locmem"}  # no mail leaves, and none is written into instance/
    env.pop("REDIS_URL", None)
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    server = None
    try:
        run([*flask, "db", "upgrade"], env)
        run([*flask, "seed"], env)
        run([*flask, "members", "create", "--handle", MEMBER, "--email", "fuzz@example.org",
             "--role", "member", "--password", PASSWORD], env)
        # One worker with threads: SQLite takes one writer at a time, and lock waits are not what is tested.
        server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "1", "--threads", "4",
                                   "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                                  cwd=ROOT, env=env)
        wait_for(f"{base}/healthz")
        token = member_token(base)
        results = [
            schemathesis(base, "anonymous", workdir, []),
            # The member's own token must outlive the run: signing out is left to the anonymous pass.
            schemathesis(base, "with a member token", workdir, ["-H", f"Authorization: Bearer {token}",
                                                       "--exclude-path", "/api/v1/tokens/current"]),
        ]
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        drop()
        shutil.rmtree(workdir, ignore_errors=True)

    print("\n=== summary ===")
    failed = False
    for result in results:
        server_errors = sum(n for name, n in result["failures"].items() if "server error" in name.lower())
        violations = sum(n for name, n in result["failures"].items() if "server error" not in name.lower())
        print(f"{result['label']}: {result['cases']} cases in {result['seconds']:.0f} s, "
              f"{server_errors} server errors, {violations} responses that break the schema "
              f"{result['failures'] or ''}".rstrip())
        failed = failed or result["status"] != 0 or bool(result["failures"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
