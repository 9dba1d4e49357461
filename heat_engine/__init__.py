"""heat-engine: templates, the resource graph, resource plugins and stack actions."""
