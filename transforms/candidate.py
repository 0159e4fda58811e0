"""Candidate fields: what the mapping stage produces from a source's columns (still the source's
strings) and the harmonise stage consumes. Keys are either descriptor keys or the finer-grained
inputs a crosswalk needs (a credit value and its unit, a national level and its framework)."""

CANDIDATE_FIELDS: dict[str, str] = {
    "source_record_id": "the record's own identifier (course code, CTID, URI, badge id)",
    "title": "title in the source's language",
    "title_language": "language of the title (name or code)",
    "description": "free text, may contain HTML/XHTML markup",
    "credential_type": "free text kind of credential (micro-credential, badge, Zertifikat, ...)",
    "awarding_body_name": "name of the awarding institution",
    "awarding_body_id": "URI / registry id / PIC / ROR of the awarding institution",
    "country": "country of the awarding body (name in any language, alpha-2 or alpha-3)",
    "region": "ISO 3166-2 subdivision or a region name (Scotland, Wales)",
    "learning_outcomes": "one text; outcomes separated by newlines, bullets or semicolons",
    "credit": "credit value, possibly with the unit written in (\"5 ECTS\", \"7,5\", \"15 CATS\")",
    "credit_unit": "unit of `credit` (ECTS, CATS, SCQF, US credit hours, CEU, hours ...)",
    "workload_hours": "notional learning hours (\"120\", \"120 h\", \"120 Stunden\")",
    "eqf_level": "EQF level as given (\"6\", \"EQF 6\", \"Level 6\")",
    "nqf_level": "national framework level as given (\"7\", \"Entry 3\", \"Niveau III\", \"SCQF 9\")",
    "nqf_framework": "national framework name or code (NFQ, SCQF, RQF, DQR, CNCP/RNCP, PRK/PQF)",
    "level": "a level whose framework is not said (\"Niveau 7\", \"level 6\", \"NFQ 8\")",
    "difficulty": "how demanding the course is (\"Beginner\", \"All Levels\"): never a level",
    "languages": "language(s) of instruction, names or codes in any language, any separator",
    "participation_mode": "free text form of participation (online, Präsenz, hybride, ...)",
    "assessment_type": "free text assessment (written exam, Klausur, projet, ...)",
    "supervision": "free text supervision / identity check",
    "quality_assurance": "free text about quality assurance / accreditation",
    "qa_body": "quality assurance or accreditation body",
    "prerequisites": "entry requirements",
    "grading": "grading scheme",
    "stackability": "free text: stackable / standalone / counts towards ...",
    "stacks_into": "larger credentials this counts towards, separated by newlines or semicolons",
    "verification": "free text: how an award is verified (Europass, Open Badges, blockchain ...)",
    "url": "public page",
    "start_date": "start date in any common format",
    "end_date": "end date in any common format",
    "duration": "duration as given (\"6 weeks\", \"P6W\", \"3 Monate\")",
    "price": "price, possibly with currency (\"1.200,00 EUR\", \"£250\")",
    "price_currency": "currency of price",
    "licence": "licence the source publishes the record under",
    "isced_f": "ISCED-F 2013 field code(s)",
}
# Titles in further languages arrive as candidate columns named "title@<lang>" (e.g. "title@en").
TITLE_PREFIX = "title@"
# ESCO skills the source itself names (ELM relatedESCOSkill, Open Badges alignments): connectors
# give them in this column, one per line, "URI" or "URI<TAB>label"; mapping passes it through and
# harmonisation keeps them with method "source".
SOURCE_SKILLS = "x_esco_skills"
