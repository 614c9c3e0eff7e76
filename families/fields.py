"""Identity numbers at rest (UU 27/2022): encrypted columns and their keyed blind indexes.

A value is stored as ``<key id>$<urlsafe base64 of nonce + AES-256-GCM ciphertext>``; the model
attribute always holds the clear value. The associated data binds a ciphertext to its column,
so a NIK cannot be copied into the BPJS column and still decrypt. Empty stays empty (an empty
value is not a secret, and "has no NIK" stays a cheap query).

Exact look-ups (``filter(nik=value)``, ``nik__in``) are answered by the blind index, an
HMAC-SHA256 of the value under a separate key kept in its own column, so every existing
look-up keeps its meaning and its index; any other look-up on an encrypted field is refused.

Keys come from settings (FIELD_ENCRYPTION_KEYS: ``id:base64-32-bytes``, newest first;
BLIND_INDEX_KEYS: base64, newest first). Older keys only decrypt, or only match, while
``manage.py rotate_identity_keys`` moves every row to the newest.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import IsNull, Lookup

_NONCE_BYTES = 12
SEPARATOR = "$"


class DecryptionError(Exception):
    """A stored value that none of the configured keys opens (wrong key, or tampered)."""


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_encryption_keys(entries: list[str]) -> dict[str, bytes]:
    """'k2:base64,k1:base64' entries -> {key id: 32-byte key}, newest first (dicts keep order)."""
    keys: dict[str, bytes] = {}
    for entry in entries:
        key_id, sep, encoded = entry.strip().partition(":")
        try:
            key = _b64decode(encoded)
        except ValueError:
            key = b""
        if not sep or not key_id.isalnum() or len(key) != 32 or key_id in keys:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS: each entry is 'id:key', a unique alphanumeric id and 32 random bytes "
                'in base64 (python -c "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())").'
            )
        keys[key_id] = key
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS needs at least one key.")
    return keys


def parse_index_keys(entries: list[str]) -> list[bytes]:
    keys = []
    for entry in entries:
        try:
            key = _b64decode(entry.strip())
        except ValueError:
            key = b""
        if len(key) < 32:
            raise ImproperlyConfigured("BLIND_INDEX_KEYS: each key is at least 32 random bytes in base64.")
        keys.append(key)
    if not keys:
        raise ImproperlyConfigured("BLIND_INDEX_KEYS needs at least one key.")
    return keys


@functools.cache
def _ciphers(entries: tuple[str, ...]) -> dict[str, AESGCM]:
    return {key_id: AESGCM(key) for key_id, key in parse_encryption_keys(list(entries)).items()}


def ciphers() -> dict[str, AESGCM]:
    """Configured ciphers by key id, newest first (cached per key list: tests may override settings)."""
    return _ciphers(tuple(settings.FIELD_ENCRYPTION_KEYS))


@functools.cache
def _index_keys(entries: tuple[str, ...]) -> list[bytes]:
    return parse_index_keys(list(entries))


def index_keys() -> list[bytes]:
    return _index_keys(tuple(settings.BLIND_INDEX_KEYS))


def current_key_id() -> str:
    return next(iter(ciphers()))


def encrypt(value: str, context: str) -> str:
    """The stored form of `value` under the newest key; '' stays ''."""
    if not value:
        return ""
    key_id, cipher = next(iter(ciphers().items()))
    nonce = os.urandom(_NONCE_BYTES)
    sealed = cipher.encrypt(nonce, value.encode(), context.encode())
    return f"{key_id}{SEPARATOR}{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"


def key_id_of(stored: str) -> str:
    return stored.partition(SEPARATOR)[0] if stored else ""


def decrypt(stored: str | None, context: str) -> str:
    if not stored:
        return stored if stored is not None else ""
    key_id, sep, payload = stored.partition(SEPARATOR)
    cipher = ciphers().get(key_id) if sep else None
    if cipher is None:
        raise DecryptionError(
            f"{context}: no configured key with id {key_id!r}" if sep else f"{context}: not encrypted"
        )
    raw = _b64decode(payload)
    try:
        return cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode()).decode()
    except InvalidTag as exc:
        raise DecryptionError(f"{context}: the stored value does not open with key {key_id!r}") from exc


def blind_indexes(value: str, context: str) -> list[str]:
    """The value's index under every configured key, newest first (one key outside a rotation)."""
    message = f"{context}:{value}".encode()
    return [hmac.new(key, message, hashlib.sha256).hexdigest() for key in index_keys()]


