"""The one place where settings become resources (``curation.settings`` is the one place that reads the environment)."""

import dagster as dg

from assets.resources import KaggleResource, LeaderboardAgeResource, SourcesResource, StorageResource
from curation.settings import Settings

# Which KaggleResource field each credential variable fills.
KAGGLE_FIELDS = {"KAGGLE_API_TOKEN": "api_token", "KAGGLE_USERNAME": "username", "KAGGLE_KEY": "key"}


def resources_from_settings(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    """Resources for ``settings``; Kaggle's secrets go in as ``dg.EnvVar`` (the UI shows names, never values)."""
    kaggle = KaggleResource(
        **{KAGGLE_FIELDS[name]: dg.EnvVar(name) for name in settings.kaggle_credential_variables},
        config_dir=str(settings.kaggle.config_dir or ""),
    )
    return {
        "storage": StorageResource(
            home=str(settings.home),
            annotations=str(settings.annotations or ""),
            object_home=settings.object_home or "",
            s3_endpoint_url=settings.s3_endpoint_url or "",
        ),  # fmt: skip
        "sources": SourcesResource(
            meta_kaggle=settings.meta_kaggle,
            kaggle_mirror=str(settings.kaggle_mirror or ""),
            leaderboards=str(settings.leaderboards or ""),
            kaggle=kaggle,
        ),
        "leaderboard_age": LeaderboardAgeResource(max_age_days=settings.leaderboard_max_age_days),
    }


def resources_from_environment() -> dict[str, dg.ConfigurableResource]:
    return resources_from_settings(Settings.from_environment())
