"""Password policy (pure): used by FAB's forms and API, our CLI and bulk account creation."""
import secrets
import string

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10


def password_problems(password: str) -> list:
    """Return the list of rules the password breaks (empty when it is acceptable)."""
    problems = []
    password = password or ""
    if len(password) < MIN_LENGTH:
        problems.append(_l("Password must be at least %(n)d characters long", n=MIN_LENGTH))
    if not any(c.islower() for c in password):
        problems.append(_l("Password must contain a lower-case letter"))
    if not any(c.isupper() for c in password):
        problems.append(_l("Password must contain an upper-case letter"))
    if not any(c.isdigit() for c in password):
        problems.append(_l("Password must contain a digit"))
    if password and password.isdigit():
        problems.append(_l("Password must not be digits only (such as a NIP)"))
    return problems


def generate_password(length: int = 14) -> str:
    """A random password that satisfies the policy (used for bulk accounts and the demo)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if not password_problems(candidate):
            return candidate
