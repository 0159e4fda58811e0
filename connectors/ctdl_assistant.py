"""Credential Registry Assistant publish inputs -> CTDL-shaped resources.

The Credential Registry Assistant API takes its own input classes (RA.Models.Input in
CredentialEngine/Registry_Assistant: CredentialRequest {"Credential": {...}}, LearningOpportunity-,
Course-, LearningProgramRequest, bulk lists), with PascalCase properties, plain strings or
``*_Map`` language maps, organizations as {"CTID": ...} / {"Id": ...} / {"Name": ...} references,
durations as {"Years", "Months"...} and credits as ValueProfiles. Each resource is rewritten into
the ceterms: shape the registry publishes from it and read like the JSON-LD form (same columns).
"""
from __future__ import annotations

import re
from typing import Any

from .base import number_to_str
from .ctdl_terms import (
    CREDENTIAL_TYPES, LEARNING_TYPES, _CTID, _as_list, _is_envelope, _join, _local, _type_values,
)

ASSISTANT_RESOURCES = {  # request property -> CTDL type when the resource names none
    "Credential": "ceterms:Credential",
    "LearningOpportunity": "ceterms:LearningOpportunityProfile",
    "LearningProgram": "ceterms:LearningProgram",
    "Course": "ceterms:Course",
    "Assessment": "ceterms:AssessmentProfile",
    "Organization": "ceterms:CredentialOrganization",
    "QAOrganization": "ceterms:QACredentialOrganization",
    "CostManifest": "ceterms:CostManifest",
    "ConditionManifest": "ceterms:ConditionManifest",
    "CompetencyFramework": "ceasn:CompetencyFramework",
    "ConceptScheme": "skos:ConceptScheme",
    "Pathway": "ceterms:Pathway",
    "PathwaySet": "ceterms:PathwaySet",
    "TransferValueProfile": "ceterms:TransferValueProfile",
    "TransferIntermediary": "ceterms:TransferIntermediary",
    "SupportService": "ceterms:SupportService",
    "Occupation": "ceterms:Occupation",
    "Job": "ceterms:Job",
    "Task": "ceterms:Task",
    "WorkRole": "ceterms:WorkRole",
    "Collection": "ceterms:Collection",
    "ScheduledOffering": "ceterms:ScheduledOffering",
}
ASSISTANT_BULK = {"Credentials": "Credential", "LearningOpportunities": "LearningOpportunity",
                  "Courses": "Course", "LearningPrograms": "LearningProgram", "Assessments": "Assessment"}
_REQUEST_KEYS = {"PublishForOrganizationIdentifier", "PublishByOrganizationIdentifier",
                 "OwningOrganizationIdentifier", "DefaultLanguage", "IsPrimarySourceRecord", "Community",
                 "RegistryEnvelopeId", "Publish"}
_ASSISTANT_TEXT = {  # plain text / language map properties (also as <name>_Map)
    "Name": "ceterms:name", "Description": "ceterms:description", "AlternateName": "ceterms:alternateName",
    "Keyword": "ceterms:keyword", "DeliveryTypeDescription": "ceterms:deliveryTypeDescription",
    "AssessmentMethodDescription": "ceterms:assessmentMethodDescription",
    "CreditUnitTypeDescription": "ceterms:creditUnitTypeDescription",
    "LearningMethodDescription": "ceterms:learningMethodDescription",
}
_ASSISTANT_LABELS = {  # strings that CTDL publishes as CredentialAlignmentObjects
    "Subject": "ceterms:subject", "DegreeConcentration": "ceterms:degreeConcentration",
    "DegreeMajor": "ceterms:degreeMajor",
}
_ASSISTANT_RAW = {  # copied as given (URLs, dates, concept terms, codes)
    "SubjectWebpage": "ceterms:subjectWebpage", "DateEffective": "ceterms:dateEffective",
    "ExpirationDate": "ceterms:expirationDate", "Image": "ceterms:image",
    "AvailableOnlineAt": "ceterms:availableOnlineAt", "InLanguage": "ceterms:inLanguage",
    "DeliveryType": "ceterms:deliveryType", "LearningDeliveryType": "ceterms:learningDeliveryType",
    "AssessmentMethodType": "ceterms:assessmentMethodType", "LearningMethodType": "ceterms:learningMethodType",
    "AudienceLevelType": "ceterms:audienceLevelType", "CredentialStatusType": "ceterms:credentialStatusType",
    "LifeCycleStatusType": "ceterms:lifeCycleStatusType", "Naics": "ceterms:naics", "NaicsList": "ceterms:naics",
    "CreditHourType": "ceterms:creditHourType",
}
_ASSISTANT_ORGS = {"OwnedBy": "ceterms:ownedBy", "OfferedBy": "ceterms:offeredBy",
                   "AccreditedBy": "ceterms:accreditedBy", "ApprovedBy": "ceterms:approvedBy",
                   "RecognizedBy": "ceterms:recognizedBy", "RegulatedBy": "ceterms:regulatedBy"}
