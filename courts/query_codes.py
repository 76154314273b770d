"""Query codes (查询码): the secret a litigant holds with a receipt, case or mediation number to see its
status (DOMAIN.md, "Status lookup for litigants").

Eight characters from an alphabet a clerk can read aloud without confusion (no 0/O, 1/I/L), accepted as typed
in either case and with or without spaces. Only a keyed hash is stored: HMAC-SHA256 under QUERY_CODE_KEY, a
server secret from the environment. Not Django's password hasher: its deliberate slowness (hundreds of
milliseconds a check) would let a handful of lookups occupy a web worker, while the lookup guard
(courts.lookup_guard) already bounds guessing to 5 tries per number per 15 minutes, against 31^8
(~8.5 * 10^11) codes. Without the key, a stolen table of hashes cannot be tried offline either.

Codes issued before this scheme are Django password hashes; they keep working (`matches` falls back to the
password check for them and says so, so the caller re-stores the code under the new scheme on its first
successful use): no data migration can convert them, since only their hashes were ever kept. The fallback
has a cost the keyed hash does not: checking a wrong code against an old hash takes the password hasher's
time, so a guesser timing answers could tell an old number from an unknown one. Once the old receipts are
used or reissued, a court turns the fallback off (QUERY_CODE_ACCEPT_PASSWORD_HASHES=0): an old hash then
matches nothing, at no cost, and its holder asks a window for a new code.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud at a window
LENGTH = 8
PREFIX = "hmac-sha256$"

# Compared against when a number is unknown, so "no such number" costs what "wrong code" costs.
_NO_CODE = PREFIX + "0" * 64


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    """As typed: `abcd efgh` -> `ABCDEFGH`."""
    return "".join((code or "").split()).upper()


def hash_code(code: str) -> str:
    digest = hmac.new(settings.QUERY_CODE_KEY.encode(), normalise(code).encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest


def matches(code: str, stored: str | None) -> tuple[bool, bool]:
    """(whether `code` is the one `stored` hashes, whether `stored` is an old password hash to re-store).
    `stored` None or "" (an unknown number) costs the same HMAC and constant-time comparison."""
    if stored and not stored.startswith(PREFIX):
        if not settings.QUERY_CODE_ACCEPT_PASSWORD_HASHES:
            hmac.compare_digest(hash_code(code), _NO_CODE)  # the same work as any other wrong code
            return False, False
        from django.contrib.auth.hashers import check_password

        return check_password(normalise(code), stored), True
    found = hmac.compare_digest(hash_code(code), stored or _NO_CODE)
    return found and bool(stored), False


def keep_for_one_page(session, key: str, code: str) -> None:
    """Carry a new code to the one page that shows it (after a redirect), sealed: the session table is
    encoded, not encrypted, and a query code is kept nowhere in clear."""
    from courts.personal_data import seal

    session[key] = seal(code).ciphertext


def take_for_one_page(session, key: str) -> str | None:
    """The code `keep_for_one_page` carried, gone from the session once read."""
    from courts.personal_data import unseal

    sealed = session.pop(key, None)
    return unseal(sealed) if sealed else None
