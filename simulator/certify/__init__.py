"""Go-live certification: checklists as data, a readiness verdict, and reports.

    from simulator.certify import certify, write_reports

    result = certify("gameball")  # the embedded reference backend
    paths = write_reports(result, "reports")  # JUnit XML, JSON evidence, HTML
    result.level  # "ready" | "ready_with_risks" | "not_ready"

The command line is `posim certify` (see `cli.add_certify_parser`) and docs/certify.md.
"""

from .bundle import evidence_document, write_reports
from .checklists import Checklist, ChecklistError, ChecklistItem, load_checklist
from .readiness import LABELS, NOT_READY, READY, RISKS, Verdict, decide, exit_status
from .runner import CertifyResult, DialectResult, certify

__all__ = [
    "LABELS",
    "NOT_READY",
    "READY",
    "RISKS",
    "CertifyResult",
    "Checklist",
    "ChecklistError",
    "ChecklistItem",
    "DialectResult",
    "Verdict",
    "certify",
    "decide",
    "evidence_document",
    "exit_status",
    "load_checklist",
    "write_reports",
]
