"""Schemathesis hooks for `cargo xtask test` (xtask/src/schemathesis.rs).

The envelope of `POST /v1/tokens` is `application/jose`, a media type schemathesis has no
serializer for: it goes on the wire as the text it is (a JWE in compact serialization).
"""

import schemathesis


@schemathesis.serializer("application/jose")
def jose(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    # Negative tests generate other JSON values: sent as their JSON text, to be refused.
    import json

    return json.dumps(value).encode("utf-8")
