"""A signed-in user's own account: changing the password (every other session and API token then ends)."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, session
from flask_babel import gettext as _

from marketplace.errors import ValidationFailed
from marketplace.services.accounts import sign_in

from ..database import db_session, keep_changes
from ..i18n import localise_message
from ..sign_in_throttle import client, sign_in_throttle
from . import bp
from .auth import SESSION_KEY, home_of, page_principal, signed_in
from .common import FormErrors, flash_done


@bp.get("/account/password")
@signed_in
def password_form():
    """The form to change one's own password."""
    return render_template("password.html", errors=FormErrors())


@bp.post("/account/password")
@signed_in
def password_post():
    """Change the password: every other session and API token ends; this browser gets a fresh session."""
    new = request.form.get("new_password", "")
    if new != request.form.get("new_password_again", ""):
        errors = FormErrors()
        errors.add("new_password_again", _("The two new passwords differ."))
        return render_template("password.html", errors=errors), 422
    who = client("page")
    try:
        user = sign_in.change_password(db_session(), page_principal(), request.form.get("current_password", ""),
                                       new, who, throttle=sign_in_throttle())
    except sign_in.TooManyAttempts as exc:
        keep_changes()
        return render_template("password.html", errors=FormErrors(localise_message(exc.message))), 429, \
            {"Retry-After": str(exc.retry_after)}
    except ValidationFailed as exc:
        keep_changes()  # a wrong current password is audited
        return render_template("password.html", errors=FormErrors.of(exc)), 422
    session[SESSION_KEY] = sign_in.open_session(db_session(), user, who,
                                                lifetime=current_app.permanent_session_lifetime)
    flash_done(_("Your password was changed: your other sessions and API tokens have ended."))
    return redirect(home_of(page_principal()))
