"""One entry per credential: records of several sources that describe the same credential form a
cluster; the links between credentials (a part counts towards a larger credential, a source's new
record supersedes its withdrawn one).

Matching. Records are compared only within a block: the same normalised title (casefold, accents
stripped, punctuation and stop words removed). Within a block two records are the same credential
when they come from different sources, their ECTS (beyond 0.5) and EQF levels do not conflict, and
there is evidence: the same web page (host + path; the strongest) or the same awarding body
(normalised name or id). Records of one source never merge with each other, except a record with
the one that it supersedes. Clusters grow greedily from the strongest pairs, a pair joining two
clusters only when no two of their members conflict, so the outcome depends on the records alone.

Ids. A cluster's id is ``cl-`` + a hash of its earliest member (first_seen, then id): the same on
re-runs and machines, and kept when a later record joins. Every record keeps its own row: a cluster
is a column (``cluster_id``), so no source's record is ever lost in a merge. The representative
(``cluster_primary`` = 1, what searches show) is the active member that is most complete, then
earliest, then smallest id.

Links. Each record's ``stacks_into`` references become ``isPartOf`` rows of ``stack_links``,
resolved to a catalogue record by its id, then by source_record_id (a URI, a CTID; the record's own
source first), then by the same normalised title (its own source first, else one cluster only);
unresolved ones stay with ``to_id`` None and are tried again after every delivery. ``hasPart`` is
the inverse, read from the same rows. When a delivery withdraws a record and adds one that matches
it (same block, no conflicts, and it is the only such pair), the new record ``supersedes`` the old.

``refresh`` runs in the publishing transaction; it writes only what changed, so an unchanged
delivery writes nothing.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import urlsplit

from sqlalchemy import Connection, and_, bindparam, delete, insert, literal_column, or_, select, update
from sqlalchemy.engine import Engine

from catalog import tables as t
from clearinghouse import jsonio

ECTS_TOLERANCE = 0.5
IN_CHUNK = 500
STACK_RELATIONS = ("isPartOf", "supersedes")

# Function words of the catalogue's languages (en, de, fr, es, it, nl, pl, ga, pt): they do not tell
# two titles apart ("Certificate in Data Analytics" = "Certificate of Data Analytics").
STOP_WORDS = frozenset("""
a an and the of in on for to with at by from or into via
der die das des dem den ein eine einer eines und im in fur mit zum zur von vom am an bei oder
le la les l de du des d un une et en au aux pour avec par ou sur
el la los las del y en con por para al o un una unos unas
il lo gli i della dello delle dei degli di e ed per con nel nella da un uno una
het een en van voor met op in bij of
i w z na do dla oraz ze we o
agus an na i le ar do
o os as e em com para no na dos das
""".split())

_CTID = re.compile(r"ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_LOOKS_LIKE_REF = re.compile(r"^([a-z][a-z0-9+.-]*:|ce-[0-9a-f-]{36}$)", re.I)


# ------------------------------------------------------------------------------------------------
# normalisation


def fold_words(text: str | None) -> list[str]:
    """Words of ``text``, casefolded, accents stripped, punctuation and stop words removed."""
    if not text:
        return []
    s = unicodedata.normalize("NFKD", text.casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return [w for w in re.findall(r"[^\W_]+", s) if w not in STOP_WORDS]


def title_key(title: str | None) -> str:
    """The blocking key of a title ("" when nothing is left)."""
    return " ".join(fold_words(title))[:200]


def body_key(name: str | None) -> str:
    """An awarding body's name as a sorted word set ("University of Galway" = "Galway University")."""
    return " ".join(sorted(set(fold_words(name))))


