"""What scheduling tells the apps above it.

- ``meeting_booked``: someone picked a time from a link (proposal, meeting, and the
  meeting it replaces or None). Followthrough closes the repair of the replaced one.
"""

from __future__ import annotations

from django.dispatch import Signal

meeting_booked = Signal()  # proposal, meeting, replaces
