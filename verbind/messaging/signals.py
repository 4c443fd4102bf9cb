"""What happens to a message, told to whoever cares (messaging itself knows nothing of them).

- ``message_released``: a draft was handed over to be sent (queued, or ready for the
  member to send). Sent inside the transaction; receivers may still change the
  message (scheduling turns proposed times into a private link here).
- ``message_sent``: a message reached the other side and its effects are being
  recorded, once per message, inside the recording transaction (followthrough
  notes it on the repair, or moves a promise to its new time).
- ``messages_sent``: the same messages once more, all together, after each of them
  was told as ``message_sent``, in the same transaction. For a receiver whose work
  is cheaper per group than per message (keeping in touch reads each person's
  cadences once for the whole group).
"""

from __future__ import annotations

from django.dispatch import Signal

message_released = Signal()  # message, by
message_sent = Signal()  # message
messages_sent = Signal()  # messages (a list, at least one)
