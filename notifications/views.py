from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from notifications import services
from notifications.forms import ChannelsForm


@login_required
@never_cache
def channels(request: HttpRequest) -> HttpResponse:
    initial = {"email": request.user.notify_by_email, "whatsapp": request.user.notify_by_whatsapp}
    # Unticked checkboxes send nothing: an empty POST is still a submitted form.
    data = request.POST if request.method == "POST" else None
    form = ChannelsForm(data, initial=initial, account=request.user)
    if request.method == "POST" and form.is_valid():
        services.channels_set(account=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification channels have been saved."))
        return redirect("notifications:channels")
    return render(request, "notifications/channels.html", {"form": form})
