"""Stage 1, the sources: reading files, YAML with locations, the field table, the schema, the project.

Modules: ``files`` (the one checked file reader), ``yamldoc`` (YAML with a
location for every value), ``fields`` (every override and content key, declared
once), ``schema`` (shapes derived from it: validation and the JSON Schema),
``names`` (output names), ``project`` (finding and loading base/ and overrides/).
"""
