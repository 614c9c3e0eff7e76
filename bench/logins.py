"""How many logins per second the password hasher allows on this machine.

Prints the CPU cost of one password check with our tuned Argon2id profile and with Django's
default Argon2 parameters, the parallel throughput on all cores, and full login requests per
second through Django (form, axes, session) on a throwaway test database.
"""

from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

from django.contrib.auth.hashers import Argon2PasswordHasher

from accounts.hashers import TunedArgon2PasswordHasher

PASSWORD = "kopi-tubruk-pagi-2026"
ROUNDS = int(os.environ.get("BENCH_LOGIN_ROUNDS", "40"))


def _verify_times(hasher_cls: type, rounds: int) -> list[float]:
    hasher = hasher_cls()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        assert hasher.verify(PASSWORD, encoded)
        times.append(time.perf_counter() - start)
    return times


def _parallel_rate(hasher_cls: type, rounds: int, workers: int) -> float:
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_verify_times, [hasher_cls] * workers, [rounds] * workers))
    return workers * rounds / (time.perf_counter() - start)


def _full_logins(rounds: int) -> float:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User

    setup_test_environment()
    settings.AXES_ENABLED = True
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        User.objects.create_user(email="bench@example.com", password=PASSWORD, full_name="Bench")
        client = Client()
        start = time.perf_counter()
        for _ in range(rounds):
            response = client.post("/akun/masuk/", {"username": "bench@example.com", "password": PASSWORD})
            assert response.status_code == 302, response.status_code
            client.post("/akun/keluar/")
        return rounds / (time.perf_counter() - start)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    cores = os.cpu_count() or 1
    for label, cls in [
        ("tuned Argon2id (19 MiB, t=2, p=1)", TunedArgon2PasswordHasher),
        ("Django default Argon2 (100 MiB, t=2, p=8)", Argon2PasswordHasher),
    ]:
        times = _verify_times(cls, ROUNDS // 2 if cls is Argon2PasswordHasher else ROUNDS)
        median_ms = statistics.median(times) * 1000
        rate = _parallel_rate(cls, max(ROUNDS // 4, 5), cores)
        print(f"{label}: {median_ms:.1f} ms per check (median), {rate:.1f} checks/s on {cores} cores")
    print(f"full login + logout through Django, one process: {_full_logins(ROUNDS // 2):.1f} logins/s")


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    main()