def url_key(url: str | None) -> str | None:
    """Host (without www.) and path of a web page, or None when it has no path (a home page says
    nothing about which credential it is)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    if not host or not path:
        return None
    return host + path


def cluster_id_of(record_id: str) -> str:
    return "cl-" + hashlib.sha256(record_id.encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------------------------------------
# matching


@dataclass
class Member:
    id: str
    source: str
    source_record_id: str
    status: str
    first_seen: str
    last_changed: str
    completeness: float
    eqf: int | None
    ects: float | None
    block_key: str
    cluster_id: str | None
    primary: int
    stackable: int
    body: str = ""
    body_id: str = ""
    url: str | None = None
    stacks: bool = False
    stacks_into: list[str] = field(default_factory=list)


def _member(row: Any) -> Member:
    doc = jsonio.loads(row.doc)
    body = doc.get("awarding_body") or {}
    return Member(
        id=row.id, source=row.source, source_record_id=row.source_record_id, status=row.status,
        first_seen=row.first_seen, last_changed=row.last_changed, completeness=row.completeness or 0.0,
        eqf=row.eqf_level, ects=row.ects, block_key=row.block_key, cluster_id=row.cluster_id,
        primary=row.cluster_primary, stackable=row.stackable,
        body=body_key(body.get("name")), body_id=(body.get("id") or "").strip(), url=url_key(doc.get("url")),
        stacks=doc.get("stackability") == "stackable" or bool(doc.get("stacks_into")),
        stacks_into=[s for s in doc.get("stacks_into") or [] if isinstance(s, str) and s.strip()],
    )


def conflict(a: Member, b: Member) -> bool:
    """Different credentials whatever else they share: different ECTS or EQF level."""
    if a.ects is not None and b.ects is not None and abs(a.ects - b.ects) > ECTS_TOLERANCE:
        return True
    return a.eqf is not None and b.eqf is not None and a.eqf != b.eqf


def evidence(a: Member, b: Member) -> int:
    """2: the same web page; 1: the same awarding body; 0: nothing says they are the same."""
    if a.url and a.url == b.url:
        return 2
    if (a.body and a.body == b.body) or (a.body_id and a.body_id == b.body_id):
        return 1
    return 0


class _Groups:
    def __init__(self, ids: Iterable[str]):
        self.parent = {i: i for i in ids}

    def find(self, i: str) -> str:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for i in self.parent:
            out[self.find(i)].append(i)
        return out


def cluster_block(members: list[Member], supersedes: Iterable[tuple[str, str]] = ()
                  ) -> dict[str, tuple[str, int, int]]:
    """record id -> (cluster id, 1 if representative else 0, 1 if any member stacks) for one block."""
    by_id = {m.id: m for m in members}
    lineage = _Groups(by_id)  # a record and the records it supersedes: one source's one credential
    for new, old in supersedes:
        if new in by_id and old in by_id:
            lineage.union(new, old)
    groups = _Groups(by_id)
    for new, old in supersedes:
        if new in by_id and old in by_id:
            groups.union(new, old)

    def hard(a: Member, b: Member) -> bool:
        if a.source == b.source and lineage.find(a.id) != lineage.find(b.id):
            return True
        return conflict(a, b)

    pairs = []
    ordered = sorted(by_id.values(), key=lambda m: m.id)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if a.source == b.source or conflict(a, b):
                continue
            score = evidence(a, b)
            if score:
                both_active = a.status == "active" and b.status == "active"
                pairs.append((-score, not both_active, a.id, b.id))
    pairs.sort()
    current = groups.members()
    for _score, _active, a, b in pairs:
        ra, rb = groups.find(a), groups.find(b)
        if ra == rb:
            continue
        if any(hard(by_id[x], by_id[y]) for x in current[ra] for y in current[rb]):
            continue
        merged = current.pop(ra) + current.pop(rb)
        groups.union(ra, rb)
        current[groups.find(ra)] = merged
    out: dict[str, tuple[str, int, int]] = {}
    for ids in groups.members().values():
        ms = [by_id[i] for i in ids]
        earliest = min(ms, key=lambda m: (m.first_seen, m.id))
        primary = min(ms, key=lambda m: (m.status != "active", -m.completeness, m.first_seen, m.id))
        cid = cluster_id_of(earliest.id)
        stacks = int(any(m.stacks for m in ms))
        for m in ms:
            out[m.id] = (cid, int(m.id == primary.id), stacks)
    return out


# ------------------------------------------------------------------------------------------------
# upkeep after a delivery


def _chunks(items: list, size: int = IN_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


_MEMBER_COLUMNS = ("id", "source", "source_record_id", "status", "first_seen", "last_changed",
                   "completeness", "eqf_level", "ects", "block_key", "cluster_id", "cluster_primary",
                   "stackable", "doc")


def _load_blocks(conn: Connection, keys: list[str]) -> dict[str, list[Member]]:
    c = t.credentials.c
    cols = [getattr(c, n) for n in _MEMBER_COLUMNS]
    blocks: dict[str, list[Member]] = defaultdict(list)
    for part in _chunks(sorted(keys)):
        for row in conn.execute(select(*cols).where(c.block_key.in_(part))):
            blocks[row.block_key].append(_member(row))
    return blocks


def refresh(conn: Connection, source: str, now: str) -> None:
    """Re-cluster the blocks that ``source``'s delivery at ``now`` touched (its new, changed and
    withdrawn records, plus any record not clustered yet), record supersessions, rebuild the
    delivered records' stack links and resolve every link still unresolved."""
    c = t.credentials.c
    rows = conn.execute(select(c.id, c.title, c.block_key).where(
        or_(and_(c.source == source, c.last_changed == now), c.block_key.is_(None)))).all()
    if not rows:
        return
    keys: set[str] = set()
    new_keys = []
    for r in rows:
        key = title_key(r.title) or "#" + r.id  # nothing to compare: a block of its own
        keys.add(key)
        if r.block_key:
            keys.add(r.block_key)
        if key != r.block_key:
            new_keys.append({"rid": r.id, "bk": key})
    if new_keys:
        conn.execute(update(t.credentials).where(c.id == bindparam("rid")).values(block_key=bindparam("bk")),
                     new_keys)
    blocks = _load_blocks(conn, list(keys))
    supersedes = _record_supersedes(conn, source, now, blocks)
    changes = []
    for members in blocks.values():
        assigned = cluster_block(members, supersedes)
        for m in members:
            cid, primary, stacks = assigned[m.id]
            if (m.cluster_id, m.primary, m.stackable) != (cid, primary, stacks):
                changes.append({"rid": m.id, "cid": cid, "prim": primary, "stk": stacks})
    if changes:
        conn.execute(update(t.credentials).where(c.id == bindparam("rid"))
                     .values(cluster_id=bindparam("cid"), cluster_primary=bindparam("prim"),
                             stackable=bindparam("stk")), changes)
    affected = {r.id for r in rows}
    _rebuild_links(conn, [m for ms in blocks.values() for m in ms if m.id in affected])
    resolve_links(conn)


