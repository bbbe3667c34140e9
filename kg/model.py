"""Plain data classes passed between the pipeline stages.

read -> clean -> mentions -> resolve -> relations/metrics -> graph -> export.
Every stage takes and returns these objects; none of them knows about RDF.

Offsets: ``Document.raw`` is the decoded file exactly as read. Extraction works on
``Document.text`` (cleaned, simplified, half-width). ``Document.offsets[i]`` is the
index in ``raw`` of ``text[i]`` (with one extra entry for the end), so any span of the
clean text maps back to the original file with :meth:`Document.raw_span`.
"""
from __future__ import annotations

import operator
import pickle
import re
import zlib
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

# A lone surrogate is a half of a UTF-16 pair: not a character, and no UTF-8 (so no RDF
# file) can hold it. Python makes them from undecodable file names and from bad \ud800
# escapes; they must be stopped where text enters, not deep in a writer.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# Contract class local names (see ontology/yuanjiang.ttl).
MISSION_TYPES = ("City", "County", "Enterprise", "School", "Initiative")
EXTENDED_TYPES = ("Province", "Prefecture", "Township", "Village", "Organization",
                  "Hospital", "Facility", "Person", "Product")
ENTITY_TYPES = MISSION_TYPES + EXTENDED_TYPES
ADMIN_TYPES = ("Province", "City", "Prefecture", "County", "Township", "Village")
RELATIONS = ("supports", "locatedIn", "subOrganizationOf", "implements",
             "introduced", "builds", "pairedWith")


def _fields_in_order(self):
    """Pickled as its class called with its fields in order: pickle's default for a slotted
    class names every field with its value, about twice the bytes and the time, and a
    rebuild unpickles every document's sentences and mentions and every fact's evidence."""
    return type(self), _field_values(type(self))(self)


@lru_cache(maxsize=None)
def _field_values(cls):
    return operator.attrgetter(*cls.__slots__)


@dataclass(slots=True)
class Paragraph:
    index: int
    kind: str          # "body", "heading", "caption", "list"
    start: int         # offsets into Document.text
    end: int

    __reduce__ = _fields_in_order


@dataclass(slots=True)
class Sentence:
    index: int
    paragraph: int
    kind: str          # kind of its paragraph
    start: int         # offsets into Document.text
    end: int
    text: str

    __reduce__ = _fields_in_order


