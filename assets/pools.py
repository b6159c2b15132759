"""The pool Kaggle downloads share, and the Celery queue its steps go to when steps run on Celery workers."""

# At most `concurrency.pools.default_limit` (2) steps of this pool at once, across every run of the Dagster instance.
KAGGLE_DOWNLOADS = "kaggle_downloads"

# dagster-celery picks a step's queue from this op tag alone (a pool never chooses a queue), so download steps carry
# it too: `make cluster` serves this queue with a worker of its own. Other executors ignore the tag.
DOWNLOAD_STEP_TAGS = {"dagster-celery/queue": KAGGLE_DOWNLOADS}
