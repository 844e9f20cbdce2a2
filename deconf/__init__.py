"""deconf: who tried to reach whom, when, and how long the other side left them unanswered."""

__version__ = "0.1.0"
