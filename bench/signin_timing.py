"""Benchmark whether sign-in timing tells an existing account from an unknown email.

In one process, on a fresh SQLite database with one account, times a wrong-password sign-in
through the Flask test client for (a) the existing email, (b) an unknown email, (c) an
account without a password; median of N interleaved runs each (the throttle is lifted so
every request does the full check). The ratio unknown/existing near 1.0 is what matters:
before the decoy hash the unknown email answered without hashing. Nothing is asserted.

Run:  .venv/bin/python bench/signin_timing.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    """Time the three kinds of failed sign-in and print medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="signin-bench-"))
    os.environ["WIKISEMINAR_INSTANCE_PATH"] = str(folder)
    from flask_migrate import upgrade

    from wikiseminar import create_app
    from wikiseminar.extensions import db
    from wikiseminar.models import User

    app = create_app({"TESTING": True, "SECRET_KEY": "bench-" + "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
                      "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                      "SECURITY_LOGIN_ATTEMPTS": 10**6,
                      "SECURITY_LOGIN_ATTEMPTS_PER_ADDRESS": 10**6})
    with app.app_context():
        upgrade()
        user = User(email="real@example.org", name="Real")
        user.set_password("the-real-password")
        db.session.add_all([user, User(email="nopass@example.org", name="No password")])
        db.session.commit()
    client = app.test_client()
    cases = {"existing": "real@example.org", "unknown": "ghost@example.org",
             "no password": "nopass@example.org"}
    times: dict[str, list[float]] = {name: [] for name in cases}
    for email in cases.values():  # warm-up (imports, the decoy hash)
        client.post("/auth/login", data={"email": email, "password": "wrong-password"})
    for _ in range(args.runs):
        for name, email in cases.items():
            start = time.perf_counter()
            client.post("/auth/login", data={"email": email, "password": "wrong-password"})
            times[name].append(time.perf_counter() - start)
    reference = statistics.median(times["existing"])
    print("| case | median ms | ratio vs existing |\n|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median * 1000:.1f} | {median / reference:.2f} |")


if __name__ == "__main__":
    main()