def blind_index(value: str, context: str) -> str | None:
    """The index stored for `value` (newest key); None for an empty value."""
    return blind_indexes(value, context)[0] if value else None


class _BlindIndexLookup(Lookup):
    """``nik = value`` and ``nik IN (values)`` answered by the blind index column of the same row.

    Only clear literal values: the column itself holds ciphertext, so comparing it with another
    column or expression cannot work. ``= ''`` (no number) compares the column itself.
    """

    prepare_rhs = False
    can_use_none_as_rhs = False

    def values(self) -> list[str]:
        raise NotImplementedError

    def as_sql(self, compiler, connection):
        field = self.lhs.output_field
        if not isinstance(self.lhs, Col) or hasattr(self.rhs, "resolve_expression"):
            raise TypeError(f"{field.context}: encrypted; filter it by a literal value only.")
        values = [value for value in self.values() if value]
        if not values and self.lookup_name == "exact":
            return f"{compiler.compile(self.lhs)[0]} = %s", [""]
        index = field.index_field()
        if index is None:
            raise TypeError(f"{field.context}: encrypted without a blind index; it cannot be looked up.")
        hashes = [digest for value in values for digest in blind_indexes(value, field.context)]
        if not hashes:
            raise EmptyResultSet
        column, params = compiler.compile(index.get_col(self.lhs.alias))
        # "AND ... IS NOT NULL" keeps exclude() right for rows without a number (NOT NULL is NULL).
        placeholders = ", ".join(["%s"] * len(hashes))
        return f"({column} IN ({placeholders}) AND {column} IS NOT NULL)", [*params, *hashes, *params]


class _BlindIndexExact(_BlindIndexLookup):
    lookup_name = "exact"

    def values(self) -> list[str]:
        if not isinstance(self.rhs, str):
            raise TypeError("an encrypted field compares with a string")
        return [self.rhs]


class _BlindIndexIn(_BlindIndexLookup):
    lookup_name = "in"

    def values(self) -> list[str]:
        return [str(value) for value in self.rhs]


class EncryptedCharField(models.CharField):
    """A CharField whose column holds ciphertext; max_length bounds the clear value."""

    def db_type(self, connection) -> str:
        return "text"

    def cast_db_type(self, connection) -> str:
        return "text"

    def get_lookup(self, lookup_name: str):
        return {"exact": _BlindIndexExact, "in": _BlindIndexIn, "isnull": IsNull}.get(lookup_name)

    def index_field(self) -> BlindIndexField | None:
        """The blind index kept for this field, if any."""
        return next(
            (f for f in self.model._meta.concrete_fields if isinstance(f, BlindIndexField) and f.source == self.name),
            None,
        )

    def get_transform(self, name: str):
        return None

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: Any, expression, connection) -> Any:
        return decrypt(value, self.context)

    def get_db_prep_value(self, value: Any, connection, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        return encrypt(value, self.context) if isinstance(value, str) and value else value


class BlindIndexField(models.CharField):
    """HMAC-SHA256 (hex) of another field's clear value; NULL when that value is empty.

    Recomputed on every save and insert (including bulk_create), so it cannot drift from its
    source; bulk_update must name it beside its source (the importer does).
    """

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("null", True), ("editable", False)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def compute(self, instance: models.Model) -> str | None:
        source = instance._meta.get_field(self.source)
        return blind_index(getattr(instance, self.source) or "", f"{source.model._meta.label_lower}.{self.source}")

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = self.compute(model_instance)
        setattr(model_instance, self.attname, value)
        return value
