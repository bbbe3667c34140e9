"""The graph's namespaces as plain strings, and the default base IRI.

kg/graph.py makes rdflib namespaces of them and every Turtle, TriG and JSON-LD file
declares them; ``kg query`` shortens IRIs with them without importing rdflib, which
would be a tenth of a second of its start.
"""
DEFAULT_BASE = "https://w3id.org/yuanjiang-kg/"

#: the prefixes of the graph's own terms, in the order the files declare them
GRAPH_NAMESPACES: dict[str, str] = {
    "yj": "https://w3id.org/yuanjiang-kg/ontology#",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "itsrdf": "http://www.w3.org/2005/11/its/rdf#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "skosxl": "http://www.w3.org/2008/05/skos-xl#",
    "dcterms": "http://purl.org/dc/terms/",
}

#: every prefix a Turtle/TriG/JSON-LD file declares: the graph's, then RDF's own
FILE_NAMESPACES: dict[str, str] = {
    **GRAPH_NAMESPACES,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}
