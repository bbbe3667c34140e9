"""Bad input to every command gives one readable line (file, line and column when known)
and exit status 1 or 3, never a traceback; odd files are named as what they are."""
import os
import shutil
import subprocess
import sys
import tomllib

import pytest

from conftest import ROOT, SEEDS

ARTICLE = sorted(SEEDS.glob("*.txt"))[0]
BAD_TURTLE = "@prefix : <http://example.org/> .\n:a :b :c .\n:d :e ;; .\n"   # line 3, column 7


def kg_cli(*args, cwd=None, timeout=300):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KG_TRACEBACK", None)
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def one_line_error(proc, command: str) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"kg {command}: ")
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    return lines[0]


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    (folder / "bad.ttl").write_text(BAD_TURTLE, encoding="utf-8")
    (folder / "bad.trig").write_text("<http://g> { <http://a> <http://b> }\n", encoding="utf-8")
    (folder / "gold").mkdir()
    (folder / "gold" / "a.json").write_text('{"entities": [\n  {"id": "x",}\n]}', encoding="utf-8")
    return folder


# ---- item 8: every subcommand on bad input --------------------------------------------

@pytest.mark.parametrize("command, args", [
    ("query", ["bad.ttl", "SELECT * WHERE { ?s ?p ?o }"]),
    ("validate", ["bad.ttl"]),
    ("view", ["bad.ttl"]),
    ("eval", ["bad.ttl", "--gold", str(ROOT / "tests" / "gold")]),
    ("load", ["bad.ttl", "--endpoint", "http://127.0.0.1:9/store", "--graph", "http://example.org/g",
              "--query-endpoint", "http://127.0.0.1:9/sparql"]),
    ("serve", ["bad.ttl", "--port", "0"]),
])
def test_malformed_turtle_is_one_line_with_file_line_and_column(bad, command, args):
    line = one_line_error(kg_cli(command, *args, cwd=bad, timeout=120), command)
    assert "bad.ttl" in line and "line 3" in line and "column 7" in line, line


@pytest.mark.parametrize("command", ["query", "view", "validate"])
def test_malformed_trig_names_the_file(bad, command):
    args = ["bad.trig", "ASK {}"] if command == "query" else ["bad.trig"]
    line = one_line_error(kg_cli(command, *args, cwd=bad, timeout=120), command)
    assert "bad.trig: line 1, column" in line


def test_build_with_a_base_that_is_no_iri(tmp_path):
    line = one_line_error(kg_cli("build", ARTICLE, "--base", "http://x/ y/", "--out", tmp_path / "o"), "build")
    assert "http://x/ y/" in line and "IRI" in line
    assert not (tmp_path / "o").exists()                  # stopped before anything was read or written


def test_build_of_nothing_readable_fails_in_one_line_per_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    proc = kg_cli("build", tmp_path / "empty.txt", "--out", tmp_path / "o")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"skipped: {tmp_path / 'empty.txt'}: empty file",
                                        "kg build: no article could be read; nothing written"]


def test_eval_with_bad_gold_and_missing_gold(bad):
    ttl = bad / "ok.ttl"
    ttl.write_text("<http://a> <http://b> <http://c> .\n", encoding="utf-8")
    line = one_line_error(kg_cli("eval", ttl, "--gold", "gold", cwd=bad), "eval")
    assert line.startswith("kg eval: gold/a.json: line 2, column 14: not JSON")
    line = one_line_error(kg_cli("eval", ttl, "--gold", "no-such-folder", cwd=bad), "eval")
    assert line == "kg eval: no-such-folder: no such gold folder or file"


def test_an_unforeseen_error_is_one_line_that_says_how_to_see_more():
    from kg.cli import error_message
    text = error_message(KeyError("x"))
    assert "\n" not in text and "KeyError" in text and "KG_TRACEBACK=1" in text


# ---- item 12: kg eval without --gold -------------------------------------------------

def test_eval_without_gold_says_what_gold_is_and_where_the_seeds_gold_lives(bad):
    line = one_line_error(kg_cli("eval", "bad.ttl", cwd=bad), "eval")
    assert "tests/gold" in line and "JSON" in line and "docs/development.md" in line
    # what it points at is really there and really scores
    assert sorted(p.stem for p in (ROOT / "tests" / "gold").glob("*.json")) == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert "## Gold annotations" in (ROOT / "docs" / "development.md").read_text(encoding="utf-8")


# ---- item 11: SPARQL syntax errors ----------------------------------------------------

