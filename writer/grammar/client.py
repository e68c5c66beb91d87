"""A small HTTP client for LanguageTool's documented JSON API (``POST /v2/check``).

Why our own ~100 lines of ``urllib`` rather than ``language_tool_python.LanguageTool``
(whose remote-server mode speaks the same API):

* privacy: the one place that sends a draft is short enough to audit; the public-API gate
  sits in the constructor, redirects are refused (a server cannot bounce a draft elsewhere)
  and proxies are bypassed for a LanguageTool on this machine;
* no implicit download: ``LanguageTool()`` without a server URL downloads LanguageTool
  when none is found; we decide about local installations ourselves (see ``local.py``);
* raw JSON: we need LanguageTool's UTF-16 offsets untouched to map them to source
  positions ourselves, and rule ids / categories for vocabulary and disabled rules;
* errors and time: one clear ``GrammarUnavailable`` line for every failure, with short
  time-outs (``language_tool_python`` waits up to 300 s), and no ``requests`` import on the
  pre-commit path.

``language_tool_python`` is still what finds (and, when allowed, downloads) a local
LanguageTool: see ``local.py``.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from email.message import Message as HTTPMessage
from typing import IO, Any

from writer.grammar.endpoint import check_privacy, is_loopback
from writer.grammar.errors import GrammarUnavailable

CHECK_TIMEOUT = 120.0  # seconds for one /check request (a long batch on a cold server)
PROBE_TIMEOUT = 5.0  # seconds for /languages, used to see whether a server is there
USER_AGENT = "health-writer (LanguageTool client)"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could send a draft to a host the user never named: treat it as an error."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        raise urllib.error.HTTPError(
            req.full_url, code, f"redirected to {newurl}; set url to the final address",
            headers, fp,
        )


class LanguageToolClient:
    """Talks to one LanguageTool server whose base URL ends in ``/v2``."""

    def __init__(self, base: str, public_api: bool = False) -> None:
        check_privacy(base, public_api)
        self.base = base.rstrip("/")
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if is_loopback(self.base):
            handlers.append(urllib.request.ProxyHandler({}))
        self._opener = urllib.request.build_opener(*handlers)
        self.requests = 0  # /check requests sent (for statistics and tests)

    def languages(self, timeout: float = PROBE_TIMEOUT) -> set[str]:
        """Language codes the server knows (short and long forms); also proves it is up."""
        data = self._call("languages", None, timeout)
        if not isinstance(data, list):
            raise GrammarUnavailable(f"{self.base}/languages did not answer with a language list")
        codes = {"auto"}
        for entry in data:
            if isinstance(entry, dict):
                codes.update(str(entry[k]) for k in ("code", "longCode") if k in entry)
        return codes

    def check(
        self, text: str, language: str, disabled_rules: Iterable[str] = ()
    ) -> dict[str, Any]:
        """The raw JSON answer of ``POST /v2/check`` (offsets in UTF-16 code units)."""
        params = {"text": text, "language": language}
        disabled = ",".join(sorted(set(disabled_rules)))
        if disabled:
            params["disabledRules"] = disabled
        self.requests += 1
        data = self._call("check", params, CHECK_TIMEOUT)
        if not isinstance(data, dict) or not isinstance(data.get("matches"), list):
            raise GrammarUnavailable(f"{self.base}/check did not answer with a list of matches")
        return data

    def _call(self, endpoint: str, params: dict[str, str] | None, timeout: float) -> Any:
        url = f"{self.base}/{endpoint}"
        body = urllib.parse.urlencode(params).encode("utf-8") if params is not None else None
        request = urllib.request.Request(
            url, data=body, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
        )
        try:
            with self._opener.open(request, timeout=timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = _first_line(exc.read() if exc.fp else b"") or str(exc.reason)
            raise GrammarUnavailable(
                f"LanguageTool at {self.base} answered HTTP {exc.code}: {detail}"
            ) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, OSError) and reason.strerror:
                reason = reason.strerror
            raise GrammarUnavailable(
                f"LanguageTool at {self.base} is not reachable ({reason})"
            ) from None
        except TimeoutError:
            raise GrammarUnavailable(
                f"LanguageTool at {self.base} did not answer within {timeout:g} s"
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            raise GrammarUnavailable(
                f"LanguageTool at {self.base} is not reachable ({_describe(exc)})"
            ) from None
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise GrammarUnavailable(
                f"LanguageTool at {self.base} answered with something that is not JSON: "
                f"{_first_line(raw)}"
            ) from None


def _first_line(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").strip()
    return text.splitlines()[0][:200] if text else ""


def _describe(exc: BaseException) -> str:
    strerror = getattr(exc, "strerror", None)
    return str(strerror or exc or type(exc).__name__)
