from transformers import AutoModelForSequenceClassification, AutoTokenizer

# Our own classifier, kept in the repository.
local = AutoModelForSequenceClassification.from_pretrained("./model")

# Models from the Hugging Face Hub.
sentiment = AutoModelForSequenceClassification.from_pretrained("acme-ai/sentiment-bert")
tokenizer = AutoTokenizer.from_pretrained("acme-ai/vanished-model")
