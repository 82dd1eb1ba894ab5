#!/usr/bin/env python3
"""Generates corpus.jsonl and queries.json for the relevance test.

The corpus is ~200 evidence documents shaped like what EvidenceFromBOM
produces for real AI assets (models in several formats, datasets, prompts,
tools, agents, hosted services). Relevance grades (3 = what was asked for,
2 = closely related, 1 = partially relevant) are assigned by the rules
below, per query, from document attributes, not from any retriever's output.
Queries mix plain keyword questions, descriptive questions, and the
spelling variants and typos people type ("gpt4o", "mistrall").
Run: python3 gen_corpus.py (deterministic).
"""
import json, itertools

docs = []

def add(kind, name, text, loc, project, **attrs):
    ref = f"{kind}:{name}"
    docs.append(dict(id=f"{project}#{ref}", project=project, version=1 + len(docs) % 3, bom_ref=ref,
                     name=name, kind=kind, location=loc, text=text, attrs=attrs))

projects = ["acme/assistant", "acme/vision", "globex/search", "initech/voice"]

# family: (org, display, task words, license, tags, sizes)
families = [
    ("meta-llama", "Llama-3.1", "text generation large language model chat instruct", "llama3.1", {"llm", "llama"}, ["8B-Instruct", "70B-Instruct"]),
    ("meta-llama", "Llama-Guard-3", "safety classifier for prompts and responses, detects jailbreak and unsafe content", "llama3.1", {"llm", "llama", "guard"}, ["8B"]),
    ("mistralai", "Mistral-7B", "text generation large language model instruct", "apache-2.0", {"llm", "mistral"}, ["Instruct-v0.3", "v0.1"]),
    ("mistralai", "Mixtral-8x7B", "sparse mixture of experts text generation language model", "apache-2.0", {"llm", "mixtral"}, ["Instruct-v0.1"]),
    ("Qwen", "Qwen2.5", "text generation multilingual large language model", "apache-2.0", {"llm", "qwen"}, ["7B-Instruct", "72B-Instruct"]),
    ("google", "gemma-2", "lightweight text generation language model", "gemma", {"llm", "gemma"}, ["9b-it", "2b"]),
    ("microsoft", "Phi-3", "small language model text generation reasoning", "mit", {"llm", "phi"}, ["mini-4k-instruct"]),
    ("tiiuae", "falcon", "text generation language model", "apache-2.0", {"llm", "falcon"}, ["7b"]),
    ("codellama", "CodeLlama", "code generation and completion language model for programming", "llama2", {"llm", "code", "llama"}, ["7b-Instruct-hf", "34b-hf"]),
    ("bigcode", "starcoder2", "code generation model trained on source code", "bigcode-openrail-m", {"llm", "code"}, ["15b", "3b"]),
    ("deepseek-ai", "deepseek-coder", "code generation and programming assistant language model", "deepseek", {"llm", "code"}, ["6.7b-instruct"]),
    ("google-bert", "bert", "masked language model encoder for text classification", "apache-2.0", {"encoder"}, ["base-uncased", "large-cased"]),
    ("FacebookAI", "roberta", "encoder for text classification and token classification", "mit", {"encoder"}, ["base"]),
    ("google", "flan-t5", "text-to-text generation summarization translation", "apache-2.0", {"seq2seq"}, ["base", "xl"]),
    ("openai", "whisper", "automatic speech recognition transcription of audio to text", "apache-2.0", {"asr", "audio"}, ["large-v3", "small"]),
    ("facebook", "wav2vec2", "speech recognition from raw audio waveform", "apache-2.0", {"asr", "audio"}, ["base-960h"]),
    ("suno", "bark", "text to speech audio generation voice synthesis", "mit", {"tts", "audio"}, ["small"]),
    ("facebook", "musicgen", "music generation from text descriptions audio", "cc-by-nc-4.0", {"audio", "music", "nc"}, ["small"]),
    ("openai", "clip-vit", "contrastive image text embeddings zero-shot image classification", "mit", {"vision", "embedding"}, ["base-patch32", "large-patch14"]),
    ("stabilityai", "stable-diffusion-xl", "text to image generation latent diffusion", "openrail++", {"vision", "diffusion", "sd"}, ["base-1.0", "refiner-1.0"]),
    ("stabilityai", "stable-diffusion-2-1", "text to image generation latent diffusion", "openrail++", {"vision", "diffusion", "sd"}, ["base"]),
    ("black-forest-labs", "FLUX.1", "text to image generation rectified flow transformer", "flux-1-dev-non-commercial", {"vision", "diffusion", "nc"}, ["dev", "schnell"]),
    ("Ultralytics", "yolov8", "real-time object detection bounding boxes", "agpl-3.0", {"vision", "detection"}, ["n", "x"]),
    ("facebook", "detr-resnet-50", "object detection transformer bounding boxes", "apache-2.0", {"vision", "detection"}, [""]),
    ("microsoft", "resnet-50", "image classification convolutional network trained on imagenet", "apache-2.0", {"vision", "classification", "imagenet"}, [""]),
    ("google", "vit", "vision transformer image classification trained on imagenet-21k", "apache-2.0", {"vision", "classification", "imagenet"}, ["base-patch16-224"]),
    ("facebook", "sam-vit", "segment anything promptable image segmentation masks", "apache-2.0", {"vision", "segmentation"}, ["huge", "base"]),
    ("Salesforce", "blip", "image captioning vision language model", "bsd-3-clause", {"vision", "caption"}, ["image-captioning-large"]),
    ("sentence-transformers", "all-MiniLM-L6-v2", "sentence embeddings for semantic search and clustering", "apache-2.0", {"embedding", "sentence"}, [""]),
    ("BAAI", "bge-m3", "multilingual dense sparse embeddings for retrieval", "mit", {"embedding", "multilingual"}, [""]),
    ("intfloat", "multilingual-e5", "multilingual text embeddings for semantic search retrieval", "mit", {"embedding", "multilingual"}, ["large"]),
    ("microsoft", "layoutlmv3", "document understanding layout OCR forms", "cc-by-nc-sa-4.0", {"document", "nc"}, ["base"]),
]
formats = [
    ("safetensors", "model.safetensors", "safetensors weights, no code execution on load"),
    ("gguf", "model-Q4_K_M.gguf", "GGUF quantized weights Q4_K_M for llama.cpp"),
    ("pickle", "pytorch_model.bin", "PyTorch pickle checkpoint; unpickling can execute arbitrary code"),
    ("onnx", "model.onnx", "ONNX export for onnxruntime inference"),
]
i = 0
for org, fam, task, lic, tags, sizes in families:
    for size in sizes:
        name = f"{org}/{fam}-{size}".rstrip("-")
        # Each variant ships in one or two formats (rotating), as repos do.
        fmts = [formats[i % 4]] + ([formats[(i + 1) % 4]] if i % 3 == 0 else [])
        for fmt, fname, fdesc in fmts:
            proj = projects[i % 4]
            text = "\n".join([name, task, fdesc, f"license: {lic}", f"asset.kind: model", f"format: {fmt}",
                              f"pkg:huggingface/{org}/{fam}-{size}".rstrip("-"), f"models/{fam.lower()}/{fname}"])
            add("model", f"{name} ({fmt})", text, f"models/{fam.lower()}/{fname}:1", proj,
                family=fam.lower(), org=org, fmt=fmt, license=lic, tags=sorted(tags), size=size)
            i += 1

