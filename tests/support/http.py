"""Plain HTTP calls for tests that talk to a real server."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request


def call(method: str, url: str, body=None, headers: dict | None = None, timeout: float = 10):
    """``(status, parsed JSON or text)``; HTTP errors are returned, not raised."""
    data = None
    headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _parse(response)
    except urllib.error.HTTPError as error:
        return error.code, _parse(error)
    except http.client.HTTPException as error:  # a server killed mid-answer
        raise ConnectionError(f"{type(error).__name__}: {error}") from error


def _parse(response):
    raw = response.read().decode("utf-8")
    if "json" in (response.headers.get("Content-Type") or ""):
        return json.loads(raw)
    return raw
