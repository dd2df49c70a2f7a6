"""Precision, recall and F1 of the courtesy rules on the labelled corpus, per language,
and the speed of the courtesy check on it.

Run: ``python bench/courtesy_corpus.py`` (add ``--misses`` to list the wrong calls).
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("corpus_scoring", ROOT / "tests" / "corpus" / "scoring.py")
assert _spec is not None and _spec.loader is not None
scoring = importlib.util.module_from_spec(_spec)
sys.modules["corpus_scoring"] = scoring
_spec.loader.exec_module(scoring)


def table(title: str, scores: dict[tuple[str, str], object]) -> None:
    print(f"\n{title}")
    print(f"{'rule':9} {'lang':4} {'n':>4} {'precision':>9} {'recall':>7} {'F1':>6}")
    for rule in scoring.RULES:
        for language in scoring.LANGUAGES:
            s = scores.get((rule, language))
            if s is None:
                continue
            n = s.tp + s.fp + s.fn + s.tn  # type: ignore[attr-defined]
            print(f"{rule:9} {language:4} {n:4d} {s.precision:9.3f} {s.recall:7.3f} {s.f1:6.3f}")  # type: ignore[attr-defined]


def main() -> None:
    entries = scoring.load()
    with tempfile.TemporaryDirectory() as folder:
        engine = scoring.engine(Path(folder))
    tuned = [e for e in entries if not e.heldout]
    held = [e for e in entries if e.heldout]
    print(f"corpus: {len(entries)} replies ({len(tuned)} tuned on, {len(held)} held out)")
    all_scores = scoring.score(engine, entries)
    table("all replies", all_scores)
    table("held-out replies only", scoring.score(engine, held))
    if "--misses" in sys.argv:
        for (rule, language), s in sorted(all_scores.items()):
            for miss in s.misses:
                print(f"{rule} {language}: {miss}")
    sentences = scoring.load_sentences()
    print(f"\nprobe sentences: {len(sentences)} (tests/corpus/sentences: one class of wording each)")
    sentence_scores = scoring.score(engine, sentences)
    table("probe sentences", sentence_scores)
    if "--misses" in sys.argv:
        for (rule, language), s in sorted(sentence_scores.items()):
            for miss in s.misses:
                print(f"sentence {rule} {language}: {miss}")
    languages = {"met": 0, "breached": 0, "unknown": 0}
    for entry in entries:
        rule = [f for f in engine.evaluate(scoring.ticket(entry), scoring.START).findings if f.rule == "courtesy.language"]
        languages[rule[0].status.value if rule else "unknown"] += 1
    print(f"\ncourtesy.language on same-language replies: {languages['met']} right, "
          f"{languages['breached']} wrongly flagged, {languages['unknown']} too short or unclear to tell")
    tickets = [scoring.ticket(e) for e in entries]
    for t in tickets[:20]:
        engine.evaluate(t, scoring.START)
    rounds = 20
    begin = time.process_time()
    for _ in range(rounds):
        for t in tickets:
            engine.evaluate(t, scoring.START)
    spent = time.process_time() - begin
    messages = rounds * 2 * len(tickets)
    print(f"\ncourtesy check: {messages / spent:,.0f} messages/s (CPU time, {messages} messages, "
          f"half customer messages, half agent replies)")


if __name__ == "__main__":
    main()
