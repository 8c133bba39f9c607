"""axe-core in a Playwright page: every violation, of any impact."""

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Any) -> list[str]:
    """Run axe-core in the page and list its violations, whatever their impact.

    Evaluated through the DevTools protocol, so the page's strict CSP stays in force."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
    ]