datasets = [
    ("rajpurkar/squad", "Stanford question answering dataset reading comprehension over Wikipedia", "cc-by-sa-4.0", {"qa", "text"}),
    ("ILSVRC/imagenet-1k", "ImageNet large scale image classification dataset one thousand classes", "imagenet-terms-noncommercial", {"image", "imagenet", "nc"}),
    ("mozilla-foundation/common_voice_17_0", "Common Voice crowdsourced speech audio transcripts many languages", "cc0-1.0", {"speech", "audio"}),
    ("openslr/librispeech_asr", "LibriSpeech read English speech corpus for speech recognition", "cc-by-4.0", {"speech", "audio"}),
    ("laion/laion2B-en", "LAION image text pairs scraped from the web for CLIP and diffusion training", "cc-by-4.0", {"image", "web"}),
    ("EleutherAI/pile", "The Pile diverse English text corpus for language model pretraining", "mit", {"text", "pretraining"}),
    ("allenai/c4", "Colossal Clean Crawled Corpus web text for pretraining", "odc-by", {"text", "pretraining", "web"}),
    ("Salesforce/wikitext", "WikiText language modeling benchmark from Wikipedia articles", "cc-by-sa-3.0", {"text"}),
    ("detection-datasets/coco", "COCO common objects in context object detection segmentation captions", "cc-by-4.0", {"image", "detection"}),
    ("ylecun/mnist", "MNIST handwritten digits image classification", "mit", {"image"}),
    ("databricks/databricks-dolly-15k", "instruction following dataset of human-written prompt response pairs for instruction tuning", "cc-by-sa-3.0", {"instruct"}),
    ("tatsu-lab/alpaca", "Alpaca 52k instruction tuning demonstrations generated with text-davinci-003", "cc-by-nc-4.0", {"instruct", "nc"}),
    ("HuggingFaceH4/ultrachat_200k", "UltraChat multi-turn dialogue dataset for chat instruction tuning", "mit", {"instruct", "chat"}),
    ("openai/gsm8k", "grade school math word problems benchmark for multi-step reasoning", "mit", {"math", "benchmark"}),
    ("cais/mmlu", "massive multitask language understanding benchmark multiple choice exam questions", "mit", {"benchmark"}),
    ("openai/openai_humaneval", "HumanEval Python programming problems benchmark for code generation", "mit", {"code", "benchmark"}),
    ("togethercomputer/RedPajama-Data-1T", "open reproduction of LLaMA pretraining data", "apache-2.0", {"text", "pretraining"}),
    ("HuggingFaceFW/fineweb", "FineWeb deduplicated filtered Common Crawl web pages for pretraining", "odc-by", {"text", "pretraining", "web"}),
    ("Anthropic/hh-rlhf", "human preference data helpfulness harmlessness for RLHF reward models", "mit", {"preference"}),
    ("nyu-mll/glue", "GLUE general language understanding evaluation text classification tasks", "cc-by-4.0", {"benchmark", "text"}),
    ("bigcode/the-stack-v2", "source code from GitHub in 600 programming languages for code models", "other", {"code", "pretraining"}),
    ("facebook/voxpopuli", "multilingual speech from European Parliament recordings", "cc0-1.0", {"speech", "audio"}),
    ("lmsys/lmsys-chat-1m", "one million real conversations with LLMs, research use only, non-commercial", "lmsys-chat-1m-license", {"chat", "nc"}),
    ("nvidia/HelpSteer2", "helpfulness ratings dataset for reward model training", "cc-by-4.0", {"preference"}),
    ("google/fleurs", "few-shot speech recognition evaluation in 102 languages", "cc-by-4.0", {"speech", "audio", "multilingual"}),
    ("wikimedia/wikipedia", "cleaned Wikipedia articles in many languages", "cc-by-sa-3.0", {"text", "multilingual"}),
    ("cifar10", "CIFAR-10 tiny images in ten classes image classification", "unknown", {"image"}),
    ("stanfordnlp/imdb", "IMDB movie reviews sentiment classification", "other", {"text", "sentiment"}),
]
for j, (name, desc, lic, tags) in enumerate(datasets):
    text = "\n".join([name, desc, f"license: {lic}", "asset.kind: dataset", f"pkg:huggingface/datasets/{name}", "train.py"])
    add("dataset", name, text, f"train.py:{10 + j}", projects[j % 4], license=lic, tags=sorted(tags))

