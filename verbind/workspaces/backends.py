"""Signing in with a password, throttled: Django's own check, asked only while no lock holds."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from verbind.workspaces import throttle

Scope = throttle.Scope


class ThrottledBackend(ModelBackend):
    """Every sign-in through a request (the sign-in page, the admin's) counts wrong
    passwords per account and per address; a lock refuses before the password is checked.

    The lock that holds (or that this try started) is left on ``request.sign_in_lock`` for
    the page to say. Without a request (a command, a test's ``login``) nothing is counted.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return super().authenticate(request, username, password, **kwargs)
        account = throttle.account_key(username)
        address = throttle.address_key(request)
        lock = throttle.current_lock((Scope.ACCOUNT, account), (Scope.ADDRESS, address))
        if lock is not None:
            request.sign_in_lock = lock
            raise PermissionDenied(lock.message())  # no other backend tries either
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            locks = [
                throttle.failed(Scope.ACCOUNT, account),
                throttle.failed(Scope.ADDRESS, address),
            ]
            started = [found for found in locks if found is not None]
            if started:
                request.sign_in_lock = max(started, key=lambda found: found.until)
            return None
        throttle.forget(Scope.ACCOUNT, account)
        return user
