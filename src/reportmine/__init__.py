"""reportmine: turn folders of Chinese report text into tables an analyst can trust.

The library and the `reportmine` command share these functions::

    import reportmine
    doc = reportmine.parse_file("samples/000_8962da1a5d06fb49.txt")
    df = reportmine.metrics_frame([doc])
"""

from .models import Document, Metric, Section
from .numbers import parse_number
from .pipeline import parse_file, parse_paths, parse_text
from .rules import RulesError, load_rules
from .tables import (checks_frame, documents_frame, errors_frame, metrics_frame,
                     removals_frame, sections_frame)


def extract_quantities(text: str) -> list[Metric]:
    """The quantities of a string, with offsets into that string."""
    return list(parse_text(text).metrics)


__all__ = [
    "Document", "Metric", "Section", "RulesError",
    "parse_text", "parse_file", "parse_paths", "parse_number", "extract_quantities",
    "metrics_frame", "sections_frame", "documents_frame", "removals_frame", "errors_frame",
    "checks_frame", "load_rules",
]
__version__ = "0.1.0"
