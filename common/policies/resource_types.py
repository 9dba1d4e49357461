"""Rules for resource types only administrators may use: ``resource_types:<type>``.

The engine checks these for each resource of a stack (a ``*`` ends a family); a type
without a rule is allowed.
"""

from __future__ import annotations

from oslo_policy import policy

from common.policies.base import PROJECT_ADMIN_RULE, PROJECT_SCOPE

ADMIN_ONLY_TYPES = (
    "OS::Nova::Flavor",
    "OS::Cinder::EncryptedVolumeType",
    "OS::Cinder::VolumeType",
    "OS::Cinder::Quota",
    "OS::Neutron::Quota",
    "OS::Nova::Quota",
    "OS::Octavia::Quota",
    "OS::Manila::ShareType",
    "OS::Neutron::ProviderNet",
    "OS::Neutron::QoSPolicy",
    "OS::Neutron::QoSBandwidthLimitRule",
    "OS::Neutron::QoSDscpMarkingRule",
    "OS::Neutron::QoSMinimumBandwidthRule",
    "OS::Neutron::QoSMinimumPacketRateRule",
    "OS::Neutron::Segment",
    "OS::Nova::HostAggregate",
    "OS::Cinder::QoSSpecs",
    "OS::Cinder::QoSAssociation",
    "OS::Keystone::*",
    "OS::Blazar::Host",
    "OS::Octavia::Flavor",
    "OS::Octavia::FlavorProfile",
    "OS::Octavia::AvailabilityZone",
    "OS::Octavia::AvailabilityZoneProfile",
)

RULES = [
    policy.RuleDefault(f"resource_types:{name}", PROJECT_ADMIN_RULE, scope_types=PROJECT_SCOPE)
    for name in ADMIN_ONLY_TYPES
]
