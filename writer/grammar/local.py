"""A LanguageTool on this machine: find an installation and run its HTTP server for one run.

Where LanguageTool is looked for, in order (the first that is set wins, and a setting that
points nowhere is an error rather than a reason to look elsewhere):

1. ``jar-dir`` in ``[tool.writer.languagetool]`` (relative to the config file);
2. the ``LTP_JAR_DIR_PATH`` environment variable (language_tool_python's own setting);
3. a LanguageTool that language_tool_python already downloaded into its cache
   (``LTP_PATH``, by default ``~/.cache/language_tool_python``);
4. only with ``allow-download = true``: language_tool_python downloads it (checksum-verified)
   into that cache. Never otherwise: drafts are private and runs must work offline.

The server is started with ``java -cp languagetool-server.jar org.languagetool.server.HTTPServer
--port N`` on a free port. Without ``--public`` LanguageTool accepts connections from this
machine only. It is one process for the whole run, stopped by :meth:`LocalServer.close` (and
at interpreter exit should a caller forget).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from writer.config import LanguageToolSettings
from writer.grammar.client import LanguageToolClient
from writer.grammar.errors import GrammarUnavailable

SERVER_CLASS = "org.languagetool.server.HTTPServer"
JAR_NAMES = ("languagetool-server.jar", "languagetool.jar")
JAR_DIR_ENV = "LTP_JAR_DIR_PATH"
START_TIMEOUT = 90.0  # seconds; LanguageTool usually answers after 3-10 s
POLL_INTERVAL = 0.2
NOT_CONFIGURED = (
    "no LanguageTool to use: set url (a LanguageTool server) or jar-dir (an unpacked "
    "LanguageTool) under [tool.writer.languagetool], or the LTP_JAR_DIR_PATH environment "
    "variable; writer downloads LanguageTool only with allow-download = true"
)


def find_java() -> str:
    java = shutil.which("java")
    if java is None and os.environ.get("JAVA_HOME"):
        candidate = Path(os.environ["JAVA_HOME"]) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            java = str(candidate)
    if java is None:
        raise GrammarUnavailable(
            "Java is not installed (a local LanguageTool needs Java 17 or newer; "
            "or set url to a LanguageTool server)"
        )
    return java


def jar_in(directory: Path, origin: str) -> Path:
    """The server jar in an unpacked LanguageTool folder named by ``origin``."""
    if not directory.is_dir():
        raise GrammarUnavailable(f"{origin} {directory} is not a folder")
    for name in JAR_NAMES:
        if (directory / name).is_file():
            return directory / name
    raise GrammarUnavailable(
        f"no {' or '.join(JAR_NAMES)} in {directory} ({origin}): point it at an unpacked "
        "LanguageTool folder"
    )


def find_jar(settings: LanguageToolSettings) -> Path:
    if settings.jar_dir:
        return jar_in(Path(settings.jar_dir), "jar-dir")
    env = os.environ.get(JAR_DIR_ENV)
    if env:
        return jar_in(Path(env).expanduser(), JAR_DIR_ENV)
    installed = _installed_by_language_tool_python()
    if installed is not None:
        return installed
    if settings.allow_download:
        return _download()
    raise GrammarUnavailable(NOT_CONFIGURED)


def _installed_by_language_tool_python() -> Path | None:
    """The newest LanguageTool in language_tool_python's cache, if it downloaded one."""
    # Its documented location. Looked at first because the library creates the folder
    # when asked, and importing it costs ~0.1 s (requests, tqdm, psutil) for nothing.
    cache = os.environ.get("LTP_PATH") or str(Path.home() / ".cache" / "language_tool_python")
    if not Path(cache).expanduser().is_dir():
        return None
    try:
        from language_tool_python.download_lt import LocalLanguageTool
    except ImportError:  # pragma: no cover - it is a dependency
        return None
    try:
        latest = LocalLanguageTool.get_latest_installed_version()
        return latest.get_jar_path() if latest is not None else None
    except (OSError, ValueError, TypeError):
        return None


def _download() -> Path:
    """Explicitly allowed: let language_tool_python fetch and verify LanguageTool."""
    from language_tool_python.download_lt import LTP_DOWNLOAD_VERSION, LocalLanguageTool

    find_java()  # say "no Java" plainly rather than after a long download attempt
    tool = LocalLanguageTool.from_version_name(LTP_DOWNLOAD_VERSION)
    try:
        tool.download()
        return tool.get_jar_path()
    except (Exception, SystemExit) as exc:  # it raises SystemExit for odd `java -version`s
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise GrammarUnavailable(
            f"could not download LanguageTool {LTP_DOWNLOAD_VERSION} (allow-download): {reason}"
        ) from None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_reason(log: IO[bytes]) -> str:
    """The most telling line of LanguageTool's output (an error if there is one)."""
    log.seek(0)
    lines = [line.strip() for line in log.read().decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    for line in lines:
        if "Error" in line or "Exception" in line:
            return line[:300]
    return lines[-1][:300] if lines else "no output"


class LocalServer:
    """LanguageTool's HTTP server, run from a jar for the duration of one lint run."""

    def __init__(self, java: str, jar: Path, timeout: float | None = None) -> None:
        self.java = java
        self.jar = jar
        self.timeout = START_TIMEOUT if timeout is None else timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.base = ""

    def command(self, port: int) -> list[str]:
        return [self.java, "-cp", str(self.jar), SERVER_CLASS, "--port", str(port)]

    def start(self, public_api: bool = False) -> tuple[LanguageToolClient, set[str]]:
        """Start the server and wait until it answers; returns a client and its languages."""
        port = _free_port()
        self.base = f"http://localhost:{port}/v2"
        # Lives as long as the server (closed in close()), so no `with` here.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self.process = subprocess.Popen(
                self.command(port),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                cwd=str(self.jar.parent),
            )
        except OSError as exc:
            self.close()
            raise GrammarUnavailable(f"could not run {self.java}: {exc.strerror or exc}") from None
        atexit.register(self.close)
        client = LanguageToolClient(self.base, public_api)
        deadline = time.monotonic() + self.timeout
        while True:
            code = self.process.poll()
            if code is not None:
                reason = _log_reason(self._log)
                self.close()
                raise GrammarUnavailable(
                    f"LanguageTool ({self.jar}) stopped while starting (exit code {code}): {reason}"
                )
            try:
                return client, client.languages(timeout=2.0)
            except GrammarUnavailable:
                if time.monotonic() > deadline:
                    self.close()
                    raise GrammarUnavailable(
                        f"LanguageTool ({self.jar}) did not answer within {self.timeout:g} s "
                        "of starting"
                    ) from None
                time.sleep(POLL_INTERVAL)

    def close(self) -> None:
        atexit.unregister(self.close)
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None
