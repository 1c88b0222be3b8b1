"""Throttling: failed sign-ins per account and per address, failed device tokens per address,
traces opened by a typed ID per address.

Flask-Limiter keeps the counters in Redis (``CUSTODY_RATELIMIT_STORAGE_URI``),
so every worker on every app host counts together; while Redis is unreachable
each worker counts in its own memory instead, and sign-in keeps working.

Only failures count. A sign-in with the right password, and every request with
a valid device token, costs no counter at all: a collector who mistyped once is
not slowed down, and phones that post hundreds of scans a second are never
throttled. Refused requests get 429 with ``Retry-After``. Behind a proxy the
address is the client's only when ``CUSTODY_PROXY_HOPS`` says how many proxies
set ``X-Forwarded-For`` (see the production recipe); otherwise it would be the
proxy's, shared by everyone.
"""

from __future__ import annotations

import hashlib
import time
import uuid

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from limits import parse

from custody.web.errors import error_reply, wants_json
from custody.web.messages import message_in

# Failed sign-ins. Many collectors share one carrier-grade NAT address, so the
# address alone gets room for a village's typos; one account from one address
# gets little; one account from everywhere catches guessing spread over addresses.
SIGN_IN_LIMITS = {
    "account_and_address": "10 per 15 minutes",
    "account": "30 per hour",
    "address": "60 per 15 minutes",
}
FAILED_TOKENS_PER_ADDRESS = parse("20 per minute")
# A typed ID opens a trace without the label's signed tag, and IDs are serial numbers: an
# address may look up a household's or a class's bags (a page and its map are two
# requests), never page through a district's. Scanned codes (/T/<token>) are not counted.
TYPED_IDS_PER_ADDRESS = "120 per hour"
TYPED_ID_ENDPOINTS = ("public.trace_by_id", "public.trace_map_by_id")


def client_address() -> str:
    """The client's address (the proxy's answer when ProxyFix trusts it)."""
    return request.remote_addr or "unknown"


def _account() -> str:
    """The account a sign-in names, hashed (any length of name makes one short key)."""
    name = request.form.get("name", "").strip()
    return hashlib.sha256(name.encode()).hexdigest()[:32]


_KEYS = {
    "account_and_address": lambda: f"{_account()}@{client_address()}",
    "account": _account,
    "address": client_address,
}


def sign_in_failed() -> None:
    """Count this sign-in as failed (called by the login view)."""
    g.sign_in_failed = True


def _counted(_response) -> bool:
    """Whether the finished request was a failed sign-in."""
    return bool(g.get("sign_in_failed"))


def token_failed():
    """Count a failed token at this address: None while allowed, else the 429 reply."""
    limiter: Limiter = current_app.extensions["custody.limiter"]
    key = (current_app.extensions["custody.limiter_prefix"], "token-failed", client_address())
    try:
        if limiter.limiter.hit(FAILED_TOKENS_PER_ADDRESS, *key):
            return None
        reset, _ = limiter.limiter.get_window_stats(FAILED_TOKENS_PER_ADDRESS, *key)
    except Exception:  # noqa: BLE001 - the counter store is down: refuse as usual, with 401
        current_app.logger.warning("rate limit storage unreachable; token failure not counted")
        return None
    return too_many(max(1, int(reset - time.time())))


def too_many(retry_after: int):
    """The 429 reply, in the client's language of choice, with ``Retry-After``."""
    minutes = max(1, -(-retry_after // 60))
    zh = message_in("zh", "too_many_attempts", minutes=minutes)  # for older phone pages
    reply = error_reply(429, "too_many_attempts", params={"minutes": minutes},
                        **({"message_zh": zh} if wants_json() else {}))
    response = current_app.make_response(reply)
    response.headers["Retry-After"] = str(retry_after)
    return response


def init_app(app: Flask, storage_uri: str) -> None:
    """Throttle failed sign-ins on this app, with counters in ``storage_uri``."""
    # Each test app counts on its own; production workers share one prefix.
    prefix = app.config.get("RATELIMIT_KEY_PREFIX") or (
        f"custody-test-{uuid.uuid4().hex}" if app.testing else "custody")
    limiter = Limiter(client_address, storage_uri=storage_uri, key_prefix=prefix,
                      strategy="moving-window", headers_enabled=True, swallow_errors=True,
                      in_memory_fallback_enabled=True,
                      storage_options={"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
                      if storage_uri.startswith("redis") else {})
    limiter.init_app(app)
    app.extensions["custody.limiter"] = limiter
    app.extensions["custody.limiter_prefix"] = prefix
    login = app.view_functions["auth.login"]
    for scope, limit in SIGN_IN_LIMITS.items():
        login = limiter.limit(limit, key_func=_KEYS[scope], scope=f"sign-in-{scope}",
                              methods=["POST"], deduct_when=_counted)(login)
    app.view_functions["auth.login"] = login
    typed = limiter.shared_limit(TYPED_IDS_PER_ADDRESS, scope="typed-id",
                                 key_func=client_address)
    for endpoint in TYPED_ID_ENDPOINTS:
        app.view_functions[endpoint] = typed(app.view_functions[endpoint])

    @app.errorhandler(429)
    def _too_many(exc):
        current = limiter.current_limit
        retry_after = int(current.reset_at - time.time()) if current else 60
        return too_many(max(1, retry_after))
