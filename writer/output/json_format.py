"""``--format json``: a JSON list of findings with stable keys (a public interface)."""

from __future__ import annotations

import json

from writer.output import Renderer, Summary
from writer.runner import FileResult


class JsonRenderer(Renderer):
    _first = True

    def file(self, result: FileResult) -> None:
        for diag in result.diagnostics:
            self.out.write("[\n  " if self._first else ",\n  ")
            self._first = False
            self.out.write(json.dumps(diag.to_json(), ensure_ascii=False))

    def finish(self, summary: Summary) -> None:
        self.out.write("[]\n" if self._first else "\n]\n")
