"""``docs/ingest.md``, rendered from the layouts (``python -m ingest.docs > docs/ingest.md``).

The tables come from the same objects the readers use, and a test compares
the file with this output, so the documented layouts cannot drift from the code.
"""

from __future__ import annotations

from ingest.layouts import Column, Layout, layouts

INTRO = """\
# Loading data (数据导入)

`innograph ingest PATH…` loads spreadsheets and files into the graph: `.xlsx`, `.csv`
(UTF-8, UTF-8 with BOM, UTF-16, GBK/GB18030 — the encoding is detected) and `.jsonl`
(one JSON object per line, keys are the headers). PATH may be files or folders (folders
are read recursively). Every sheet of a workbook is read, except sheets named 说明 /
instructions; the header may sit under a title row or two.

```
innograph ingest data/2025Q1/ [--on-error skip|abort] [--batch-size N] [--kind KIND]
                              [--aliases FILE] [--json] [--progress/--no-progress]
innograph template enterprise --format xlsx --out 企业.xlsx   # header + one example row
innograph template                                         # list the kinds
innograph generate --scale 100000 --seed 7 --out gen/      # synthetic activity data
```

From Python: `ingest.pipeline.ingest_paths(store, paths, *, on_error="skip",
batch_size=5000, progress=None, aliases=None, kind=None) -> IngestReport`.

## How the kind of a file is found

1. `--kind KIND` (one of the layout names below) applies to every file given.
2. Otherwise each layout is scored by the file's headers: a layout fits when all its
   required columns (marked ✔) are present; among those, the one that knows the most
   headers wins, and unknown headers count against it.
3. When several layouts fit equally (e.g. `名称, 所在地区` fits universities, institutes and
   agencies), a file name that names a kind decides: `enterprises.csv`, `企业名单.xlsx`,
   `transfers-2024.csv`, `高校.csv` … (the words are listed under each layout).
4. A `kind` / 机构类别 column whose values are organisation kinds (University, 高校,
   Enterprise, 企业 …) makes the file a mixed `organization` file.

Headers are matched without regard to case, spaces, `*` or `_`; `名称(name)` style headers
work too. Columns not in the layout are ignored and listed in the report.

A CSV that is mostly UTF-8 is read as UTF-8 even when a few rows were pasted from a GBK
file: each row holding bytes its file's encoding cannot decode is a rejected row (the report
shows what it says read as GB18030), the others load. The same holds for `.jsonl` lines. A
file with a header and no data rows is refused with `no data rows`.

## Values

- **Multi-valued cells** (aliases, industries, sources): separated by `|`, `;`, `；` or line breaks.
- **Flags**: 是/否, true/false, yes/no, 1/0, √/×.
- **Years** (`year`, `since`): `2023`, `2023年`, `2023-05-01` or a spreadsheet date; 1949 to next year.
- **Amounts** (`amount_cny`, `size_cny`) are stored in 元. A unit in the header
  (`金额（万元）`, `规模（亿元）`) multiplies the column; a unit in the cell (`300万元`,
  `2.5亿`) takes precedence. Thousands separators are ignored; negative amounts are refused.
- **统一社会信用代码** (`uscc`): 18 characters from `0-9 A-H J-N P-R T U W X Y`; the 18th is the
  check character of GB 32100-2015 (weights 3^i mod 31 over positions 1–17, check =
  31 − sum mod 31). A code failing the check is a rejected row.
- **Enumerations** accept the Chinese or English words listed in each table.
- Empty cells, `-`, `—`, `/`, `无`, `N/A` are empty. An empty cell never erases a stored value.

## References and entity resolution

A row's identity is found in this order:

1. **USCC**: a row whose USCC is known belongs to that entity, whatever its name or id;
2. its **id**, when given (ids are unique per kind; a row without an id gets a stable one
   derived from its USCC or its normalised name);
3. its **normalised name**: full-width → half-width, case, spaces, punctuation and brackets
   ignored (`（黑龙江）` = `(黑龙江)`), 有限责任公司 / 股份有限公司 / 有限公司 as one;
4. the **aliases**: every node's own `aliases`, the alias table shipped in
   `ingest/sample/reference/aliases.csv` (哈工大 → 哈尔滨工业大学, 省科技厅 → 黑龙江省科学技术厅 …),
   alias files in the load (layout `alias`) and `--aliases FILE`. Aliases loaded from files are
   stored on the node they name, so later loads and search find them.

Two rows with different USCCs are never merged by name. Every merge of a row into an entity
known under another id or spelling is listed in the report (`merges`).

Within one file, rows for the same entity may repeat each other or fill each other's blank
cells, but not disagree: a later row giving a different value (a different name under the
same id, another flag, region or parent …) is rejected, naming the earlier row and each
column in conflict. A later *file* in the same load gives newer values, as a later load would.

`parent` cells and `PART_OF` / `HAS_TASK` rows make trees: a row whose edge closes a cycle
with the edges already stored and the other rows of its file (a → c → b → a) is rejected,
naming the cycle; every row of the file on that cycle is refused, since nothing tells which
of them is wrong. A node given as its own parent is refused too.

References — `region`, `parent`, `industries` on node rows, and both ends of a relationship
row — are resolved the same way (id, USCC, name or alias) among the nodes of the allowed
kinds, in the graph or earlier in the same load. A reference to nothing, or to several
entities, rejects the row: no dangling node is ever created. Node files load before
relationship files, so one folder may hold both.

## Loading, provenance and the report

- Rows are written in batches (`--batch-size`, default 5000) of `UNWIND … MERGE`, one
  transaction per batch: a failed batch leaves nothing behind and is reported.
  Entities the load proves new (absent from the graph when it started) and relationships
  touching them are written with `CREATE`, the rest with `MERGE`.
- Loading the same file twice changes nothing. A newer file changes the properties it gives
  and moves `updated_at` (the load time) of those nodes and edges only.
- Every node and edge carries `sources`: `file.csv#row=12` (file name and row number; a later
  load of a file with the same name replaces its entry) plus the row's `source` column.
- `--on-error skip` loads the good rows of a file and reports the bad ones; `--on-error abort`
  loads nothing from a file with any bad row. The exit code is 1 when rows were rejected
  under `abort` or a file could not be read.
- The report counts created / updated / unchanged / rejected rows per kind (a node label or a
  relationship type; `region`, `parent` and `industries` cells count as `LOCATED_IN`,
  `PART_OF` and `IN_INDUSTRY` edges), lists every rejected row with file, row number, column
  and reason, and every merge. `--json` prints it as JSON (the `IngestReport` model).

## Sample data

- `ingest/sample/reference/` holds real, public facts (each row cites its source): the province
  and its 13 市(地) and some districts (`regions.csv`), the action plan's industry tree
  (`industries.csv`) with chain links (`industry_chain.csv`), real Heilongjiang organisations
  (`organizations.csv`, a mixed `organization` file) and the alias table (`aliases.csv`).
  No relation between real organisations is asserted.
- `innograph generate --scale N --seed S --out DIR [--format csv|jsonl] [--no-reference]`
  writes a synthetic activity set in the layouts below: organisations, platforms, bases, funds
  and alliances whose names all start with 「示例」 or 「模拟」, placed in the 13 市(地) with
  Harbin heaviest and linked to the reference industries; achievements (2018–2025, kinds and
  statuses); developed / transferred / collaborations / memberships / investments /
  incubations / hosting / operation / spin-offs / fund management, with heavy-tailed degrees.
  `N` counts nodes (about five edges each); the same seed writes the same bytes; files over
  200,000 rows are split into parts (`enterprises-01.csv` …). It streams: 1,000,000 nodes
  (4.1 million rows) take under 400 MB. A copy of the reference regions, industries and
  chains goes along unless `--no-reference`, so the folder loads on its own.
- `innograph demo` loads the reference data plus a generated set of 3,000 nodes
  (`ingest.demo.load_demo`).

## Layouts

In each table: the Chinese header, the English header (both accepted, as are the other names
listed), ✔ for required columns, and the accepted values.
"""


