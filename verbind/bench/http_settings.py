"""The settings `verbind serve` runs with under `verbind bench --http`: the product's own,
with one page added that the product has no need of (verbind.bench.urls)."""

from verbind.settings import *  # noqa: F403

ROOT_URLCONF = "verbind.bench.urls"
