"""OS::Heat::WaitCondition."""

from __future__ import annotations

from heat_engine.resources import schema as s
from heat_engine.resources.aws.wait_condition import MAX_TIMEOUT, BaseWaitCondition


class HeatWaitCondition(BaseWaitCondition):
    """Resource for handling signals received by WaitConditionHandle.

    Resource takes WaitConditionHandle and starts to create. Resource is in
    CREATE_IN_PROGRESS status until WaitConditionHandle doesn't receive sufficient number
    of successful signals (this number can be specified with count property) and
    successfully creates after that, or fails due to timeout.
    """

    type_name = "OS::Heat::WaitCondition"
    support_status = s.SupportStatus(version="2014.2")
    properties_schema = {
        "handle": s.Schema(
            s.STRING,
            "A reference to the wait condition handle used to signal this wait condition.",
            required=True,
        ),
        "timeout": s.Schema(
            s.NUMBER,
            "The number of seconds to wait for the correct number of signals to arrive.",
            required=True,
            constraints=(s.Range(1, MAX_TIMEOUT),),
        ),
        "count": s.Schema(
            s.INTEGER,
            "The number of success signals that must be received before the stack creation "
            "process continues.",
            default=1,
            update_allowed=True,
            constraints=(s.Range(min=1),),
        ),
    }
    attributes_schema = {
        "data": s.Attribute(
            "JSON string containing data associated with wait condition signals sent to "
            "the handle.",
            s.STRING,
        ),
    }


RESOURCE_TYPES = {HeatWaitCondition.type_name: HeatWaitCondition}
