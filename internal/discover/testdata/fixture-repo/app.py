"""Sentiment service.

Uses distilbert/not-a-real-model-in-docstring for nothing; this is prose.
"""
import argparse
import os

from openai import OpenAI
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from config import EMBED_MODEL

MODEL_ID = "acme/sentiment-bert"
# MODEL_ID = "acme/old-model-in-comment"

SYSTEM_PROMPT = """You are a careful assistant. Classify the sentiment of the
user's review as positive, negative or neutral."""


def load(revision="v1.2"):
    tok = AutoTokenizer.from_pretrained(MODEL_ID, revision=revision)
    model = AutoModelForSequenceClassification.from_pretrained(MODEL_ID)
    return tok, model


def embedder():
    from sentence_transformers import SentenceTransformer
    return SentenceTransformer(EMBED_MODEL)


def explain(text):
    client = OpenAI(base_url="https://llm-gateway.internal/v1")
    return client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": text},
        ],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--summarizer", default="facebook/bart-large-cnn")
    args = parser.parse_args()
    from transformers import pipeline
    summarize = pipeline("summarization", model=args.summarizer)
