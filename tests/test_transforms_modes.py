"""Free text to the descriptor enums, in seven languages."""
import pytest

from transforms import modes


@pytest.mark.parametrize("text, expected", [
    ("Online", "online"), ("100% online, self-paced", "online"), ("E-Learning", "online"),
    ("Präsenz", "onsite"), ("Präsenzveranstaltung", "onsite"), ("vor Ort in Köln", "onsite"),
    ("hybrid", "blended"), ("Blended Learning", "blended"), ("Präsenz- und Onlinephasen", "blended"),
    ("en ligne", "online"), ("présentiel", "onsite"), ("hybride", "blended"), ("formation à distance", "online"), ("FOAD", "online"),
    ("a distancia", "online"), ("presencial", "onsite"), ("semipresencial", "blended"),
    ("in presenza", "onsite"), ("a distanza", "online"), ("misto", "blended"),
    ("op locatie", "onsite"), ("afstandsonderwijs", "online"), ("klassikaal", "onsite"),
    ("stacjonarnie", "onsite"), ("zdalnie", "online"), ("hybrydowo", "blended"),
    ("distance learning", "online"), ("face-to-face", "onsite"), ("On campus", "onsite"),
    ("online and on campus", "blended"), ("Onlinekurs", "online"), ("blended", "blended"),
])
def test_participation_mode(text, expected):
    d = modes.participation_mode(text)
    assert d.values == {"participation_mode": expected}
    assert d.flags == () and d.problems == ()


@pytest.mark.parametrize("text", ["full-time", "Teilzeit", "nach Absprache", "xyz"])
def test_participation_mode_unknown_is_flag(text):
    d = modes.participation_mode(text)
    assert d.values == {} and d.problems == ()
    assert [f.code for f in d.flags] == ["unrecognised-value"]
    assert text in d.flags[0].message


@pytest.mark.parametrize("text, expected, flags", [
    ("Klausur und mündliche Prüfung", ["written-exam", "oral-exam"], []),
    ("Abschlussklausur (90 min)", ["written-exam"], []),
    ("Hausarbeit", ["project"], []),
    ("Projektarbeit und Präsentation", ["project", "oral-exam"], []),
    ("projet", ["project"], []),
    ("examen écrit", ["written-exam"], []),
    ("examen oral", ["oral-exam"], []),
    ("contrôle continu et soutenance", ["continuous-assessment", "oral-exam"], []),
    ("MCQ", ["online-quiz"], []),
    ("quiz en ligne", ["online-quiz"], []),
    ("QCM", ["online-quiz"], []),
    ("egzamin pisemny", ["written-exam"], []),
    ("egzamin ustny", ["oral-exam"], []),
    ("tentamen", ["written-exam"], []),
    ("mondeling examen", ["oral-exam"], []),
    ("esame scritto e prova orale", ["written-exam", "oral-exam"], []),
    ("examen escrito y evaluación continua", ["written-exam", "continuous-assessment"], []),
    ("Portfolio", ["portfolio"], []),
    ("peer review of assignments", ["peer-assessment", "project"], []),
    ("Continuous assessment through weekly quizzes", ["continuous-assessment", "online-quiz"], []),
    ("Validation des acquis de l'expérience (VAE)", ["recognition-of-prior-learning"], []),
    ("Written exam; oral exam; written exam", ["written-exam", "oral-exam"], []),
    ("written-exam, project", ["written-exam", "project"], []),
    ("keine Prüfung", ["none"], []),
    ("Modulprüfung: Projektarbeit", ["project"], []),
    ("Prüfung", ["written-exam"], ["assessment-guessed"]),
    ("Exam and portfolio", ["written-exam", "portfolio"], ["assessment-guessed"]),
])
def test_assessment_types(text, expected, flags):
    d = modes.assessment_types(text)
    assert d.values == {"assessment_type": expected}
    assert [f.code for f in d.flags] == flags


def test_assessment_unknown():
    d = modes.assessment_types("Tanz")
    assert d.values == {} and [f.code for f in d.flags] == ["unrecognised-value"]


@pytest.mark.parametrize("text, expected, flags", [
    ("proctored online with ID check", "supervised-online-id-check", []),
    ("beaufsichtigt vor Ort mit Ausweiskontrolle", "supervised-onsite-id-check", []),
    ("unsupervised", "unsupervised-no-id-check", []),
    ("nicht beaufsichtigt", "unsupervised-no-id-check", []),
    ("surveillé en ligne avec vérification d'identité", "supervised-online-id-check", []),
    ("examen presencial con verificación de identidad", "supervised-onsite-id-check", []),
    ("esame in presenza con controllo dell'identità", "supervised-onsite-id-check", []),
    ("onder toezicht op locatie met identiteitscontrole", "supervised-onsite-id-check", []),
    ("egzamin zdalnie z weryfikacją tożsamości", "supervised-online-id-check", []),
    ("supervised exam in a test centre with photo ID", "supervised-onsite-id-check", []),
    ("Online-Prüfung unter Aufsicht ohne Ausweiskontrolle", "supervised-no-id-check", []),
    ("supervised", "supervised-no-id-check", ["id-check-not-stated"]),
    ("supervised-online-id-check", "supervised-online-id-check", []),
])
def test_supervision(text, expected, flags):
    d = modes.supervision(text)
    assert d.values == {"supervision": expected}
    assert [f.code for f in d.flags] == flags


