"""Synthetic deliveries of N records in the shipped formats, for benchmarks.

    python bench/generate.py 100000 out.csv            # German-style CSV: cp1252, ';', decimal commas
    python bench/generate.py 100000 out.jsonl --format jsonl

Deterministic for a given N and seed. About 2% of rows are broken the way real exports are
(a level outside the framework, unparseable credits, a missing title), so quarantine is exercised.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

TOPICS = ["Datenanalyse", "Künstliche Intelligenz", "Projektmanagement", "Cybersicherheit",
          "Nachhaltige Energiesysteme", "Digitales Marketing", "Maschinelles Lernen", "Pflegemanagement",
          "Softwaretechnik", "Logistik 4.0", "Führung im Wandel", "Datenschutzrecht", "Statistik mit R",
          "Cloud-Architekturen", "Kreislaufwirtschaft", "UX-Design", "Finanzbuchhaltung", "Robotik"]
KINDS = ["Grundlagen", "Aufbaukurs", "Zertifikatskurs", "Vertiefung", "Praxismodul", "Mikrozertifikat"]
MODES = ["Präsenz", "Online", "Blended Learning", "hybrid", "vor Ort"]
LANGS = ["Deutsch", "Englisch", "Deutsch, Englisch", "Englisch; Deutsch"]
ASSESS = ["Klausur", "Hausarbeit", "Projektarbeit und Präsentation", "mündliche Prüfung", "Portfolio"]
ECTS = ["2,5", "5", "7,5", "10", "3", "6", "15", "1,5"]
HEADER = ["Kursnummer", "Titel", "Beschreibung", "Lernergebnisse", "Niveau (DQR)", "Leistungspunkte",
          "Unterrichtssprache", "Lernform", "Prüfungsform", "Anbieter", "Beginn", "Preis"]


def rows(n: int, seed: int = 42):
    rnd = random.Random(seed)
    for i in range(n):
        topic = rnd.choice(TOPICS)
        title = f"{topic}: {rnd.choice(KINDS)} {1 + i % 7}"
        level = str(rnd.randint(4, 8))
        credits = rnd.choice(ECTS)
        broken = rnd.random()
        if broken < 0.007:
            level = "9"
        elif broken < 0.014:
            credits = "viele"
        elif broken < 0.02:
            title = ""
        yield {
            "Kursnummer": f"WB-{i:07d}",
            "Titel": title,
            "Beschreibung": f"<p>Der Kurs vermittelt {topic} für Berufstätige.</p>",
            "Lernergebnisse": f"Die Teilnehmenden können {topic} anwenden.\nSie bewerten Ergebnisse kritisch.",
            "Niveau (DQR)": level,
            "Leistungspunkte": credits,
            "Unterrichtssprache": rnd.choice(LANGS),
            "Lernform": rnd.choice(MODES),
            "Prüfungsform": rnd.choice(ASSESS),
            "Anbieter": f"Hochschule {rnd.choice(['Nord', 'Süd', 'Ost', 'West'])}",
            "Beginn": f"{rnd.randint(1, 28):02d}.{rnd.randint(1, 12):02d}.2026",
            "Preis": f"{rnd.randint(0, 30) * 50},00 EUR",
        }


def write(n: int, out: Path, fmt: str = "csv", seed: int = 42) -> Path:
    if fmt == "csv":
        with open(out, "w", encoding="cp1252", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=HEADER, delimiter=";", lineterminator="\r\n")
            w.writeheader()
            w.writerows(rows(n, seed))
    elif fmt == "jsonl":
        with open(out, "w", encoding="utf-8") as fh:
            for r in rows(n, seed):
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    else:
        raise SystemExit(f"unknown format {fmt}")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--format", default="csv", choices=["csv", "jsonl"])
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    write(a.n, a.out, a.format, a.seed)
