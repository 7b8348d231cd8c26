#!/usr/bin/env python3
"""Validate poolbench reports against the JSON Schema reports/schema.json (draft-07).

    /usr/bin/python3 scripts/validate_report.py REPORT.json [REPORT.json ...] [--schema FILE]

Prints every violation with its JSON path. Exit status: 0 when every report is valid, 1 when
one is not, 2 when a file cannot be read or jsonschema is missing.
"""

import argparse
import json
import os
import sys


def fail(message):
    print(f"validate_report.py: error: {message}", file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        fail(f"{path}: {e.strerror}")
    except json.JSONDecodeError as e:
        fail(f"{path}: not valid JSON: {e}")


def where(error):
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)


def main():
    default_schema = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                                  "reports", "schema.json")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", help="report JSON files")
    parser.add_argument("--schema", default=os.path.normpath(default_schema),
                        help="the schema (default: %(default)s)")
    args = parser.parse_args()
    try:
        import jsonschema
    except ImportError as e:
        fail(f"jsonschema is not available to {sys.executable} ({e}); install it "
             "(Debian: apt-get install python3-jsonschema)")

    schema = load(args.schema)
    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        fail(f"{args.schema}: not a valid draft-07 schema: {e.message}")
    validator = jsonschema.Draft7Validator(schema)
    invalid = 0
    for path in args.reports:
        errors = sorted(validator.iter_errors(load(path)), key=lambda e: list(e.absolute_path))
        if not errors:
            print(f"{path}: valid")
            continue
        invalid += 1
        for e in errors:
            print(f"{path}: {where(e)}: {e.message}")
    sys.exit(1 if invalid else 0)


if __name__ == "__main__":
    main()
