"""Throttling: failed sign-ins per account and per address, failed tokens per address, in Redis.

Only failures count: the right password and a valid device token are never slowed down.
"""

import uuid
from dataclasses import replace

import pytest
import redis

from custody.web import create_app
from tests.custody.test_accounts_web import HTML, csrf

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_up() -> bool:
    """Whether the Redis the tests count in is answering."""
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_up(), reason="Redis is not running on 127.0.0.1:6379 "
                                                         "(.ci/run starts it)")


def attempt(client, name: str, password: str, address: str = "10.0.0.1"):
    """One sign-in from ``address``, the way the login form posts it."""
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": csrf(client)},
                       environ_base={"REMOTE_ADDR": address}, headers=HTML)


@needs_redis
def test_sixty_wrong_passwords_get_429_with_retry_after(app, client, people):
    wang = people["collector"]
    answers = [attempt(client, wang["name"], f"guess {n}") for n in range(60)]
    assert [a.status_code for a in answers[:10]] == [200] * 10
    assert {a.status_code for a in answers[10:]} == {429}
    refused = answers[-1]
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    page = refused.get_data(as_text=True)
    assert "尝试失败次数过多" in page and "Too many failed attempts" not in page
    # the counters are in Redis, under this app's prefix
    prefix = app.extensions["custody.limiter_prefix"]
    assert redis.Redis.from_url(REDIS_URL).keys(f"*{prefix}*")
    # the right password: another account from the same address, the same account from
    # another address; the attacked account from the attacking address waits
    boss = people["supervisor"]
    assert attempt(client, boss["name"], boss["password"]).status_code == 303
    assert attempt(app.test_client(), wang["name"], wang["password"],
                   address="10.0.0.2").status_code == 303
    assert attempt(app.test_client(), wang["name"], wang["password"]).status_code == 429


def test_an_api_client_gets_the_429_as_json(client, people):
    for n in range(11):
        response = client.post("/login", data={"name": "li", "password": str(n),
                                               "csrf_token": csrf(client)},
                               headers={"Accept": "application/json"})
    assert response.status_code == 429 and "Retry-After" in response.headers
    error = response.get_json()["error"]
    assert error["code"] == "too_many_attempts" and "分钟后再试" in error["message_zh"]


def test_right_passwords_are_never_counted(client, people):
    li = people["driver"]
    for _ in range(40):
        assert attempt(client, li["name"], li["password"]).status_code == 303


def test_spraying_many_accounts_from_one_address_is_stopped(app, client, fast_passwords):
    answers = [attempt(client, f"user{n}", "password1") for n in range(61)]
    assert [a.status_code for a in answers[:60]] == [200] * 60
    assert answers[60].status_code == 429
    assert attempt(app.test_client(), "user0", "x", address="10.9.9.9").status_code == 200


def test_guessing_one_account_from_many_addresses_is_stopped(client, people):
    wang = people["collector"]
    answers = [attempt(client, wang["name"], "guess", address=f"10.1.0.{n}") for n in range(31)]
    assert [a.status_code for a in answers[:30]] == [200] * 30
    assert answers[30].status_code == 429


def test_failed_tokens_are_throttled_per_address_and_valid_ones_never(client, people):
    bad = {"Authorization": "Bearer cdy_1_not-the-secret"}
    answers = [client.get("/api/v1/me", headers=bad) for _ in range(21)]
    assert [a.status_code for a in answers[:20]] == [401] * 20
    assert answers[20].status_code == 429 and int(answers[20].headers["Retry-After"]) <= 60
    assert answers[20].get_json()["error"]["code"] == "too_many_attempts"
    phone = people["collector"]["auth"]
    assert all(client.get("/api/v1/me", headers=phone).status_code == 200 for _ in range(300))
    other = client.get("/api/v1/me", headers=bad, environ_base={"REMOTE_ADDR": "10.7.7.7"})
    assert other.status_code == 401


@needs_redis
def test_workers_share_their_counts_through_redis(settings, db, people):
    prefix = f"custody-test-{uuid.uuid4().hex}"
    workers = [create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                           "RATELIMIT_KEY_PREFIX": prefix}).test_client() for _ in range(2)]
    wang = people["collector"]
    for n in range(10):
        assert attempt(workers[n % 2], wang["name"], "guess").status_code == 200
    assert attempt(workers[0], wang["name"], "guess").status_code == 429
    assert attempt(workers[1], wang["name"], "guess").status_code == 429


def test_with_redis_down_each_worker_still_counts_in_memory(settings, db, people):
    down = replace(settings, ratelimit_storage_uri="redis://127.0.0.1:9/0")  # nothing listens
    client = create_app({"TESTING": True, "SETTINGS": down, "DATABASE": db}).test_client()
    wang = people["collector"]
    assert attempt(client, wang["name"], wang["password"]).status_code == 303
    codes = [attempt(client, wang["name"], "guess").status_code for _ in range(12)]
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]


def test_behind_the_proxy_each_client_counts_for_itself(settings, db, people):
    proxied = replace(settings, proxy_hops=1)
    client = create_app({"TESTING": True, "SETTINGS": proxied, "DATABASE": db}).test_client()
    wang = people["collector"]

    def via_proxy(client_ip, password):
        return client.post("/login", headers={**HTML, "X-Forwarded-For": client_ip},
                           data={"name": wang["name"], "password": password,
                                 "csrf_token": csrf(client)},
                           environ_base={"REMOTE_ADDR": "127.0.0.1"})  # nginx

    for _ in range(10):
        via_proxy("203.0.113.5", "guess")
    assert via_proxy("203.0.113.5", wang["password"]).status_code == 429
    assert via_proxy("198.51.100.7", wang["password"]).status_code == 303


def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(client, people):
    wang = people["collector"]
    for n in range(10):
        client.post("/login", headers={**HTML, "X-Forwarded-For": f"10.3.0.{n}"},
                    data={"name": wang["name"], "password": "guess",
                          "csrf_token": csrf(client)})
    assert attempt(client, wang["name"], wang["password"],
                   address="127.0.0.1").status_code == 429
