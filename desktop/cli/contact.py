"""``coffeechat contact add-address CONTACT [ADDRESS]``: add an address to a contact, the answer
to "NAME replied from ADDRESS: add it to their addresses?" (a reply in the thread of a request,
from an address the contact did not have). Without ADDRESS, the addresses they replied from are
listed; ``--all`` adds every one of them. CONTACT is the contact's number (``coffeechat status
--json`` shows it), one of their addresses, or their name. Qt-free."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.common import fail, open_profile, profile_option
from desktop.storage import Store


def add_parser(subparsers: Any) -> None:
    contact = subparsers.add_parser(
        "contact",
        parents=[profile_option()],
        help="change a contact (add an address they replied from)",
        description="Change a contact from the command line.",
    )
    what = contact.add_subparsers(dest="contact_command", metavar="ACTION", required=True)
    add = what.add_parser(
        "add-address",
        parents=[profile_option()],
        help="add an address to a contact (without ADDRESS: the ones they replied from)",
        description="Add an e-mail address to a contact. Without ADDRESS, lists the addresses "
        "the contact replied from that are not theirs yet.",
    )
    add.add_argument("contact", metavar="CONTACT", help="the contact's number, address or name")
    add.add_argument("address", metavar="ADDRESS", nargs="?", help="the address to add")
    add.add_argument(
        "--all", action="store_true", help="add every address the contact replied from"
    )


def run(args: argparse.Namespace) -> int:
    opened = open_profile(args)
    if isinstance(opened, int):
        return opened
    _paths, store = opened
    try:
        return _add_address(store, args)
    finally:
        store.close()


def find_contact(store: Store, text: str) -> int | str:
    """The contact ``text`` names (number, address, or name, case-insensitive), or why not."""
    text = text.strip()
    names = store.contacts.names()
    if text.isdigit() and int(text) in names:
        return int(text)
    by_address = store.contacts.address_index().get(text.lower())
    if by_address is not None:
        return by_address
    matches = [i for i, name in names.items() if name.casefold() == text.casefold()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        n = len(matches)
        return f"{n} contacts are called {text!r}: give the number (coffeechat status --json)"
    return f"there is no contact {text!r} (give their number, an address, or their name)"


def _add_address(store: Store, args: argparse.Namespace) -> int:
    from desktop.history import AddressError, add_address, offered_addresses

    found = find_contact(store, args.contact)
    if isinstance(found, str):
        return fail(found)
    name = store.contacts.get(found).contact.name
    offered = offered_addresses(store, found)
    if args.address is None and not args.all:
        if not offered:
            print(f"{name} replied from no address that is not theirs yet.")
        for address in offered:
            print(
                f"{name} replied from {address}: coffeechat contact add-address {found} {address}"
            )
        return 0
    wanted = offered if args.all else [args.address]
    if args.all and args.address:
        return fail("give an ADDRESS or --all, not both")
    try:
        with store.transaction():
            added = [a for a in wanted if add_address(store, found, a)]
    except AddressError as exc:
        return fail(f"{exc}: nothing was changed")
    for address in added:
        print(f"Added {address} to {name}.")
    if not added:
        print(f"Nothing to add: {name} has {'these addresses' if wanted else 'no new address'}.")
    return 0
