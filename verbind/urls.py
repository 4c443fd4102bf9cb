from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from verbind.api.api import api
from verbind.web.forms import SignInForm
from verbind.web.views import (
    account,
    calendars,
    duplicates,
    errors,
    imports,
    keeping,
    obligations,
    organisations,
    outbox,
    people,
    public,
    today,
)

urlpatterns = [
    path("", today.today, name="home"),
    path("today/<str:key>/<str:action>/", today.act, name="agenda_action"),
    path("welcome/seen/", today.welcome_seen, name="welcome_seen"),
    path("figures/<str:name>/", today.figure, name="figure"),
    path("outbox/", outbox.outbox_page, name="outbox"),
    path("outbox/<int:pk>/", outbox.message_page, name="message"),
    path("outbox/<int:pk>/sent/", outbox.message_mark_sent, name="message_sent"),
    path("outbox/<int:pk>/cancel/", outbox.message_cancel, name="message_cancel"),
    path("outbox/<int:pk>/invite.ics", outbox.message_invite, name="message_invite"),
    path(
        "signin/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("people/", people.people_list, name="people"),
    path("people/quick/", people.quick_add, name="quick_add"),
    path("people/new/", people.person_edit, name="person_new"),
    path("duplicates/", duplicates.duplicates_page, name="duplicates"),
    path("duplicates/merge/", duplicates.merge_people, name="merge_people"),
    path("duplicates/undo/<int:pk>/", duplicates.undo_merge, name="undo_merge"),
    path("import/", imports.upload, name="import"),
    path("import/<str:token>/", imports.preview, name="import_preview"),
    path("export/people.vcf", imports.export_vcard, name="export_vcard"),
    path("export/people.csv", imports.export_csv, name="export_csv"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/<str:action>/", people.person_action, name="person_action"),
    path("organisations/", organisations.organisation_list, name="organisations"),
    path("organisations/new/", organisations.organisation_edit, name="organisation_new"),
    path("organisations/<int:pk>/", organisations.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", organisations.organisation_edit, name="organisation_edit"),
    path(
        "appointments/<int:pk>/transition/",
        obligations.transition,
        {"kind": "appointment"},
        name="appointment_transition",
    ),
    path("appointments/<int:pk>/undo/", obligations.undo, name="appointment_undo"),
    path("entries/<int:pk>/edit/", obligations.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", obligations.entry_delete, name="entry_delete"),
    path(
        "promises/<int:pk>/transition/",
        obligations.transition,
        {"kind": "promise"},
        name="promise_transition",
    ),
    path("appointments/<int:pk>/reschedule/", obligations.reschedule, name="reschedule"),
    path("keeping/", keeping.keeping_page, name="keeping"),
    path("keeping/settings/", keeping.keeping_settings, name="keeping_settings"),
    path("keeping/cadences/<int:pk>/stop/", keeping.stop_group, name="cadence_group_stop"),
    path("keeping/nudges/<int:pk>/", keeping.nudge_page, name="nudge"),
    path("keeping/nudges/<int:pk>/<str:action>/", keeping.nudge_decide, name="nudge_decide"),
    path("keeping/events/<int:pk>/", keeping.event_page, name="event"),
    path("people/<int:pk>/keeping/<str:what>/", keeping.person_keeping, name="person_keeping"),
    path("settings/", account.settings_page, name="settings"),
    path("calendars/", calendars.calendars_page, name="calendars"),
    path("calendars/<int:pk>/sync/", calendars.calendar_sync, name="calendar_sync"),
    path("calendars/<int:pk>/remove/", calendars.calendar_remove, name="calendar_remove"),
    path("absences/<int:pk>/remove/", calendars.absence_remove, name="absence_remove"),
    path("absences/offer-new-dates/", calendars.absence_offer_all, name="absence_offer_all"),
    path("absences/to-backup/", calendars.absence_to_backup, name="absence_to_backup"),
    path("calendars/feed/renew/", calendars.feed_renew, name="feed_renew"),
    path("feed/<str:token>.ics", calendars.feed, name="calendar_feed"),
    path("settings/tokens/<int:pk>/revoke/", account.revoke_token, name="revoke_token"),
    path("workspace/", account.switch_workspace, name="switch_workspace"),
    path("p/<str:token>/", public.proposal_page, name="proposal_public"),
    path("p/<str:token>/meeting.ics", public.proposal_event, name="proposal_event"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler400 = errors.bad_request
handler403 = errors.forbidden
handler404 = errors.not_found
handler500 = errors.server_error
