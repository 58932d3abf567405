"""Document-grounded question answering with exact, checkable span citations."""
