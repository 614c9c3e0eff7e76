"""The VClaim protocol against vectors made outside the client: OpenSSL literals and primitives in the test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer

import lzstring
import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from guarantors import bpjs, simulator

# Made with the OpenSSL command line (see the report):
#   printf '1234&1700000000' | openssl dgst -sha256 -hmac pwd -binary | base64
OPENSSL_SIGNATURE = "QbAKTP54Su+BEvo9Ks0zhW27zsJAjQNNXGMcns5eMz0="
#   KEY=$(printf '1234pwd1700000000' | openssl dgst -sha256 -binary | xxd -p -c 64)
#   printf '%s' "$LZ" | openssl enc -aes-256-cbc -K $KEY -iv ${KEY:0:32} -base64 -A
OPENSSL_PLAINTEXT = '{"peserta":{"noKartu":"0001234567890","nama":"BUDI SANTOSO"}}'
OPENSSL_CIPHERTEXT = (
    "IBj//ZHQskMfizA4sZDBvm7OI9A8NQ4MTplU1gj0+R+tC673tXjgoYG0t7RTvBb00PErED3VF79LsctojTqsblpy4lw2S8t6JVPrHr"
    "vVTeEK2vC0g2H3uER/5hO0d41Z6UozIHI5Ob4E6zkx9NdQrQ=="
)


def hmac_in_test(cons_id: str, secret: str, timestamp: str) -> str:
    return base64.b64encode(
        hmac.new(secret.encode(), f"{cons_id}&{timestamp}".encode(), hashlib.sha256).digest()
    ).decode()


def encrypt_in_test(plaintext: str, cons_id: str, secret: str, timestamp: str) -> str:
    key = hashlib.sha256(f"{cons_id}{secret}{timestamp}".encode()).digest()
    data = lzstring.LZString().compressToEncodedURIComponent(plaintext).encode()
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(padder.update(data) + padder.finalize()) + encryptor.finalize()).decode()


def decrypt_in_test(payload: str, cons_id: str, secret: str, timestamp: str) -> str:
    key = hashlib.sha256(f"{cons_id}{secret}{timestamp}".encode()).digest()
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    padded = decryptor.update(base64.b64decode(payload)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    data = (unpadder.update(padded) + unpadder.finalize()).decode()
    return lzstring.LZString().decompressFromEncodedURIComponent(data)


def test_signature_matches_the_openssl_vector():
    assert bpjs.make_signature("1234", "pwd", "1700000000") == OPENSSL_SIGNATURE


def test_signature_matches_hmac_sha256_computed_in_the_test():
    assert bpjs.make_signature("27952", "rahasia-RS", "1763769600") == hmac_in_test("27952", "rahasia-RS", "1763769600")


def test_decryption_reads_the_openssl_ciphertext():
    text = bpjs.decrypt_response(OPENSSL_CIPHERTEXT, cons_id="1234", secret="pwd", timestamp="1700000000")
    assert text == OPENSSL_PLAINTEXT


def test_decryption_reads_a_long_non_ascii_payload_encrypted_in_the_test():
    payload = json.dumps({"peserta": {"nama": "SITI NURJANAH É", "catatan": "x" * 5000}})
    encrypted = encrypt_in_test(payload, "27952", "rahasia", "1763769600")
    assert bpjs.decrypt_response(encrypted, cons_id="27952", secret="rahasia", timestamp="1763769600") == payload


@pytest.mark.parametrize("payload", ["", "not base64 at all!", base64.b64encode(b"0123456789abcdef").decode()])
def test_decryption_of_garbage_raises_protocol_error(payload):
    with pytest.raises(bpjs.BpjsProtocolError):
        bpjs.decrypt_response(payload, cons_id="1234", secret="pwd", timestamp="1700000000")


def test_decryption_with_another_timestamp_raises_protocol_error():
    with pytest.raises(bpjs.BpjsProtocolError):
        bpjs.decrypt_response(OPENSSL_CIPHERTEXT, cons_id="1234", secret="pwd", timestamp="1700000001")


class _RecordingBpjs(BaseHTTPRequestHandler):
    """A stand-in BPJS written in the test: records the request, answers with test-made ciphertext."""

    seen: dict = {}

    def do_GET(self):  # noqa: N802
        type(self).seen = {
            "path": self.path,
            **{k: self.headers.get(k) for k in ("X-cons-id", "X-timestamp", "X-signature", "user_key")},
        }
        peserta = {
            "noKartu": "0001234567890",
            "nama": "BUDI SANTOSO",
            "tglLahir": "1985-04-12",
            "statusPeserta": {"kode": "0", "keterangan": "AKTIF"},
            "hakKelas": {"kode": "1", "keterangan": "KELAS I"},
        }
        encrypted = encrypt_in_test(json.dumps({"peserta": peserta}), "cons-9", "s3cret", self.headers["X-timestamp"])
        body = json.dumps({"metaData": {"code": "200", "message": "OK"}, "response": encrypted}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_client_sends_the_bpjs_headers_and_reads_an_answer_encrypted_in_the_test():
    server = HTTPServer(("127.0.0.1", 0), _RecordingBpjs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = bpjs.VClaimClient(
            base_url=f"http://127.0.0.1:{server.server_port}/vclaim-rest/",
            cons_id="cons-9",
            secret="s3cret",
            user_key="uk-1",
            timeout=2,
        )
        participant = client.participant_by_card("0001234567890", date(2026, 1, 5))
    finally:
        server.shutdown()
        server.server_close()
    seen = _RecordingBpjs.seen
    assert seen["path"] == "/vclaim-rest/Peserta/nokartu/0001234567890/tglSEP/2026-01-05"
    assert seen["X-cons-id"] == "cons-9" and seen["user_key"] == "uk-1"
    assert abs(int(seen["X-timestamp"]) - time.time()) < 5  # seconds, not milliseconds
    assert seen["X-signature"] == hmac_in_test("cons-9", "s3cret", seen["X-timestamp"])
    assert (participant.name, participant.birth_date, participant.is_active) == (
        "BUDI SANTOSO",
        date(1985, 4, 12),
        True,
    )


def test_simulator_answers_a_request_signed_and_decrypted_in_the_test(bpjs_sim):
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        f"{bpjs_sim.url}/Peserta/nokartu/0001234567890/tglSEP/2026-01-05",
        headers={
            "X-cons-id": simulator.DEMO_CONS_ID,
            "X-timestamp": timestamp,
            "user_key": simulator.DEMO_USER_KEY,
            "X-signature": hmac_in_test(simulator.DEMO_CONS_ID, simulator.DEMO_SECRET, timestamp),
        },
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        envelope = json.loads(response.read())
    assert envelope["metaData"] == {"code": "200", "message": "OK"}
    plain = json.loads(decrypt_in_test(envelope["response"], simulator.DEMO_CONS_ID, simulator.DEMO_SECRET, timestamp))
    assert plain["peserta"]["nama"] == "BUDI SANTOSO"
    assert plain["peserta"]["statusPeserta"] == {"keterangan": "AKTIF", "kode": "0"}


@pytest.mark.parametrize("change", ["signature", "user_key", "milliseconds"])
def test_simulator_refuses_a_badly_signed_request(bpjs_sim, change):
    timestamp = str(int(time.time()) * (1000 if change == "milliseconds" else 1))
    headers = {
        "X-cons-id": simulator.DEMO_CONS_ID,
        "X-timestamp": timestamp,
        "user_key": simulator.DEMO_USER_KEY,
        "X-signature": hmac_in_test(simulator.DEMO_CONS_ID, simulator.DEMO_SECRET, timestamp),
    }
    if change == "signature":
        headers["X-signature"] = hmac_in_test(simulator.DEMO_CONS_ID, "wrong", timestamp)
    elif change == "user_key":
        headers["user_key"] = "someone-else"
    request = urllib.request.Request(f"{bpjs_sim.url}/Peserta/nokartu/0001234567890/tglSEP/2026-01-05", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=5)
    assert excinfo.value.code == 401
