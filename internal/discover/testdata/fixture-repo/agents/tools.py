import json

from langchain.agents import create_react_agent
from langchain_core.tools import tool

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}

ROUTER_INSTRUCTIONS = """Pick a tool. Example of a tool definition you may see:
{"type": "function", "function": {"name": "quoted_tool_in_prompt"}}
"""


@tool
def search_docs(query: str) -> str:
    """Search the product documentation."""
    return json.dumps({"query": query})


def build(llm):
    agent = create_react_agent(llm, tools=[search_docs, lookup_order])
    return agent


def lookup_order(order_id: str) -> str:
    return order_id
