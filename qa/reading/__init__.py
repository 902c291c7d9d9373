"""Readers: extract an answer span from retrieved passages, and say how sure they are.

``protocol`` is what every reader is; ``fast`` (rules) and ``neural`` (the fine-tuned
model) are the two readers; ``routed`` composes them by language; ``calibration`` turns
a reading's signals into P(right); ``train`` and ``bundle`` train the neural reader.
"""
