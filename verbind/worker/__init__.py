"""The worker: runs the steps every app registers, in their stated order, pass after pass."""
