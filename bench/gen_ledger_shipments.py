#!/usr/bin/env python3
"""Writes N deterministic shipments that each consume a quota under policies/ai_diffusion_2025.edict, for the
ledger benchmark (bench/ledger_bench.sh, docs/performance.md "Ledger"): H100s to ~1,000 consignees in six Tier 2
destinations from 2025-05-15 (the compliance date) on, one to three at a time (License Exception LPP, per
consignee and calendar year), and one in fifty of 60 (past LPP for some consignees: the destination's
allocation). python3 bench/gen_ledger_shipments.py N [CONSIGNEES] > FILE"""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
consignees = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
rng = random.Random(14)
destinations = ["IN", "MY", "BR", "MX", "SA", "AE"]
days = []  # 2025-05-15 .. 2026-12-28, the 1st to the 28th of each month
for year in (2025, 2026):
    for month in range(1, 13):
        for day in range(1, 29):
            if (year, month, day) >= (2025, 5, 15):
                days.append(f"{year}-{month:02d}-{day:02d}")
out = sys.stdout
for i in range(n):
    c = rng.randrange(consignees)
    quantity = 60 if rng.random() < 0.02 else rng.randint(1, 3)
    date = days[i * len(days) // n]  # in date order, as a history is
    out.write(f'{{"id":"L{i}","date":"{date}","destination":"{destinations[c % 6]}",'
              f'"consignee":"Consignee {c}","item":"nvidia-h100-sxm","quantity":{quantity},'
              f'"end_use":"datacenter"}}\n')