prompts = [
    ("support-system", "You are a friendly customer support assistant for Acme. Answer billing and refund questions politely.", {"support"}),
    ("sql-generator", "Translate the user's question into a read-only SQL query against the analytics schema.", {"sql"}),
    ("summarize-ticket", "Summarize the support ticket in three bullet points with the customer's main issue.", {"summary", "support"}),
    ("jailbreak-guard", "Classify whether the user message attempts prompt injection or a jailbreak; answer SAFE or UNSAFE.", {"guard"}),
    ("code-review", "Review this pull request diff and point out bugs, security issues and style problems.", {"code"}),
    ("rag-answer", "Answer using only the retrieved context passages; cite the document ids; say you don't know otherwise.", {"rag"}),
    ("translate-de", "Translate the following English product description into German.", {"translation"}),
    ("extract-invoice", "Extract vendor, date, total and line items from the OCR text of an invoice as JSON.", {"extraction"}),
    ("agent-planner", "You are a planning agent. Break the goal into steps and choose a tool for each step.", {"agent"}),
    ("email-draft", "Draft a reply email to the customer confirming the refund.", {"email", "support"}),
    ("moderation", "Decide if the text contains hate, harassment or self-harm content.", {"guard"}),
    ("image-caption", "Describe the product photo in one sentence for alt text.", {"caption"}),
    ("meeting-notes", "Turn the meeting transcript into action items with owners and due dates.", {"summary"}),
    ("classify-intent", "Classify the customer message intent: billing, technical, cancellation or other.", {"support", "classification"}),
    ("few-shot-math", "Solve the math word problem step by step, then give the final number.", {"math"}),
]
for j, (name, body, tags) in enumerate(prompts):
    text = "\n".join([name, body, "asset.kind: prompt", f"prompts/{name}.txt"])
    add("prompt", name, text, f"prompts/{name}.txt:1", projects[j % 4], tags=sorted(tags))

