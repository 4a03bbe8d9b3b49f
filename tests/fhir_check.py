"""An independent check of a FHIR export: every resource parsed by its own fhir.resources
R4B model class (imported by module here, not looked up the way rehab.render.fhir does),
plus what those models do not check: FHIR JSON's own rules, the required value sets of the
statuses used, uuid fullUrls matching ids, and every reference resolving inside the Bundle."""

from __future__ import annotations

import re
import uuid

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

MODELS = {cls.__name__: cls for cls in (Patient, Practitioner, Procedure, CarePlan, Observation,
                                        QuestionnaireResponse, Flag)}

# Required bindings in R4 (4.0.1) for the elements the export uses.
STATUSES = {
    "Observation": {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                    "entered-in-error", "unknown"},
    "Procedure": {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed",
                  "entered-in-error", "unknown"},
    "CarePlan": {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"},
    "QuestionnaireResponse": {"in-progress", "completed", "amended", "entered-in-error", "stopped"},
    "Flag": {"active", "inactive", "entered-in-error"},
}
ACTIVITY_STATUSES = {"not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled",
                     "stopped", "unknown", "entered-in-error"}
CAREPLAN_INTENTS = {"proposal", "plan", "order", "option"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def references(node) -> list[str]:
    """Every Reference.reference anywhere in a resource."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(references(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(references(item))
    return found


def _json_rules(node, where: str) -> None:
    """FHIR JSON: no nulls, no empty arrays or objects, no empty strings."""
    if isinstance(node, dict):
        assert node, f"empty object at {where}"
        for key, value in node.items():
            _json_rules(value, f"{where}.{key}")
    elif isinstance(node, list):
        assert node, f"empty array at {where}"
        for i, item in enumerate(node):
            _json_rules(item, f"{where}[{i}]")
    else:
        assert node is not None, f"null at {where}"
        assert node != "", f"empty string at {where}"


def check_bundle(document: dict) -> dict[str, dict]:
    """Validate a whole export; returns the resources by fullUrl."""
    Bundle.model_validate(document)  # the Bundle itself, entries included
    assert document["resourceType"] == "Bundle" and document["type"] == "collection"
    assert "timestamp" in document
    _json_rules(document, "Bundle")
    by_url: dict[str, dict] = {}
    for i, entry in enumerate(document.get("entry", [])):
        resource = entry["resource"]
        kind = resource["resourceType"]
        assert kind in MODELS, f"entry {i}: unexpected {kind}"
        model = MODELS[kind].model_validate(resource)  # each resource by its own class
        # ... which writes it back as it stands: the file is in FHIR's own JSON form.
        assert model.model_dump(mode="json", exclude_none=True) == resource, f"entry {i}: {kind} not canonical"
        url = entry["fullUrl"]
        assert url == f"urn:uuid:{resource['id']}", f"entry {i}: fullUrl is not urn:uuid:<id>"
        assert str(uuid.UUID(resource["id"])) == resource["id"]
        assert url not in by_url, f"entry {i}: {url} twice"
        by_url[url] = resource
        if kind in STATUSES:
            assert resource["status"] in STATUSES[kind], f"entry {i}: {kind}.status {resource['status']!r}"
        if kind == "CarePlan":
            assert resource["intent"] in CAREPLAN_INTENTS
            for activity in resource.get("activity", []):
                assert activity["detail"]["status"] in ACTIVITY_STATUSES
    for url, resource in by_url.items():
        for ref in references(resource):
            assert ref in by_url, f"{resource['resourceType']} {url}: reference {ref} is not in the Bundle"
    return by_url


def of_type(resources: dict[str, dict], kind: str) -> list[dict]:
    return [r for r in resources.values() if r["resourceType"] == kind]


def observations(resources: dict[str, dict], system: str, code: str) -> dict[str, dict]:
    """Observations with a coding (system, code), by effectiveDateTime."""
    found = {}
    for r in of_type(resources, "Observation"):
        if any(c.get("system") == system and c.get("code") == code for c in r["code"].get("coding", [])):
            assert r["effectiveDateTime"] not in found, f"two {code} observations on {r['effectiveDateTime']}"
            found[r["effectiveDateTime"]] = r
    return found