def _record_supersedes(conn: Connection, source: str, now: str,
                       blocks: dict[str, list[Member]]) -> list[tuple[str, str]]:
    """(new id, old id) pairs of the blocks: the ones stored, plus this delivery's (a record it
    withdrew and one it added that match each other and nothing else of the delivery)."""
    sl = t.stack_links.c
    ids = [m.id for ms in blocks.values() for m in ms]
    pairs: list[tuple[str, str]] = []
    for part in _chunks(ids):
        pairs.extend((r.from_id, r.to_id) for r in conn.execute(
            select(sl.from_id, sl.to_id).where(sl.relation == "supersedes", sl.from_id.in_(part),
                                               sl.to_id.is_not(None))))
    known = set(pairs)
    fresh = []
    for members in blocks.values():
        gone = [m for m in members if m.source == source and m.status == "withdrawn" and m.last_changed == now]
        added = [m for m in members if m.source == source and m.status == "active" and m.first_seen == now]
        if not gone or not added:
            continue
        fits = {(y.id, x.id) for x in gone for y in added if not conflict(x, y)
                and not (x.body and y.body and x.body != y.body)}
        for new, old in sorted(fits):
            if sum(1 for p in fits if p[0] == new) == 1 and sum(1 for p in fits if p[1] == old) == 1 \
                    and (new, old) not in known:
                target = next(m for m in gone if m.id == old)
                fresh.append({"from_id": new, "relation": "supersedes", "target_ref": target.source_record_id,
                              "to_id": old})
                pairs.append((new, old))
    if fresh:
        conn.execute(insert(t.stack_links), fresh)
    return pairs


