"""reportmine: turn folders of Chinese report text into tables an analyst can trust.

The library and the `reportmine` command share these functions::

    import reportmine
    doc = reportmine.parse_file("samples/000_8962da1a5d06fb49.txt")
    df = reportmine.metrics_frame([doc])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Document, Metric, Section
    from .numbers import parse_number
    from .pipeline import parse_file, parse_paths, parse_text
    from .rules import RulesError, load_rules
    from .tables import (checks_frame, documents_frame, errors_frame, metrics_frame,
                         removals_frame, sections_frame)

__version__ = "0.1.0"

# The public names, imported on first use (PEP 562): `import reportmine.cli` (every
# run of the command) must not pay for the pipeline, pydantic and the rules when it
# only has to merge cached rows.
_WHERE = {
    "Document": "models", "Metric": "models", "Section": "models",
    "parse_number": "numbers",
    "parse_file": "pipeline", "parse_paths": "pipeline", "parse_text": "pipeline",
    "RulesError": "rules", "load_rules": "rules",
    "checks_frame": "tables", "documents_frame": "tables", "errors_frame": "tables",
    "metrics_frame": "tables", "removals_frame": "tables", "sections_frame": "tables",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


def extract_quantities(text: str) -> list[Metric]:
    """The quantities of a string, with offsets into that string."""
    from .pipeline import parse_text

    return list(parse_text(text).metrics)


__all__ = [
    "Document", "Metric", "Section", "RulesError",
    "parse_text", "parse_file", "parse_paths", "parse_number", "extract_quantities",
    "metrics_frame", "sections_frame", "documents_frame", "removals_frame", "errors_frame",
    "checks_frame", "load_rules",
]
