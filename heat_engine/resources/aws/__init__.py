"""AWS::* resource types."""
