"""Signing in to mail services and keeping their tokens (in the OS keyring, nowhere else).

Every failure a user can meet while connecting an account is an ``AuthError`` whose text says
what happened and what to do; the UI and the CLI show it as it is.
"""

from __future__ import annotations


class AuthError(Exception):
    """A sign-in or token-store failure with a message written for the user."""