def _rebuild_links(conn: Connection, members: list[Member]) -> None:
    """The isPartOf rows of these records, from their stacks_into (unchanged rows are kept)."""
    if not members:
        return
    sl = t.stack_links.c
    wanted = {(m.id, ref) for m in members for ref in dict.fromkeys(m.stacks_into)}
    have: dict[tuple[str, str], int] = {}
    for part in _chunks([m.id for m in members]):
        for r in conn.execute(select(sl.pk, sl.from_id, sl.target_ref).where(
                sl.relation == "isPartOf", sl.from_id.in_(part))):
            have[(r.from_id, r.target_ref)] = r.pk
    stale = [pk for key, pk in have.items() if key not in wanted]
    for part in _chunks(stale):
        conn.execute(delete(t.stack_links).where(sl.pk.in_(part)))
    new = [{"from_id": f, "relation": "isPartOf", "target_ref": ref, "to_id": None}
           for f, ref in sorted(wanted) if (f, ref) not in have]
    if new:
        conn.execute(insert(t.stack_links), new)


@dataclass
class _Target:
    id: str
    source: str
    status: str
    cluster_id: str | None
    primary: int


def _choose(cands: list[_Target], from_source: str, from_id: str, *, one_cluster: bool) -> str | None:
    cands = [x for x in cands if x.id != from_id]
    if not cands:
        return None
    same = [x for x in cands if x.source == from_source]
    pool = same or cands
    if one_cluster and not same and len({x.cluster_id or x.id for x in pool}) > 1:
        return None  # the title names different credentials in other sources: not guessed
    return min(pool, key=lambda x: (x.status != "active", -x.primary, x.id)).id


def resolve_links(conn: Connection) -> int:
    """Resolve the isPartOf links that have no target record yet; the number resolved."""
    c, sl = t.credentials.c, t.stack_links.c
    todo = conn.execute(select(sl.pk, sl.from_id, sl.target_ref, c.source)
                        .join(t.credentials, c.id == sl.from_id)
                        .where(sl.relation == "isPartOf", sl.to_id.is_(None))).all()
    if not todo:
        return 0
    refs = sorted({r.target_ref for r in todo})
    ctids = {ref: m.group(0).lower() for ref in refs if (m := _CTID.search(ref))}
    tkeys = {ref: title_key(ref) for ref in refs}
    cols = (c.id, c.source, c.status, c.cluster_id, c.cluster_primary)
    by_id: dict[str, _Target] = {}
    by_srid: dict[str, list[_Target]] = defaultdict(list)
    by_key: dict[str, list[_Target]] = defaultdict(list)
    srids = sorted(set(refs) | set(ctids.values()))
    keys = sorted({k for k in tkeys.values() if k})
    for part in _chunks(refs):
        for r in conn.execute(select(*cols).where(c.id.in_(part))):
            by_id[r.id] = _Target(r.id, r.source, r.status, r.cluster_id, r.cluster_primary)
    for part in _chunks(srids):
        for r in conn.execute(select(*cols, c.source_record_id).where(c.source_record_id.in_(part))):
            by_srid[r.source_record_id].append(_Target(r.id, r.source, r.status, r.cluster_id, r.cluster_primary))
    for part in _chunks(keys):
        for r in conn.execute(select(*cols, c.block_key).where(c.block_key.in_(part))):
            by_key[r.block_key].append(_Target(r.id, r.source, r.status, r.cluster_id, r.cluster_primary))
    resolved = []
    for link in todo:
        ref = link.target_ref
        to = by_id[ref].id if ref in by_id and ref != link.from_id else None
        if to is None:
            cands = by_srid.get(ref, []) + [x for x in by_srid.get(ctids.get(ref, ""), [])
                                             if x not in by_srid.get(ref, [])]
            to = _choose(cands, link.source, link.from_id, one_cluster=False)
        if to is None and tkeys[ref]:
            to = _choose(by_key.get(tkeys[ref], []), link.source, link.from_id, one_cluster=True)
        if to is not None:
            resolved.append({"lpk": link.pk, "to": to})
    if resolved:
        conn.execute(update(t.stack_links).where(sl.pk == bindparam("lpk")).values(to_id=bindparam("to")),
                     resolved)
    return len(resolved)


