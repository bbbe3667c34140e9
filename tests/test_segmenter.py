"""The segmenter (rjieba, with jieba's edges) gives exactly the tokens of jieba itself.

Every extraction rule was written against jieba's tokens; rjieba is there for speed only,
so any difference, after an upgrade of either library, must show here first."""
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.clean import clean
from kg.gazetteer import load_gazetteer
from kg.lexicon import load_lexicon
from kg.mentions import segment
from kg.tokens import _sentence_tokens
from kg.pipeline import collect_files
from kg.read import read_document

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def reference():
    """A jieba tokenizer of its own, taught the words kg.mentions teaches rjieba."""
    tok = jieba.Tokenizer()
    gaz, lex = load_gazetteer(), load_lexicon()
    for surface in gaz.names():
        if len(surface) >= 2:
            tok.add_word(surface, freq=2000)
    for suffix in lex.suffixes:
        tok.add_word(suffix, freq=1000)
    for word in lex.stopwords:
        if len(word) >= 2:
            tok.add_word(word, freq=3000)
    return lambda text: list(tok.tokenize(text))


def articles() -> list[str]:
    files, _ = collect_files([ROOT / "seeds", ROOT / "tests" / "data" / "unseen"])
    docs = [read_document(f) for f in files]
    return [d.raw for d in docs] + [clean(d).text for d in docs]


def test_articles_segment_as_jieba_does(reference):
    texts = articles()
    assert len(texts) >= 40
    for text in texts:
        assert segment(text) == reference(text)


@pytest.mark.parametrize("text", [
    "2023年5月1日召开，电话0903-1234567", "网址www.example.com", "COVID-19疫情",
    "Email: a.b@c.cn", "C++和C#语言", "B2B平台12.5.6版", "增长12.5%，达8.4亿元",
    "刘䶮在㐂村", "鿏元素豈𠀀字", "  \r\n\t 空格  ", "ｗｗｗ全角ＡＢＣ", "a--b c..d x.5%y",
])
def test_edges_where_jieba_rs_differs(reference, text):
    # Latin runs with punctuation and CJK outside jieba's Han range: jieba-rs alone
    # draws these differently
    assert segment(text) == reference(text)


@pytest.mark.parametrize("text", [
    "援援援援援", "疆疆疆疆疆", "援援援援，疆疆疆疆疆", "援援援援援2023援援援援援",
    "疆疆疆疆", "援疆援疆援疆", "的援援援援援了", "援援援援援援援", "鿏鿏元",
])
def test_hmm_ties_settle_as_jieba_does(reference, text):
    # a recurring character makes two HMM paths equally likely (援援|援援援 and 援援援|援援);
    # jieba-rs picks the other one, so the first four came out different from jieba
    assert segment(text) == reference(text)


PIECES = st.sampled_from(list("援疆乌什县衢州市的在和与企业公司建设有限了是一") +
                         ["有限公司", "指挥部", "阿克苏", "2023", "-", ".", "%", "A", "b", " ", "\n",
                          "，", "。", "“", "”", "㐂", "·", "12.5", "x-y"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_any_mix_segments_as_jieba_does(reference, text):
    assert segment(text) == reference(text)


def test_sentence_tokens_are_each_sentence_cut_alone():
    # kg.tokens cuts a document once and hands each sentence its slice of the tokens
    files, _ = collect_files([ROOT / "seeds", ROOT / "tests" / "data" / "unseen"])
    for doc in (clean(read_document(f)) for f in files):
        for sent, tokens in zip(doc.sentences, _sentence_tokens(doc)):
            alone = segment(sent.text)
            assert [(t.word, t.start, t.end) for t in tokens] == alone
            assert tokens.starts == [s for _, s, _ in alone] and tokens.ends == {e for _, _, e in alone}
