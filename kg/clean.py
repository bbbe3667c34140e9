# TEMPORARY stand-in until the clean stage lands
import re
from .model import Paragraph, Sentence
def clean(doc):
    raw=doc.raw; text=[]; offs=[]; paras=[]
    for m in re.finditer(r"[^\n]+", raw):
        seg=m.group(0).strip()
        if not seg: continue
        st=m.start()+m.group(0).index(seg)
        if text: text.append("\n\n"); offs += [st-1, st-1]
        ps=len(text and "".join(text) or "")
        text.append(seg); offs += list(range(st, st+len(seg)))
        kind = "list" if seg.startswith("- ") else ("body" if re.search(r"[。！？；”]$", seg) else "heading")
        paras.append(Paragraph(len(paras), kind, ps, ps+len(seg)))
    doc.text="".join(text); doc.offsets=offs+[len(raw)]; doc.paragraphs=paras
    sents=[]
    for p in paras:
        for m in re.finditer(r"[^。！？；;!?]+[。！？；;!?]?[”]?", doc.text[p.start:p.end]):
            sents.append(Sentence(len(sents), p.index, p.kind, p.start+m.start(), p.start+m.end(), m.group(0)))
    doc.sentences=sents
    return doc
