"""deconf: who tried to reach whom, when, and how long the other side left them unanswered.

The Python API in one import::

    import deconf
    validation = deconf.validate_logs(["logs/khasham-2018.jsonl"])
    result = deconf.analyze(validation.records)
    result.stats(by="to_party")
"""

from deconf.analysis import Analysis, Filters, analyze
from deconf.frames import Records
from deconf.loading import validate_logs, validate_records
from deconf.policy import Policy, load_policy
from deconf.store import Store
from deconf.version import __version__

__all__ = [
    "Analysis",
    "Filters",
    "Policy",
    "Records",
    "Store",
    "__version__",
    "analyze",
    "load_policy",
    "validate_logs",
    "validate_records",
]
