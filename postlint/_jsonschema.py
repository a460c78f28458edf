"""Import jsonschema without the format checkers postlint never uses.

jsonschema registers every format checker it can import when it is first imported. The `iri`
checker's dependency (rfc3987-syntax) builds a Lark grammar at import: about a second, paid by
every single-file pre-commit run. postlint checks `uri`, `date`, `date-time`, `email` and its own
`post-date`, so the IRI grammar is kept out; everything else is jsonschema as installed.
"""

from __future__ import annotations

import sys
from types import ModuleType


_SKIPPED = ("rfc3987_syntax", "isoduration")


def jsonschema() -> ModuleType:
    if "jsonschema" not in sys.modules:
        blocked = [name for name in _SKIPPED if name not in sys.modules]
        for name in blocked:
            sys.modules[name] = None  # type: ignore[assignment]  # ImportError for jsonschema's optional import
        try:
            import jsonschema as module
        finally:
            for name in blocked:
                del sys.modules[name]
        return module
    import jsonschema as module

    return module
