"""The QA benchmark: datasets, official scoring, runners and reports."""
