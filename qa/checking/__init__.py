"""Fact checking: a draft's statements against the articles (claims, values, verify)."""