_ASSISTANT_CONDITIONS = {"Requires": "ceterms:requires", "Recommends": "ceterms:recommends",
                         "Corequisite": "ceterms:corequisite", "EntryCondition": "ceterms:entryCondition",
                         **{c: f"ceterms:{c[0].lower()}{c[1:]}" for c in (
                             "IsPreparationFor", "IsAdvancedStandingFor", "IsRequiredFor", "IsRecommendedFor",
                             "PreparationFrom", "AdvancedStandingFrom")}}
_ASSISTANT_FRAMEWORK = {"OccupationType": "ceterms:occupationType", "IndustryType": "ceterms:industryType",
                        "InstructionalProgramType": "ceterms:instructionalProgramType"}
_ASSISTANT_ALTERNATIVES = {"AlternativeOccupationType": "ceterms:occupationType",
                           "AlternativeIndustryType": "ceterms:industryType",
                           "AlternativeInstructionalProgramType": "ceterms:instructionalProgramType"}
_ASSISTANT_CODES = {"ONET_Codes": "ceterms:occupationType", "CIP_Codes": "ceterms:instructionalProgramType"}
_DURATION_PARTS = (("Years", "Y"), ("Months", "M"), ("Weeks", "W"), ("Days", "D"))
_TIME_PARTS = (("Hours", "H"), ("Minutes", "M"))


def _pascal_keys(obj: dict) -> bool:
    """Most keys of ``obj`` are PascalCase property names (Assistant input, not JSON-LD)."""
    keys = [k for k in obj if isinstance(k, str) and not k.startswith(("@", "ceterms:", "ceasn:"))]
    return bool(keys) and sum(1 for k in keys if k[:1].isupper()) >= 0.6 * len(keys)


def _has_ctid(v: Any) -> bool:
    return isinstance(v, str) and bool(_CTID.search(v))


def _bare_kind(obj: dict) -> str | None:
    """The request property an Assistant resource without its request wrapper belongs to (the
    2017 sample inputs), or None when ``obj`` is not one: PascalCase keys with a ce- CTID and a
    name, or a Name with a CredentialType."""
    if not isinstance(obj, dict) or _type_values(obj) or not _pascal_keys(obj):
        return None
    named = any(obj.get(k) for k in ("Name", "Name_Map", "ceterms:name"))
    if not named or not (_has_ctid(obj.get("CTID")) or _has_ctid(obj.get("Ctid")) or obj.get("CredentialType")):
        return None
    t = obj.get("Type")
    if isinstance(t, str) and _local(t) in ASSISTANT_RESOURCES:
        return _local(t)
    if isinstance(t, str) and (_local(t) in CREDENTIAL_TYPES or _local(t) in LEARNING_TYPES):
        return "Credential" if _local(t) in CREDENTIAL_TYPES else "LearningOpportunity"
    if obj.get("CredentialType"):
        return "Credential"
    if {"AssessmentMethodType", "AssessesCompetency", "ScoringMethodType", "AssessmentUseType"} & set(obj) \
            and not {"TeachesCompetency", "Teaches", "LearningMethodType"} & set(obj):
        return "Assessment"
    if {"RequiredConditions", "EntryConditions", "RecommendedConditions"} & set(obj):
        return "ConditionManifest"
    if "EstimatedCosts" in obj and "CostDetails" in obj and "OwningOrganization" in obj:
        return "CostManifest"
    if {"AgentType", "AgentSectorType", "SubOrganization", "Fein", "Duns"} & set(obj):
        return "Organization"
    if {"DeliveryType", "LearningMethodType", "TeachesCompetency", "Teaches", "CreditHourValue"} & set(obj):
        return "LearningOpportunity"
    return None


