"""The one way to reach workspace data: through a queryset scoped to a workspace."""

from __future__ import annotations

from django.db import models

from verbind.workspaces.models import Workspace


class ScopedQuerySet(models.QuerySet):
    def in_workspace(self, workspace: Workspace):
        return self.filter(workspace=workspace)


class WorkspaceOwned(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
