"""The minimal page's table, created by bench/bench_flow.py (no migrations: bench only)."""

QUESTIONS = 40
CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS bench_minimal_sheet (id bigserial PRIMARY KEY, "
    "submitted_on date NOT NULL, "
    + ", ".join(f"q{n:02d} smallint" for n in range(1, QUESTIONS + 1))
    + ")"
)
