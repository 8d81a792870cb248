#!/usr/bin/python3
"""Validates testdata/vectors/*.json against the JSON Schema and the cross-file invariants the
schema cannot express (unique tcIds per file, numberOfTests, flags named in notes, verdicts
consistent with ruleIds). Run with Debian's /usr/bin/python3 (python3-jsonschema)."""
import glob
import json
import os
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    vectors = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "vectors")
    schema = json.load(open(os.path.join(HERE, "assay_client_assertion_verify_schema_v1.json")))
    files = sorted(glob.glob(os.path.join(vectors, "*.json")))
    if not files:
        print("no vector files in", vectors)
        return 1
    total = 0
    for path in files:
        doc = json.load(open(path))
        jsonschema.validate(doc, schema, format_checker=jsonschema.FormatChecker())
        ids = [t["tcId"] for g in doc["testGroups"] for t in g["tests"]]
        assert len(ids) == len(set(ids)), f"{path}: duplicate tcId"
        assert doc["numberOfTests"] == len(ids), f"{path}: numberOfTests is {doc['numberOfTests']}, found {len(ids)}"
        for g in doc["testGroups"]:
            for t in g["tests"]:
                for f in t["flags"]:
                    assert f in doc["notes"], f"{path} tcId {t['tcId']}: flag {f} has no note"
                if t["result"] == "valid":
                    assert not t["ruleIds"], f"{path} tcId {t['tcId']}: valid but names rules"
                else:
                    assert t["ruleIds"] or t["class"] == "payload-empty", f"{path} tcId {t['tcId']}: {t['result']} without rules"
        total += len(ids)
        print(f"ok {os.path.basename(path)}: {len(ids)} tests")
    print(f"{total} tests in {len(files)} files match the schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
