"""The index: articles chunked, embedded into FAISS and BM25, stored as atomic generations.

``build`` holds the verbs (build, add, remove, upgrade); ``store`` the on-disk format and
its checks; ``tables``, ``vectors`` and ``lexical`` the three parts of a generation.
"""
