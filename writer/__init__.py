"""health-writer: lint and generate honest, plain-language health articles."""

__version__ = "0.1.0"
