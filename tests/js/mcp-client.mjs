// Drive kd-dba as Claude Code and the MCP Inspector do: with the TypeScript MCP SDK over stdio.
// The SDK rejects a tools/list whose schemas it cannot read, and validates every tool result's
// structuredContent against the tool's outputSchema, so calling each tool with its own example
// checks the whole protocol surface. Prints one JSON summary line; exits 1 on any failure.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

import { readFileSync } from "node:fs";

// argv: EXAMPLES.json (tool name -> arguments, from `kd-dba tools --json`) BIN ARGS...
const [examplesFile, bin, ...args] = process.argv.slice(2);
const examples = JSON.parse(readFileSync(examplesFile, "utf8"));
const transport = new StdioClientTransport({ command: bin, args, stderr: "ignore" });
const client = new Client({ name: "kd-dba-ts-check", version: "1.0.0" });
const summary = { tools: [], called: [], prompts: [], errors: [] };
try {
  await client.connect(transport);
  const { tools } = await client.listTools();
  summary.tools = tools.map((t) => t.name);
  for (const t of tools) {
    if (!(t.name in examples)) {
      summary.errors.push(`${t.name}: no example`);
      continue;
    }
    const r = await client.callTool({ name: t.name, arguments: examples[t.name] });
    if (r.isError) summary.errors.push(`${t.name}: ${JSON.stringify(r.content).slice(0, 300)}`);
    else if (!r.structuredContent) summary.errors.push(`${t.name}: no structuredContent`);
    else summary.called.push(t.name);
  }
  const bad = await client.callTool({ name: "KD-db-route", arguments: { text: 42 } });
  if (!bad.isError) summary.errors.push("KD-db-route accepted a number as text");
  const { prompts } = await client.listPrompts();
  summary.prompts = prompts.map((p) => p.name);
  for (const p of prompts) {
    const r = await client.getPrompt({ name: p.name, arguments: { request: "orders table" } });
    if (!r.messages?.length) summary.errors.push(`prompt ${p.name}: no messages`);
  }
} catch (e) {
  summary.errors.push(String(e?.stack ?? e));
} finally {
  await client.close().catch(() => {});
}
console.log(JSON.stringify(summary));
process.exit(summary.errors.length ? 1 : 0);
