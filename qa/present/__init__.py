"""Answers shown to people: plain text for the command line, escaped HTML for the web chat."""
