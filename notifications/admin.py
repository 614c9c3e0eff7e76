from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from notifications.models import Message, MessageStatus
from notifications.services import message_enqueue


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Superusers see what went out and what failed (with the reason), and can send a failed one again."""

    list_display = ("created_at", "template", "channel", "status", "attempts", "last_error", "sent_at")
    list_filter = ("status", "channel", "template")
    date_hierarchy = "created_at"
    fields = ("account", "channel", "template", "key", "subject", "status", "attempts", "last_error", "sent_at")
    readonly_fields = fields
    actions = ["send_again"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected failed messages again"))
    def send_again(self, request, queryset):
        failed = queryset.filter(status=MessageStatus.FAILED)
        # A message whose text is forgotten (an account link, or past the retention period) would
        # go out blank: the person asks for a new link instead.
        ids = list(failed.exclude(body="").values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids).update(status=MessageStatus.PENDING, attempts=0, last_error="")
        for message_id in ids:
            message_enqueue(message_id)
        self.message_user(request, _("%(count)d message(s) queued again.") % {"count": len(ids)})
        if blank := failed.filter(body="").count():
            self.message_user(
                request,
                _("%(count)d message(s) not sent again: their text was forgotten.") % {"count": blank},
                messages.WARNING,
            )
