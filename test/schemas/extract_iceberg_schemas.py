#!/usr/bin/env python3
"""One-off extraction of the Iceberg REST response schemas the e2e tests validate against.

Reads the Iceberg REST OpenAPI document (YAML) and writes test/schemas/iceberg-responses.json holding the
named response schemas plus every component schema they reference, transitively, with `$ref`s rewritten to
point inside the output file. The output is committed, so the tests never need the OpenAPI document.
Re-run only when moving to a newer spec (needs PyYAML; the document's flow-style examples are indented in a
way stricter YAML parsers reject):

    python3 test/schemas/extract_iceberg_schemas.py <path/to/iceberg-rest-catalog-open-api.yaml>
"""
import json
import os
import sys

import yaml

RESPONSE_SCHEMAS = [
    "CatalogConfig",
    "IcebergErrorResponse",
    "ListNamespacesResponse",
    "CreateNamespaceResponse",
    "GetNamespaceResponse",
    "UpdateNamespacePropertiesResponse",
    "ListTablesResponse",
    "LoadTableResult",
    "CommitTableResponse",
]
REF_PREFIX = "#/components/schemas/"

# Deliberate, documented deviations of this catalog from the response schemas, applied on top of the
# extracted definitions: (definition, property) -> JSON schema fragment merged into the property.
OVERLAYS = {
    ("TableMetadata", "current-snapshot-id"): {
        "nullable": True,
        "$comment": "Overlay: a table without snapshots is written with current-snapshot-id null "
        "(contract iceberg-rest 7.2; Java and PyIceberg read null, -1 or absence alike).",
    },
}
DOCUMENTATION_KEYS = {"description", "example", "examples"}


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: extract_iceberg_schemas.py <iceberg-rest-catalog-open-api.yaml>")
    with open(sys.argv[1], encoding="utf-8") as f:
        document = yaml.safe_load(f)
    components = document["components"]["schemas"]

    selected = {}
    pending = list(RESPONSE_SCHEMAS)

    def rewrite(node):
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key in DOCUMENTATION_KEYS:
                continue  # documentation only; keeps the file small
            if key == "$ref" and isinstance(value, str):
                if not value.startswith(REF_PREFIX):
                    raise ValueError(f"unsupported $ref {value}")
                name = value[len(REF_PREFIX):]
                pending.append(name)
                out[key] = f"#/definitions/{name}"
            else:
                out[str(key)] = rewrite(value)
        return out

    while pending:
        name = pending.pop()
        if name in selected:
            continue
        selected[name] = rewrite(components[name])

    for (definition, prop), fragment in OVERLAYS.items():
        selected[definition]["properties"][prop].update(fragment)

    output = {
        "$comment": "Extracted from the Apache Iceberg REST OpenAPI document "
        f"({document['info']['version']}, openapi {document['openapi']}) by extract_iceberg_schemas.py",
        "responses": RESPONSE_SCHEMAS,
        "definitions": {k: selected[k] for k in sorted(selected)},
    }
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iceberg-responses.json")
    with open(target, "w", encoding="utf-8") as f:
        json.dump(output, f, indent=2)
        f.write("\n")
    print(f"wrote {len(selected)} schemas to {target}")


if __name__ == "__main__":
    main()
