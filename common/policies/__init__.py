"""Heat's default policy rules, under upstream's rule names.

``list_rules()`` is the ``oslo.policy.policies`` entry point (namespace ``heat``) that
``oslopolicy-sample-generator`` reads; heat-api registers the same rules on its enforcer,
and an operator's ``[oslo_policy] policy_file`` overrides any of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from oslo_policy import policy

from common.policies import (
    actions,
    base,
    cloudformation,
    resource_types,
    resources,
    service,
    software,
    stacks,
)


def list_rules() -> Iterable[policy.RuleDefault]:
    """Every default rule, base rules first."""
    return itertools.chain(
        base.RULES,
        actions.RULES,
        service.RULES,
        cloudformation.RULES,
        resources.RULES,
        resource_types.RULES,
        software.RULES,
        stacks.RULES,
    )
