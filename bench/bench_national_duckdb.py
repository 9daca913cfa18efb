"""Benchmark peer: the national table's work written as plain DuckDB SQL.

The same synthetic table as :mod:`bench_national` (same generator, same seed), and the same
work as the pipeline's national path, each step one SQL statement over the whole table:

1. read ``values.csv`` as text (each number's text kept, its row in the file known),
2. the ``national`` suite's checks: blank codes, a period not like ``2006-07 Q4``, a blank
   value, a number that is not a finite plain number, a negative numerator, a denominator
   not above zero, one limit only or limits out of order, a percentage's numerator above
   its denominator (an impossible fraction), a repeated key, an area's name, type or
   region unlike its most common one; one finding per failed row and check with its
   reason in words, the critical ones quarantined, the rest clean (areas made
   consistent),
3. 95% intervals (Wilson for percentages; Byar's for counts and rates on the rate's
   multiplier, the exact Poisson limits below 10 events), then rank, n, quartile, median
   and comparison with the median in England, the region, the area type and the nearest
   neighbours, and the direction of travel (and its significance) against the same
   period a year earlier and the last review.

What the SQL does not do that the pipeline does: the exact Poisson interval of a
fractional count below 10 (no chi-squared quantile in SQL; the synthetic table has none),
and a row the CSV reader cannot split into cells (DuckDB refuses the file).

The last lines are ``duckdb_rows=``, ``duckdb_s=`` and ``duckdb_peak_mib=``;
:mod:`bench_national` runs :func:`measure` on its 100% table and prints
``ratio_national_vs_duckdb=``.

Usage: ``.venv/bin/python bench/bench_national_duckdb.py [--areas 150 --indicators 200
--quarters 12 --geographies 8] [--folder DIR] [--threads N]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

Z = 1.959963984540054          # the normal quantile of a two-sided 95% interval
BYARS_MIN_COUNT = 10
NUMBER = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"
PERIOD = r"^\d{4}-\d{2}(?: Q[1-4])?$"
NUMBER_COLUMNS = ("value", "numerator", "denominator", "lower_ci", "upper_ci")
TEXT_COLUMNS = ("area_code", "area_name", "area_type", "region", "indicator_id", "period",
                "geography")
KEY = "area_code, indicator_id, period, geography"
CELL = "gi, period_order"   # a cell: one geography, indicator and period (integer keys)
GROUP_COLUMNS = {"england": "", "region": ", region", "type": ", area_type"}
# (flag, column reported, severity, expected): the national suite's row checks.
CHECKS = [
    ("area_code = ''", "area_code", "critical", "the area code (e.g. E10000018)"),
    ("area_name = ''", "area_name", "warning", "the area name"),
    ("area_type = ''", "area_type", "critical", "the area type"),
    ("region = ''", "region", "critical", "the area region"),
    ("indicator_id = ''", "indicator_id", "critical", "the indicator id"),
    ("indicator_id <> '' AND NOT known", "indicator_id", "warning",
     "an indicator id of the register"),
    (f"NOT regexp_full_match(period, '{PERIOD}')", "period", "critical",
     "a period like 2006-07 or 2006-07 Q4"),
    ("value_text = ''", "value", "critical", "a value"),
    *[(f"{c}_text <> '' AND {c} IS NULL", c, "critical", "a finite number")
      for c in NUMBER_COLUMNS],
    ("numerator < 0", "numerator", "critical", "a numerator of at least 0"),
    ("denominator <= 0", "denominator", "critical", "a denominator above 0"),
    ("(lower_ci IS NULL) <> (upper_ci IS NULL)", "lower_ci", "critical", "both limits"),
    ("lower_ci > value OR upper_ci < value OR lower_ci > upper_ci", "lower_ci", "critical",
     "limits around the value"),
    ("percent AND numerator > denominator", "numerator", "critical",
     "a numerator no greater than the denominator"),
    ("duplicate", "area_code", "critical", "one row per area, indicator, period, geography"),
    ("inconsistent", "area_name", "warning", "the most common name, type and region"),
]


def exact_poisson(count: int) -> tuple[float, float]:
    """The exact 95% Poisson limits of a whole count (constants of the peer's look-up)."""
    from statsmodels.stats.rates import confint_poisson

    low, high = confint_poisson(count, 1.0, method="exact-c", alpha=0.05)
    return (0.0 if count == 0 else float(low)), float(high)


def _number(column: str, present: set[str]) -> str:
    if column not in present:
        return f"'' AS {column}_text, NULL::DOUBLE AS {column}"
    return (f"coalesce(trim({column}), '') AS {column}_text, CASE WHEN regexp_full_match("
            f"coalesce({column}, ''), '{NUMBER}') AND isfinite(TRY_CAST(trim({column}) AS "
            f"DOUBLE)) THEN CAST(trim({column}) AS DOUBLE) END AS {column}")


def read_sql(path: Path, present: set[str]) -> list[str]:
    texts = ", ".join(f"coalesce(trim({c}), '{'upper tier' if c == 'geography' else ''}') "
                      f"AS {c}" if c in present else f"'upper tier' AS {c}"
                      for c in TEXT_COLUMNS)
    numbers = ", ".join(_number(c, present) for c in NUMBER_COLUMNS)
    return [f"CREATE TABLE cells AS FROM read_csv('{path}', all_varchar = true, "
            "header = true)",            # in the file's order: rowid is the data row
            f"CREATE TABLE raw AS SELECT '{path.name}' AS source_file, "
            f"rowid + 2 AS source_row, {texts}, {numbers} FROM cells",
            "DROP TABLE cells"]


def check_sql() -> list[str]:
    any_flag = " OR ".join(f"coalesce({flag}, false)" for flag, _, _, _ in CHECKS)
    findings = " UNION ALL ".join(
        f"SELECT source_row, '{column}' AS column_name, '{severity}' AS severity, "
        f"source_file || ' row ' || source_row || ', column {column}: ' || "
        f"chr(39) || {column + '_text' if column in NUMBER_COLUMNS else column} || chr(39) || "
        f"' expected {expected}' AS reason FROM suspect WHERE coalesce({flag}, false)"
        for flag, column, severity, expected in CHECKS)
    return [
        # each area's most common name, type and region (ties: the first in the file)
        "CREATE TABLE modes AS SELECT area_code, arg_max(area_name, score) AS m_name, "
        "arg_max(area_type, score) AS m_type, arg_max(region, score) AS m_region FROM ("
        "SELECT area_code, area_name, area_type, region, "
        "count(*) * 1e12 - min(source_row) AS score FROM raw WHERE area_code <> '' "
        "GROUP BY ALL) GROUP BY area_code",
        # the first row of each key: a later one repeats it
        f"CREATE TABLE firsts AS SELECT {KEY}, min(source_row) AS first_row FROM raw "
        "GROUP BY ALL",
        # the rows failing any check, with every flag (one pass over the table)
        "CREATE TABLE suspect AS SELECT * FROM (SELECT r.*, "
        "coalesce(k.indicator_id IS NOT NULL, false) AS known, "
        "coalesce(k.unit = 'percent', false) AS percent, "
        "r.source_row > f.first_row AS duplicate, "
        "r.area_code <> '' AND (m.m_name <> r.area_name OR m.m_type <> r.area_type "
        "OR m.m_region <> r.region) AS inconsistent "
        "FROM raw r LEFT JOIN meta k USING (indicator_id) "
        f"LEFT JOIN modes m USING (area_code) JOIN firsts f USING ({KEY})) WHERE {any_flag}",
        f"CREATE TABLE findings AS {findings}",
        "CREATE TABLE quarantine AS SELECT * FROM findings WHERE severity = 'critical'",
        "CREATE TABLE clean AS SELECT r.source_file, r.source_row, r.area_code, "
        "m.m_name AS area_name, m.m_type AS area_type, m.m_region AS region, "
        "r.indicator_id, r.period, r.geography, "
        + ", ".join(NUMBER_COLUMNS) +
        " FROM raw r JOIN modes m USING (area_code) "
        "ANTI JOIN quarantine q ON q.source_row = r.source_row",
    ]


def benchmark_sql(no_change_max_pct: float = 0.0) -> list[str]:
    byars_low = f"o * pow(1 - 1 / (9 * o) - {Z} / (3 * sqrt(o)), 3)"
    byars_high = f"(o + 1) * pow(1 - 1 / (9 * (o + 1)) + {Z} / (3 * sqrt(o + 1)), 3)"
    wilson = (f"(p + {Z}^2 / (2 * denominator) {{sign}} {Z} * sqrt(p * (1 - p) / denominator "
              f"+ {Z}^2 / (4 * denominator^2))) / (1 + {Z}^2 / denominator) * 100")

    def travel(name: str) -> str:
        return (f"CASE WHEN {name}.value IS NULL THEN 'not comparable' "
                f"WHEN v.value = {name}.value OR ({name}.value <> 0 AND abs(v.value - "
                f"{name}.value) / abs({name}.value) * 100 <= {no_change_max_pct}) THEN "
                f"'no change' WHEN (v.polarity = 'lower') = (v.value < {name}.value) THEN "
                f"'improving' ELSE 'worsening' END AS travel_{name}, "
                f"{name}.value AS {name}_value, CASE WHEN v.lower_ci IS NULL OR "
                f"{name}.lower_ci IS NULL THEN '' WHEN abs(v.value - {name}.value) > {Z} * "
                f"sqrt(((v.upper_ci - v.lower_ci) / {2 * Z})^2 + (({name}.upper_ci - "
                f"{name}.lower_ci) / {2 * Z})^2) THEN 'yes' ELSE 'no' END "
                f"AS {name}_significant")

    def standing(group: str, rank: str, n: str, median: str) -> str:
        return (f"{rank} AS {group}_rank, CASE WHEN {n} > 0 THEN least(4, floor(4 * "
                f"({rank} - 1) / {n}) + 1) ELSE 0 END AS {group}_quartile, "
                f"{median} AS {group}_median, CASE WHEN lower_ci IS NULL OR {median} IS NULL "
                f"THEN 'not compared' WHEN (polarity = 'lower' AND upper_ci < {median}) OR "
                f"(polarity <> 'lower' AND lower_ci > {median}) THEN 'better' WHEN "
                f"(polarity = 'lower' AND lower_ci > {median}) OR (polarity <> 'lower' AND "
                f"upper_ci < {median}) THEN 'worse' ELSE 'similar' END AS {group}_comparison")

    def within(group: str) -> str:
        return standing(group, f"{group}_r", f"{group}_n", f"{group}_m")

    return [
        # integer keys: an area, a geography and indicator (gi), a period (period_order)
        "CREATE TABLE areas AS SELECT area_code, row_number() OVER () AS area FROM "
        "(SELECT DISTINCT area_code FROM clean)",
        "CREATE TABLE series AS SELECT geography, indicator_id, row_number() OVER () AS gi "
        "FROM (SELECT DISTINCT geography, indicator_id FROM clean)",
        "CREATE TABLE pairs AS SELECT a.area, b.area AS near_area FROM neighbours l "
        "JOIN areas a ON a.area_code = l.area_code "
        "JOIN areas b ON b.area_code = l.neighbour_code WHERE a.area <> b.area",
        # the rate's multiplier: the nearest power of ten within 10%, else the ratio; rows
        # of 0 events take their indicator's most common one
        "CREATE TABLE known AS SELECT c.*, area, gi, k.polarity, k.unit, "
        "CASE WHEN numerator > 0 AND denominator > 0 THEN value * denominator / numerator "
        "END AS ratio, period_order, "
        "CASE WHEN k.polarity = 'lower' THEN -value ELSE value END AS score "
        "FROM clean c JOIN meta k USING (indicator_id) JOIN areas USING (area_code) "
        "JOIN series USING (geography, indicator_id) JOIN ("
        "SELECT period, CAST(regexp_extract(period, '^(\\d{4})', 1) AS BIGINT) * 5 + "
        "coalesce(CAST(nullif(regexp_extract(period, 'Q(\\d)$', 1), '') AS BIGINT), 5) - 1 "
        "AS period_order FROM (SELECT DISTINCT period FROM clean)) USING (period)",
        "CREATE TABLE multipliers AS SELECT indicator_id, mode(m) AS usual FROM ("
        "SELECT indicator_id, CASE WHEN abs(ratio / pow(10, round(log10(ratio))) - 1) <= 0.1 "
        "THEN pow(10, round(log10(ratio))) ELSE ratio END AS m FROM known "
        "WHERE ratio IS NOT NULL) GROUP BY indicator_id",
        # the intervals, on the value's scale
        "CREATE TABLE intervals AS SELECT i.* EXCLUDE (lower_ci, upper_ci, o, p, scale, "
        "ratio), CASE WHEN published THEN lower_ci WHEN wilson THEN "
        + wilson.format(sign="-") + f" WHEN rate THEN (CASE WHEN o < {BYARS_MIN_COUNT} "
        f"THEN e.low ELSE CASE WHEN o = 0 THEN 0 ELSE "
        f"{byars_low} END END) * scale END AS lower_ci, CASE WHEN published THEN upper_ci "
        "WHEN wilson THEN " + wilson.format(sign="+") + f" WHEN rate THEN (CASE WHEN "
        f"o < {BYARS_MIN_COUNT} THEN e.high ELSE "
        f"{byars_high} END) * scale END AS upper_ci, CASE WHEN published THEN 'published' "
        f"WHEN wilson THEN 'Wilson score' WHEN rate AND o < {BYARS_MIN_COUNT} THEN "
        "'exact Poisson' WHEN rate THEN 'Byar''s' ELSE '' END AS ci_method FROM ("
        "SELECT k.*, lower_ci IS NOT NULL AND upper_ci IS NOT NULL AS published, "
        "unit = 'percent' AND numerator IS NOT NULL AND denominator > 0 AND NOT "
        "(lower_ci IS NOT NULL AND upper_ci IS NOT NULL) AS wilson, "
        "numerator / denominator AS p, "
        "CASE WHEN unit = 'count' AND numerator IS NULL THEN value ELSE numerator END AS o, "
        "unit <> 'percent' AND NOT (lower_ci IS NOT NULL AND upper_ci IS NOT NULL) AND "
        "o >= 0 AS rate, CASE WHEN (unit = 'count' AND numerator IS NULL) OR "
        "unit = 'percent' THEN 1 WHEN denominator IS NULL THEN CASE WHEN o > 0 THEN "
        "value / o ELSE 1 END ELSE (CASE WHEN numerator = 0 THEN u.usual WHEN abs(ratio / "
        "pow(10, round(log10(ratio))) - 1) <= 0.1 THEN pow(10, round(log10(ratio))) "
        "ELSE ratio END) / denominator END AS scale "
        "FROM known k LEFT JOIN multipliers u USING (indicator_id)) i "
        "LEFT JOIN exact e ON e.events = i.o",
        # the direction of travel against a year earlier and the last review
        "CREATE TABLE travelled AS SELECT v.*, " + travel("year_ago") + ", "
        + travel("review") + " FROM intervals v "
        "LEFT JOIN intervals year_ago ON year_ago.area = v.area AND year_ago.gi = v.gi "
        "AND year_ago.period_order = v.period_order - 5 "
        "LEFT JOIN intervals review ON review.area = v.area AND review.gi = v.gi "
        "AND review.period_order = v.period_order - CASE v.period_order % 5 WHEN 4 THEN 5 "
        "WHEN 3 THEN 2 WHEN 0 THEN 2 ELSE 1 END",
        # nearest neighbours: the area and those listed for it, in each cell
        "CREATE TABLE near AS SELECT source_row, 1 + count(*) FILTER (WHERE score > own) "
        "AS nb_rank, 1 + count(score) AS nb_n, median(value) AS nb_median FROM ("
        "SELECT v.source_row, v.score AS own, w.score, w.value FROM travelled v "
        "JOIN pairs l ON l.area = v.area JOIN travelled w ON w.area = l.near_area "
        "AND w.gi = v.gi AND w.period_order = v.period_order "
        "UNION ALL SELECT source_row, score, NULL, value FROM travelled "
        "SEMI JOIN pairs l ON l.area = travelled.area) GROUP BY source_row",
        # the ranks by window, on a narrow table (a window carries every column it is given)
        "CREATE TABLE ranks AS SELECT source_row, " + ", ".join(
            f"rank() OVER (PARTITION BY {CELL}{extra} ORDER BY score DESC) AS {group}_r"
            for group, extra in GROUP_COLUMNS.items()) + " FROM travelled",
        # each group's size and median by aggregate
        *[f"CREATE TABLE {group}_groups AS SELECT {CELL}{extra}, count(score) AS {group}_n, "
          f"median(value) AS {group}_m FROM travelled GROUP BY ALL"
          for group, extra in GROUP_COLUMNS.items()],
        "CREATE TABLE result AS SELECT t.area_code, t.geography, t.indicator_id, t.period, "
        "t.value, t.lower_ci, t.upper_ci, t.ci_method, t.year_ago_value, t.travel_year_ago, "
        "t.year_ago_significant, t.review_value, t.travel_review, t.review_significant, "
        + ", ".join(within(group) for group in GROUP_COLUMNS) + ", "
        + standing("neighbours", "coalesce(nb_rank, 0)", "coalesce(nb_n, 0)", "nb_median")
        + " FROM travelled t JOIN ranks USING (source_row) LEFT JOIN near USING (source_row) "
        + " ".join(f"JOIN {group}_groups USING ({CELL}{extra})"
                   for group, extra in GROUP_COLUMNS.items()),
    ]


def measure(folder: Path, indicators: int, threads: int = 0,
            keep: list | None = None) -> dict[str, float]:
    """Read, check and benchmark ``folder``'s table with DuckDB (in this process); the
    connection is appended to ``keep`` when given (to read its tables after)."""
    import duckdb
    from bench_national import indicator_meta

    national = folder / "national"
    connection = duckdb.connect()
    if threads:
        connection.execute(f"SET threads = {threads}")
    connection.register("meta_frame", indicator_meta(indicators))
    connection.execute("CREATE TABLE meta AS SELECT * FROM meta_frame")
    connection.execute("CREATE TABLE neighbours AS SELECT * FROM read_csv(?, header = true, "
                       "all_varchar = true)", [str(national / "neighbours.csv")])
    connection.execute("CREATE TABLE exact (events DOUBLE, low DOUBLE, high DOUBLE)")
    connection.executemany("INSERT INTO exact VALUES (?, ?, ?)",
                           [(o, *exact_poisson(o)) for o in range(BYARS_MIN_COUNT)])
    started = time.perf_counter()
    path = national / "values.csv"
    header = path.open(encoding="utf-8").readline().strip().replace('"', "").split(",")
    for statement in read_sql(path, set(header)):
        connection.execute(statement)
    read_s = time.perf_counter() - started
    for statement in check_sql():
        connection.execute(statement)
    check_s = time.perf_counter() - started - read_s
    for statement in benchmark_sql():
        connection.execute(statement)
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    count = connection.execute("SELECT count(*) FROM raw").fetchone()[0]
    ranked = connection.execute(
        "SELECT sum((england_rank > 0)::INT + (region_rank > 0)::INT + (type_rank > 0)::INT"
        " + (neighbours_rank > 0)::INT), count(*) FROM result").fetchone()
    quarantined = connection.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    if keep is not None:
        keep.append(connection)
    return {"rows": count, "read_s": read_s, "check_s": check_s,
            "benchmark_s": total - read_s - check_s, "total_s": total, "peak_mib": peak,
            "quarantined": quarantined, "ranked": int(ranked[0] or 0),
            "benchmarked_rows": ranked[1]}


def figures_line(result: dict[str, float]) -> str:
    """A child's figures on one line: ``rows=..., read_s=1.23, ...``."""
    return ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in result.items())


