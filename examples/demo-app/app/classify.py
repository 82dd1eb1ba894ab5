"""Ticket triage service: sentiment from a fine-tuned head, embeddings for search."""
from transformers import AutoModelForSequenceClassification, AutoTokenizer
from sentence_transformers import SentenceTransformer
from openai import OpenAI

BASE_MODEL = "distilbert/distilbert-base-uncased"
EMBEDDER = "sentence-transformers/all-MiniLM-L6-v2"

SYSTEM_PROMPT = """You are a support triage assistant. Summarise the ticket in one
sentence and say which team should handle it."""

tokenizer = AutoTokenizer.from_pretrained(BASE_MODEL, revision="main")
model = AutoModelForSequenceClassification.from_pretrained("./models/sentiment")
embedder = SentenceTransformer(EMBEDDER)
client = OpenAI()


def summarise(ticket: str) -> str:
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": ticket}],
    )
    return resp.choices[0].message.content
