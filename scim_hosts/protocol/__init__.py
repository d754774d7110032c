"""The SCIM protocol: schemas, attribute paths, filter syntax, PATCH, documents, errors,
request bodies and attribute projection. Knows SCIM and JSON, never the models or the ORM
(tests/core/test_architecture.py enforces it): the adapters above it translate to the product."""
