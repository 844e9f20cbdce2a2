"""deconf: who tried to reach whom, when, and how long the other side left them unanswered.

The Python API in one import::

    import deconf
    validation = deconf.validate_logs("logs/khasham-2018.jsonl")
    result = deconf.analyze(validation.records)
    result.stats(by="to_party")

The names below are loaded on first use (PEP 562), so that importing one layer
(``import deconf.analysis``) does not import every other one.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from deconf.version import __version__

_EXPORTS = {
    "Analysis": "deconf.analysis",
    "Filters": "deconf.analysis",
    "analyze": "deconf.analysis",
    "Records": "deconf.frames",
    "validate_logs": "deconf.loading",
    "validate_records": "deconf.loading",
    "load_data": "deconf.sources",
    "Policy": "deconf.policy",
    "load_policy": "deconf.policy",
    "reconcile": "deconf.reconcile",
    "Store": "deconf.store",
}

__all__ = [
    "Analysis",
    "Filters",
    "Policy",
    "Records",
    "Store",
    "__version__",
    "analyze",
    "load_data",
    "load_policy",
    "reconcile",
    "validate_logs",
    "validate_records",
]

if TYPE_CHECKING:  # for type checkers and IDEs; at run time the names load lazily
    from deconf.analysis import Analysis, Filters, analyze
    from deconf.frames import Records
    from deconf.loading import validate_logs, validate_records
    from deconf.policy import Policy, load_policy
    from deconf.reconcile import reconcile
    from deconf.sources import load_data
    from deconf.store import Store


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'deconf' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
