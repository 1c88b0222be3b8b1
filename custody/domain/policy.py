"""Who may post which action: the one role × action table, as Nanhu divides the work.

A collector deposits bags, collects bins onto the cart, unloads the cart at a
transfer room and inspects; a booth keeper helps households deposit and
inspects; a driver unloads, clears transfer rooms onto the truck and delivers;
the weighbridge operator receives deliveries, always with the net weight the
weighbridge measured, and inspects. Supervisors and admins may do everything.

A scan outside the table is refused (an access refusal, not a judgement of the
evidence), and the refused attempt is kept. Inside the table nothing here
refuses: evidence that breaks the custody path is recorded with a flag.
"""

from __future__ import annotations

from custody.domain.errors import RoleNotAllowed, WeightRequired
from custody.domain.model import Action, Role

ALL_ACTIONS = frozenset(Action)

ALLOWED: dict[Role, frozenset[Action]] = {
    Role.COLLECTOR: frozenset({Action.DEPOSIT, Action.COLLECT, Action.UNLOAD, Action.INSPECT}),
    Role.BOOTH_KEEPER: frozenset({Action.DEPOSIT, Action.INSPECT}),
    Role.DRIVER: frozenset({Action.UNLOAD, Action.LOAD, Action.DELIVER}),
    Role.FACILITY_OPERATOR: frozenset({Action.DELIVER, Action.INSPECT}),
    Role.SUPERVISOR: ALL_ACTIONS,
    Role.ADMIN: ALL_ACTIONS,
}

# (role, action) pairs that are allowed only with a measured weight.
WEIGHT_REQUIRED: frozenset[tuple[Role, Action]] = frozenset({
    (Role.FACILITY_OPERATOR, Action.DELIVER),  # the weighbridge's net weight
})


def may_post(role: Role, action: Action) -> bool:
    """Whether the table lets ``role`` post ``action``."""
    return action in ALLOWED.get(role, frozenset())


def check(role: Role, action: Action, weight_kg: float | None) -> None:
    """Raise RoleNotAllowed outside the table, WeightRequired when a weight is missing."""
    if not may_post(role, action):
        allowed = sorted(a.value for a in ALLOWED.get(role, ()))
        raise RoleNotAllowed(f"a {role.value} may not post {action.value} "
                             f"(a {role.value} may post: {', '.join(allowed) or 'none'})",
                             role=role.value, action=action.value, allowed=allowed)
    # A net weight of 0 is no weighing: a delivered load weighs something, and a 0 would
    # become the authoritative delivered weight (the phone page asks for more than 0 too).
    if (weight_kg is None or weight_kg <= 0) and (role, action) in WEIGHT_REQUIRED:
        raise WeightRequired(f"a {role.value}'s {action.value} needs the weighbridge net "
                             "weight (weight_kg, above 0)")