def _values(col: Column) -> str:
    if col.choices:
        parts = []
        for value, spellings in col.choices.items():
            zh = [s for s in spellings if not s.isascii()]
            parts.append(f"`{value}`" + (f" ({'、'.join(zh)})" if zh else ""))
        return "; ".join(parts)
    if col.type in ("ref", "refs") and col.targets:
        return "id / name / alias of " + "|".join(t.value for t in col.targets)
    return {"bool": "是/否", "year": "year", "amount": "amount (元)", "uscc": "GB 32100-2015",
            "list": "`|`-separated", "int": "integer", "number": "number"}.get(col.type, "text")


def _table(lay: Layout) -> list[str]:
    lines = [f"### `{lay.name}` — {lay.zh}", "", lay.description + ".", ""]
    if lay.hints:
        lines += ["File names: " + ", ".join(f"`{h}`" for h in lay.hints) + ".", ""]
    lines += ["| 中文 | English | ✔ | values | other headers | description |",
              "|---|---|---|---|---|---|"]
    for col in lay.columns:
        others = ", ".join(s for s in col.synonyms if s not in (col.zh, col.en))
        cells = [col.zh, f"`{col.en}`", "✔" if col.required else "", _values(col), others, col.description]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines.append("")
    return lines


def render() -> str:
    """The whole of ``docs/ingest.md``."""
    table = layouts()
    lines = [INTRO]
    lines += ["## Node kinds", ""]
    for lay in table.values():
        if lay.role == "node":
            lines += _table(lay)
    lines += ["## Relationship types", "",
              "`from` and `to` name the two ends (by id, USCC, name or alias); the direction is the "
              "ontology's.", ""]
    for lay in table.values():
        if lay.role == "edge":
            lines += _table(lay)
    lines += ["## Alias tables", ""]
    lines += _table(table["alias"])
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
