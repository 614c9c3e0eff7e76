"""Account pages: thin views over forms and services; Django's auth views do the rest."""

from __future__ import annotations

from axes.helpers import get_cool_off
from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import services
from accounts.forms import PROFILE_FIELDS, EmailAuthenticationForm, EmailPasswordResetForm, ProfileForm, SignupForm

_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


# The account a sign-up in this browser created (None when the address was taken): opening the
# confirmation link in the same browser then signs the person in.
_SIGNUP_SESSION_KEY = "accounts_signup_user"


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PROFILE_FIELDS}
        try:
            user = services.account_signup(request=request, password=form.cleaned_data["password1"], **fields)
        except ValidationError as exc:  # too many sign-ups from this IP address
            form.add_error(None, exc)
        else:
            # The same answer whether or not the address already had an account (like password reset).
            request.session[_SIGNUP_SESSION_KEY] = user.pk if user else None
            return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


@login_required
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    # The form writes what was typed onto request.user even when it is refused: keep the saved values.
    saved = {"email": request.user.email, "pending_email": request.user.pending_email}
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_update_profile(request=request, user=form.instance, changed=form.changed_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if "email" in form.changed_data and user.pending_email:
                messages.info(
                    request,
                    _(
                        "We sent a confirmation link to %(new)s. Your e-mail address changes when you open it; "
                        "until then, keep signing in with %(old)s."
                    )
                    % {"new": user.pending_email, "old": user.email},
                )
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "saved": saved})


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.account_confirm_email(token=token)
    except ValidationError as exc:
        return render(request, "accounts/email_confirm_result.html", {"error": exc.messages[0]}, status=400)
    if not request.user.is_authenticated and request.session.pop(_SIGNUP_SESSION_KEY, None) == user.pk:
        login(request, user, backend=_MODEL_BACKEND)  # the browser that signed up, with the password typed
    return render(request, "accounts/email_confirm_result.html", {"error": None})


@login_required
@never_cache
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    user = request.user
    address = user.pending_email or ("" if user.email_confirmed else user.email)
    if request.method == "POST" and address:
        if services.confirmation_email_allowed(user):
            services.send_confirmation_email(user=user, email=address)
            messages.success(request, _("We sent a new confirmation link to %(email)s.") % {"email": address})
        else:
            messages.error(request, services.too_many_emails_message())
        return redirect("accounts:resend_confirmation")
    return render(request, "accounts/email_confirm_resend.html", {"address": address})


def lockout(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    """django-axes calls this once an (account, IP) pair has failed too often."""
    until = timezone.localtime(timezone.now() + get_cool_off(request))
    form = EmailAuthenticationForm(request, data=request.POST or None)
    form.is_bound = False  # show the empty form, not validation errors
    message = _("Too many failed sign-in attempts. Try again after %(time)s, or reset your password.") % {
        "time": time_format(until, "H:i"),
    }
    return render(request, "registration/login.html", {"form": form, "lockout_message": message}, status=429)


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, throttled per address and per IP; the answer is the same either way."""

    form_class = EmailPasswordResetForm

    def form_valid(self, form):
        if services.password_reset_allowed(request=self.request, email=form.cleaned_data["email"]):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's one-time link view; a successful reset also lifts a sign-in lockout."""

    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.email.lower())
        services.send_password_changed_notice(user=form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (it keeps this session and ends the others); the holder is told by e-mail."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.send_password_changed_notice(user=form.user)
        return response
