"""Speech for the waiting-room display, made on the server: hospital LANs often have no internet.

espeak-ng's Indonesian voice (Debian package `espeak-ng`) turns each call's sentence into a WAV,
once: the file is kept under VOICE_CACHE_DIR by a hash of the sentence and the voice settings,
so a recall, a second screen or a restart costs a file read. Without espeak-ng, `speech_wav`
answers None and the display shows the call and falls back to the browser's own speech
synthesis (where it has an Indonesian voice).

The chime played before each call is made here too (two struck tones, "ding-dong"), so no
recording needs to be shipped or licensed.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import math
import os
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

VOICE = "id"  # espeak-ng's Indonesian
SPEED = 140  # words a minute: slower than espeak's 175, for a noisy waiting room
PITCH = 45
TIMEOUT_SECONDS = 10.0
SAMPLE_RATE = 22050


def espeak_path() -> str | None:
    return shutil.which(getattr(settings, "ESPEAK_NG", "espeak-ng"))


def phrase_key(text: str) -> str:
    """The cache key of a sentence: a hash of the text and every setting that changes the sound."""
    data = f"{VOICE}|{SPEED}|{PITCH}|{text}".encode()
    return hashlib.sha256(data).hexdigest()[:32]


def cache_dir() -> Path:
    return Path(settings.VOICE_CACHE_DIR)


def _synthesise(text: str, binary: str, out: Path) -> None:
    # `-w FILE` rather than `--stdout`: written to a pipe, the WAV header cannot be rewound and
    # carries a placeholder length (2 GB), which some players take at its word.
    subprocess.run(  # noqa: S603 - a fixed binary, the text is one argument (no shell)
        [binary, "-v", VOICE, "-s", str(SPEED), "-p", str(PITCH), "-w", str(out), "--", text],
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=True,
    )


def speech_wav(text: str) -> Path | None:
    """The WAV file of `text` spoken in Indonesian, made on first use; None without espeak-ng.

    Written to a temporary file and renamed into place, so two screens asking at once never read
    half a file (the second one simply writes the same bytes again).
    """
    path = cache_dir() / f"{phrase_key(text)}.wav"
    if path.exists():
        return path
    binary = espeak_path()
    if binary is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        _synthesise(text, binary, tmp)
        if not is_wav(tmp.read_bytes()):
            log.warning("espeak-ng gave no usable audio for a call phrase")
            return None
        os.replace(tmp, path)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("espeak-ng failed for a call phrase: %s", exc)
        return None
    finally:
        tmp.unlink(missing_ok=True)
    return path


def is_wav(data: bytes) -> bool:
    """A RIFF/WAVE file whose header matches its length and that holds at least one audio frame."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return False
    if int.from_bytes(data[4:8], "little") != len(data) - 8:
        return False
    try:
        with wave.open(io.BytesIO(data)) as wav:
            frames = wav.getnframes()
            return 0 < frames and len(wav.readframes(frames)) == frames * wav.getsampwidth() * wav.getnchannels()
    except (wave.Error, EOFError):
        return False


@functools.cache
def chime_wav() -> bytes:
    """A two-tone chime (E5 then C5, each a struck bell fading out), 16-bit mono PCM."""
    frames = bytearray()
    for frequency, seconds in ((659.25, 0.45), (523.25, 0.75)):
        count = int(SAMPLE_RATE * seconds)
        for i in range(count):
            t = i / SAMPLE_RATE
            envelope = math.exp(-4.0 * t) * min(1.0, i / 200)  # a soft attack, then the fade
            sample = envelope * (
                0.7 * math.sin(2 * math.pi * frequency * t) + 0.2 * math.sin(4 * math.pi * frequency * t)
            )
            frames += int(max(-1.0, min(1.0, sample)) * 26000).to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(bytes(frames))
    return buffer.getvalue()
