"""The queueing fixtures (a small hospital, family members), plus the Mobile JKN personas."""

from __future__ import annotations

from queueing.tests.conftest import *  # noqa: F403 - reuse the hospital's fixtures
