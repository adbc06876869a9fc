"""One server worker in a process of its own, as gunicorn runs several.

Rate-limit counters live in the `limiter` object of each process, so two workers must be two processes:
two apps in one process would share that object (and its memory) and prove nothing.

    python -m tests.ops.worker < spec.json

The spec names the app's settings (`config`), members to create if missing (`members`), and the requests
to send (`requests`: method, path, json, address; `"token": handle` adds that member's bearer token).
It prints one JSON line: the answers (status, body, headers), and stderr carries the app's log.
"""
import json
import sys


def main() -> None:
    spec = json.load(sys.stdin)
    from app import create_app
    from app.extensions import db
    from app.members import services

    app = create_app("testing", spec["config"])
    answers = []
    with app.app_context():
        db.create_all()
        tokens = {}
        for handle in spec.get("members", []):
            member = services.member_by_handle(handle) or services.register_member(
                handle, f"{handle}@example.org", spec.get("password", "correct horse battery"))
            tokens[handle] = services.issue_token(member)[0]
        db.session.remove()
    client = app.test_client()
    for request in spec["requests"]:
        headers = {"Authorization": f"Bearer {tokens[request['token']]}"} if request.get("token") else {}
        response = client.open(request["path"], method=request.get("method", "GET"), json=request.get("json"),
                               headers=headers, environ_base={"REMOTE_ADDR": request.get("address", "192.0.2.1")})
        answers.append({"status": response.status_code, "body": response.get_json(silent=True),
                        "headers": dict(response.headers)})
    print(json.dumps(answers))


if __name__ == "__main__":
    main()
