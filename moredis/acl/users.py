"""ACL users: who a client is and what it may run (acl.c).

The default user starts as `on nopass ~* &* +@all`; `requirepass` gives it a password.
`unrestricted` lets the dispatcher skip permission checks on the hot path.
Neighbours: server/dispatch (checks), commands/connection.py (AUTH, HELLO).
"""

from __future__ import annotations

import hashlib
import hmac


class User:
    __slots__ = (
        "allowed_commands",
        "channel_patterns",
        "enabled",
        "flags",
        "key_patterns",
        "name",
        "nopass",
        "passwords",
        "selectors",
        "unrestricted",
    )

    def __init__(self, name: str) -> None:
        self.name = name
        self.enabled = False
        self.nopass = False
        self.passwords: set[str] = set()  # sha256 hex digests, as ACL GETUSER shows them
        self.unrestricted = False
        self.allowed_commands: set[str] | None = None  # None: all commands
        self.key_patterns: list[bytes] = []
        self.channel_patterns: list[bytes] = []
        self.selectors: list = []
        self.flags: set[str] = set()

    @staticmethod
    def hash_password(pw: bytes) -> str:
        return hashlib.sha256(pw).hexdigest()

    def check_password(self, pw: bytes) -> bool:
        if not self.enabled:
            return False
        if self.nopass:
            return True
        h = self.hash_password(pw)
        return any(hmac.compare_digest(h, p) for p in self.passwords)


class ACL:
    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        d = User("default")
        d.enabled = True
        d.nopass = True
        d.unrestricted = True
        d.key_patterns = [b"*"]
        d.channel_patterns = [b"*"]
        self.users["default"] = d
        self.default_user = d

    def set_requirepass(self, pw: str) -> None:
        """requirepass is a shortcut for the default user's password (acl.c ACLUpdateDefaultUserPassword)."""
        d = self.default_user
        d.passwords.clear()
        if pw:
            d.nopass = False
            d.passwords.add(User.hash_password(pw.encode()))
        else:
            d.nopass = True

    def authenticate(self, username: bytes, password: bytes) -> User | None:
        u = self.users.get(username.decode("utf-8", "replace"))
        if u is None or not u.check_password(password):
            return None
        return u
