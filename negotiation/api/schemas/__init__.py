"""The JSON shapes of API.md, as marshmallow schemas (and so as OpenAPI components), one
module per feature as the services are grouped, and ``common`` for what they share.

Input schemas refuse unknown fields (marshmallow's default), so no client can set what
the contract does not let it set. An output schema is named after its component, or, where
that is the name of a model too, ``…Out`` and registered under the component's name
(:func:`common.component`), so the OpenAPI document keeps its names.
"""
