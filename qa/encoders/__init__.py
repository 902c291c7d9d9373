"""Text encoders and their weights, all offline: the e5 embedder (torch for passages, ONNX
for questions), the shared tokenizer, and the plain-torch BERT the neural reader runs on.
"""
