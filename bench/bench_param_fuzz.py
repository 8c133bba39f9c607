"""Hostile query parameters on every staff page: 5,000 requests, 0 answers 5xx.

Runs the suite's fuzz test (tests/accounts/test_param_fuzz.py) with FUZZ_REQUESTS=5000
(the suite sends 1,000) through pytest, so it gets the same test database and world.
Usage: .venv/bin/python bench/bench_param_fuzz.py [--requests N] [--seed S]
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    env = {**os.environ, "FUZZ_REQUESTS": str(args.requests), "FUZZ_SEED": str(args.seed)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:warnings"]
    command.append("tests/accounts/test_param_fuzz.py")
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    verdict = "0 answered 5xx" if result.returncode == 0 else "FAILED (see above)"
    print(f"bench_param_fuzz: {args.requests} requests, seed {args.seed}: {verdict}")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
