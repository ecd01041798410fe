"""QA Desk: offline quality assurance and call monitoring for contact centres."""

__version__ = "0.1.0"
