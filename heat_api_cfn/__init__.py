"""heat-api-cfn: the CloudFormation-compatible query API (AWS query protocol, XML answers)."""
