"""Retrieval: dense and BM25 lists fused, with filters, and English questions bridged to
Chinese terms."""