def test_query_syntax_error_shows_the_line_a_caret_and_a_hint(seed_ttl):
    query = "PREFIX yj: <https://w3id.org/yuanjiang-kg/ontology#>\nSELECT ?c WHERE {\n  ?c a yj:County\n  FILTR(?c)\n}"
    proc = kg_cli("query", seed_ttl, query, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stderr.rstrip("\n").splitlines()
    assert lines[0].startswith("kg query: SPARQL syntax error at line 4, column ")
    assert lines[1] == "   4 |   FILTR(?c)"
    column = int(lines[0].split("column ")[1].split(":")[0])
    assert lines[2] == "     | " + " " * (column - 1) + "^"
    assert lines[3] == "hint: FILTR is not a SPARQL keyword; did you mean FILTER?"


def test_an_undeclared_prefix_is_named_with_its_iri(seed_ttl):
    """(rdflib lets an undeclared prefix through as a relative IRI, so only pyoxigraph fails here)"""
    from kg.sparql import QuerySyntaxError, run_query
    with pytest.raises(QuerySyntaxError) as err:
        run_query(seed_ttl, "SELECT * WHERE { ?s rdfs:label ?o }", engine="oxigraph")
    assert str(err.value).splitlines()[-1] == ("hint: the prefix rdfs: is used but not declared; add "
                                              "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> at the top")


@pytest.mark.parametrize("query, hint", [
    ("SELECT * WHERE { ?s ?p ?o ", "hint: 1 '{' but 0 '}': one is missing or one too many"),
    ("SELECT (COUNT(?s) AS ?n WHERE { ?s ?p ?o }", "hint: 2 '(' but 1 ')': one is missing or one too many"),
    ('SELECT * WHERE { ?s ?p "abc }', "hint: a string is opened with a quote that is never closed"),
    ("SELECT ?s { ?s ?p ?o } LIMT 5", "hint: LIMT is not a SPARQL keyword; did you mean LIMIT?"),
    ("INSERT DATA { <http://a> <http://b> <http://c> }",
     "hint: INSERT is SPARQL Update; a graph file is queried read-only (SELECT, ASK, CONSTRUCT, DESCRIBE)"),
    ('SELECT * WHERE { ?s ?p "{ (" }}', "hint: 1 '{' but 2 '}': one is missing or one too many"),
])
@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_query_hints_on_both_engines(seed_ttl, query, hint, engine):
    from kg.sparql import QuerySyntaxError, run_query
    with pytest.raises(QuerySyntaxError) as err:
        run_query(seed_ttl, query, engine=engine)
    report = str(err.value).splitlines()
    assert report[0].startswith("SPARQL syntax error")
    assert report[-1] == hint
    if err.value.line:
        assert report[1].endswith(query.splitlines()[err.value.line - 1].expandtabs(1))
        assert report[2].endswith("^")


def test_the_caret_counts_wide_characters_twice():
    from kg.sparql import explain_query_error
    report = explain_query_error('SELECT * {\n ?s ?p "乌什" }}', "expected [_]", 2, 13).splitlines()
    assert report[1] == '   2 |  ?s ?p "乌什" }}'
    assert report[2] == "     | " + " " * 14 + "^"          # under the second }: 乌 and 什 are two columns each
    assert report[0] == "SPARQL syntax error at line 2, column 13: unexpected text here"


def test_a_long_list_of_expected_tokens_is_cut():
    from kg.sparql import explain_query_error
    message = "expected one of " + ", ".join(f"K{i}" for i in range(30)) + ", [_]"
    first = explain_query_error("SELECT", message, 1, 1).splitlines()[0]
    assert first.endswith("expected one of K0, K1, K2, K3, K4, K5, K6, K7 and 22 more")


# ---- items 7 and 9: file names and odd files ------------------------------------------

def test_a_file_name_that_is_not_utf8_is_skipped_and_the_rest_built(tmp_path):
    articles = tmp_path / "d"
    articles.mkdir()
    shutil.copy(ARTICLE, articles)
    with open(os.path.join(os.fsencode(articles), b"\xb0\xa1.txt"), "wb") as f:
        f.write("援疆".encode("utf-8"))
    proc = kg_cli("build", articles, "--out", tmp_path / "o", "-q")
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"skipped: {articles}/\\xb0\\xa1.txt: file name is not valid UTF-8: rename the file"]
    assert "documents read: 1 (1 skipped)" in proc.stdout
    assert (tmp_path / "o" / "graph.ttl").stat().st_size > 1000
    merges = (tmp_path / "o" / "merges.json").read_text(encoding="utf-8")
    assert "\\\\xb0\\\\xa1.txt" in merges                   # the escaped name, as JSON text


def test_a_non_utf8_name_on_the_command_line(tmp_path):
    name = os.path.join(os.fsencode(tmp_path), b"\xff.txt")
    with open(name, "wb") as f:
        f.write("援疆".encode("utf-8"))
    proc = kg_cli("build", os.fsdecode(name), ARTICLE, "--out", tmp_path / "o", "-q")
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"skipped: {tmp_path}/\\xff.txt: file name is not valid UTF-8: rename the file"]