@pytest.mark.parametrize("text", ["ID check", "irgendwie"])
def test_supervision_unclear(text):
    d = modes.supervision(text)
    assert d.values == {} and [f.code for f in d.flags] == ["unrecognised-value"]


@pytest.mark.parametrize("text, expected", [
    ("Micro-credential", "micro-credential"), ("Mikrozertifikat", "micro-credential"),
    ("microcertification", "micro-credential"), ("micro-credencial", "micro-credential"),
    ("mikropoświadczenie", "micro-credential"), ("Micro-credential course", "micro-credential"),
    ("Open Badge", "digital-badge"), ("Digital badge", "digital-badge"),
    ("MicroMasters", "micromasters"), ("MicroMasters® Program", "micromasters"), ("Nanodegree", "nanodegree"),
    ("Verified Certificate", "verified-certificate"), ("Professional Certificate", "professional-certificate"),
    ("Kurs", "course"), ("Zertifikatskurs", "course"), ("cours", "course"), ("module", "course"), ("corso", "course"),
    ("degree", "qualification"), ("diploma", "qualification"), ("Abschluss", "qualification"),
    ("Bachelor", "qualification"), ("Master's degree", "qualification"), ("diplôme", "qualification"),
    ("studia podyplomowe", "qualification"),
])
def test_credential_type(text, expected):
    d = modes.credential_type(text)
    assert d.values == {"credential_type": expected} and d.flags == ()


def test_credential_type_other():
    d = modes.credential_type("Zertifikat")
    assert d.values == {"credential_type": "other"}
    assert [f.code for f in d.flags] == ["unrecognised-value"]


@pytest.mark.parametrize("text, body, expected, flags", [
    ("Accredited by ZEvA", None, {"type": "external-accreditation", "body": "ZEvA", "text": "Accredited by ZEvA"}, []),
    ("Programm akkreditiert", "AQAS",
     {"type": "external-accreditation", "body": "AQAS", "text": "Programm akkreditiert"}, []),
    ("Registered in the RNCP (France Compétences)", None,
     {"type": "national-register", "body": "France Compétences", "text": "Registered in the RNCP (France Compétences)"}, []),
    ("Validated by QQI and placed on the NFQ", None,
     {"type": "national-register", "body": "QQI", "text": "Validated by QQI and placed on the NFQ"}, []),
    ("<p>Interne Qualitätssicherung der Hochschule</p>", None,
     {"type": "internal", "body": None, "text": "Interne Qualitätssicherung der Hochschule"}, []),
    ("none", None, {"type": "none", "body": None, "text": "none"}, []),
    ("see website", None, {"type": "unknown", "body": None, "text": "see website"}, ["unrecognised-value"]),
])
def test_quality_assurance(text, body, expected, flags):
    d = modes.quality_assurance(text, body)
    assert d.values == {"quality_assurance": expected}
    assert [f.code for f in d.flags] == flags


@pytest.mark.parametrize("text, expected, flags", [
    ("yes", "stackable", []), ("ja", "stackable", []), ("oui", "stackable", []), ("tak", "stackable", []),
    ("sí", "stackable", []), ("True", "stackable", []), ("Stackable towards the MSc", "stackable", []),
    ("anrechenbar auf den Master", "stackable", []),
    ("no", "standalone", []), ("nein", "standalone", []), ("non", "standalone", []), ("nie", "standalone", []),
    ("standalone", "standalone", []), ("not stackable", "standalone", []), ("nicht stapelbar", "standalone", []),
    ("Can be taken standalone or counts towards the MBA", "stackable", ["inconsistent-value"]),
])
def test_stackability(text, expected, flags):
    d = modes.stackability(text)
    assert d.values == {"stackability": expected}
    assert [f.code for f in d.flags] == flags


@pytest.mark.parametrize("text, expected", [
    ("Europass Digital Credentials, Open Badges", ["europass-edc", "open-badges"]),
    ("Blockchain (Blockcerts)", ["blockchain"]),
    ("paper certificate", ["paper"]),
    ("Urkunde und Open Badge", ["paper", "open-badges"]),
    ("Verification via online registry and QR code", ["registry-lookup"]),
    ("W3C Verifiable Credential", ["verifiable-credential"]),
    ("open-badges; paper", ["open-badges", "paper"]),
])
def test_verification(text, expected):
    d = modes.verification(text)
    assert d.values == {"verification": expected}


def test_empty_inputs_give_nothing():
    for fn in (modes.participation_mode, modes.assessment_types, modes.supervision, modes.credential_type,
               modes.stackability, modes.verification):
        d = fn("  ")
        assert d.values == {} and d.flags == () and d.problems == ()
    assert modes.quality_assurance(None, None).values == {}
