"""What people tells the apps above it (sent by those that learn it, such as imports).

- ``last_contacts_imported``: a file said when the workspace was last in touch with people
  (workspace, last_contacts: [(person_id, aware datetime)]). Sent inside the import's
  transaction; keeping in touch moves a cadence when the moment is newer than it knew.
"""

from __future__ import annotations

from django.dispatch import Signal

last_contacts_imported = Signal()  # workspace, last_contacts
