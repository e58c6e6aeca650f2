"""Adapters to outside systems, chosen by configuration; embedded defaults first."""
