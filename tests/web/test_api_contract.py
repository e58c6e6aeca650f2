"""The open-data API against its own OpenAPI document, driven by schemathesis: requests are
generated from the document (valid ones and ones that break it), and every answer must match
what the document promises — status codes, content types, headers, bodies — with valid
parameters accepted and invalid ones refused.

The data hold a published edition (winners with and without consents), a call that is open
and one under embargo, so that every endpoint has something to answer with. Hypothesis drives
the cases inside the test (schemathesis' own pytest decorator needs a fixture per example,
which this suite's database fixture is not made for).
"""
from datetime import timedelta

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from awards.extensions import db
from awards.models.base import utcnow
from awards.models.decisions import Decision
from tests import factories

EXAMPLES_PER_OPERATION = 40


def _data():
    """{path parameter name: an id that exists and is public} per operation path."""
    published, winners, _others = factories.released_competition(winners=3, others=2, year=2025)
    winners[1].consent_publish_name = False
    factories.publish(published, at=utcnow() - timedelta(hours=1))
    factories.released_competition(winners=1, others=1, prize_code="UFR", year=2026,
                            publish_at=utcnow() + timedelta(days=3))
    factories.competition(prize_code="OBB", year=2027)
    db.session.commit()
    decision_id = db.session.scalar(db.select(Decision.id).where(
        Decision.application_id == winners[0].id))
    return {"/preistraeger/{id}": decision_id, "/ausschreibungen/{id}": published.id,
            "/ausschreibungen/{id}/preistraeger": published.id}


def test_api_keeps_its_contract(app):
    known_ids = _data()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 10  # every path of the document, none skipped
    seen = {}

    for operation in operations:
        strategy = st.one_of([operation.as_strategy(generation_mode=mode)
                              for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)])

        @given(case=strategy)
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call_and_validate()
            seen.setdefault(operation.label, set()).add(response.status_code)

        check()
        if operation.path in known_ids:
            # Random ids rarely exist: one case with a real one, validated the same way.
            case = operation.Case(path_parameters={"id": known_ids[operation.path]})
            seen[operation.label].add(case.call_and_validate().status_code)
    # Positive control: every operation answered, each at least once with data.
    assert set(seen) == {op.label for op in operations}
    assert all(200 in statuses for statuses in seen.values()), seen