tools = [
    ("tool", "web_search", "LangChain tool that searches the web with the Tavily API and returns result snippets", {"search", "web", "langchain"}),
    ("tool", "calculator", "tool that evaluates arithmetic expressions for the agent", {"math"}),
    ("tool", "send_email", "tool that sends an email through SMTP on behalf of the agent", {"email"}),
    ("tool", "run_sql", "tool that executes SQL queries on the production Postgres database", {"sql"}),
    ("tool", "python_repl", "tool that executes arbitrary Python code in a REPL", {"code", "exec"}),
    ("tool", "browser", "Playwright headless browser tool that opens pages and clicks links", {"web"}),
    ("tool", "retriever", "vector store retriever over the product docs in Pinecone", {"rag", "vector"}),
    ("tool", "jira_create_issue", "MCP tool that creates Jira issues", {"mcp", "ticket"}),
    ("tool", "github_mcp", "MCP server exposing GitHub repository read and write tools", {"mcp", "code"}),
    ("tool", "weather", "function calling tool that fetches the weather forecast", {"function"}),
    ("agent", "support-agent", "LangGraph agent answering support questions with retriever and send_email tools", {"agent", "support", "rag", "langchain"}),
    ("agent", "research-agent", "CrewAI research agent that uses web_search and browser tools to write reports", {"agent", "search", "web"}),
    ("agent", "sql-analyst", "agent that turns questions into SQL with run_sql and charts the result", {"agent", "sql"}),
    ("agent", "coding-agent", "autonomous coding agent with python_repl and github_mcp tools", {"agent", "code", "exec"}),
    ("agent", "rag-qa-chain", "LlamaIndex retrieval augmented generation query engine over internal wiki", {"rag", "agent"}),
    ("framework", "langchain", "LangChain framework python package langchain==0.2.14", {"langchain", "framework"}),
    ("framework", "transformers", "Hugging Face transformers library 4.44.0", {"framework", "hf"}),
    ("framework", "llama-cpp-python", "Python bindings for llama.cpp running GGUF models", {"framework", "gguf"}),
    ("framework", "onnxruntime", "ONNX Runtime inference engine", {"framework", "onnx"}),
    ("framework", "vllm", "vLLM high-throughput LLM serving engine", {"framework", "serving"}),
]
for j, (kind, name, desc, tags) in enumerate(tools):
    text = "\n".join([name, desc, f"asset.kind: {kind}", f"app/{name}.py"])
    add(kind, name, text, f"app/{name}.py:{5 + j}", projects[j % 4], tags=sorted(tags))

