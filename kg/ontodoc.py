"""The ontology reference page and the data-model diagram, generated from ``ontology/``.

``python -m kg.ontodoc`` rewrites ``docs/ontology.md``; a test fails when the page no
longer matches the ontology, so the page cannot drift from the Turtle it documents.
"""
from __future__ import annotations

import sys
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SKOS

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "yuanjiang.ttl"
PAGE = ROOT / "docs" / "ontology.md"
YJ = "https://w3id.org/yuanjiang-kg/ontology#"
KNOWN = {"https://schema.org/": "schema:", "http://www.w3.org/ns/org#": "org:",
         "http://www.w3.org/ns/prov#": "prov:", "http://www.w3.org/2004/02/skos/core#": "skos:",
         "http://www.w3.org/2008/05/skos-xl#": "skosxl:",
         "http://www.w3.org/2001/XMLSchema#": "xsd:", "http://www.w3.org/2002/07/owl#": "owl:",
         "http://www.w3.org/2000/01/rdf-schema#": "rdfs:", "http://purl.org/dc/terms/": "dcterms:",
         "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#": "nif:",
         "http://purl.org/linked-data/cube#": "qb:", YJ: "yj:"}


def short(term) -> str:
    text = str(term)
    for ns, prefix in KNOWN.items():
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return f"<{text}>"


def _text(g: Graph, term, prop, lang: str) -> str:
    values = sorted(str(v) for v in g.objects(term, prop) if getattr(v, "language", None) == lang)
    return " / ".join(values).replace("|", "\\|").replace("\n", " ")


def _classes(g: Graph, term, prop) -> list[URIRef]:
    """Named classes of a domain or range, looking inside ``owl:unionOf`` lists."""
    out = []
    for v in g.objects(term, prop):
        if isinstance(v, URIRef):
            out.append(v)
        else:
            for union in g.objects(v, OWL.unionOf):
                out.extend(c for c in Collection(g, union) if isinstance(c, URIRef))
    return sorted(set(out))


def _list(g: Graph, term, prop) -> str:
    return ", ".join(short(v) for v in _classes(g, term, prop))


def _own(g: Graph, kind) -> list[URIRef]:
    return sorted(t for t in g.subjects(RDF.type, kind) if isinstance(t, URIRef) and str(t).startswith(YJ))


def diagram(g: Graph) -> str:
    """A Mermaid flowchart: one arrow per object property from its domain to its range."""
    lines = ["```mermaid", "flowchart LR"]
    unions: dict[tuple[str, ...], str] = {}

    def node(classes: list[URIRef]) -> str | None:
        names = tuple(short(c)[3:] for c in classes if str(c).startswith(YJ))
        if len(names) <= 1:
            return names[0] if names else None
        if names not in unions:             # a union domain is drawn once, as one box
            unions[names] = f"any{len(unions) + 1}"
            lines.append(f'  {unions[names]}["{" / ".join(names)}"]')
        return unions[names]

    for prop in _own(g, OWL.ObjectProperty):
        d, r = node(_classes(g, prop, RDFS.domain)), node(_classes(g, prop, RDFS.range))
        if d and r:
            lines.append(f"  {d} -- {short(prop)[3:]} --> {r}")
    for cls in _own(g, OWL.Class):
        for parent in sorted(g.objects(cls, RDFS.subClassOf)):
            if str(parent).startswith(YJ) and short(parent) != "yj:Entity":
                lines.append(f"  {short(cls)[3:]} -. subClassOf .-> {short(parent)[3:]}")
    lines.append("```")
    return "\n".join(lines)


def reference(g: Graph) -> str:
    """Markdown listing every class and property with labels, definition, domain, range."""
    out = ["# yuanjiang-kg ontology reference", "",
           "Generated from `ontology/yuanjiang.ttl` by `python -m kg.ontodoc`; "
           "`tests/test_ontodoc.py` fails when this page and the ontology disagree. "
           f"Namespace: `{YJ}` (prefix `yj:`).", "", "## Data model", "",
           "Object properties run from their domain to their range; dotted arrows are subclass links.",
           "", diagram(g), ""]
    out += ["## Classes", "", "| class | 中文 | English | definition | subclass of |", "|---|---|---|---|---|"]
    for cls in _own(g, OWL.Class):
        out.append(f"| `{short(cls)}` | {_text(g, cls, RDFS.label, 'zh')} | {_text(g, cls, RDFS.label, 'en')} "
                   f"| {_text(g, cls, SKOS.definition, 'en')} | {_list(g, cls, RDFS.subClassOf)} |")
    for title, kind in (("Object properties", OWL.ObjectProperty), ("Datatype properties", OWL.DatatypeProperty),
                        ("Annotation properties", OWL.AnnotationProperty)):
        props = _own(g, kind)
        if not props:
            continue
        out += ["", f"## {title}", "", "| property | 中文 | English | definition | domain | range | aligned to |",
                "|---|---|---|---|---|---|---|"]
        for p in props:
            aligned = ", ".join(x for x in (_list(g, p, RDFS.subPropertyOf), _list(g, p, OWL.equivalentProperty)) if x)
            out.append(f"| `{short(p)}` | {_text(g, p, RDFS.label, 'zh')} | {_text(g, p, RDFS.label, 'en')} "
                       f"| {_text(g, p, SKOS.definition, 'en')} | {_list(g, p, RDFS.domain)} "
                       f"| {_list(g, p, RDFS.range)} | {aligned} |")
    concepts = sorted(t for t in g.subjects(RDF.type, SKOS.Concept) if isinstance(t, URIRef))
    if concepts:
        out += ["", "## Aid fields (SKOS concepts)", "", "| concept | 中文 | English |", "|---|---|---|"]
        for c in concepts:
            out.append(f"| `{short(c)}` | {_text(g, c, SKOS.prefLabel, 'zh')} | {_text(g, c, SKOS.prefLabel, 'en')} |")
    return "\n".join(out) + "\n"


def render(ontology: Path = ONTOLOGY) -> str:
    return reference(Graph().parse(ontology))


def main() -> int:
    PAGE.parent.mkdir(exist_ok=True)
    PAGE.write_text(render(), encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
