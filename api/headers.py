"""Security headers, set once for every answer rather than per view.

The HTML pages (the e-mailed ``/ack/<token>`` page) carry the token in
their URL, so they send no referrer, are not cached and may not be framed;
their Content-Security-Policy allows only this origin's own files (no
inline script or style).  Every answer is ``nosniff``, and every dynamic
one ``no-store``: the answers carry contact data, replies, the audit trail
or tokens, and a cache (a shared proxy, the browser's disk) is no place for
them.  Only the static files (the page's stylesheet, the API reference's
Swagger UI) may be cached.
"""

from __future__ import annotations

from flask import Response, request

HTML_POLICY = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
# The API reference: Swagger UI's stylesheet draws its icons as data: images (never script).
DOCS_POLICY = HTML_POLICY + "; img-src 'self' data:"


def secure(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.endpoint not in ("static", "docs_files.swagger_ui"):
        response.headers["Cache-Control"] = "no-store"
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", HTML_POLICY)  # the API reference sets DOCS_POLICY
        response.headers["Referrer-Policy"] = "no-referrer"
    return response
