"""Signing in and out, changing your own password, and setting it from a one-time link."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from tilearn.security import is_safe_next
from tilearn.services import accounts, passwords

bp = Blueprint("auth", __name__)
REFUSED = "The email address or password is not right. Check them and try again."
THROTTLED = (
    "There have been several unsuccessful attempts to sign in. For your security, signing in is "
    "paused for a while. You can try again in {wait}, or ask your administrator for help."
)
NOT_THE_SAME = "The two new passwords are not the same. Type it again."
LINK_UNUSABLE = "This link has already been used or has expired"


class SignInForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "Email address", validators=[DataRequired("Enter your email address"), Length(max=254)]
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password"), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device for 14 days")


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    new_password = PasswordField(
        "New password",
        validators=[DataRequired("Enter a new password"), Length(max=passwords.MAX_PASSWORD + 1)],
    )
    new_password_again = PasswordField(
        "New password again",
        validators=[DataRequired("Type the new password again"), EqualTo("new_password", NOT_THE_SAME)],
    )


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one typed twice."""

    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password"), Length(max=passwords.MAX_PASSWORD)],
    )


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    """Show the sign-in form and sign the person in."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.my_learning"))
    form = SignInForm()
    next_page = request.args.get("next")
    if form.validate_on_submit():
        limits = accounts.sign_in_limits(current_app.config)
        try:
            user = accounts.authenticate(
                form.email.data or "", form.password.data or "", request.remote_addr or "", limits
            )
        except accounts.SignInRefused as refused:
            if refused.throttled and refused.retry_at is not None:
                form.email.errors = [THROTTLED.format(wait=accounts.wait_in_words(refused.retry_at))]
            else:
                form.email.errors = [REFUSED]
        else:
            lifetime = current_app.config[
                "REMEMBER_COOKIE_DURATION" if form.remember.data else "PERMANENT_SESSION_LIFETIME"
            ]
            session.clear()  # a fresh session at every sign-in
            accounts.start_session(user, lifetime)
            session.permanent = bool(form.remember.data)  # else the cookie ends with the browser
            login_user(user, remember=bool(form.remember.data), duration=lifetime)
            return redirect(next_page if is_safe_next(next_page) else url_for("learn.my_learning"))
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    """End this browser's session on the server, then forget it here."""
    if current_user.is_authenticated:
        accounts.end_session(current_user.get_id())
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


def _show_password_error(form: FlaskForm, error: passwords.PasswordError) -> None:
    field = getattr(form, error.field)
    field.errors = [*field.errors, str(error)]


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    """Change your own password: asks the current one; your other sessions end, this one stays."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            passwords.change_own_password(
                current_user._get_current_object(),
                form.current_password.data or "",
                form.new_password.data or "",
                current_user.get_id(),
                accounts.sign_in_limits(current_app.config),
            )
        except passwords.PasswordError as error:
            _show_password_error(form, error)
        else:
            flash(
                "Your password has been changed. Anywhere else you were signed in, you have been signed out.",
                "success",
            )
            return redirect(url_for("learn.my_learning"))
    return render_template("auth/change_password.html", form=form)


def _private(body: str, status: int = 200) -> Response:
    """A page that must not be cached: its address holds a set-password token."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> ResponseReturnValue:
    """Choose your password from the one-time link an admin gave you; then sign in with it."""
    person = passwords.person_for_link(token)
    if person is None:
        return _private(render_template("auth/link_unusable.html"), 404)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            passwords.set_password_with_link(token, form.new_password.data or "")
        except passwords.LinkUnusable:
            return _private(render_template("auth/link_unusable.html"), 404)
        except passwords.PasswordError as error:
            _show_password_error(form, error)
        else:
            if current_user.is_authenticated:  # someone else was signed in on this browser
                accounts.end_session(current_user.get_id())
                logout_user()
                session.clear()
            flash("Your password is set. Sign in with your email address and your new password.", "success")
            return redirect(url_for("auth.sign_in"))
    return _private(render_template("auth/set_password.html", form=form, person=person))
