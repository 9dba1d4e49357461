"""OS::Heat::* resource types."""
