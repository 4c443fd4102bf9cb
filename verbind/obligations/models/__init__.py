from verbind.obligations.models.appointment import Appointment, AppointmentStatus
from verbind.obligations.models.base import (
    Obligation,
    Outcome,
    TransitionRefused,
    obligation_changed,
)
from verbind.obligations.models.promise import Promise, PromiseKind, PromiseStatus

__all__ = [
    "Appointment",
    "AppointmentStatus",
    "Obligation",
    "Outcome",
    "Promise",
    "PromiseKind",
    "PromiseStatus",
    "TransitionRefused",
    "obligation_changed",
]
