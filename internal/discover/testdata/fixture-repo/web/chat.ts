import Anthropic from "@anthropic-ai/sdk";

// model: "claude-in-a-comment"
const client = new Anthropic();

export async function ask(q: string) {
  return client.messages.create({
    model: "claude-3-5-haiku-20241022",
    max_tokens: 512,
    messages: [{ role: "user", content: q }],
  });
}
