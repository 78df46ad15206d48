"""Drive kd-dba as an assistant would, with the official Python MCP SDK (mcp==2.3.0).

Usage: python3 tests/py/mcp_client.py /path/to/kd-dba
Prints one line per check and exits non-zero on the first failure.
"""
import sys

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def check(cond, what):
    if not cond:
        print(f"FAIL {what}")
        sys.exit(1)
    print(f"ok   {what}")


async def main(binary):
    params = StdioServerParameters(command=binary, args=["serve"], env={"KD_DBA_LOG": "error"})
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            check(init.server_info.name == "kd-dba", f"server name is kd-dba ({init.server_info.name})")
            tools = (await session.list_tools()).tools
            names = {t.name for t in tools}
            check({"KD-db-route", "KD-db-handoff"} <= names, f"tools listed: {sorted(names)}")
            check(all(t.output_schema for t in tools), "every tool has an outputSchema")
            prompts = (await session.list_prompts()).prompts
            check(len(prompts) >= 10, f"{len(prompts)} prompts")
            p = await session.get_prompt("KD-optimize", {"request": "orders query is slow", "dialect": "postgres"})
            check("orders query is slow" in p.messages[0].content.text, "prompt rendered with its arguments")
            res = await session.read_resource("kd-dba://role/dba")
            check("[DBA]" in res.contents[0].text, "role card resource")
            progress = []

            async def on_progress(done, total, message):
                progress.append((done, total, message))

            r = await session.call_tool(
                "KD-db-route",
                {"text": "how should I index the orders table for lookups by customer?", "stage": "Implementation"},
                progress_callback=on_progress,
            )
            check(not r.is_error and r.structured_content["activate"] is True, "route activates")
            check(r.structured_content["command"] == "/KD-db-index", f"route suggests {r.structured_content['command']}")
            bad = await session.call_tool("KD-db-route", {"text": 5})
            check(bad.is_error and "Example" in bad.content[0].text, "wrong argument type is a tool error")
            again = await session.call_tool("KD-db-route", {"text": "write a limerick about cats"})
            check(not again.is_error and again.structured_content["activate"] is False, "next call still served")


anyio.run(main, sys.argv[1])
