"""One module per resource family; each view is one line over a service function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from negotiation.api.parsing import Blueprint
from negotiation.api.problems import PROBLEM_JSON
from negotiation.api.schemas.common import Problem

ERROR_DESCRIPTIONS = {
    401: "No valid bearer token (`unauthenticated`).",
    403: "The caller's role may never do this (`forbidden`).",
    404: "Absent, or not the caller's to see (`not_found`).",
    409: "A rule refused the action; `code` names it.",
    413: "The file is larger than the policy allows (`evidence_too_large`).",
    422: "Invalid input; `errors` names each field.",
}


def documents_errors(blp: Blueprint, *statuses: int) -> Callable[[Any], Any]:
    """Document the problem responses a view can give, in the OpenAPI description."""

    def decorate(view: Any) -> Any:
        for status in (401, *statuses):
            view = blp.alt_response(status, schema=Problem,
                                    description=ERROR_DESCRIPTIONS[status],
                                    content_type=PROBLEM_JSON)(view)
        return view

    return decorate
