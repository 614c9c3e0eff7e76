"""A database connection lost while the session is saved answers the 503 "try again" page
(issue 10 section 5), not Django's 400 "session deleted" page nor a 500. The connection is
really terminated (pg_terminate_backend from another connection); nothing is patched."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("portal.tests.urls_database_lost")]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("terminating a backend needs PostgreSQL")
    yield
    connection.close()  # the terminated connection; the next query reconnects


def test_a_lost_connection_while_an_existing_session_is_saved_answers_503():
    client = Client(raise_request_exception=False)
    assert client.get("/session/").status_code == 200  # the session row exists now

    response = client.get("/session/", {"lose": "1"})

    assert response.status_code == 503
    assert response["Retry-After"] and "coba lagi" in response.content.decode()


def test_a_lost_connection_while_a_new_session_is_created_answers_503():
    response = Client(raise_request_exception=False).get("/session/", {"lose": "1"})

    assert response.status_code == 503
    assert "coba lagi" in response.content.decode()


def test_the_site_answers_normally_once_the_database_is_back():
    client = Client(raise_request_exception=False)
    client.get("/session/")
    client.get("/session/", {"lose": "1"})
    connection.close()  # what request_finished does between two real requests

    assert client.get("/session/").status_code == 200
