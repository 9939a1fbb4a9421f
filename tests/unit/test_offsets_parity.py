"""The browser (static/offsets.js) and the server (annotator/offsets.py) snap selections alike."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from annotator.offsets import snap_to_words, trim_whitespace

ROOT = Path(__file__).resolve().parents[2]
PIECES = [
    "Захарова",
    "said",
    " ",
    "\n",
    "👩\u200d👩\u200d👧",
    "🇺🇦🇵🇱",
    "👍🏽",
    "cafe\u0301",
    "مفاوضات",
    "«",
    "»",
    ",",
    "שָׁלוֹם",
    "e\u0301\u0301",
    "42",
    "\u00a0",
]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_and_python_adjust_selections_identically():
    rng = random.Random(11)
    cases = []
    for _ in range(400):
        chars = list("".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 12))))
        start = rng.randrange(0, len(chars))
        end = rng.randrange(start, len(chars) + 1)
        cases.append({"text": "".join(chars), "start": start, "end": end})
    script = (
        "import { readFileSync } from 'node:fs';"
        "const { adjust } = await import(process.argv[1]);"
        "const cases = JSON.parse(readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(cases.map(c => ["
        "adjust(Array.from(c.text), c.start, c.end, true),"
        " adjust(Array.from(c.text), c.start, c.end, false)])));"
    )
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script, (ROOT / "static" / "offsets.js").as_uri()],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
    )
    answers = json.loads(done.stdout)
    for case, (snapped, trimmed) in zip(cases, answers, strict=True):
        text, start, end = case["text"], case["start"], case["end"]
        assert tuple(snapped) == snap_to_words(text, start, end), case
        assert tuple(trimmed) == trim_whitespace(text, start, end), case