@dataclass
class Document:
    doc_id: str                      # file stem, e.g. "000_c362e20726e80f6e"
    name: str                        # file name
    raw: str                         # decoded original text
    encoding: str = "utf-8"
    text: str = ""                   # cleaned text used for extraction
    offsets: list[int] = field(default_factory=list)  # text index -> raw index (+ end)
    paragraphs: list[Paragraph] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)  # title, url, date, converted_from...

    def __post_init__(self):
        self.check_text()

    def check_text(self) -> None:
        """Raise ValueError, naming the field and the index, if any text of the document
        holds a lone surrogate (see LONE_SURROGATE); run on creation and by the pipeline."""
        fields = [("doc_id", self.doc_id), ("name", self.name), ("raw", self.raw), ("text", self.text)]
        for key, value in [*fields, *((f"metadata[{k!r}]", v) for k, v in self.metadata.items())]:
            if not isinstance(value, str):
                continue
            bad = LONE_SURROGATE.search(value)
            if bad:
                raise ValueError(
                    f"Document {self.name!r}: {key} holds a lone surrogate U+{ord(bad.group()):04X} at "
                    f"index {bad.start()}, which is not Unicode text; decode the file's bytes with "
                    f"kg.read.read_bytes, or clean the string first: "
                    f"s.encode('utf-8', 'replace').decode('utf-8')")

    def list_lead(self, index: int) -> int:
        """The sentence that opens the list holding sentence ``index`` (…合作社：, 其中包括：);
        ``index`` itself when that sentence is no list item."""
        lead = index
        while lead > 0 and self.sentences[lead].kind == "list":
            lead -= 1
        return lead

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Span of the clean text -> span of the original text."""
        if not self.offsets:
            return start, end
        s = self.offsets[start]
        e = self.offsets[end - 1] + 1 if end > start else s
        return s, e

    def sentence_at(self, pos: int) -> Sentence | None:
        i = bisect_right([s.start for s in self.sentences], pos) - 1
        if i >= 0 and self.sentences[i].start <= pos < self.sentences[i].end:
            return self.sentences[i]
        return None


class PackedDocument:
    """A :class:`Document` (with its metrics' per-document half) held as a compressed
    pickle between the stages that read it, for a build that lets its graph go: a worker
    packs it, and the build's process opens one document at a time (relations and
    metrics, then its triples) instead of holding every text, sentence and offset at
    once (about 35 MB per 1,000 articles as objects, a fifth of that packed). ``doc_id``,
    ``name``, ``chars`` (the length of ``raw``) and ``key`` (its :func:`kg.cache.document_key`,
    given by the packer) are read without opening it."""
    __slots__ = ("chars", "doc_id", "key", "name", "packed")

    def __init__(self, doc: Document, extra=None, key: str = ""):
        self.doc_id, self.name, self.chars, self.key = doc.doc_id, doc.name, len(doc.raw), key
        self.packed = zlib.compress(pickle.dumps((doc, extra), protocol=pickle.HIGHEST_PROTOCOL), 1)

    def open(self) -> tuple[Document, object]:
        """The document and what was packed with it, as new objects each time."""
        return pickle.loads(zlib.decompress(self.packed))

    def let_go(self) -> None:
        self.packed = b""

    def __getstate__(self):
        return self.doc_id, self.name, self.chars, self.key, self.packed

    def __setstate__(self, state):
        self.doc_id, self.name, self.chars, self.key, self.packed = state


def opened(doc, extra=None) -> tuple[Document, object]:
    """``(doc, extra)``, or what a :class:`PackedDocument` holds."""
    return doc.open() if isinstance(doc, PackedDocument) else (doc, extra)


@dataclass(slots=True)
class Mention:
    doc_id: str
    start: int          # offsets into Document.text
    end: int
    text: str           # surface form as in the clean text
    type: str           # contract class local name
    name: str = ""      # normalised (fullest known) name, e.g. 乌什 -> 乌什县
    alt_types: tuple[str, ...] = ()
    code: str | None = None      # gazetteer code for administrative divisions
    core: str | None = None      # quoted core of an initiative, e.g. 十城百店
    source: str = ""             # which rule found it (gazetteer, suffix, quote ...)
    sentence: int = -1
    entity: str | None = None    # entity key, filled by resolve
    # combined abbreviations (衢乌) point to several places without being an entity
    refers_to: tuple[str, ...] = ()
    original: str | None = None  # the surface in the file when it differs (莎車縣 for 莎车县)

    __reduce__ = _fields_in_order


@dataclass
class Entity:
    key: str                     # stable ASCII key, used as the IRI tail
    label: str                   # Chinese preferred label (fullest name)
    types: list[str]             # contract types, primary first
    alt_labels: set[str] = field(default_factory=set)
    code: str | None = None      # administrative code
    parent: str | None = None    # key of the containing division (reference data)
    english: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    aid_fields: set[str] = field(default_factory=set)   # keys of yj:AidFieldScheme concepts
    former_names: tuple = ()     # a division's gazetteer.FormerName entries (哈密地区 for 哈密市)

    @property
    def type(self) -> str:
        return self.types[0]


# A decided candidate's features: kept only for training, so once a scorer has chosen, every
# candidate shares this one empty dict instead of one each (about 12 MB per 1,000 articles).
DECIDED: dict[str, float] = {}


@dataclass(slots=True)
class Evidence:
    doc_id: str
    sentence: int
    start: int                   # clean-text span of the trigger or quantity
    end: int
    trigger: str = ""

    __reduce__ = _fields_in_order


@dataclass
class Relation:
    subject: str                 # entity keys
    predicate: str               # one of RELATIONS
    object: str
    evidence: list[Evidence] = field(default_factory=list)
    source: str = "text"         # "text" or "gazetteer"
    confidence: float = 1.0      # calibrated, from the relation scorer (kg.decide)
    rule: str = ""               # which rule proposed it
    features: dict[str, float] = field(default_factory=dict, repr=False)   # for training only
    choice: float = 1.0          # confidence of the actor chosen among ``candidates`` (actions)
    candidates: list[tuple[str, dict[str, float]]] = field(default_factory=list, repr=False)


@dataclass
class Metric:
    key: str
    value: float
    unit: str                    # CNY, person, item, head, m2, percent ...
    indicator: str               # what is counted, in Chinese
    about: str | None            # entity key
    surface: str                 # e.g. 8.4亿元
    approx: bool = False
    period: str | None = None
    evidence: Evidence | None = None
    confidence: float = 1.0      # of ``about``: calibrated, from the subject scorer (kg.decide)
    candidate_about: str | None = None   # the best subject when not confident enough to assert
    # (entity key, features) of every subject considered; the features only when no scorer
    # decided (training), the keys otherwise (for review), none in a build with the cache's
    # memo (kg.pipeline.relations_and_metrics), as for Relation.candidates
    candidates: list[tuple[str, dict[str, float]]] = field(default_factory=list, repr=False)


@dataclass
class DocumentResult:
    """What the per-document stages produce for one file."""
    document: Document
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class KnowledgeGraph:
    documents: list[Document] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    candidates: list[Relation] = field(default_factory=list)   # found, below the confidence threshold
    unpaired: list[str] = field(default_factory=list)          # documents naming no supporter -> supported pair
    merges: list[dict] = field(default_factory=list)   # entity-resolution report
    problems: list[str] = field(default_factory=list)  # one line per skipped file
    # document id -> a digest of the document as read, its resolved mentions and what its own
    # stages found (relations, metrics), where the build made one (kg.graph.document_print)
    stage_prints: dict[str, bytes] = field(default_factory=dict)
