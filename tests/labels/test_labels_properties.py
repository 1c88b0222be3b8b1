"""Property test: random mutations of valid codes are rejected with the right error class.

A seeded generator (deterministic, ~120,000 cases in a few seconds) rather than hypothesis so
the case count is fixed; the expected class comes from an oracle written independently of the
implementation (character classes per position).
"""

from __future__ import annotations

import random
import string

import pytest

from labels import BadTag, ForeignCode, IdentityScheme, MalformedCode, UnknownKey, asset_id

HOST = "waste.nanhu.jiaxing.gov"
KEYS = {"A": bytes(range(32)), "K": bytes(range(100, 132))}
SCHEME = IdentityScheme(HOST, KEYS, "K")
HEAD = "HTTPS://" + HOST.upper()
PREFIX = HEAD + "/T/"
BASE32 = set(string.ascii_uppercase + "234567")
POOL = string.ascii_letters + string.digits + "./:-_ %+*$" + "Кk０İı\n\t\u00e9\u53ef"
KINDS = ["bag", "bin", "booth", "transfer_room", "vehicle", "facility"]
SEED = 20260504
ROUNDS = 12_000


def token_shape_ok(token: str) -> bool:
    """Oracle: kind letter, 8 ASCII digits, key letter A-Z, 16 base32 chars."""
    return (
        len(token) == 26
        and token[0] in "BNSRVF"
        and all(ch in "0123456789" for ch in token[1:9])
        and token[9] in string.ascii_uppercase
        and all(ch in BASE32 for ch in token[10:])
    )


def expected_for_token(token: str, original: str) -> type[Exception] | None:
    """Oracle for a possibly mutated token (None = must verify)."""
    if token == original:
        return None
    if not token_shape_ok(token):
        return MalformedCode
    if token[9] not in KEYS:
        return UnknownKey
    return BadTag


def expected_for_text(text: str, token: str) -> type[Exception] | None:
    """Oracle for a full URL text built from a valid token."""
    head, rest = text[: len(HEAD)], text[len(HEAD) :]
    if len(head) < len(HEAD) or not head.isascii() or head.upper() != HEAD:
        return ForeignCode
    if not rest.startswith("/T/"):
        return ForeignCode
    return expected_for_token(rest[3:], token)


def check(text: str, expected: type[Exception] | None, asset: str, verify=SCHEME.verify) -> None:
    """Assert that verifying ``text`` returns ``asset`` or raises exactly ``expected``."""
    try:
        got = verify(text)
    except (ForeignCode, MalformedCode, UnknownKey, BadTag) as exc:
        assert type(exc) is expected, f"{text!r}: expected {expected}, got {type(exc).__name__}"
    else:
        assert expected is None and got == asset, f"{text!r}: accepted, expected {expected}"


def random_case(rng: random.Random, text: str) -> str:
    """Randomly change the case of ASCII letters (what a phone may do to scheme and host)."""
    return "".join(ch.swapcase() if rng.random() < 0.5 else ch for ch in text)


def test_mutated_codes_are_rejected_with_the_right_error() -> None:
    rng = random.Random(SEED)
    other_host = IdentityScheme("other.city.example", KEYS, "K")
    other_keys = IdentityScheme(HOST, {"K": bytes(32), "Q": bytes(range(32))}, "K")
    foreign_key = IdentityScheme(HOST, {"Q": bytes(range(32))}, "Q")
    cases = 0
    for _ in range(ROUNDS):
        asset = asset_id(rng.choice(KINDS), rng.randrange(10**8))
        code = SCHEME.make_code(asset)
        token = code[len(PREFIX) :]
        # Valid codes always verify, in every accepted spelling.
        check(code, None, asset)
        check(random_case(rng, HEAD) + "/T/" + token, None, asset)
        check("/T/" + token, None, asset)
        check(token, None, asset, SCHEME.verify_token)
        # Any one character changed.
        for _ in range(4):
            pos = rng.randrange(len(code))
            mutated = code[:pos] + rng.choice(POOL) + code[pos + 1 :]
            check(mutated, expected_for_text(mutated, token), asset)
        pos = rng.randrange(len(token))
        mutated_token = token[:pos] + rng.choice(POOL) + token[pos + 1 :]
        check(mutated_token, expected_for_token(mutated_token, token), asset, SCHEME.verify_token)
        # Truncated and extended.
        cut = code[: rng.randrange(len(code))]
        check(cut, expected_for_text(cut, token), asset)
        longer = code + "".join(rng.choice(POOL) for _ in range(rng.randint(1, 4)))
        check(longer, MalformedCode, asset)
        # Two neighbouring token characters swapped.
        i = rng.randrange(len(token) - 1)
        swapped = token[:i] + token[i + 1] + token[i] + token[i + 2 :]
        check(PREFIX + swapped, expected_for_token(swapped, token), asset)
        # Tag with its letters case-changed.
        tag = token[10:]
        if any(ch.isalpha() for ch in tag):
            lowered = "".join(ch.lower() if rng.random() < 0.5 else ch for ch in tag)
            if lowered == tag:
                lowered = tag.lower()
            check(PREFIX + token[:10] + lowered, MalformedCode, asset)
        # Other deployments: another host, or our host with other keys.
        check(other_host.make_code(asset), ForeignCode, asset)
        check(PREFIX + other_host.make_code(asset)[-26:], BadTag, asset)
        check(other_keys.make_code(asset), BadTag, asset)
        check(foreign_key.make_code(asset), UnknownKey, asset)
        cases += 17
    assert cases >= 100_000


@pytest.mark.parametrize("value", [None, b"HTTPS://", 42])
def test_non_strings_are_rejected_cleanly(value: object) -> None:
    with pytest.raises(ForeignCode):
        SCHEME.verify(value)  # type: ignore[arg-type]
    with pytest.raises(MalformedCode):
        SCHEME.verify_token(value)  # type: ignore[arg-type]
