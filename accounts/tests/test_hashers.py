"""The tuned Argon2id hasher of settings (these tests hash for real; the rest of the suite uses MD5)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher, make_password

from accounts.hashers import TunedArgon2PasswordHasher


@pytest.mark.tuned_hasher
def test_passwords_are_hashed_with_the_tuned_argon2id_profile():
    encoded = make_password("kopi-tubruk-pagi-2026")

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert isinstance(identify_hasher(encoded), TunedArgon2PasswordHasher)
    assert check_password("kopi-tubruk-pagi-2026", encoded)
    assert not check_password("kopi-tubruk-sore-2026", encoded)


@pytest.mark.tuned_hasher
def test_a_hash_made_with_django_default_argon2_still_verifies_and_is_rehashed_to_the_tuned_profile():
    old = Argon2PasswordHasher().encode("kopi-tubruk-pagi-2026", Argon2PasswordHasher().salt())
    rehashed: list[str] = []

    assert check_password("kopi-tubruk-pagi-2026", old, setter=lambda raw: rehashed.append(make_password(raw)))
    assert TunedArgon2PasswordHasher().must_update(old)
    assert rehashed and rehashed[0].startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_the_rest_of_the_suite_hashes_with_md5_and_still_verifies_argon2_hashes():
    tuned = TunedArgon2PasswordHasher()

    assert make_password("kopi-tubruk-pagi-2026").startswith("md5$")
    assert check_password("kopi-tubruk-pagi-2026", tuned.encode("kopi-tubruk-pagi-2026", tuned.salt()))
