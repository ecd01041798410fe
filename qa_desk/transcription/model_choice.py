"""Which installed speech model a transcription job runs with, on this computer.

A job names a model, or only a language (then the default model for that language
here). The queue may be shared by machines with different models installed, so the
choice is made by the worker that runs the job, from its own settings, read afresh
for every job: a default changed in Settings applies to the next call.
"""

from __future__ import annotations

import socket
from typing import Callable

from ..settings import Settings
from ..wording import translate
from .model_errors import ModelError, UnknownModel
from .runner import ModelUnavailable, ResolvedModel
from .speech_models import default_model, find_model, list_models, loadable_path


def installed_models(load_settings: Callable[[], Settings] = Settings.load):
    """A ModelResolver over the models this computer has (see speech_models)."""

    def resolve(model_name: str | None, language: str | None) -> ResolvedModel:
        settings = load_settings()
        models = list_models(settings)
        if model_name:
            try:
                model = find_model(model_name, settings, models)
            except UnknownModel as exc:
                raise ModelUnavailable(translate(
                    "Errors", "speech model '{model}' is not installed on {computer} ({detail}); install it in "
                    "Settings → Speech models, or transcribe with another model").format(
                    model=model_name, computer=socket.gethostname(), detail=exc)) from exc
        else:
            language = language or settings.call_language
            model = default_model(language, settings, models)
            if model is None:
                raise ModelUnavailable(translate(
                    "Errors", "no speech model for '{language}' calls is installed on {computer}: add one in "
                    "Settings → Speech models or with `qa-desk models install`").format(
                    language=language, computer=socket.gethostname()))
        try:
            path = loadable_path(model)
        except (ModelError, OSError) as exc:
            raise ModelUnavailable(translate("Errors", "speech model '{model}' cannot be used: {problem}").format(
                model=model.name, problem=exc)) from exc
        return ResolvedModel(model.name, model.language, path)

    return resolve