services = [
    ("openai-chat", "OpenAI API chat completions with gpt-4o and gpt-4o-mini", "https://api.openai.com/v1/chat/completions", {"openai", "llm"}),
    ("openai-embeddings", "OpenAI embeddings API text-embedding-3-small", "https://api.openai.com/v1/embeddings", {"openai", "embedding"}),
    ("anthropic", "Anthropic Messages API claude-3-5-sonnet", "https://api.anthropic.com/v1/messages", {"anthropic", "llm"}),
    ("azure-openai", "Azure OpenAI deployment gpt-4 in West Europe", "https://acme.openai.azure.com/", {"openai", "azure", "llm"}),
    ("bedrock", "AWS Bedrock runtime invoking Claude and Titan models", "https://bedrock-runtime.us-east-1.amazonaws.com", {"aws", "llm"}),
    ("vertex-gemini", "Google Vertex AI Gemini 1.5 Pro generateContent", "https://us-central1-aiplatform.googleapis.com", {"google", "llm"}),
    ("cohere-embed", "Cohere embed-multilingual-v3.0 embeddings endpoint", "https://api.cohere.com/v1/embed", {"embedding", "multilingual"}),
    ("hf-inference", "Hugging Face Inference Endpoints serving a private model", "https://xyz.endpoints.huggingface.cloud", {"hf"}),
    ("replicate", "Replicate predictions API running SDXL image generation", "https://api.replicate.com/v1/predictions", {"diffusion", "image"}),
    ("elevenlabs", "ElevenLabs text to speech voice synthesis API", "https://api.elevenlabs.io/v1/text-to-speech", {"tts", "audio"}),
    ("deepgram", "Deepgram speech to text transcription API", "https://api.deepgram.com/v1/listen", {"asr", "audio"}),
    ("mistral-api", "Mistral AI La Plateforme chat API mistral-large", "https://api.mistral.ai/v1/chat/completions", {"mistral", "llm"}),
    ("groq", "Groq LPU inference API serving llama-3.1-70b", "https://api.groq.com/openai/v1", {"llm", "llama"}),
    ("together", "Together AI inference API for open models", "https://api.together.xyz/v1", {"llm"}),
    ("pinecone", "Pinecone vector database index for embeddings", "https://acme-idx.svc.pinecone.io", {"vector", "rag"}),
    ("ollama-local", "local Ollama server running llama3.1 and nomic-embed-text", "http://localhost:11434/api", {"llm", "llama", "embedding"}),
    ("openai-whisper-api", "OpenAI audio transcriptions API whisper-1", "https://api.openai.com/v1/audio/transcriptions", {"openai", "asr", "audio"}),
    ("stability-api", "Stability AI REST API for Stable Diffusion 3 image generation", "https://api.stability.ai/v2beta", {"diffusion", "image", "sd"}),
]
for j, (name, desc, ep, tags) in enumerate(services):
    text = "\n".join([name, desc, ep, "asset.kind: service"])
    add("service", name, text, ep, projects[j % 4], tags=sorted(tags))

def T(d): return set(d["attrs"].get("tags", []))
def fam(d): return d["attrs"].get("family", "")
def kind(d): return d["kind"]