# ------------------------------------------------------------------------------------------------
# search conditions


def conditions(q: Any) -> list[Any]:
    """The search conditions of a ``catalog.search.Query`` about clusters and stacking: one entry
    per credential (its representative) unless ``all_members`` or a ``source`` is asked for (a
    source's own records: they never share a cluster); ``stackable``; ``part_of``."""
    c = t.credentials.c
    out: list[Any] = []
    if not q.all_members and not q.source:
        out.append(c.cluster_primary == 1)
    if q.stackable:
        out.append(c.stackable == 1)
    if q.part_of:
        out.append(part_of(q.part_of))
    return out


def part_of(target: str) -> Any:
    """Records whose cluster has a member linked (isPartOf) to a member of ``target``'s cluster
    (``target``: a catalogue id, or a cluster id ``cl-...``)."""
    c, sl = t.credentials.c, t.stack_links.c
    whole = t.credentials.alias("whole")
    if target.startswith("cl-"):
        members = select(whole.c.id).where(whole.c.cluster_id == target)
    else:
        own = t.credentials.alias("own")
        cid = select(own.c.cluster_id).where(own.c.id == target).scalar_subquery()
        members = select(whole.c.id).where(or_(whole.c.id == target, whole.c.cluster_id == cid))
    parts = select(sl.from_id).where(sl.relation == "isPartOf", sl.to_id.in_(members))
    part = t.credentials.alias("part")
    part_clusters = select(part.c.cluster_id).where(part.c.id.in_(parts), part.c.cluster_id.is_not(None))
    return or_(c.id.in_(parts), c.cluster_id.in_(part_clusters))


def columnar_masks(engine: Engine, snap: Any, q: Any, cand: Any) -> dict[str, Any]:
    """The same conditions over the candidates of the SQLite column store (catalog.columnar)."""
    import numpy as np

    masks: dict[str, Any] = {}
    if not q.all_members and not q.source:
        masks["cluster_primary"] = snap.flags["cluster_primary"][cand]
    if q.stackable:
        masks["stackable"] = snap.flags["stackable"][cand]
    if q.part_of:
        rid = literal_column("credentials.rowid")
        with engine.connect() as conn:
            rowids = [r[0] for r in conn.execute(select(rid).select_from(t.credentials).where(part_of(q.part_of)))]
        masks["part_of"] = np.isin(snap.rowid[cand], np.array(rowids, dtype=np.int64))
    return masks


# ------------------------------------------------------------------------------------------------
# reading: the catalogue information shown beside a descriptor


def _member_rows(conn: Connection, cluster_ids: list[str]) -> dict[str, list[Any]]:
    c = t.credentials.c
    out: dict[str, list[Any]] = defaultdict(list)
    for part in _chunks(sorted(set(cluster_ids))):
        for r in conn.execute(select(c.id, c.source, c.source_record_id, c.status, c.cluster_id,
                                     c.cluster_primary, c.doc).where(c.cluster_id.in_(part))):
            out[r.cluster_id].append(r)
    return out


def _cluster_view(cluster_id: str | None, rows: list[Any]) -> dict[str, Any]:
    rows = sorted(rows, key=lambda r: (-int(r.cluster_primary or 0), r.source, r.id))
    return {
        "id": cluster_id,
        "size": len(rows),
        "primary": rows[0].id if rows else None,
        "sources": [{"source": r.source, "id": r.id, "source_record_id": r.source_record_id,
                     "status": r.status, "url": jsonio.loads(r.doc).get("url")} for r in rows],
    }


