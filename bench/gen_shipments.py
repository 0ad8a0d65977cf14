#!/usr/bin/env python3
"""Writes N deterministic pseudo-random shipments for benchmarks, as JSON Lines or (with --csv) as CSV with the same
values: python3 bench/gen_shipments.py N [--csv] > FILE"""
import csv
import json
import random
import sys

args = [a for a in sys.argv[1:] if a != "--csv"]
as_csv = "--csv" in sys.argv[1:]
n = int(args[0]) if args else 1_000_000
rng = random.Random(2025)
countries = ["IN", "CN", "AE", "SA", "DE", "FR", "JP", "BR", "MY", "SG", "VN", "MX", "GB", "US", "HK", "MO", "IL", "KZ"]
items = ["nvidia-h100-sxm", "nvidia-h20", "nvidia-a100", "nvidia-rtx-4090", "nvidia-rtx-4090d", "amd-mi300x",
         "nvidia-b200", "huawei-ascend-910b", "intel-gaudi3", "model-weights"]
end_uses = ["datacenter", "commercial", "research", "gaming", "model_training", "other"]
out = sys.stdout
columns = ["id", "date", "destination", "consignee", "item", "quantity", "end_use", "consignee_hq", "training_ops"]
writer = csv.writer(out, lineterminator="\n") if as_csv else None
if writer:
    writer.writerow(columns)
for i in range(n):
    year = rng.choice([2024, 2025, 2026])
    s = {
        "id": f"b{i}",
        "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "destination": rng.choice(countries),
        "consignee": f"consignee-{rng.randint(1, 5000)}",
        "item": rng.choice(items),
        "quantity": rng.choice([1, 8, 64, 256, 1000, 1699, 5000]),
        "end_use": rng.choice(end_uses),
    }
    if rng.random() < 0.2:
        s["consignee_hq"] = rng.choice(countries)
    if s["item"] == "model-weights":
        s["training_ops"] = rng.choice([1e25, 1e26, 3e26])
    if writer:
        writer.writerow([s.get(c, "") for c in columns])
    else:
        out.write(json.dumps(s, separators=(",", ":")) + "\n")
