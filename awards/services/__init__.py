"""Business operations. They flush, never commit; the acting user is a keyword argument."""
