"""Run inside a private session with a real Secret Service (see
tests/integration/test_keyring_secret_service.py): ``write`` stores a Gmail grant and an Outlook
msal cache through the app's token store, ``read`` (a new process) reads them back, ``delete``
removes them. Prints one JSON line of what it saw."""

from __future__ import annotations

import json
import sys

import keyring

from mail.auth.microsoft import PART_SIZE, KeyringCache
from mail.auth.tokens import GoogleGrant, TokenStore

SERVICE = "coffeechat-keyring-test"
GMAIL = "sam@gmail.example"
OUTLOOK = "sam@outlook.example"
# An msal cache as large as a real one with several tokens: it must go in several parts.
CACHE = json.dumps({"RefreshToken": {"k": "rt-" + "x" * (3 * PART_SIZE)}, "AccessToken": {}})
GRANT = GoogleGrant(GMAIL, "1//refresh-token", "client.apps.example", "secret", "https://t", ("s",))


def main(action: str) -> None:
    backend = keyring.get_keyring()
    tokens = TokenStore(SERVICE)
    cache = KeyringCache(tokens)
    seen: dict[str, object] = {"backend": f"{type(backend).__module__}.{type(backend).__name__}"}
    if action == "write":
        tokens.check()
        tokens.save_google(GRANT)
        cache.save(OUTLOOK, "client-id", "https://login.example/common", CACHE)
    elif action == "read":
        seen["grant"] = tokens.load_google(GMAIL) == GRANT
        found = cache.load(OUTLOOK)
        seen["cache"] = found == ("client-id", "https://login.example/common", CACHE)
        parts = 0
        while keyring.get_password(SERVICE, f"outlook:{OUTLOOK}#{parts}") is not None:
            parts += 1
        seen["parts"] = parts
        seen["longest"] = max(
            len(keyring.get_password(SERVICE, f"outlook:{OUTLOOK}#{n}") or "") for n in range(parts)
        )
    elif action == "delete":
        tokens.delete_google(GMAIL)
        cache.delete(OUTLOOK)
        seen["grant"] = tokens.load_google(GMAIL)
        seen["cache"] = cache.load(OUTLOOK)
        seen["parts_left"] = keyring.get_password(SERVICE, f"outlook:{OUTLOOK}#0")
    print(json.dumps(seen))


if __name__ == "__main__":
    main(sys.argv[1])
