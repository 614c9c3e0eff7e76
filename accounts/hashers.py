"""Argon2id with parameters chosen for a 2-core hospital server (see README, "Password hashing")."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    """OWASP's minimum Argon2id profile: 19 MiB memory, 2 passes, 1 lane.

    Django's defaults (100 MiB, 8 lanes) cost ~0.3 s of CPU per login here, which caps two
    cores at ~7 logins/s: at midnight, when booking opens, the login page would be the
    bottleneck. This profile still meets OWASP's Password Storage Cheat Sheet.
    """

    algorithm = "argon2"  # same encoded format; Django re-hashes on login when params differ
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
