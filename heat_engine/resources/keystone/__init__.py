"""OS::Keystone::* resource types: identity objects managed through Keystone's v3 API."""
