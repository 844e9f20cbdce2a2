"""Throw generated malformed inputs at `deconf validate` and count what comes back.

    python -m benchmarks.malformed                  # 5,000 inputs, seed 1
    python -m benchmarks.malformed --inputs 500 --seed 7 --subprocess-every 25

Each input is a log built from known parts: valid records, lines that must be rejected (of the
kinds issue 12 names: deep nesting, integers of thousands of digits, lone surrogates that reach
the fast path or the slow one, millions of unknown keys, lone CRs in quoted CSV cells, oversized
cells, broken JSON, ragged rows, hostile control text), blank lines, or a whole file that is no
log at all (binary, not UTF-8, empty, a header naming no field). So the right answer is known:
exit 2 with one line for a file that is no log; otherwise accepted and rejected exactly as built.
Inputs run through the CLI in process (typer's runner: a traceback would surface as an
exception); every Nth also runs as a real `python -m deconf` process, whose stderr must hold no
traceback. Prints the counts; exits 1 when any input was answered wrongly.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from deconf.cli import app

VALID = {
    "sent_at": "2018-02-07T22:31:00Z",
    "from_party": "US",
    "to_party": "RU",
    "channel": "deconfliction_line",
    "kind": "query",
}
CSV_HEADER = "id,sent_at,from_party,to_party,channel,kind,summary"


@dataclass
class Case:
    kind: str
    data: bytes
    suffix: str
    accepted: int | None  # None: the file is no log (exit 2)
    rejected: int | None


def _valid_json(rng: random.Random, n: int) -> str:
    record = dict(VALID, id=f"ok-{n}", summary=rng.choice(["", "plain", "שלום", "\u200d"]))
    if not record["summary"]:
        del record["summary"]
    return json.dumps(record, ensure_ascii=rng.random() < 0.5)


def _bad_json(rng: random.Random, n: int) -> tuple[str, str]:
    """A line that must be rejected, and its kind."""
    base = json.dumps(dict(VALID, id=f"bad-{n}"))[:-1]
    kind = rng.choice(
        [
            "deep",
            "bigint",
            "surrogate-fast",
            "surrogate-slow",
            "unknown-keys",
            "broken",
            "not-object",
            "control-text",
            "truncated",
        ]
    )
    if kind == "deep":
        depth = rng.choice([65] * 5 + [1000] * 5 + [100_000])
        return base + ', "summary": ' + "[" * depth + "]" * depth + "}", kind
    if kind == "bigint":
        return '{"id": ' + "9" * rng.choice([4301, 10_000]) + "}", kind
    if kind == "surrogate-fast":
        return base + ', "summary": "x' + rng.choice(["\\ud800", "\\udfff"]) + '"}', kind
    if kind == "surrogate-slow":
        return base + ', "zz": 1, "summary": "\\udc00"}', kind
    if kind == "unknown-keys":
        many = rng.choice([25] * 30 + [10_000] * 10 + [300_000])
        return base + ", " + ", ".join(f'"k{i}": {i}' for i in range(many)) + "}", kind
    if kind == "broken":
        return base + rng.choice([",", ', "summary": ', ', "x" "y"']), kind
    if kind == "not-object":
        return rng.choice(["[1, 2]", '"text"', "42", "true"]), kind
    if kind == "control-text":
        return base + ', "channel": "radio\\u001b]0;pwned\\u0007"}', kind
    cut = json.dumps(dict(VALID, id=f"bad-{n}"))
    return cut[: rng.randrange(1, len(cut) - 1)], kind


def jsonl_case(rng: random.Random) -> Case:
    good = rng.randrange(0, 6)
    bad = rng.randrange(1, 4)
    lines = [_valid_json(rng, i) for i in range(good)]
    kinds = []
    for i in range(bad):
        line, kind = _bad_json(rng, i)
        lines.append(line)
        kinds.append(kind)
    lines += [""] * rng.randrange(0, 3) + ["   "] * rng.randrange(0, 2)
    rng.shuffle(lines)
    if all(not line.strip() for line in lines):
        lines.append(_valid_json(rng, 99))
        good += 1
    ending = rng.choice(["\n", "\r\n"])
    data = ending.join(lines).encode("utf-8")
    if rng.random() < 0.2:
        data = b"\xef\xbb\xbf" + data
    return Case("jsonl:" + "+".join(sorted(set(kinds))), data, ".jsonl", good, bad)


def _csv_row(rng: random.Random, n: int, good: bool) -> tuple[str, str]:
    summary = rng.choice(['"one\rtwo"', '"multi\nline"', "plain", '"=1+1"'])
    if good:
        return f"ok-{n},2018-02-07T22:31:00Z,US,RU,radio,query,{summary}", "good"
    kind = rng.choice(["oversized", "ragged", "bad-time", "same-party"])
    if kind == "oversized":
        return f'bad-{n},2018-02-07T22:31:00Z,US,RU,radio,query,"{"x" * 131_073}\nmore"', kind
    if kind == "ragged":
        return f"bad-{n},2018-02-07T22:31:00Z,US,RU,radio,query,{summary},surplus", kind
    if kind == "bad-time":
        return f"bad-{n},yesterday,US,RU,radio,query,{summary}", kind
    return f"bad-{n},2018-02-07T22:31:00Z,US,US,radio,query,{summary}", kind


def csv_case(rng: random.Random) -> Case:
    good = rng.randrange(0, 5)
    bad = rng.randrange(1, 3)
    rows = [_csv_row(rng, i, True) for i in range(good)]
    rows += [_csv_row(rng, i, False) for i in range(bad)]
    rng.shuffle(rows)
    ending = rng.choice(["\n", "\r\n"])
    text = CSV_HEADER + ending + ending.join(r for r, _ in rows) + ending
    kinds = sorted({k for _, k in rows if k != "good"})
    return Case("csv:" + "+".join(kinds), text.encode("utf-8"), ".csv", good, bad)


def no_log_case(rng: random.Random) -> Case:
    kind = rng.choice(["binary", "latin-1", "empty", "blank", "no-field-header"])
    data, suffix = {
        "binary": (bytes(rng.randrange(256) for _ in range(64)) + b"\x00", ".jsonl"),
        "latin-1": ('{"id": "caf\u00e9"}\n'.encode("latin-1"), ".jsonl"),
        "empty": (b"", ".jsonl"),
        "blank": (b"\n \r\n\t\n", ".jsonl"),
        "no-field-header": (b"foo,bar\n1,2\n", ".csv"),
    }[kind]
    return Case(f"no-log:{kind}", data, suffix, None, None)


def generate(rng: random.Random) -> Case:
    roll = rng.random()
    if roll < 0.6:
        return jsonl_case(rng)
    if roll < 0.9:
        return csv_case(rng)
    return no_log_case(rng)


def judge(case: Case, exit_code: int, stdout: str, stderr: str, exception) -> str | None:
    """What is wrong with the answer, or None when it is exactly right."""
    if exception is not None and not isinstance(exception, SystemExit):
        return f"exception escaped: {exception!r}"
    if "Traceback" in stderr or "Traceback" in stdout:
        return "traceback printed"
    if case.accepted is None:
        if exit_code != 2 or not stderr.startswith("deconf: ") or stderr.count("\n") != 1:
            return f"no-log input: exit {exit_code}, stderr {stderr[:100]!r}"
        return None
    if exit_code != 1:
        return f"exit {exit_code}, expected 1"
    try:
        summary = json.loads(stdout)
    except json.JSONDecodeError:
        return f"exit {exit_code} without a JSON summary: {stdout[:80]!r} {stderr[:80]!r}"
    got = (summary["lines"], summary["accepted"], summary["rejected"])
    expected = (case.accepted + case.rejected, case.accepted, case.rejected)
    if got != expected:
        return f"lines/accepted/rejected {got}, expected {expected}"
    if any(not isinstance(e["line"], int) or e["line"] < 1 for e in summary["errors"]):
        return "an error names no line"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--inputs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--subprocess-every", type=int, default=50)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    runner = CliRunner()
    kinds: Counter[str] = Counter()
    exits: Counter[int] = Counter()
    wrong: list[str] = []
    lines = accepted = rejected = processes = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        for number in range(1, args.inputs + 1):
            case = generate(rng)
            path = Path(scratch) / f"input-{number}{case.suffix}"
            path.write_bytes(case.data)
            result = runner.invoke(app, ["validate", str(path), "--format", "json"])
            problem = judge(case, result.exit_code, result.stdout, result.stderr, result.exception)
            if problem is None and args.subprocess_every and number % args.subprocess_every == 0:
                processes += 1
                done = subprocess.run(
                    [sys.executable, "-m", "deconf", "validate", str(path), "--format", "json"],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                problem = judge(case, done.returncode, done.stdout, done.stderr, None)
            kinds[case.kind.split(":")[0]] += 1
            exits[result.exit_code] += 1
            if problem:
                wrong.append(f"input {number} ({case.kind}): {problem}")
            elif case.accepted is not None:
                lines += case.accepted + case.rejected
                accepted += case.accepted
                rejected += case.rejected
            path.unlink()
    elapsed = time.perf_counter() - started
    print(f"{args.inputs} malformed inputs (seed {args.seed}) in {elapsed:.0f} s")
    print(f"  kinds: {dict(sorted(kinds.items()))}")
    print(f"  exit codes: {dict(sorted(exits.items()))}")
    print(f"  lines {lines}: accepted {accepted}, rejected {rejected}, as built")
    print(f"  also run as separate processes: {processes}")
    print(f"  answered wrongly: {len(wrong)}")
    for line in wrong[:20]:
        print(f"    {line}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
