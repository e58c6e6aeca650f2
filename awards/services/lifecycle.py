"""The service-level face of the year's state machine.

The machine itself (states, the action table, `state_of`, `allows`, `require`) lives in
`awards.lifecycle`, below `awards.permissions`, so that access predicates can ask it too.
Services and views keep importing it from here.
"""
from awards.lifecycle import (  # noqa: F401
    ACTIONS, CONFIRMED_ACTIONS, JURY_STATES, ORDER, PRESELECTION_STATES, PUBLIC_STATES,
    STAGE_ACTIONS, STAGE_STATES, Action, NotAllowed, S, YearState, allows, call_state,
    is_public_at, now, open_rounds, require, stage_actions, stage_may_be, stages_for_states,
    state_of, states_for, states_of,
)
