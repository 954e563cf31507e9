"""The data files of bench/formats_page.mjs: ROWS x 20 numeric features plus a 0/1 label `y`,
shaped like `pipelab generate --task classification --cols 20` (offset + scale * normal draws,
full-precision floats; not the same draws), written as CSV, snappy Parquet, an SQLite table,
JSON Lines and xlsx.

    python bench/formats_page_data.py OUT_DIR [ROWS]      (default 100000; needs numpy, pandas, pyarrow)

The xlsx is written part by part with zipfile (openpyxl is not in the interop venv): one sheet,
the header as inline strings, numbers as plain <v> cells."""

import os
import sqlite3
import sys
import zipfile

import numpy as np
import pandas as pd


def frame(rows, cols=20, seed=1):
    rng = np.random.default_rng(seed)
    offsets = rng.uniform(-5, 5, cols)
    scales = rng.uniform(0.5, 3, cols)
    w = rng.normal(size=cols)
    z = rng.normal(size=(rows, cols))
    y = ((z @ w + rng.normal(size=rows)) > 0).astype(np.int64)
    df = pd.DataFrame(offsets + scales * z, columns=[f"x{j}" for j in range(cols)])
    df["y"] = y
    return df


def col_name(j):
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(df, path):
    ns = "http://schemas.openxmlformats.org/"
    letters = [col_name(j) for j in range(df.shape[1])]
    head = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{n}</t></is></c>' for c, n in zip(letters, df.columns))
    parts = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}spreadsheetml/2006/main"><sheetData><row r="1">{head}</row>']
    for i, row in enumerate(df.itertuples(index=False), start=2):
        cells = "".join(f'<c r="{c}{i}"><v>{v!r}</v></c>' for c, v in zip(letters, row))
        parts.append(f'<row r="{i}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    files = {
        "[Content_Types].xml": f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}package/2006/relationships"><Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}spreadsheetml/2006/main" xmlns:r="{ns}officeDocument/2006/relationships"><sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}package/2006/relationships"><Relationship Id="rId1" Type="{ns}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": "".join(parts),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 4, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    os.makedirs(out, exist_ok=True)
    df = frame(rows)
    base = os.path.join(out, f"data{rows}")
    df.to_csv(base + ".csv", index=False, float_format=None)
    df.to_parquet(base + ".parquet", index=False, engine="pyarrow", compression="snappy")
    if os.path.exists(base + ".sqlite"):
        os.remove(base + ".sqlite")
    con = sqlite3.connect(base + ".sqlite")
    df.to_sql("data", con, index=False)
    con.close()
    df.to_json(base + ".jsonl", orient="records", lines=True, double_precision=15)
    write_xlsx(df, base + ".xlsx")
    for ext in ("csv", "parquet", "sqlite", "jsonl", "xlsx"):
        print(f"{base}.{ext}\t{os.path.getsize(base + '.' + ext)}")


if __name__ == "__main__":
    main()
