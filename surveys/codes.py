"""One-time codes: generation, normalisation and the keyed hash. Pure, no ORM.

A code has three groups of four characters, for example ``KX7P-M4RD-Q9ZT``:

- the first group is the *class key*, shared by every slip of one class in one wave. It
  is not secret; it tells the server which school a wrong guess was aimed at, so that
  code guessing can be limited per school without ever limiting by IP address (a whole
  school shares one public IP);
- the last two groups are the pupil's secret: 8 characters × 5 bits = 40 bits from the
  operating system's CSPRNG (`secrets`).

The alphabet leaves out 0/O and 1/I, which pupils confuse; lower case, spaces and dashes
are accepted when typed. Only HMAC-SHA256 of the normalised code,
keyed by `settings.ACCESS_CODE_KEY`, is ever stored.
"""

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Iterator

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: 5 bits each

GROUP = 4
KEY_LENGTH = GROUP  # the class key
SECRET_LENGTH = 2 * GROUP  # 40 bits
CODE_LENGTH = KEY_LENGTH + SECRET_LENGTH
SECRET_BITS = SECRET_LENGTH * 5

_NOT_CODE = re.compile(r"[\s\-–—_.]+")
_VALID = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")


def random_group(length: int = GROUP) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_code(class_key: str) -> str:
    """A fresh code for the class with `class_key`, in its compact (ungrouped) form."""
    return class_key + random_group(SECRET_LENGTH)


def normalise(typed: str) -> str | None:
    """The compact form of a typed code, or None when it cannot be a code at all."""
    compact = _NOT_CODE.sub("", typed).upper()
    return compact if _VALID.fullmatch(compact) else None


def grouped(compact: str) -> str:
    """``KX7PM4RDQ9ZT`` → ``KX7P-M4RD-Q9ZT`` for print and screen."""
    return "-".join(compact[i : i + GROUP] for i in range(0, len(compact), GROUP))


def class_key_of(compact: str) -> str:
    return compact[:KEY_LENGTH]


def code_hash(compact: str, key: bytes) -> str:
    return hmac.new(key, compact.encode("ascii"), hashlib.sha256).hexdigest()


def sheet_submission_id(submission_id: uuid.UUID, key: bytes) -> uuid.UUID:
    """The id a stored sheet carries for its draft's submission id: a keyed one-way
    function of it. A draft in a backup taken while the pupil answered holds the code and
    the submission id, so the sheet stored later must not carry that id, nor anything
    computable from it without the key; a retry of the same submit computes it again and
    finds its sheet."""
    digest = hmac.new(key, b"sheet:" + submission_id.bytes, hashlib.sha256).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


def near_misses(compact: str) -> Iterator[str]:
    """Codes one typing slip away in the secret part: one wrong character or two swapped.

    A wrong code that is a near miss of a real code is counted against that code, so a
    pupil (or someone who glimpsed a slip) cannot try variations of it without limit.
    """
    prefix, secret = compact[:KEY_LENGTH], compact[KEY_LENGTH:]
    for i, char in enumerate(secret):
        for other in ALPHABET:
            if other != char:
                yield prefix + secret[:i] + other + secret[i + 1 :]
    for i in range(len(secret) - 1):
        if secret[i] != secret[i + 1]:
            yield prefix + secret[:i] + secret[i + 1] + secret[i] + secret[i + 2 :]
