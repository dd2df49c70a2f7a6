"""csbridge: checks every helpdesk ticket against a company's service standards."""

__version__ = "0.1.0"
