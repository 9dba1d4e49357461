"""Template languages: loading, versions, functions, parameters and definitions."""
