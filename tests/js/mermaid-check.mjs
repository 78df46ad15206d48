// Parse a Mermaid erDiagram with Mermaid's own parser (in jsdom) and print what it understood:
// {"entities": [{"label", "attributes"}], "relationships": [{"a", "b", "cardA", "cardB", "relType", "role"}]}.
// Exit code 1 with the parser's message on a parse error.
import { JSDOM } from 'jsdom';
import fs from 'node:fs';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });
const text = fs.readFileSync(process.argv[2], 'utf8');
try {
  const d = await mermaid.mermaidAPI.getDiagramFromText(text);
  const ents = [...d.db.getEntities().values()];
  const byId = new Map(ents.map((e) => [e.id, e.alias || e.label]));
  console.log(JSON.stringify({
    type: d.type,
    entities: ents.map((e) => ({ label: e.alias || e.label, attributes: e.attributes.length })),
    relationships: d.db.getRelationships().map((r) => ({
      a: byId.get(r.entityA), b: byId.get(r.entityB), role: r.roleA,
      cardA: r.relSpec.cardA, cardB: r.relSpec.cardB, relType: r.relSpec.relType,
    })),
  }));
} catch (e) {
  console.error(String(e.message || e));
  process.exit(1);
}