def attach(conn: Connection, docs: list[dict[str, Any]], rows: list[Any]) -> list[dict[str, Any]]:
    """Search results with their ``cluster`` (every member record and its source). ``rows`` are
    the catalogue rows the descriptors came from."""
    members = _member_rows(conn, [r.cluster_id for r in rows if r.cluster_id])
    for doc, row in zip(docs, rows):
        doc["cluster"] = _cluster_view(row.cluster_id, members.get(row.cluster_id) or [row]) \
            if row.cluster_id else _cluster_view(None, [row])
    return docs


def with_catalogue_info(engine: Engine, rec: dict[str, Any]) -> dict[str, Any]:
    """A descriptor (its keys unchanged) followed by ``cluster`` and ``stack_links``."""
    with engine.connect() as conn:
        return {**rec, **catalogue_info(conn, rec["id"])}


def catalogue_info(conn: Connection, record_id: str) -> dict[str, Any]:
    """``cluster`` and ``stack_links`` of one record (links of every member of its cluster:
    isPartOf = counts towards, hasPart = its parts, supersedes / supersededBy)."""
    c, sl = t.credentials.c, t.stack_links.c
    row = conn.execute(select(c.id, c.source, c.source_record_id, c.status, c.cluster_id, c.cluster_primary,
                              c.doc).where(c.id == record_id)).first()
    if row is None:
        return {}
    rows = _member_rows(conn, [row.cluster_id]).get(row.cluster_id, [row]) if row.cluster_id else [row]
    cluster = _cluster_view(row.cluster_id, rows)
    ids = [r.id for r in rows]
    found = []
    for part in _chunks(ids):
        found.extend(("out", r) for r in conn.execute(select(sl).where(sl.from_id.in_(part))))
        found.extend(("in", r) for r in conn.execute(select(sl).where(sl.to_id.in_(part))))
    other_ids = {r.to_id if way == "out" else r.from_id for way, r in found} - {None}
    others: dict[str, Any] = {}
    for part in _chunks(sorted(other_ids)):
        for r in conn.execute(select(c.id, c.title, c.cluster_id).where(c.id.in_(part))):
            others[r.id] = r
    primaries: dict[str, str] = {}
    cids = sorted({r.cluster_id for r in others.values() if r.cluster_id})
    for part in _chunks(cids):
        for r in conn.execute(select(c.id, c.cluster_id, c.title).where(c.cluster_id.in_(part),
                                                                         c.cluster_primary == 1)):
            primaries[r.cluster_id] = r.id
            others.setdefault(r.id, r)
    links, seen = [], set()
    for way, r in sorted(found, key=lambda f: (f[0] == "in", f[1].relation, f[1].pk)):
        other = r.to_id if way == "out" else r.from_id
        if r.relation == "supersedes":  # the record's own history, not its cluster's
            if (r.from_id if way == "out" else r.to_id) != record_id:
                continue
            shown = other
        elif other in ids:
            continue  # both ends in this cluster
        else:  # the other credential as searches show it: its cluster's representative
            target = others.get(other) if other else None
            shown = primaries.get(target.cluster_id, other) if target is not None and target.cluster_id else other
        relation = r.relation if way == "out" else {"isPartOf": "hasPart", "supersedes": "supersededBy"}[r.relation]
        key = (relation, shown) if shown else (relation, r.target_ref)
        if key in seen:
            continue
        seen.add(key)
        title = others[shown].title if shown in others else None
        if title is None and not _LOOKS_LIKE_REF.match(r.target_ref):
            title = r.target_ref
        links.append({"relation": relation, "id": shown, "title": title, "target": r.target_ref})
    return {"cluster": cluster, "stack_links": links}


__all__ = ["refresh", "resolve_links", "cluster_block", "conditions", "part_of", "attach", "catalogue_info",
           "with_catalogue_info", "title_key", "body_key", "url_key", "cluster_id_of", "STACK_RELATIONS"]
