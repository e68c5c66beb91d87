"""Where drafts may be sent: normalising a LanguageTool URL and the privacy gate.

Drafts are confidential. The public LanguageTool API (``api.languagetool.org`` and the
other hosts LanguageTool GmbH runs) is refused unless the user opted in with
``public-api = true``; any other server is one the user named, so it is trusted.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from writer.grammar.errors import GrammarUnavailable

# Hosts of the public LanguageTool service (free and premium); subdomains included.
PUBLIC_DOMAINS = ("languagetool.org", "languagetoolplus.com")


def api_base(url: str) -> str:
    """The ``.../v2`` base of a server URL given with or without ``/v2`` or a trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GrammarUnavailable(
            f"LanguageTool url {url!r} must start with http:// or https:// and name a host"
        )
    path = parts.path.rstrip("/")
    if path.endswith("/v2/check"):  # the endpoint pasted instead of the server
        path = path[: -len("/check")]
    if not path.endswith("/v2"):
        path += "/v2"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def is_public_api(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in PUBLIC_DOMAINS)


def is_loopback(url: str) -> bool:
    """True for localhost / 127.0.0.0/8 / ::1 (proxies are never used for those)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_privacy(url: str, public_api: bool) -> None:
    """Refuse the public API unless the user explicitly allowed it."""
    if is_public_api(url) and not public_api:
        host = urlsplit(url).hostname
        raise GrammarUnavailable(
            f"refusing to send drafts to the public LanguageTool API ({host}): drafts are "
            "confidential; set public-api = true under [tool.writer.languagetool] to allow it"
        )