def _request_resources(obj: Any) -> list[tuple[str, Any, tuple]] | None:
    """(request property, resource, path) of one Assistant request (or bare resource), else None."""
    if not isinstance(obj, dict) or _type_values(obj) or "@graph" in obj or "GraphInput" in obj \
            or _is_envelope(obj):
        return None
    found = [(key, obj[key], (key,)) for key in ASSISTANT_RESOURCES if isinstance(obj.get(key), dict)]
    for key, kind in ASSISTANT_BULK.items():
        if isinstance(obj.get(key), list):
            found.extend((kind, item, (key, i)) for i, item in enumerate(obj[key]))
    if found:
        strong = bool(set(obj) & _REQUEST_KEYS) or any(
            isinstance(r, dict) and (_has_ctid(r.get("CTID")) or _has_ctid(r.get("Ctid")) or r.get("CredentialType")
                                     or any(str(k).startswith("ceterms:") for k in r))
            for _k, r, _p in found)
        return found if strong else None
    kind = _bare_kind(obj)
    return [(kind, obj, ())] if kind else None


def looks_like_assistant_input(obj: Any) -> bool:
    """True for a Credential Registry Assistant publish input read here: a request such as
    ``{"PublishForOrganizationIdentifier": "ce-...", "Credential": {"Name": ...}}`` (also
    LearningOpportunity, Course, LearningProgram, Assessment, Organization... requests and bulk
    lists), a resource of such a request on its own (PascalCase keys with a ce- CTID), or a JSON
    array of them. A ``GraphInput`` request is CTDL already (``looks_like_ctdl``). Never raises."""
    try:
        if isinstance(obj, list):
            items = [x for x in obj[:20]]
            return bool(items) and all(_request_resources(x) for x in items)
        return _request_resources(obj) is not None
    except Exception:  # detection never raises
        return False


def _assistant_input(doc: Any) -> bool:
    """Looks like some Registry Assistant API *input* (PascalCase keys: Credential, Ctid,
    Name...), even one not read here (for the error message)."""
    if isinstance(doc, list):
        return any(_assistant_input(x) for x in doc[:20])
    if not isinstance(doc, dict):
        return False
    keys = set(doc)
    return bool(keys & {"PublishForOrganizationIdentifier", "PublishByOrganizationIdentifier",
                        "OwningOrganizationIdentifier", "DefaultLanguage"}) or (
        any(k[:1].isupper() for k in keys) and bool(keys & {"Ctid", "Name", "Credential", "LearningOpportunity",
                                                            "Organization", "Assessment", "OwningOrganization"}))


def _ra_type(t: Any, default: str) -> str:
    """'ceterms:Certificate' / 'Certificate' / 'LearningOpportunity' -> a ceterms: type."""
    if not isinstance(t, str) or not t.strip():
        return default
    t = t.strip()
    if t.startswith(("ceterms:", "ceasn:", "skos:")):
        return t
    name = re.sub(r"[^A-Za-z]", "", _local(t))
    if name == "LearningOpportunity":
        name = "LearningOpportunityProfile"
    if name in ("Organization",):
        name = "CredentialOrganization"
    return f"ceterms:{name}" if name else default


def _put_ids(node: dict, ref: dict) -> None:
    """Carry a described reference's Id and CTID onto the node made from it."""
    for key, prop in ((ref.get("Id") or ref.get("@id"), "@id"), (ref.get("CTID") or ref.get("Ctid"), "ceterms:ctid")):
        if isinstance(key, str) and key.strip():
            node[prop] = key.strip()


