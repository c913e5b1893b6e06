#!/usr/bin/env python3
"""Estimates the annual growth of China's magnet exports from the reported figures.

Reads every models/reported/*.csv, takes the world totals of magnet exports for whole calendar
years (magnet_exports_total, China -> World, January-December, the first row of each year in
load order) and the years their year-on-year rates imply (a rate printed with a year's total
gives the year before), leaves out 2025 (Announcement No. 18: a disruption, not demand), and
prints:
  - each span's growth (a span of several years is one observation, weighted by its years);
  - the mean annual log growth and its standard error;
  - the standard deviation of the average growth over the three years from the model's 2024 base
    to 2027 (the error of the mean and the years' own variability), which is what one draw per
    trial of `magnet_demand_growth` stands for;
  - the 2025 check: July-December 2025 against July-December 2024, and how much of it the trend
    explains (the rest is restocking after the spring's shortfall, not lasting growth).
Usage: tools/estimate_demand_trend.py [models/reported]
"""
import csv
import glob
import math
import os
import sys

TOTAL = "magnet_exports_total"


def rows(folder):
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "*.csv"))):
        with open(path, newline="", encoding="utf-8") as f:
            out.extend(csv.DictReader(f))
    return out


def world(r):
    return (r["series"] == TOTAL and r["region_from"] in ("China", "CN")
            and r["region_to"] in ("World", "WLD") and r["unit"] == "t" and r["value"])


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "models/reported"
    data = rows(folder)
    years = {}
    for r in data:
        if not world(r) or r.get("status") == "disputed":
            continue
        first, last = r["period_start"], r["period_end"]
        if first[5:] == "01" and last[5:] == "12" and first[:4] == last[:4]:
            y = int(first[:4])
            years.setdefault(y, float(r["value"]))
            if r["yoy_pct"]:
                years.setdefault(y - 1, float(r["value"]) / (1 + float(r["yoy_pct"]) / 100))
    known = sorted(y for y in years if y <= 2024)
    print("annual world totals, t:", ", ".join(f"{y} {years[y]:,.0f}" for y in known))
    spans = []  # (average log growth a year, years)
    for a, b in zip(known, known[1:]):
        g = math.log(years[b] / years[a]) / (b - a)
        spans.append((g, b - a))
        print(f"  {a}->{b}: {math.expm1(g) * 100:+.1f}% a year over {b - a} year(s)")
    # Each span is one observation whose average of n years has variance sd^2 / n: the mean
    # weights spans by their years, and the spread is estimated from the k spans (k - 1 degrees
    # of freedom), not from the span's average copied once per year, which would understate it.
    n = sum(y for _, y in spans)
    k = len(spans)
    mean = sum(g * y for g, y in spans) / n
    sd = math.sqrt(sum(y * (g - mean) ** 2 for g, y in spans) / (k - 1))
    se = sd / math.sqrt(n)
    horizon = 3  # 2024 -> 2027
    draw_sd = math.sqrt(se ** 2 + sd ** 2 / horizon)
    print(f"mean annual growth {math.expm1(mean) * 100:.1f}% (log {mean:.4f}), "
          f"year-to-year sd {sd:.4f}, standard error {se:.4f} over {n} years in {k} spans")
    print(f"average growth 2024-2027: sd {draw_sd:.4f}; 90% interval "
          f"{math.expm1(mean - 1.645 * draw_sd) * 100:.1f}% to "
          f"{math.expm1(mean + 1.645 * draw_sd) * 100:.1f}%")
    months = {}
    for r in data:
        if world(r) and r["period_start"] == r["period_end"] and r.get("status") != "disputed":
            months.setdefault(r["period_start"], float(r["value"]))
    h2 = [f"{m:02d}" for m in range(7, 13)]
    if all(f"2024-{m}" in months and f"2025-{m}" in months for m in h2):
        a = sum(months[f"2024-{m}"] for m in h2)
        b = sum(months[f"2025-{m}"] for m in h2)
        trend = a * math.exp(mean)
        print(f"2025 check: July-December 2025 {b:,.0f} t against {a:,.0f} t in 2024 "
              f"({(b / a - 1) * 100:+.1f}%); the trend gives {trend:,.0f} t, so "
              f"{b - trend:,.0f} t is restocking, not growth")


if __name__ == "__main__":
    main()
