"""Reply-understanding evaluation on the written corpus (tests/unit/mail/corpus).

Prints per-kind precision and recall, the confusion matrix, the checks of the acceptance
(no auto-reply or bounce ever counted as a genuine reply; >= 98% of genuine replies recognised),
the accuracy of intents, accepted slots, return dates and bounced addresses, every miss, and the
throughput (parse + classify) in messages per second.

    python bench/classify_eval.py [--corpus DIR] [--rounds N] [--json]

Exit status 1 when an acceptance target fails, else 0.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mail.classify import KINDS, classify  # noqa: E402
from mail.mime import parse_message  # noqa: E402
from mail.provider import Classification, Interval, MessageRef  # noqa: E402

DEFAULT_CORPUS = ROOT / "tests" / "unit" / "mail" / "corpus"
HUMAN_RECALL_TARGET = 0.98


def load(corpus: Path) -> tuple[list[tuple[str, bytes, dict[str, Any]]], datetime]:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    items = [
        (name, (corpus / name).read_bytes(), label)
        for name, label in sorted(manifest["messages"].items())
    ]
    return items, datetime.fromisoformat(manifest["request_sent"])


def slots_of(label: dict[str, Any]) -> tuple[Interval, ...]:
    out = []
    for text in label.get("slots", ()):
        start, end = text.split("/")
        out.append(Interval(datetime.fromisoformat(start), datetime.fromisoformat(end)))
    return tuple(out)


def run(name: str, raw: bytes, label: dict[str, Any], now: datetime) -> Classification:
    msg = parse_message(raw, MessageRef(name, name))
    return classify(msg, now=now, slots=slots_of(label))


def evaluate(corpus: Path, rounds: int) -> dict[str, Any]:
    items, now = load(corpus)
    results = {name: run(name, raw, label, now) for name, raw, label in items}

    start = time.perf_counter()
    slowest = (0.0, "")
    for _ in range(rounds):
        for name, raw, label in items:
            t0 = time.perf_counter()
            run(name, raw, label, now)
            took = time.perf_counter() - t0
            slowest = max(slowest, (took, name))
    elapsed = time.perf_counter() - start
    count = len(items) * rounds

    confusion = {k: dict.fromkeys(KINDS, 0) for k in KINDS}
    misses: list[str] = []
    checks = {"intent": [0, 0], "slot": [0, 0], "away_until": [0, 0], "bounced": [0, 0],
              "permanent": [0, 0], "calendar": [0, 0], "referral": [0, 0]}  # fmt: skip

    def check(what: str, name: str, ok: bool, detail: str) -> None:
        checks[what][1] += 1
        if ok:
            checks[what][0] += 1
        else:
            misses.append(f"{name}: {what} {detail}")

    for name, _, label in items:
        got = results[name]
        want = label["kind"]
        confusion[want][got.kind] += 1
        if got.kind != want:
            misses.append(f"{name}: kind {got.kind} (want {want}; evidence {got.evidence})")
            continue
        if want == "human":
            check(
                "intent",
                name,
                got.intent == label["intent"],
                f"{got.intent} (want {label['intent']}; {got.extra.get('intent_evidence')})",
            )
            if label["intent"] == "accept":
                check(
                    "slot",
                    name,
                    got.slot == label.get("slot"),
                    f"{got.slot} (want {label.get('slot')})",
                )
            if "referral_address" in label:
                ok = (
                    got.referral_address == label["referral_address"]
                    and got.referral_name == label["referral_name"]
                )
                check("referral", name, ok, f"{got.referral_name!r} {got.referral_address!r}")
        elif want == "auto_reply":
            away = got.away_until.date().isoformat() if got.away_until else None
            check(
                "away_until",
                name,
                away == label["away_until"],
                f"{away} (want {label['away_until']})",
            )
        elif want == "bounce":
            check(
                "bounced",
                name,
                list(got.bounced_addresses) == label["bounced"],
                f"{list(got.bounced_addresses)} (want {label['bounced']})",
            )
            check(
                "permanent",
                name,
                got.permanent == label["permanent"],
                f"{got.permanent} (want {label['permanent']})",
            )
        elif want == "calendar":
            check(
                "calendar",
                name,
                got.calendar == label["calendar"],
                f"{got.calendar} (want {label['calendar']})",
            )

    per_kind = {}
    for kind in KINDS:
        tp = confusion[kind][kind]
        predicted = sum(confusion[k][kind] for k in KINDS)
        actual = sum(confusion[kind].values())
        per_kind[kind] = {
            "support": actual,
            "precision": tp / predicted if predicted else 1.0,
            "recall": tp / actual if actual else 1.0,
        }
    automatic_as_human = confusion["auto_reply"]["human"] + confusion["bounce"]["human"]
    human_recall = per_kind["human"]["recall"]
    return {
        "messages": len(items),
        "per_kind": per_kind,
        "confusion": confusion,
        "automatic_counted_as_human": automatic_as_human,
        "human_recall": human_recall,
        "targets_met": automatic_as_human == 0 and human_recall >= HUMAN_RECALL_TARGET,
        "checks": {k: {"right": v[0], "of": v[1]} for k, v in checks.items()},
        "misses": misses,
        "messages_per_second": count / elapsed if elapsed else 0.0,
        "slowest_ms": round(slowest[0] * 1000, 2),
        "slowest": slowest[1],
    }


_INSERTS = (b"\n", b"\r\n", b":", b"=?", b"?=", b"<", b">", b"--", b"=?utf-8?b?", b"\xff",
            b"\x00", b"boundary=", b"charset=\"", b"until ", b"> ", b"METHOD:")  # fmt: skip


def fuzz(corpus: Path, count: int, seed: int = 5) -> dict[str, Any]:
    """Parse + classify ``count`` randomly mutated corpus messages and random byte strings;
    reports the slowest call (the acceptance bound is 1 s per call)."""
    items, now = load(corpus)
    rng = random.Random(seed)
    slowest = 0.0
    start = time.perf_counter()
    for i in range(count):
        if i % 5 == 4:
            data = bytearray(rng.randbytes(rng.randint(0, 5000)))
        else:
            data = bytearray(rng.choice(items)[1])
            for _ in range(rng.randint(1, 12)):
                pos = rng.randint(0, max(len(data) - 1, 0))
                op = rng.random()
                if op < 0.3 and data:
                    data[pos] = rng.randint(0, 255)
                elif op < 0.6:
                    data[pos:pos] = rng.choice(_INSERTS)
                elif op < 0.8:
                    del data[pos : pos + rng.randint(1, 300)]
                else:
                    data[pos:pos] = data[pos : pos + rng.randint(1, 5000)]
        t0 = time.perf_counter()
        classify(parse_message(bytes(data), MessageRef("f", "f")), now=now)
        slowest = max(slowest, time.perf_counter() - t0)
    return {
        "fuzz_messages": count,
        "fuzz_slowest_ms": round(slowest * 1000, 2),
        "fuzz_messages_per_second": round(count / (time.perf_counter() - start)),
    }


def report(r: dict[str, Any]) -> str:
    lines = [f"corpus: {r['messages']} messages", "", "kind        support  precision  recall"]
    for kind, v in r["per_kind"].items():
        lines.append(f"{kind:<11} {v['support']:>7}  {v['precision']:>9.3f}  {v['recall']:>6.3f}")
    lines += ["", "confusion (rows: expected, columns: classified)"]
    header = " " * 12 + "".join(f"{k:>11}" for k in KINDS)
    lines.append(header)
    for kind in KINDS:
        row = r["confusion"][kind]
        lines.append(f"{kind:<12}" + "".join(f"{row[k]:>11}" for k in KINDS))
    lines += [
        "",
        f"auto-replies or bounces counted as human: {r['automatic_counted_as_human']} (target 0)",
        f"human recall: {r['human_recall']:.3f} (target {HUMAN_RECALL_TARGET})",
        "",
        "details of correctly-kinded messages:",
    ]
    for what, v in r["checks"].items():
        lines.append(f"  {what:<11} {v['right']}/{v['of']}")
    lines += ["", f"throughput: {r['messages_per_second']:.0f} messages/s (parse + classify); "
              f"slowest {r['slowest_ms']} ms ({r['slowest']})"]  # fmt: skip
    if "fuzz_messages" in r:
        lines.append(
            f"fuzz: {r['fuzz_messages']} mutated/random messages, slowest call "
            f"{r['fuzz_slowest_ms']} ms (bound 1000 ms), {r['fuzz_messages_per_second']}/s"
        )
    if r["misses"]:
        lines += ["", "misses:"] + [f"  {m}" for m in r["misses"]]
    lines.append("")
    lines.append("targets met" if r["targets_met"] else "TARGETS NOT MET")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds over the corpus")
    parser.add_argument("--json", action="store_true", help="one JSON document")
    parser.add_argument(
        "--fuzz", type=int, default=2000, metavar="N", help="mutated messages to time (0: none)"
    )
    args = parser.parse_args(argv)
    result = evaluate(args.corpus, max(1, args.rounds))
    if args.fuzz > 0:
        result.update(fuzz(args.corpus, args.fuzz))
        if result["fuzz_slowest_ms"] >= 1000:
            result["targets_met"] = False
    if args.json:
        sys.stdout.write(json.dumps(result, indent=1) + "\n")
    else:
        sys.stdout.write(report(result) + "\n")
    return 0 if result["targets_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
