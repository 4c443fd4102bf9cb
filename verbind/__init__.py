"""Verbind: a follow-through system for people who network."""

__version__ = "0.1.0"
