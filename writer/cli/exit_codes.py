"""Exit codes (stable, documented in the README)."""

OK = 0  # no finding at or above the fail-on level
FINDINGS = 1  # findings at or above the fail-on level
INPUT_ERROR = 2  # usage, configuration, rule pack or input file errors