def run_child(folder: Path, indicators: int, threads: int = 0) -> dict[str, float]:
    """:func:`measure` in a fresh process (its peak memory its own)."""
    done = subprocess.run([sys.executable, __file__, "--child", str(folder),
                           "--indicators", str(indicators), "--threads", str(threads)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def table_parser(description: str) -> argparse.ArgumentParser:
    """The options both national benchmarks take: the synthetic table's shape (areas,
    indicators, quarters, geographies), the folder it is written under, and ``--child``
    (the measured process, started by the script itself)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--quarters", type=int, default=12)
    parser.add_argument("--geographies", type=int, default=8)
    parser.add_argument("--folder", default="")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    return parser


def main() -> None:
    parser = table_parser(__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=0, help="DuckDB's (0: its default)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(Path(args.child), args.indicators, args.threads)))
        return
    from bench_national import write_table

    with tempfile.TemporaryDirectory(dir=args.folder or None) as tmp:
        rows = write_table(Path(tmp), args.areas, args.indicators, args.quarters,
                           args.geographies)
        print(f"{rows:,} rows written", flush=True)
        result = run_child(Path(tmp), args.indicators, args.threads)
    print(figures_line(result))
    print(f"duckdb_rows={result['rows']}")
    print(f"duckdb_s={result['total_s']:.2f}")
    print(f"duckdb_peak_mib={result['peak_mib']:.0f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