queries = [
    ("speech recognition model", lambda d: 3 if kind(d) == "model" and "asr" in T(d) else 2 if "asr" in T(d) else 1 if "speech" in T(d) else 0),
    ("quantized llama gguf", lambda d: 3 if "llama" in T(d) and d["attrs"].get("fmt") == "gguf" else 2 if d["attrs"].get("fmt") == "gguf" and "llm" in T(d) or d["name"] == "llama-cpp-python" else 1 if "llama" in T(d) else 0),
    ("pickle checkpoint arbitrary code execution", lambda d: 3 if d["attrs"].get("fmt") == "pickle" else 1 if "exec" in T(d) else 0),
    ("non-commercial license dataset", lambda d: 3 if kind(d) == "dataset" and "nc" in T(d) else 1 if "nc" in T(d) else 0),
    ("text to image diffusion", lambda d: 3 if "diffusion" in T(d) else 1 if d["name"].startswith("laion") else 0),
    ("object detection", lambda d: 3 if "detection" in T(d) else 0),
    ("sentence embeddings semantic search", lambda d: 3 if kind(d) == "model" and "embedding" in T(d) and "vision" not in T(d) else 2 if "embedding" in T(d) else 1 if "vector" in T(d) else 0),
    ("code generation model", lambda d: 3 if kind(d) == "model" and "code" in T(d) else 1 if "code" in T(d) else 0),
    ("gpt4o", lambda d: 3 if d["name"] == "openai-chat" else 1 if "openai" in T(d) else 0),
    ("mistrall instruct", lambda d: 3 if fam(d) == "mistral-7b" else 2 if fam(d) == "mixtral-8x7b" or d["name"] == "mistral-api" else 0),
    ("hugginface inference endpoint", lambda d: 3 if d["name"] == "hf-inference" else 0),
    ("claude anthropic", lambda d: 3 if d["name"] == "anthropic" else 2 if d["name"] == "bedrock" else 1 if d["name"].startswith("Anthropic/") else 0),
    ("text to speech voice", lambda d: 3 if "tts" in T(d) else 0),
    ("math word problems", lambda d: 3 if d["name"] == "openai/gsm8k" else 2 if "math" in T(d) else 0),
    ("agent with web search tool", lambda d: 3 if d["name"] in ("research-agent", "web_search") else 1 if kind(d) == "agent" or d["name"] == "browser" else 0),
    ("stable difusion xl", lambda d: 3 if fam(d) == "stable-diffusion-xl" else 2 if "sd" in T(d) or d["name"] == "replicate" else 1 if "diffusion" in T(d) else 0),
    ("image segmentation masks", lambda d: 3 if "segmentation" in T(d) else 1 if d["name"] == "detection-datasets/coco" else 0),
    ("instruction tuning dataset", lambda d: 3 if kind(d) == "dataset" and "instruct" in T(d) else 0),
    ("prompt injection jailbreak", lambda d: 3 if d["name"] == "jailbreak-guard" else 2 if "guard" in T(d) else 0),
    ("onnx", lambda d: 3 if d["attrs"].get("fmt") == "onnx" else 2 if d["name"] == "onnxruntime" else 0),
    ("send email", lambda d: 3 if d["name"] == "send_email" else 2 if "email" in T(d) else 0),
    ("customer support prompt", lambda d: 3 if d["name"] == "support-system" else 2 if kind(d) == "prompt" and "support" in T(d) else 1 if d["name"] == "support-agent" else 0),
    ("imagenet image classifier", lambda d: 3 if kind(d) == "model" and "imagenet" in T(d) else 2 if "imagenet" in T(d) or kind(d) == "model" and "classification" in T(d) else 1 if kind(d) == "dataset" and "image" in T(d) else 0),
    ("bedrock", lambda d: 3 if d["name"] == "bedrock" else 0),
    ("multilingual embeddings", lambda d: 3 if "embedding" in T(d) and "multilingual" in T(d) else 1 if "embedding" in T(d) else 0),
    ("whisper large v3 safetensors", lambda d: 3 if fam(d) == "whisper" and d["attrs"].get("size") == "large-v3" else 2 if fam(d) == "whisper" else 1 if d["name"] == "openai-whisper-api" else 0),
    ("deepseek coder", lambda d: 3 if fam(d) == "deepseek-coder" else 1 if kind(d) == "model" and "code" in T(d) else 0),
    ("executes arbitrary python code", lambda d: 3 if d["name"] == "python_repl" else 2 if d["name"] == "coding-agent" else 1 if d["attrs"].get("fmt") == "pickle" else 0),
]

with open("corpus.jsonl", "w") as f:
    for d in docs:
        f.write(json.dumps({k: d[k] for k in ("id", "project", "version", "bom_ref", "name", "kind", "location", "text")}) + "\n")
out = []
for q, rule in queries:
    rel = {d["id"]: rule(d) for d in docs if rule(d) > 0}
    assert rel, q
    out.append({"query": q, "relevant": rel})
with open("queries.json", "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print(len(docs), "docs", len(out), "queries")
