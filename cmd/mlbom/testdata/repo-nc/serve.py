from transformers import AutoModelForSequenceClassification

model = AutoModelForSequenceClassification.from_pretrained("./model")