class _Assistant:
    """Rewrites the resources of one Assistant input into CTDL-shaped dicts."""

    def __init__(self, request: dict | None):
        self.request = request or {}
        lang = self.request.get("DefaultLanguage")
        self.lang = lang.strip() if isinstance(lang, str) and lang.strip() else None

    # -- values ------------------------------------------------------------------------------------

    def text(self, obj: dict, key: str) -> Any:
        """A text property and its ``_Map`` form as a language map (plain strings in the
        request's DefaultLanguage, when it names one)."""
        out: dict[str, Any] = {}
        plain = obj.get(key)
        mapped = obj.get(f"{key}_Map")
        if isinstance(mapped, dict):
            for lg, v in mapped.items():
                if isinstance(lg, str) and v not in (None, "", [], {}):
                    out[lg] = v
        if plain not in (None, "", [], {}):
            if isinstance(plain, dict):  # a language map given in the plain property
                out = {**plain, **out}
            elif not out:
                return {self.lang: plain} if self.lang else plain
        return out or None

    def _named(self, ref: dict) -> tuple[Any, str | None]:
        """A reference's name (if it describes the resource) and its bare CTID / URI otherwise."""
        name = self.text(ref, "Name") or ref.get("ceterms:name")
        ids = (ref.get("CTID") or ref.get("Ctid"), ref.get("Id") or ref.get("@id"))
        bare = next((i.strip() for i in ids if isinstance(i, str) and i.strip()), None)
        return name, bare

    def org(self, ref: Any) -> Any:
        """An OrganizationReference -> a CTID / URI string, or an inline organization node."""
        if isinstance(ref, str):
            return ref.strip() or None
        if not isinstance(ref, dict):
            return None
        name, bare = self._named(ref)
        if not name:
            return bare
        node = {"@type": _ra_type(ref.get("Type"), "ceterms:CredentialOrganization"), "ceterms:name": name}
        _put_ids(node, ref)
        for key, prop in (("SubjectWebpage", "ceterms:subjectWebpage"), ("Description", "ceterms:description")):
            if ref.get(key):
                node[prop] = ref[key]
        places = [self.place(p) for p in _as_list(ref.get("Address"))]
        if any(places):
            node["ceterms:address"] = [p for p in places if p]
        return node

    def place(self, p: Any) -> dict | None:
        if not isinstance(p, dict):
            return None
        node: dict[str, Any] = {"@type": "ceterms:Place"}
        street = ", ".join(x.strip() for x in (p.get("Address1"), p.get("Address2"), p.get("StreetAddress"))
                           if isinstance(x, str) and x.strip())
        for prop, value in (("ceterms:name", self.text(p, "Name")), ("ceterms:streetAddress", street or None),
                            ("ceterms:addressLocality", self.text(p, "City")),
                            ("ceterms:addressRegion", self.text(p, "AddressRegion")),
                            ("ceterms:postalCode", p.get("PostalCode")),
                            ("ceterms:addressCountry", p.get("Country") or p.get("AddressCountry"))):
            if value not in (None, "", {}):
                node[prop] = value
        node.update({k: v for k, v in p.items() if isinstance(k, str) and k.startswith("ceterms:")})
        return node if len(node) > 1 else None

    @staticmethod
    def duration(item: Any) -> str | None:
        """A DurationItem ({"Years": 2, "Months": 1} or {"Duration_ISO8601": "P2Y"}) -> ISO 8601."""
        if isinstance(item, str):
            return item.strip() or None
        if not isinstance(item, dict):
            return None
        iso = item.get("Duration_ISO8601")
        if isinstance(iso, str) and iso.strip():
            return iso.strip()

        def part(key: str) -> str:
            v = item.get(key)
            return number_to_str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 else ""

        date = "".join(part(k) + u for k, u in _DURATION_PARTS if part(k))
        time = "".join(part(k) + u for k, u in _TIME_PARTS if part(k))
        return ("P" + date + ("T" + time if time else "")) if date or time else None

    def durations(self, value: Any) -> list[dict]:
        out = []
        for prof in _as_list(value):
            if not isinstance(prof, dict):
                continue
            node: dict[str, Any] = {"@type": "ceterms:DurationProfile"}
            for key, prop in (("ExactDuration", "ceterms:exactDuration"), ("MinimumDuration", "ceterms:minimumDuration"),
                              ("MaximumDuration", "ceterms:maximumDuration")):
                iso = self.duration(prof.get(key))
                if iso:
                    node[prop] = iso
            desc = self.text(prof, "Description")
            if desc:
                node["ceterms:description"] = desc
            node.update({k: v for k, v in prof.items() if isinstance(k, str) and k.startswith("ceterms:")})
            if len(node) > 1:
                out.append(node)
        return out

    def credits(self, value: Any) -> list[dict]:
        """ValueProfiles ({"Value": 3, "CreditUnitType": ["SemesterHour"]}) -> QuantitativeValues."""
        out = []
        for vp in _as_list(value):
            if not isinstance(vp, dict):
                continue

            def num(key: str) -> Any:
                v = vp.get(key)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    return v if v != 0 else None  # 0 is the serialiser's default for "not given"
                return v if isinstance(v, str) and v.strip() else None

            node: dict[str, Any] = {"@type": "schema:QuantitativeValue"}
            if num("Value") is not None:
                node["schema:value"] = num("Value")
            elif num("MinValue") is not None or num("MaxValue") is not None:
                if num("MinValue") is not None:
                    node["schema:minValue"] = num("MinValue")
                if num("MaxValue") is not None:
                    node["schema:maxValue"] = num("MaxValue")
            else:
                continue
            units = [u for u in _as_list(vp.get("CreditUnitType")) if isinstance(u, str) and u.strip()]
            if units:
                node["ceterms:creditUnitType"] = units
            desc = self.text(vp, "Description")
            if desc:
                node["schema:description"] = desc
            out.append(node)
        return out

    def costs(self, value: Any) -> list[dict]:
        """CostProfiles with CostItems -> one CTDL CostProfile per item (as the registry publishes)."""
        out = []
        for cp in _as_list(value):
            if not isinstance(cp, dict):
                continue
            base: dict[str, Any] = {"@type": "ceterms:CostProfile"}
            for key, prop in (("Name", "ceterms:name"), ("Description", "ceterms:description")):
                t = self.text(cp, key)
                if t:
                    base[prop] = t
            if cp.get("Currency"):
                base["ceterms:currency"] = cp["Currency"]
            if cp.get("CostDetails"):
                base["ceterms:costDetails"] = cp["CostDetails"]
            items = [i for i in _as_list(cp.get("CostItems")) if isinstance(i, dict)] or [cp]
            for item in items:
                node = dict(base)
                kind = item.get("DirectCostType")
                if isinstance(kind, str) and kind.strip():
                    term = kind.strip() if ":" in kind else f"costType:{kind.strip()}"
                    node["ceterms:directCostType"] = [{"@type": "ceterms:CredentialAlignmentObject",
                                                       "ceterms:targetNode": term,
                                                       "ceterms:targetNodeName": _local(kind.strip())}]
                price = item.get("Price")
                if isinstance(price, (int, float, str)) and not isinstance(price, bool) and str(price).strip():
                    node["ceterms:price"] = price
                if "ceterms:price" in node or "ceterms:directCostType" in node:
                    out.append(node)
        return out

    def ref(self, r: Any) -> Any:
        """An EntityReference ({"CTID"} / {"Id"} / a described resource) -> string or node."""
        if isinstance(r, str):
            return r.strip() or None
        if not isinstance(r, dict):
            return None
        name, bare = self._named(r)
        if not name:
            return bare
        node = {"@type": _ra_type(r.get("Type"), "ceterms:LearningOpportunityProfile"), "ceterms:name": name}
        _put_ids(node, r)
        if r.get("SubjectWebpage"):
            node["ceterms:subjectWebpage"] = r["SubjectWebpage"]
        return node

    def alignment(self, item: Any) -> dict | None:
        """A FrameworkItem / CredentialAlignmentObject input -> a CredentialAlignmentObject."""
        if isinstance(item, str):
            return {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNodeName": item} if item.strip() else None
        if not isinstance(item, dict):
            return None
        node: dict[str, Any] = {"@type": "ceterms:CredentialAlignmentObject"}
        name = self.text(item, "TargetNodeName") or self.text(item, "Name")
        for prop, value in (("ceterms:targetNodeName", name),
                            ("ceterms:targetNodeDescription", self.text(item, "TargetNodeDescription")
                             or self.text(item, "Description")),
                            ("ceterms:codedNotation", item.get("CodedNotation")),
                            ("ceterms:targetNode", item.get("TargetNode") or item.get("URL")),
                            ("ceterms:framework", item.get("Framework")),
                            ("ceterms:frameworkName", self.text(item, "FrameworkName"))):
            if value not in (None, "", [], {}):
                node[prop] = value
        return node if len(node) > 1 else None

    def condition(self, c: Any) -> dict | None:
        if not isinstance(c, dict):
            return None
        node: dict[str, Any] = {"@type": "ceterms:ConditionProfile"}
        for key, prop in (("Name", "ceterms:name"), ("Description", "ceterms:description")):
            t = self.text(c, key)
            if t:
                node[prop] = t
        cond = [x for x in _as_list(c.get("Condition")) if isinstance(x, str) and x.strip()]
        if cond:
            node["ceterms:condition"] = {self.lang: cond} if self.lang else cond
        credits = self.credits(c.get("CreditValue"))
        if credits:
            node["ceterms:creditValue"] = credits
        for key, prop in (("TargetCredential", "ceterms:targetCredential"),
                          ("TargetLearningOpportunity", "ceterms:targetLearningOpportunity"),
                          ("TargetAssessment", "ceterms:targetAssessment")):
            refs = [x for x in (self.ref(r) for r in _as_list(c.get(key))) if x]
            if refs:
                node[prop] = refs
        comps = [x for key in ("TargetCompetency", "RequiresCompetency")
                 for x in (self.alignment(a) for a in _as_list(c.get(key))) if x]
        if comps:
            node["ceterms:targetCompetency"] = comps
        node.update({k: v for k, v in c.items() if isinstance(k, str) and k.startswith("ceterms:")})
        return node if len(node) > 1 else None

    # -- one resource -------------------------------------------------------------------------------

    def resource(self, res: dict, kind: str) -> dict:
        out: dict[str, Any] = {}
        default = ASSISTANT_RESOURCES.get(kind, f"ceterms:{kind}")
        if kind == "Credential":
            out["@type"] = _ra_type(res.get("CredentialType") or res.get("Type"), default)
        else:
            out["@type"] = _ra_type(res.get("Type") or res.get(f"{kind}Type"), default)
        done = {"Type", "CredentialType", f"{kind}Type"}
        ctid = res.get("CTID") or res.get("Ctid")
        if isinstance(ctid, str) and ctid.strip():
            out["ceterms:ctid"] = ctid.strip()
        done |= {"CTID", "Ctid"}
        for key, prop in _ASSISTANT_TEXT.items():
            value = self.text(res, key)
            if value:
                out[prop] = value
            done |= {key, f"{key}_Map"}
        for key, prop in _ASSISTANT_LABELS.items():
            value = self.text(res, key)
            if isinstance(value, dict):
                items = [{"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNodeName": {lg: t}}
                         for lg, ts in value.items() for t in _as_list(ts) if isinstance(t, str) and t.strip()]
            else:
                items = [self.alignment(t) for t in _as_list(value)]
            items = [i for i in items if i]
            if items:
                out[prop] = items
            done |= {key, f"{key}_Map"}
        for key, prop in _ASSISTANT_RAW.items():
            v = res.get(key)
            if v not in (None, "", [], {}):
                out[prop] = v
            done.add(key)
        if "ceterms:inLanguage" not in out and self.lang and kind in ("Credential", "LearningOpportunity",
                                                                         "LearningProgram", "Course", "Assessment"):
            out["ceterms:inLanguage"] = [self.lang]  # as the registry publishes it
        if isinstance(res.get("CodedNotation"), (str, list)):
            out["ceterms:codedNotation"] = _join([x for x in _as_list(res["CodedNotation"]) if isinstance(x, str)])
            done.add("CodedNotation")
        for key, prop in _ASSISTANT_ORGS.items():
            refs = [x for x in (self.org(r) for r in _as_list(res.get(key))) if x]
            if refs:
                out[prop] = refs
            done.add(key)
        publisher = self.request.get("PublishForOrganizationIdentifier")
        if kind in ("Credential", "LearningOpportunity", "LearningProgram", "Course", "Assessment") \
                and not out.get("ceterms:ownedBy") and not out.get("ceterms:offeredBy") and _has_ctid(publisher):
            out["ceterms:ownedBy"] = [publisher.strip()]  # published for this organization: its owner
        places = [x for x in (self.place(p) for p in _as_list(res.get("AvailableAt"))) if x]
        if places:
            out["ceterms:availableAt"] = places
        addresses = [x for x in (self.place(p) for p in _as_list(res.get("Address"))) if x]
        if addresses:
            out["ceterms:address"] = addresses
        done |= {"AvailableAt", "Address"}
        durations = self.durations(res.get("EstimatedDuration"))
        if durations:
            out["ceterms:estimatedDuration"] = durations
        credits = self.credits(res.get("CreditValue"))
        if credits:
            out["ceterms:creditValue"] = credits
        for key, prop in (("CreditHourValue", "ceterms:creditHourValue"), ("CreditUnitValue", "ceterms:creditUnitValue")):
            v = res.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v != 0 or isinstance(v, str) and v.strip():
                out[prop] = v
        if isinstance(res.get("CreditUnitType"), str) and res["CreditUnitType"].strip():
            out["ceterms:creditUnitType"] = res["CreditUnitType"].strip()
        done |= {"EstimatedDuration", "CreditValue", "CreditHourValue", "CreditUnitValue", "CreditUnitType"}
        costs = self.costs(_as_list(res.get("EstimatedCost")) + _as_list(res.get("EstimatedCosts")))
        if costs:
            out["ceterms:estimatedCost"] = costs
        done |= {"EstimatedCost", "EstimatedCosts"}
        for key, prop in _ASSISTANT_CONDITIONS.items():
            conds = [x for x in (self.condition(c) for c in _as_list(res.get(key))) if x]
            if conds:
                out[prop] = conds
            done.add(key)
        for key, prop in (("IsPartOf", "ceterms:isPartOf"), ("HasPart", "ceterms:hasPart")):
            refs = [x for x in (self.ref(r) for r in _as_list(res.get(key))) if x]
            if refs:
                out[prop] = refs
            done.add(key)
        teaches = [x for key in ("Teaches", "TeachesCompetency") for x in (self.alignment(a) for a in _as_list(res.get(key))) if x]
        if teaches:
            out["ceterms:teaches"] = teaches
        done |= {"Teaches", "TeachesCompetency"}
        for table, make in ((_ASSISTANT_FRAMEWORK, self.alignment), (_ASSISTANT_ALTERNATIVES, self.alignment),
                            (_ASSISTANT_CODES, lambda c: {"@type": "ceterms:CredentialAlignmentObject",
                                                          "ceterms:codedNotation": c} if isinstance(c, str) and c.strip() else None)):
            for key, prop in table.items():
                items = [x for x in (make(a) for a in _as_list(res.get(key))) if x]
                if items:
                    out.setdefault(prop, []).extend(items)
                done.add(key)
        for k, v in res.items():  # ceterms: properties given as such; the rest is kept (and named unread)
            if k in done or v in (None, "", [], {}):
                continue
            if isinstance(k, str) and k.startswith(("ceterms:", "ceasn:")):
                out.setdefault(k, v)
            elif k not in out:
                out[k] = v
        return out
