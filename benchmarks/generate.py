"""Deterministic corpus generator for scale tests.

Articles are made by recombining the sentences of the bundled seeds, with the places,
companies and numbers in them swapped for others drawn from the gazetteer and lexicons:
a pairing of a city outside Xinjiang with a county inside it per article, new company
trade names, new figures. The same seed and count always give the same files.

    python benchmarks/generate.py 1000 /tmp/corpus-1k
"""
from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from kg.clean import clean
from kg.gazetteer import load_gazetteer
from kg.read import read_document

ROOT = Path(__file__).resolve().parent.parent
TRADE_SYLLABLES = "华盛天和麦伦睿丁美欣达新优远恒泰安康瑞丰宏源金诚博德嘉禾鑫隆永昌汇通鼎信"
TRADE_WORDS = ["纺织", "针织", "工贸", "生物", "科技", "食品", "农业", "服饰"]


def _seed_sentences() -> list[str]:
    sentences = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        doc = clean(read_document(path))
        sentences += [s.text for s in doc.sentences if s.kind == "body" and len(s.text) > 12]
    return sentences


def _pairs() -> tuple[list, list]:
    gaz = load_gazetteer()
    cities = [p for p in gaz.by_code.values() if p.level == "prefecture" and "City" in p.types
              and not p.code.startswith("65")]
    counties = [p for p in gaz.by_code.values() if p.level == "county" and p.code.startswith("65")]
    return sorted(cities, key=lambda p: p.code), sorted(counties, key=lambda p: p.code)


def _short(place) -> str:
    return min(place.short, key=len) if place.short else place.name


def _number(rng: random.Random, old: str, after: str | None) -> str:
    """A new figure of the same kind: years stay plausible years, months and days valid."""
    if after == "年" and len(old) == 4:
        return str(rng.randint(2010, 2024))
    if after == "月":
        return str(rng.randint(1, 12))
    if after == "日":
        return str(rng.randint(1, 28))
    if "." in old:
        return f"{rng.randint(1, 99)}.{rng.randint(1, 9)}"
    return str(rng.randint(2, 900))


def generate(count: int, out: Path, seed: int = 2260, sentences_per_article: int = 40) -> list[Path]:
    rng = random.Random(seed)
    base = _seed_sentences()
    cities, counties = _pairs()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(count):
        city, county = rng.choice(cities), rng.choice(counties)
        firm = lambda: rng.choice(TRADE_SYLLABLES) + rng.choice(TRADE_SYLLABLES) + rng.choice(TRADE_WORDS)  # noqa: E731
        lines = [f"{_short(city)}援疆工作纪实", "",
                 f"新一轮对口援疆工作开展以来,{city.name}对口支援{county.name}。"]
        for sentence in rng.sample(base, min(sentences_per_article, len(base))):
            s = sentence
            for old, new in (("衢州市", city.name), ("湖州市", city.name), ("乌什县", county.name),
                             ("柯坪县", county.name), ("衢州", _short(city)), ("湖州", _short(city)),
                             ("乌什", _short(county)), ("柯坪", _short(county))):
                s = s.replace(old, new)
            s = re.sub(r"\d+(\.\d+)?(?=(年|月|日)?)", lambda m: _number(rng, m.group(0), m.group(2)), s)
            s = re.sub(r"(华盛纺织|天和针织|麦伦工贸|睿丁生物|美欣达集团)", lambda m: firm(), s)
            lines += ["", s]
        path = out / f"gen_{i:06d}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("count", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=2260)
    args = ap.parse_args()
    files = generate(args.count, args.out, args.seed)
    print(f"wrote {len(files)} articles to {args.out}")


if __name__ == "__main__":
    main()
