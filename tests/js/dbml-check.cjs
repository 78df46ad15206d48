// Import DBML with @dbml/core and export it to PostgreSQL DDL.
// Prints {"tables", "refs", "enums"} and writes the SQL to argv[3]; exit 1 with the diagnostics on error.
const { Parser, exporter } = require('@dbml/core');
const fs = require('node:fs');
const text = fs.readFileSync(process.argv[2], 'utf8');
try {
  const db = new Parser().parse(text, 'dbmlv2');
  const sum = (f) => db.schemas.reduce((n, s) => n + f(s), 0);
  fs.writeFileSync(process.argv[3], exporter.export(text, 'postgres'));
  console.log(JSON.stringify({
    tables: sum((s) => s.tables.length),
    refs: sum((s) => s.refs.length),
    enums: sum((s) => s.enums.length),
  }));
} catch (e) {
  const diags = e && e.diags ? e.diags.map((d) => `${d.message} at ${JSON.stringify(d.location)}`) : [String(e && e.message || e)];
  console.error(diags.join('\n'));
  process.exit(1);
}
