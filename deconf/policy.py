"""Response policy: targets by precedence (with channel/kind overrides) and the linking settings.

A policy is a TOML file validated by a pydantic model (JSON Schema in `schemas/policy.schema.json`).
Durations are written as "90s", "15m", "1h30m", "2d" or a number of seconds.

    inference_window = "24h"
    min_reply_latency = "0s"
    horizon = "24h"
    approximate = "15m"      # a time_precision "approximate" stands for t ± this

    [targets]
    flash = "5m"
    immediate = "15m"
    priority = "1h"
    routine = "24h"

    [[overrides]]            # most specific match wins: channel+kind, then kind, then channel
    channel = "notification_system"
    kind = "notification"
    target = "48h"

    [reconcile]              # matching several sources' logs of one channel (`deconf reconcile`)
    tolerance = "5m"
    time_conflict_window = "30m"
    max_clock_offset = "1h"
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import polars as pl
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from deconf.errors import UsageError
from deconf.explain import explain
from deconf.frames import Col
from deconf.times import DURATION_RE, TimeError, format_duration, parse_duration
from deconf.vocabulary import Channel, ContactKind, Precedence


def _duration(value: Any) -> timedelta:
    try:
        return parse_duration(value)
    except TimeError as error:
        raise PydanticCustomError(error.code, error.message) from None


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": DURATION_RE.pattern, "examples": ["15m", "1h30m"]},
                {"type": "number", "minimum": 0, "description": "seconds"},
            ]
        }
    ),
]


class Targets(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flash: Duration = timedelta(minutes=5)
    immediate: Duration = timedelta(minutes=15)
    priority: Duration = timedelta(hours=1)
    routine: Duration = timedelta(hours=24)


class Override(BaseModel):
    """A target for attempts on a channel, of a kind, or both (the most specific match wins)."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel | None = None
    kind: ContactKind | None = None
    target: Duration


class Reconcile(BaseModel):
    """How `deconf reconcile` matches records of several sources (SPEC §7)."""

    model_config = ConfigDict(extra="forbid")

    tolerance: Duration = Field(
        timedelta(minutes=5),
        description="Two sources' records of one contact lie at most this far apart once each "
        "source's clock offset is corrected.",
    )
    time_conflict_window: Duration = Field(
        timedelta(minutes=30),
        description="Records left unmatched that agree on pair, direction and kind class and lie "
        "at most this far apart are one contact logged at conflicting times.",
    )
    max_clock_offset: Duration = Field(
        timedelta(hours=1),
        description="The largest clock offset between two sources that the estimate looks for.",
    )


class Policy(BaseModel):
    """Response targets and linking settings (SPEC §3 "Policy")."""

    model_config = ConfigDict(extra="forbid")

    targets: Targets = Field(default_factory=Targets)
    overrides: list[Override] = Field(default_factory=list)
    inference_window: Duration = Field(
        timedelta(hours=24), description="How long after an attempt an unlinked message answers it."
    )
    min_reply_latency: Duration = Field(
        timedelta(0), description="Replies faster than this are not counted (automated receipts)."
    )
    horizon: Duration = Field(
        timedelta(hours=24), description="Horizon of the restricted mean of the episode gap."
    )
    approximate: Duration = Field(
        timedelta(minutes=15),
        description="Half-width of a time recorded as `approximate`: it stands for t ± this.",
    )
    reconcile: Reconcile = Field(default_factory=Reconcile)

    def digest(self) -> str:
        """SHA-256 of the policy's canonical JSON: which policy a figure was computed under."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def target_seconds(self) -> pl.Expr:
        """Per attempt row: the response target in seconds (overrides, then precedence)."""
        by_precedence = (
            pl.col(Col.PRECEDENCE)
            .cast(pl.String)
            .replace_strict(
                {p.value: getattr(self.targets, p.value).total_seconds() for p in Precedence},
                return_dtype=pl.Float64,
            )
        )
        expression = by_precedence
        ranked = sorted(
            self.overrides, key=lambda o: (o.kind is not None) * 2 + (o.channel is not None)
        )
        for override in ranked:  # least specific first, so the most specific is applied last
            condition = pl.lit(True)
            if override.channel is not None:
                condition &= pl.col(Col.CHANNEL).cast(pl.String) == override.channel.value
            if override.kind is not None:
                condition &= pl.col(Col.KIND).cast(pl.String) == override.kind.value
            expression = (
                pl.when(condition).then(override.target.total_seconds()).otherwise(expression)
            )
        return expression


def load_policy(path: str | Path | None) -> Policy:
    """The policy in a TOML file (defaults when no file); UsageError with the location otherwise."""
    if path is None:
        return Policy()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such policy file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: not valid TOML ({error})") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        problem = explain(error)[0]
        raise UsageError(f"{path}: {where}: {problem.message} ({problem.value!r})") from None
