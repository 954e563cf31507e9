// A classic worker (sql.js is not an ES module) that reads one SQLite database
// with sql.js (SQLite compiled to WebAssembly, vendored by scripts/build-web.sh
// from the npm package into www/vendor/). Started by formats_worker.js only when
// an SQLite file is dropped, and terminated after one answer.
//
// Request: {bytes, table, query} (the query was checked by the core: a single
// read-only SELECT). Answer: {ok, tables, needs_choice} or
// {ok, tables, part, columns, rows}, or {ok: false, error}, with the native
// reader's messages (src/data/formats/sqlite.rs).
/* global initSqlJs */
importScripts('./vendor/sql-wasm.js');
const ready = initSqlJs({ locateFile: (f) => `./vendor/${f}` });

const TABLES = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY type, name";

function explain(m) {
  if (/file is not a database|malformed|encrypted/.test(m)) {
    return `SQLite: the database is corrupt, truncated or encrypted (${m}); open it with sqlite3 and export it again, or remove the encryption`;
  }
  return m.startsWith('SQLite') ? m : `SQLite: ${m}`;
}

const listed = (names) => {
  const q = names.map((n) => `'${n}'`);
  return q.length > 1 ? `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}` : q[0] ?? 'none';
};

self.onmessage = async (ev) => {
  const { bytes, table, query } = ev.data;
  let db = null;
  try {
    const SQL = await ready;
    db = new SQL.Database(bytes);
    const tables = (db.exec(TABLES)[0]?.values ?? []).map((r) => String(r[0]));
    let sql;
    let part;
    if (query) {
      sql = query;
      part = 'query';
    } else if (table != null) {
      if (!tables.includes(table)) throw new Error(`SQLite table '${table}': no such table; the database has ${listed(tables)}`);
      [sql, part] = [`SELECT * FROM "${table.replaceAll('"', '""')}"`, table];
    } else if (tables.length === 1) {
      [sql, part] = [`SELECT * FROM "${tables[0].replaceAll('"', '""')}"`, tables[0]];
    } else if (tables.length === 0) {
      throw new Error('SQLite: the database has no tables');
    } else {
      self.postMessage({ ok: true, tables, needs_choice: true });
      return;
    }
    const stmt = db.prepare(sql);
    const columns = stmt.getColumnNames();
    const rows = [];
    try {
      while (stmt.step()) rows.push(stmt.get());
    } finally {
      stmt.free();
    }
    self.postMessage({ ok: true, tables, part, columns, rows });
  } catch (e) {
    self.postMessage({ ok: false, error: explain(e.message ?? String(e)) });
  } finally {
    db?.close();
  }
};
