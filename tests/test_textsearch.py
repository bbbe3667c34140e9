"""kg.textsearch finds what the per-article alternation of names it replaced found, and clause starts as str.rfind does."""
import random
import re

from kg.textsearch import after_last, leftmost_longest, longest_first


def _by_regex(texts, names):
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    return [[(m.start(), m.end(), m.group(0)) for m in pattern.finditer(t)] for t in texts]


def test_same_matches_as_the_alternation_on_random_texts():
    rng = random.Random(17)
    alphabet = "援疆阿克苏喀什市县园区.（）\0"
    for _ in range(3000):
        names = {"".join(rng.choices(alphabet, k=rng.randint(1, 5))) for _ in range(rng.randint(1, 6))}
        texts = ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(rng.randint(1, 4))]
        assert leftmost_longest(texts, names) == _by_regex(texts, names)


def test_longest_name_at_a_place_then_on_from_its_end():
    texts = ["金鸡养殖园已进入金鸡养殖", "无", "金鸡金鸡养殖园"]
    names = ["金鸡养殖", "金鸡养殖园", "养殖园已进"]
    assert leftmost_longest(texts, names) == [[(0, 5, "金鸡养殖园"), (8, 12, "金鸡养殖")], [],
                                             [(2, 7, "金鸡养殖园")]]


def test_longest_first_pattern_matches_as_the_plain_alternation():
    rng = random.Random(3)
    alphabet = "万元亿人次个所园区中心.（）"
    for _ in range(1000):
        words = {"".join(rng.choices(alphabet, k=rng.randint(1, 5))) for _ in range(rng.randint(0, 12))}
        plain = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
        tree = longest_first(words)
        text = "".join(rng.choices(alphabet, k=rng.randint(0, 60)))
        for around in ("{}", "({})", "(?P<u>{})区", "(?:{})?心", "[万元]+(?:{})"):   # what follows may fail
            a, b = re.compile(around.format(plain)), re.compile(around.format(tree))
            assert [m.span() for m in a.finditer(text)] == [m.span() for m in b.finditer(text)], (words, text)


def test_after_last_is_the_last_mark_before_a_position_as_rfind_finds_it():
    rng = random.Random(5)
    marks = "，,；;：:"
    pattern = re.compile(f"[{marks}]")
    for _ in range(2000):
        text = "".join(rng.choices("援疆县，,；;：:市", k=rng.randint(0, 30)))
        for pos in range(-len(text) - 2, len(text) + 3):
            expected = max(text.rfind(c, 0, pos) for c in marks) + 1
            assert after_last(pattern, text, pos) == expected, (text, pos)
