"""Settings: the one place mlecurate reads its environment. Everything else receives these values as parameters.

>>> settings = Settings.from_environment()
>>> settings.data_root().warehouse

| variable | default | meaning |
|---|---|---|
| ``MLECURATE_HOME`` | ``./mlecurate-data`` | the data root (see ``validation.data_root``): a folder, or ``s3://bucket/prefix`` (object storage, ``validation.object_root``; needs the ``cluster`` extra) |
| ``MLECURATE_MIRROR`` | ``./mlecurate-mirror`` | with an ``s3://`` home: the local folder its parts are pulled into and pushed from (one per machine) |
| ``MLECURATE_S3_ENDPOINT_URL`` | unset (AWS) | with an ``s3://`` home: another S3-compatible endpoint (MinIO, moto); credentials are the standard ``AWS_*`` variables, which s3fs reads |
| ``MLECURATE_ANNOTATIONS`` | ``$MLECURATE_HOME/annotations`` | curators' annotation files (a folder; not with an ``s3://`` home, which keeps them) |
| ``MLECURATE_META_KAGGLE`` | ``demo`` | where Meta Kaggle comes from: ``demo``, ``kaggle`` or a folder (``curation.sources``) |
| ``MLECURATE_KAGGLE_MIRROR`` | unset | a folder of ``<slug>/<slug>.zip`` (or ``<slug>/`` of unpacked files) to take competition data from |
| ``MLECURATE_LEADERBOARDS`` | unset | a folder of ``<slug>/leaderboard.csv`` (MLE-bench's) to take leaderboards from |
| ``MLECURATE_LEADERBOARD_CRON`` | ``0 6 * * 1`` | when the leaderboard refresh runs (UTC) |
| ``MLECURATE_LEADERBOARD_MAX_AGE_DAYS`` | ``7`` | a board older than this is refreshed, and flagged by ``boards_fresh`` |
| ``MLECURATE_EXECUTOR`` | ``in_process`` | where a run's steps execute: ``in_process`` (one after the other in the run's process) or ``celery`` (on the Celery workers of ``make cluster``; needs the ``cluster`` extra) |
| ``MLECURATE_CELERY_BROKER`` | unset | with ``celery``: the broker the workers listen on, e.g. ``redis://127.0.0.1:26379/0`` |
| ``MLECURATE_CELERY_BACKEND`` | the broker | with ``celery``: where the workers put step results |
| ``KAGGLE_API_TOKEN``, ``KAGGLE_USERNAME``, ``KAGGLE_KEY`` | unset | Kaggle credentials, read as the ``kaggle`` package reads them |
| ``KAGGLE_CONFIG_DIR``, ``XDG_CONFIG_HOME``, ``HOME`` | | where the ``kaggle`` package looks for ``kaggle.json`` |

The one other code that touches the environment is the Kaggle client, which sets the credentials it was given for
the moment the ``kaggle`` package imports and authenticates (that package reads them from there, nowhere else).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from curation.sources.kaggle_client import KaggleCredentials
from validation.data_root import DataRoot
from validation.object_root import ObjectRoot, ObjectRootError, split_url

DEFAULT_HOME = "mlecurate-data"
DEFAULT_MIRROR = "mlecurate-mirror"
DEFAULT_CRON = "0 6 * * 1"  # Mondays 06:00 UTC
DEFAULT_MAX_AGE_DAYS = 7.0
KAGGLE_CREDENTIAL_VARIABLES = ("KAGGLE_API_TOKEN", "KAGGLE_USERNAME", "KAGGLE_KEY")
IN_PROCESS, CELERY = "in_process", "celery"
# The Celery app's settings, the same for the run's process (the executor's config_source, pipelines/executor.py) and
# for the workers (deploy/cluster.py writes them into their dagster_celery_config.py). A step whose worker dies is run
# again, in the same run (tests/test_cluster.py kills one mid-split):
# - its pool process killed (kill -9, the OOM killer): the worker sees it and sends the step again, at most
#   STEP_RETRIES_ON_WORKER_LOST times, so a step that kills its process every time fails instead of looping;
# - the whole worker killed: the step's message was not acknowledged (acknowledged when the step ends, not when it
#   starts), so it goes back to its queue when `make cluster` starts the worker again, or after the visibility
#   timeout, Redis's deadline for a message nobody acknowledged. A step must end within it: one running longer is
#   delivered to a second process while the first still runs it.
STEP_RETRIES_ON_WORKER_LOST = 2
CELERY_VISIBILITY_TIMEOUT = 6 * 3600  # seconds; Redis's default is one hour
CELERY_APP_SETTINGS = {
    "task_acks_late": True,
    "task_retry_on_worker_lost": True,  # sent again as a retry, so max_retries bounds it (celery>=5.7: the extra)
    "task_reject_on_worker_lost": True,  # back on the queue if that retry cannot be sent
    "task_annotations": {"execute_plan": {"max_retries": STEP_RETRIES_ON_WORKER_LOST, "default_retry_delay": 1}},
    "worker_prefetch_multiplier": 1,  # a worker holds no step it has no free process for
    "broker_transport_options": {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT},
}


class SettingsError(ValueError):
    """An environment variable holds a value mlecurate cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    home: Path
    annotations: Path | None = None
    meta_kaggle: str = "demo"
    kaggle_mirror: Path | None = None
    leaderboards: Path | None = None
    leaderboard_cron: str = DEFAULT_CRON
    leaderboard_max_age_days: float = DEFAULT_MAX_AGE_DAYS
    kaggle: KaggleCredentials = KaggleCredentials()
    executor: str = IN_PROCESS
    celery_broker: str | None = None
    celery_backend: str | None = None
    object_home: str | None = None  # s3://bucket/prefix: then ``home`` is its local mirror
    s3_endpoint_url: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        age = env.get("MLECURATE_LEADERBOARD_MAX_AGE_DAYS") or str(DEFAULT_MAX_AGE_DAYS)
        try:
            max_age = float(age)
        except ValueError:
            raise SettingsError(f"MLECURATE_LEADERBOARD_MAX_AGE_DAYS={age!r}: expected a number of days") from None
        executor, broker = _executor(env)
        home, object_home = _home(env)
        return cls(
            home=home,
            object_home=object_home,
            s3_endpoint_url=_optional_text(env.get("MLECURATE_S3_ENDPOINT_URL")) if object_home else None,
            annotations=_optional_folder("MLECURATE_ANNOTATIONS", env.get("MLECURATE_ANNOTATIONS")),
            meta_kaggle=(env.get("MLECURATE_META_KAGGLE") or "demo").strip(),
            kaggle_mirror=_optional_path(env.get("MLECURATE_KAGGLE_MIRROR")),
            leaderboards=_optional_path(env.get("MLECURATE_LEADERBOARDS")),
            leaderboard_cron=env.get("MLECURATE_LEADERBOARD_CRON") or DEFAULT_CRON,
            leaderboard_max_age_days=max_age,
            kaggle=KaggleCredentials(
                api_token=env.get("KAGGLE_API_TOKEN") or None,
                username=env.get("KAGGLE_USERNAME") or None,
                key=env.get("KAGGLE_KEY") or None,
                config_dir=_kaggle_config_dir(env),
            ),
            executor=executor,
            celery_broker=broker,
            celery_backend=_optional_text(env.get("MLECURATE_CELERY_BACKEND")) if broker else None,
        )

    @property
    def kaggle_credential_variables(self) -> tuple[str, ...]:
        """The names of the Kaggle credential variables that are set (never their values)."""
        given = {"KAGGLE_API_TOKEN": self.kaggle.api_token, "KAGGLE_USERNAME": self.kaggle.username,
                 "KAGGLE_KEY": self.kaggle.key}  # fmt: skip
        return tuple(name for name in KAGGLE_CREDENTIAL_VARIABLES if given[name])

    def data_root(self) -> DataRoot:
        """The data root, created on first use."""
        self.home.mkdir(parents=True, exist_ok=True)
        return DataRoot(self.home, self.annotations)

    def object_root(self) -> ObjectRoot | None:
        """With ``MLECURATE_HOME=s3://...``: the bucket behind the data root (its local mirror is ``data_root()``)."""
        if self.object_home is None:
            return None
        return ObjectRoot(self.object_home, self.data_root().sync_records, self.home, self.s3_endpoint_url)


