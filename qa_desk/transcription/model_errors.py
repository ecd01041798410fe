"""What can go wrong when listing, installing or removing speech models.

Every message is written for a person: it names the file, folder or URL and the
problem. The classes let the CLI choose its exit code and the window its wording.
"""

from __future__ import annotations


class ModelError(Exception):
    """A speech-model operation that could not be done; the message says why."""


class UsageError(ModelError):
    """The request itself cannot be used: unknown model name, bad source, bad name."""


class UnknownModel(UsageError):
    """No model of that name is installed or found on the search folders."""


class ModelExists(UsageError):
    """Installing would overwrite a model of the same name and replace was not asked."""


class InvalidModel(ModelError):
    """A folder or zip that is not a (safe, complete) Vosk model."""


class DownloadError(ModelError):
    """The download failed: server, network, or the connection dropped."""


class ChecksumError(DownloadError):
    """The downloaded file is not the published one (size or MD5 differ)."""


class CatalogError(ModelError):
    """The published model list cannot be read or is malformed."""
