"""Writes the HTML5 named character references (WHATWG list, as Python's html.entities.html5 holds it) as a
tab-separated table: name (with its ';' when the reference has one), then the code points in hex.

  python3 tests/fixture-gen/html5_entities.py src/ClipSharp/Text/Html5Entities.tsv
"""
import html.entities
import sys

with open(sys.argv[1], "w", encoding="utf-8", newline="\n") as f:
    for name in sorted(html.entities.html5):
        f.write(name + "\t" + " ".join(f"{ord(c):X}" for c in html.entities.html5[name]) + "\n")
