# TEMPORARY stand-in until helper delivers kg/gazetteer.py
from __future__ import annotations
import csv, re
from dataclasses import dataclass
from functools import lru_cache
import cpca, os

@dataclass(frozen=True)
class Place:
    code: str; name: str; short: tuple; level: str; types: tuple; parent: str | None; english: str | None

SUFFIXES = ["维吾尔自治区","壮族自治区","回族自治区","自治区","特别行政区","省","市","地区","盟","县","区","旗"]
def shorts(name):
    out=[]
    for s in SUFFIXES:
        if name.endswith(s) and len(name)-len(s)>=2:
            out.append(name[:-len(s)]); break
    m=re.match(r"(.{2,}?)(?:[^\s]{0,8}族)*自治(州|县|旗)$", name)
    return tuple(o for o in out if len(o)>=2)

class Gazetteer:
    def __init__(self, places):
        self.by_code={p.code:p for p in places}
        self._names={}
        for p in places:
            for n in (p.name,)+p.short:
                self._names.setdefault(n,[]).append(p.code)
    def lookup(self,name):
        levels={"province":0,"prefecture":1,"xpcc_division":1,"county":2,"xpcc_regiment":3}
        ps=[self.by_code[c] for c in self._names.get(name,[])]
        return sorted(ps,key=lambda p:(p.name!=name,levels.get(p.level,5),p.code))
    def names(self): return self._names
    def ancestors(self,code):
        out=[]; p=self.by_code.get(code)
        while p and p.parent and p.parent in self.by_code:
            p=self.by_code[p.parent]; out.append(p)
        return out
    def children(self,code): return [p for p in self.by_code.values() if p.parent==code]
    def is_within(self,code,anc): return any(a.code==anc for a in self.ancestors(code))
    def regiment(self,d,r):
        return self.by_code.get(f"XPCC{d:02d}-{r:02d}")

def disambiguate(cands, ctx):
    for p in cands:
        if p.code in ctx: return p
    def near(p):
        return any(p.parent==c or c.startswith(p.code[:4]) for c in ctx)
    n=[p for p in cands if near(p)]
    if len(n)==1: return n[0]
    return None

CN="一二三四五六七八九十"
def cn(n):
    if n<=10: return ("十" if n==10 else CN[n-1])
    if n<20: return "十"+CN[n-11]
    return CN[n//10-1]+"十"+(CN[n%10-1] if n%10 else "")

@lru_cache(1)
def load_gazetteer():
    path=os.path.join(os.path.dirname(cpca.__file__),"resources","adcodes.csv")
    rows=list(csv.DictReader(open(path,encoding="utf-8")))
    places=[]
    codes={r["adcode"][:6]:r["name"] for r in rows}
    for c,name in sorted(codes.items()):
        if c.endswith("0000"): level,types,parent="province",("Province",),None
        elif c.endswith("00"): level="prefecture"; types=("City",) if name.endswith("市") else ("Prefecture",); parent=c[:2]+"0000"
        else:
            level="county"; types=("City","County") if name.endswith("市") else ("County",)
            parent=c[:4]+"00" if c[:4]+"00" in codes else c[:2]+"0000"
        places.append(Place(c,name,shorts(name),level,types,parent,None))
    for d in range(1,15):
        dn=f"新疆生产建设兵团第{cn(d)}师"
        places.append(Place(f"XPCC{d:02d}",dn,(f"兵团第{cn(d)}师",f"第{cn(d)}师"),"xpcc_division",("Prefecture",),"650000",None))
        for r in range(1,17):
            places.append(Place(f"XPCC{d:02d}-{r:02d}",dn+cn(r)+"团",(f"兵团第{cn(d)}师{cn(r)}团",f"第{cn(d)}师{cn(r)}团",f"{cn(d)}师{cn(r)}团"),"xpcc_regiment",("County",),f"XPCC{d:02d}",None))
    return Gazetteer(places)
