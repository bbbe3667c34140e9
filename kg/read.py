# TEMPORARY stand-in until the read stage lands
from pathlib import Path
from .model import Document
class InputError(ValueError):
    def __init__(self, path, reason): super().__init__(f"{path}: {reason}")
def read_document(path):
    p=Path(path); raw=p.read_bytes().decode("utf-8-sig")
    return Document(doc_id=p.stem, name=p.name, raw=raw)
def read_bytes(data, name, encoding=None):
    p=Path(name); return Document(doc_id=p.stem, name=p.name, raw=data.decode(encoding or "utf-8-sig"))
