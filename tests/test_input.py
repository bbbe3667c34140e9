"""Real-world input (issue 6): a fixture corpus with one file of every awkward kind,
generated here, run through the real `kg build`; exit statuses; atomic outputs; names
that would break IRIs or Turtle."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDFS

from kg.cli import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, main

YJ = Namespace("https://w3id.org/yuanjiang-kg/ontology#")

ARTICLE = ("浙江省衢州市对口支援新疆阿克苏地区乌什县。2023年，衢州市投入援疆资金8.4亿元，"
           "实施援疆项目91个。衢州市援疆指挥部引进浙江华丰纺织有限公司落户乌什县。")
TRADITIONAL = ("上海市對口支援新疆喀什地區莎車縣。上海市援疆資金3.5億元，"
               "引進上海紡織集團有限公司落戶莎車縣。")
HTML_PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>援疆新闻</title>
<link rel="canonical" href="https://news.example.org/a/1.html">
<meta property="article:published_time" content="2023-05-06">
<script>var nav = "北京市对口支援和田地区";</script><style>p {{ color: red }}</style></head>
<body><nav>首页 | 新闻 | 北京市对口支援和田地区</nav>
<article><p>{ARTICLE[:24]}</p><p>{ARTICLE[24:]}</p></article>
<footer>版权所有 北京市对口支援和田地区</footer></body></html>"""


def write_corpus(root: Path) -> dict[str, Path]:
    """One file of each kind named in issue 6; returns name -> path."""
    root.mkdir(parents=True, exist_ok=True)
    files = {
        "utf8.txt": ARTICLE.encode("utf-8"),
        "utf8-bom.txt": b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"),
        "gbk.txt": ARTICLE.encode("gbk"),
        "gb18030.txt": (ARTICLE + "㐀").encode("gb18030"),   # a character GBK lacks
        "big5.txt": TRADITIONAL.encode("big5"),
        "utf16le-bom.txt": ARTICLE.encode("utf-16"),
        "utf16be.txt": b"\xfe\xff" + ARTICLE.encode("utf-16-be"),
        "fullwidth.md": ("# 援疆\n\n" + ARTICLE.replace("8.4", "８．４").replace("91", "９１")).encode("utf-8"),
        "page.html": HTML_PAGE.encode("utf-8"),
        "empty.txt": b"",
        "blank.txt": b" \n\n\t \n",
        "binary.txt": bytes(range(256)) * 40,
        "undecodable.txt": bytes([0x81, 0x30, 0xff, 0xfe, 0x80, 0xc0]) * 50 + b"\xff\xff\xff",
    }
    paths = {}
    for name, data in files.items():
        (root / name).write_bytes(data)
        paths[name] = root / name
    big = root / "huge.txt"                      # sparse: over the 50 MB limit without using the disk
    with open(big, "wb") as fh:
        fh.truncate(51 * 1024 * 1024)
    paths["huge.txt"] = big
    (root / "folder.txt").mkdir()               # a folder with an article's name
    paths["folder.txt"] = root / "folder.txt"
    (root / "dangling.txt").symlink_to(root / "gone.txt")
    paths["dangling.txt"] = root / "dangling.txt"
    return paths


