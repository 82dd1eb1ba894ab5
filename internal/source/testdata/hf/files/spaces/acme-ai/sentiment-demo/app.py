import gradio as gr
from transformers import pipeline

classifier = pipeline("text-classification", model="acme-ai/sentiment-bert")


def predict(text):
    return {r["label"]: r["score"] for r in classifier(text, top_k=None)}


gr.Interface(fn=predict, inputs="text", outputs="label").launch()
