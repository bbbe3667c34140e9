"""kg.resolve's pinyin (words converted once) is pypinyin's lazy_pinyin, character for character."""
import random

from pypinyin import lazy_pinyin

from kg.resolve import pinyin_of, slug


def test_pinyin_of_names_and_mixed_text_is_lazy_pinyins():
    rng = random.Random(5)
    words = ["援疆", "有限公司", "阿克苏", "重庆", "银行", "长春", "中学", "行长", "乐器", "音乐", "了解", "单于"]
    chars = "援疆行长重乐了单于藏区朝阳ABc12·“”（）-、\u3400\U00020000 "
    texts = ["".join(rng.choices(words, k=rng.randint(1, 4))) for _ in range(500)]
    texts += ["".join(rng.choices(chars, k=rng.randint(1, 12))) for _ in range(2000)]
    texts += [chr(c) for c in range(0x4E00, 0x9FA6, 7)]
    for text in texts * 2:                     # the second time from what was converted once
        assert pinyin_of(text) == lazy_pinyin(text, errors=lambda s: list(s)), text


def test_slug_reads_as_pinyin_with_a_hash():
    assert slug("阿克苏地区援疆指挥部").startswith("a-ke-su-di-qu-yuan-jiang-zhi-hui-bu-")
    assert len(slug("ＡＢ")) == len(slug("“”")) == 6     # nothing in a-z0-9 to spell: the hash alone