GOOD = {"utf8", "utf8-bom", "gbk", "gb18030", "big5", "utf16le-bom", "utf16be", "fullwidth", "page"}
BAD = {"empty.txt": "empty", "blank.txt": "empty", "binary.txt": "binary",
       "undecodable.txt": "undecodable", "huge.txt": "limit", "dangling.txt": "no such file"}


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    write_corpus(root / "in")
    out = root / "out"
    proc = subprocess.run(["kg", "build", str(root / "in"), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    return root, out, proc


def test_bad_files_get_one_line_each_and_the_rest_is_built(corpus_run):
    root, out, proc = corpus_run
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("skipped: ")]
    for name, reason in BAD.items():
        mine = [ln for ln in lines if f"{name}:" in ln]
        assert len(mine) == 1, (name, proc.stderr)
        assert reason in mine[0].lower(), mine[0]
    assert "Traceback" not in proc.stderr
    g = Graph().parse(out / "graph.ttl")
    files = {str(o) for o in g.objects(None, YJ.sourceFile)}
    assert {Path(f).stem for f in files} == GOOD


def test_every_encoding_gives_the_same_facts(corpus_run):
    _, out, _ = corpus_run
    g = Graph().parse(out / "graph.ttl")
    docs = {str(f): d for d, f in g.subject_objects(YJ.sourceFile)}
    encodings = {Path(f).stem: str(g.value(d, YJ.encoding)) for f, d in docs.items()}
    assert encodings["gbk"] == "gb18030" and encodings["big5"] in ("big5", "cp950")
    assert encodings["utf8-bom"] == "utf-8-sig" and encodings["utf16le-bom"].startswith("utf-16")
    # the pairing and the funding are found in every simplified-Chinese copy, whatever its bytes
    q = """PREFIX yj: <https://w3id.org/yuanjiang-kg/ontology#>
           PREFIX prov: <http://www.w3.org/ns/prov#>
           PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
           SELECT DISTINCT ?file WHERE { ?m a yj:Metric ; yj:value ?v ; prov:wasDerivedFrom ?s .
             ?s nif:referenceContext ?d . ?d yj:sourceFile ?file . FILTER(?v = 840000000) }"""
    with_funding = {Path(str(r.file)).stem for r in g.query(q)}
    assert with_funding == GOOD - {"big5"}
    big5 = URIRef(next(d for f, d in docs.items() if "big5" in f))
    assert g.value(big5, YJ.convertedFrom) is not None
    county = URIRef("https://w3id.org/yuanjiang-kg/id/place/653125")       # 莎车县
    assert any(str(a) == "莎車縣" for a in g.objects(county, URIRef("http://www.w3.org/2004/02/skos/core#altLabel")))


def test_html_page_metadata_and_no_boilerplate(corpus_run):
    _, out, _ = corpus_run
    g = Graph().parse(out / "graph.ttl")
    page = next(d for d, f in g.subject_objects(YJ.sourceFile) if str(f) == "page.html")
    props = {str(p).rsplit("/", 1)[-1]: str(o) for p, o in g.predicate_objects(page)}
    assert props["title"] == "援疆新闻" and props["url"] == "https://news.example.org/a/1.html"
    assert props["date"].startswith("2023-05-06")
    # navigation and footer said 北京市/和田地区: nothing from them may reach the graph
    labels = {str(o) for o in g.objects(None, RDFS.label)}
    assert "和田地区" not in labels and "北京市" not in labels


def test_fully_bad_corpus_fails_and_strict_stops_at_first(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.txt").write_bytes(b"")
    (bad / "b.txt").write_bytes(bytes(range(256)))
    assert main(["build", str(bad), "--out", str(tmp_path / "o1")]) == EXIT_FAILED
    assert not (tmp_path / "o1" / "graph.ttl").exists()

    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a.txt").write_bytes(b"")
    (mixed / "b.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["build", str(mixed), "--out", str(tmp_path / "o2"), "--strict"]) == EXIT_FAILED
    assert not (tmp_path / "o2" / "graph.ttl").exists()
    assert main(["build", str(mixed), "--out", str(tmp_path / "o3")]) == EXIT_PARTIAL
    assert main(["build", str(mixed / "b.txt"), "--out", str(tmp_path / "o4")]) == EXIT_OK


def test_forced_encoding(tmp_path, capsys):
    (tmp_path / "a.txt").write_bytes(ARTICLE.encode("gbk"))
    assert main(["build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "o"), "--encoding", "gbk"]) == EXIT_OK
    g = Graph().parse(tmp_path / "o" / "graph.ttl")
    assert {str(o) for o in g.objects(None, YJ.encoding)} == {"gbk"}
    # forcing the wrong codec is a per-file problem, an unknown codec a usage error
    assert main(["build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "o2"), "--encoding", "utf-8"]) == EXIT_FAILED
    assert "a.txt" in capsys.readouterr().err
    assert main(["build", str(tmp_path / "a.txt"), "--out", str(tmp_path / "o3"), "--encoding", "klingon"]) == EXIT_FAILED
    assert "unknown encoding 'klingon'" in capsys.readouterr().err


def test_thousands_of_files(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    counties = ["乌什县", "柯坪县", "莎车县", "和田县", "阿图什市", "温宿县", "库车市", "拜城县"]
    for i in range(2000):
        sub = folder / f"{i // 500:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"{i:05d}.txt").write_text(f"援疆简讯第{i}期。{counties[i % 8]}新建学校{i % 7 + 1}所。", encoding="utf-8")
    (folder / "00" / "00000.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)  # a picture saved as .txt
    proc = subprocess.run(["kg", "build", str(folder), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == EXIT_PARTIAL, proc.stderr[-2000:]
    assert "documents read: 1999 (1 skipped)" in proc.stdout
    assert proc.stderr.count("skipped: ") == 1 and "00000.txt" in proc.stderr


def test_same_file_name_in_two_folders_stays_two_documents(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "news.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["build", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "o")]) == EXIT_OK
    g = Graph().parse(tmp_path / "o" / "graph.ttl")
    assert len(set(g.subjects(YJ.sourceFile, None))) == 2


def test_interrupted_write_keeps_the_old_graph(tmp_path, monkeypatch):
    from kg import files
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "o"
    assert main(["build", str(tmp_path / "a.txt"), "--out", str(out)]) == EXIT_OK
    before = (out / "graph.ttl").read_bytes()

    def crash(*_):
        raise KeyboardInterrupt             # the user pressed Ctrl-C while the file was renamed
    monkeypatch.setattr(files.os, "replace", crash)
    (tmp_path / "a.txt").write_text(ARTICLE.replace("8.4", "9.9"), encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        main(["build", str(tmp_path / "a.txt"), "--out", str(out)])
    assert (out / "graph.ttl").read_bytes() == before
    assert [p.name for p in out.rglob("*.tmp")] == []          # no half-written leftovers


HOSTILE = ['引进"星火"纺织有限公司', "引进<b>雪</b>莲生物科技有限公司", "引进100%绿色农业有限公司",
           "引进A#B 食品有限公司", "引进反斜杠\\能源有限公司", "引进 空格 物流有限公司",
           "引进>大于<小于>制造有限公司", "引进%20编码&实体电子有限公司"]


@pytest.mark.parametrize("name", ["odd name's file #1 %20.txt", "引号\"与<尖括号>.txt", "line\nbreak\\back.txt"])
def test_hostile_names_give_valid_iris_and_turtle(tmp_path, name):
    text = "浙江省衢州市对口支援新疆阿克苏地区乌什县。" + "。".join(f"衢州市援疆指挥部{h}落户乌什县" for h in HOSTILE) + "。"
    (tmp_path / name).write_text(text, encoding="utf-8")
    out = tmp_path / "o"
    assert main(["build", str(tmp_path / name), "--out", str(out)]) == EXIT_OK
    ttl = out / "graph.ttl"
    g = Graph().parse(ttl)
    for node in set(g.subjects()) | {o for o in g.objects() if isinstance(o, URIRef)}:
        iri = str(node)
        assert iri.isascii() and not any(c in iri for c in ' <>"{}|\\^`'), iri
    # sentence literals keep quotes, backslashes, markup and percent signs exactly
    nif_string = URIRef("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString")
    sentences = {str(o) for o in g.objects(None, nif_string)}
    for h in HOSTILE:
        assert f"衢州市援疆指挥部{h}落户乌什县。" in sentences, h
    assert all(str(o).strip() for o in g.objects(None, RDFS.label))
    rapper = shutil.which("rapper")
    assert rapper, "rapper (raptor2-utils) is missing: run scripts/test.sh"
    proc = subprocess.run([rapper, "-q", "-i", "turtle", "-c", str(ttl)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("filler", ["项目建设顺利推进，群众生活不断改善。",     # many short sentences
                                    "项目建设顺利推进，群众生活不断改善，"])    # no full stop at all
def test_a_line_of_a_million_characters(tmp_path, filler):
    import kg
    body = (filler * (1_000_000 // len(filler) + 1))[:1_000_000 - 2 * len(ARTICLE)]
    line = ARTICLE + body + ARTICLE
    assert len(line) == 1_000_000 and "\n" not in line
    (tmp_path / "a.txt").write_text(line, encoding="utf-8")
    result = kg.build([tmp_path / "a.txt"], out=tmp_path / "o")
    doc = result.graph.documents[0]
    assert max(s.end - s.start for s in doc.sentences) <= 600       # cut at clause marks
    labels = {e.label for e in result.graph.entities.values()}
    assert {"乌什县", "衢州市"} <= labels
    # the facts of the article at the end of the line point at their place near the end
    g = Graph().parse(tmp_path / "o" / "graph.ttl")
    nif = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
    begins = sorted(int(b) for b in g.objects(None, nif.beginIndex))
    assert begins[0] < 100 and begins[-1] > 1_000_000 - len(ARTICLE)