def _home(env: Mapping[str, str]) -> tuple[Path, str | None]:
    """The data root's local folder, and the object-storage URL behind it (None: the folder is the data root)."""
    value = (env.get("MLECURATE_HOME") or DEFAULT_HOME).strip()
    if "://" not in value:
        return _folder("MLECURATE_HOME", value), None
    try:
        bucket, prefix = split_url(value)
    except ObjectRootError as error:
        raise SettingsError(str(error)) from None
    if env.get("MLECURATE_ANNOTATIONS"):
        raise SettingsError(
            f"MLECURATE_ANNOTATIONS={env['MLECURATE_ANNOTATIONS']!r} with MLECURATE_HOME={value!r}: an object-storage "
            "home keeps the annotations itself (every worker reads them there); unset MLECURATE_ANNOTATIONS"
        )
    mirror = _folder("MLECURATE_MIRROR", env.get("MLECURATE_MIRROR") or DEFAULT_MIRROR)
    return mirror, f"s3://{bucket}/{prefix}".rstrip("/")


def _executor(env: Mapping[str, str]) -> tuple[str, str | None]:
    """The executor named by MLECURATE_EXECUTOR, and the Celery broker it needs (MLECURATE_CELERY_BROKER)."""
    executor = (env.get("MLECURATE_EXECUTOR") or IN_PROCESS).strip()
    if executor not in (IN_PROCESS, CELERY):
        raise SettingsError(f"MLECURATE_EXECUTOR={executor!r}: expected {IN_PROCESS!r} (the default) or {CELERY!r}")
    broker = _optional_text(env.get("MLECURATE_CELERY_BROKER"))
    if executor == CELERY and broker is None:
        raise SettingsError(
            "MLECURATE_EXECUTOR=celery needs MLECURATE_CELERY_BROKER, the broker the workers listen on "
            "(e.g. redis://127.0.0.1:26379/0; `make cluster` writes it into mlecurate-cluster/env.sh)"
        )
    return executor, broker if executor == CELERY else None


def _optional_text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _kaggle_config_dir(env: Mapping[str, str]) -> Path | None:
    """The first folder where the kaggle package would find kaggle.json (or its CLI's access token), if any."""
    home = Path(env.get("HOME") or Path.home())
    candidates = [
        env.get("KAGGLE_CONFIG_DIR"),
        home / ".kaggle",
        Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "kaggle",
    ]
    for folder in (Path(c) for c in candidates if c):
        if any((folder / name).is_file() for name in ("kaggle.json", "access_token", "access_token.txt")):
            return folder
    return None


def _path(value: str) -> Path:
    return Path(value).expanduser().resolve()


def _optional_path(value: str | None) -> Path | None:
    return _path(value) if value else None


def _folder(variable: str, value: str) -> Path:
    """A setting that names a folder mlecurate writes into: it may not exist yet, but it may not be a file."""
    path = _path(value)
    if path.exists() and not path.is_dir():
        raise SettingsError(f"{variable}={value!r}: {path} is a file; expected a folder (or a path to create one at)")
    return path


def _optional_folder(variable: str, value: str | None) -> Path | None:
    return _folder(variable, value) if value else None