def test_sizes_are_said_in_mib_correctly(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:                 # sparse: 50 MiB and one byte without using the disk
        f.truncate(50 * 2**20 + 1)
    proc = kg_cli("build", big, ARTICLE, "--out", tmp_path / "o", "-q")
    assert proc.stderr.splitlines() == [f"skipped: {big}: file is 50.0 MiB (52,428,801 bytes), over the 50 MiB limit"]
    from kg.read import _size
    assert (_size(1023), _size(2**20), _size(3 * 2**20 + 2**19)) == ("1,023 bytes", "1 MiB", "3.5 MiB (3,670,016 bytes)")


def test_pipes_devices_and_link_loops_are_named_as_what_they_are(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop2.txt")
    (tmp_path / "loop2.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    proc = kg_cli("build", tmp_path / "pipe.txt", "/dev/zero", tmp_path / "loop.txt", tmp_path / "dangling.txt",
                  tmp_path / "missing.txt", ARTICLE, "--out", tmp_path / "o", "-q", timeout=120)
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        f"skipped: {tmp_path / 'pipe.txt'}: a named pipe (FIFO), not a regular file: not read",
        "skipped: /dev/zero: a character device, not a regular file: not read",
        f"skipped: {tmp_path / 'loop.txt'}: symbolic link loop",
        f"skipped: {tmp_path / 'dangling.txt'}: broken symbolic link (to {tmp_path / 'gone.txt'}: no such file)",
        f"skipped: {tmp_path / 'missing.txt'}: no such file or folder"]


def test_a_pipe_in_a_folder_is_reported_not_skipped_silently(tmp_path):
    articles = tmp_path / "d"
    articles.mkdir()
    shutil.copy(ARTICLE, articles)
    os.mkfifo(articles / "pipe.txt")
    os.mkfifo(articles / "pipe")                 # no article suffix, but still not a file to ignore unsaid
    (articles / "notes.csv").write_text("a,b\n")  # an ordinary other file: left alone, as documented
    proc = kg_cli("build", articles, "--out", tmp_path / "o", "-q", timeout=120)
    assert proc.returncode == 3
    assert proc.stderr.splitlines() == [
        f"skipped: {articles / 'pipe'}: a named pipe (FIFO), not a regular file: not read",
        f"skipped: {articles / 'pipe.txt'}: a named pipe (FIFO), not a regular file: not read"]


def test_graph_commands_name_odd_files_too(tmp_path):
    os.mkfifo(tmp_path / "pipe.ttl")
    line = one_line_error(kg_cli("view", tmp_path / "pipe.ttl", timeout=60), "view")
    assert line == f"kg view: {tmp_path / 'pipe.ttl'}: a named pipe (FIFO), not a regular file: not read"
    line = one_line_error(kg_cli("query", tmp_path, "ASK {}", timeout=60), "query")
    assert line == f"kg query: {tmp_path}: is a folder, not a graph file"


# ---- item 10: lone surrogates in the Python API -----------------------------------------

def test_document_rejects_lone_surrogates_up_front():
    from kg import Document
    with pytest.raises(ValueError, match=r"raw holds a lone surrogate U\+D800 at index 2, which is not Unicode text"):
        Document(doc_id="a", name="a.txt", raw="援疆\ud800对口")
    with pytest.raises(ValueError, match=r"metadata\['title'\] holds a lone surrogate U\+DC00"):
        Document(doc_id="a", name="a.txt", raw="援疆", metadata={"title": "x\udc00"})
    Document(doc_id="a", name="a.txt", raw="援疆 😀")   # a real astral character is fine


def test_build_stops_surrogates_before_any_stage(tmp_path):
    import kg
    from kg.pipeline import extract
    from kg.read import read_bytes
    doc = read_bytes(ARTICLE.read_bytes(), ARTICLE.name)
    doc.raw += "\udfff"                          # changed after it was made
    with pytest.raises(ValueError, match="lone surrogate U\\+DFFF"):
        extract([doc])
    # a path holding undecodable bytes (as os.listdir gives it) is a skipped file, not a crash
    name = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"\xb0.txt"))
    with open(name, "w", encoding="utf-8") as f:
        f.write("援疆")
    result = kg.build([name, ARTICLE], out=tmp_path / "o", progress=False)
    assert result.graph.problems == [f"{tmp_path}/\\xb0.txt: file name is not valid UTF-8: rename the file"]
    assert result.counts["documents"] == 1


# ---- item 16: dask is an extra --------------------------------------------------------

def test_dask_is_an_extra_that_the_tests_install():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(d.startswith(("dask", "distributed")) for d in project["dependencies"])
    assert any(d.startswith("dask[distributed]") for d in project["optional-dependencies"]["dask"])
    assert any(d.startswith("dask[distributed]") for d in project["optional-dependencies"]["test"])
    assert '".[test]"' in (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")


def test_scheduler_without_dask_is_one_clear_line(tmp_path, monkeypatch, capsys):
    from kg.cli import main
    for name in ("dask", "dask.distributed", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)      # what an install without the extra sees
    code = main(["build", str(ARTICLE), "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1 and not (tmp_path / "o").exists()
    assert err == ("kg build: --scheduler needs Dask, an optional extra: pip install 'yuanjiang-kg[dask]' "
                   "(in a clone: pip install -e '.[dask]')\n")
