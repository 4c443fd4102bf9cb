"""Security headers on every answer: a Content-Security-Policy and a Permissions-Policy.

The policy lets pages run only Verbind's own scripts and styles, plus the few
inline scripts the templates carry, each with this request's nonce
(``{{ request.csp_nonce }}``). htmx is told not to inject its indicator style
(``htmx-config`` in base.html), so no inline style is needed. Django's admin
keeps inline styles of its own: only there are they allowed.
"""

from __future__ import annotations

import secrets

# Features no page of Verbind uses: a script that got in could not use them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "usb",
    )
)


def content_security_policy(nonce: str, admin: bool = False) -> str:
    styles = "'self' 'unsafe-inline'" if admin else f"'self' 'nonce-{nonce}'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src {styles}",
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.setdefault(
            "Content-Security-Policy",
            content_security_policy(request.csp_nonce, admin=request.path.startswith("/admin/")),
        )
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
